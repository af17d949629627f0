"""Shared fixtures: a small generated news site and a real HTTP server for it on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsarchiver.sample_site import SampleSiteServer, Site, generate_site


@pytest.fixture
def site() -> Site:
    """12 articles; article 0 is the RFE/RL seed story. Cheap: pages are generated on request."""
    return generate_site(n_articles=12)


@pytest.fixture
def site_server(site: Site) -> Iterator[SampleSiteServer]:
    """The `site` served with hostile routes on; /hostile/slow sleeps 2 s unless ?seconds= says."""
    with SampleSiteServer(site, hostile=True) as server:
        server.slow_seconds = 2.0
        yield server
