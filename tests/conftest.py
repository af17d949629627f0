"""Shared fixtures: a small generated news site and a real HTTP server for it on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


# --- PostgreSQL ------------------------------------------------------------------------------
# Tests that need a server take `pg_url`: a URL whose search_path is a fresh, empty schema of the
# database NEWSARCHIVER_TEST_POSTGRESQL names (.ci/run starts Debian's server and sets it). Without
# it they are skipped, unless NEWSARCHIVER_REQUIRE_POSTGRESQL=1 (CI), which makes a skip a failure.

PG_ENV = "NEWSARCHIVER_TEST_POSTGRESQL"
PG_DEFAULT = "postgresql://newsarchiver:newsarchiver@127.0.0.1:5432/newsarchiver_test"


def _pg_base_url() -> str | None:
    import os

    url = os.environ.get(PG_ENV) or PG_DEFAULT
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url
    except Exception as exc:  # noqa: BLE001 - any failure means "no server for the tests"
        if os.environ.get("NEWSARCHIVER_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {url}: {exc}")
        return None


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    url = _pg_base_url()
    if url is None:
        pytest.skip(f"no PostgreSQL server (set {PG_ENV})")
    return url


def _new_schema_url(base_url: str) -> tuple[str, Callable[[], None]]:
    """A URL whose search_path is a new empty schema, and the function that drops it."""
    import uuid
    from urllib.parse import quote

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}", drop


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A URL whose tables live in a new schema of their own, dropped after the test."""
    url, drop = _new_schema_url(pg_base_url)
    yield url
    drop()


class StoreOpener:
    """Opens catalogues of one kind ("sqlite" or "postgresql"): one archive (and schema) per name."""

    def __init__(self, kind: str, root: Path, request: pytest.FixtureRequest) -> None:
        self.kind = kind
        self.root = root
        self._request = request
        self._urls: dict[str, str] = {}

    def url(self, name: str = "archive") -> str | None:
        if self.kind == "sqlite":
            return None
        if name not in self._urls:
            url, drop = _new_schema_url(self._request.getfixturevalue("pg_base_url"))
            self._request.addfinalizer(drop)
            self._urls[name] = url
        return self._urls[name]

    def __call__(self, name: str = "archive", **options: Any) -> Any:
        from newsarchiver.index import Catalogue

        return Catalogue.open(self.root / name, index_url=self.url(name), **options)

    def config(self, name: str = "archive") -> Any:
        """A default config for this archive, with its index."""
        from dataclasses import replace

        from newsarchiver.config import default_config

        return replace(default_config(self.root / name), index=self.url(name) or "sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreOpener:
    """The store contract: tests taking this run once on SQLite and once on PostgreSQL."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_base_url")  # skips (or fails in CI) without a server
    return StoreOpener(request.param, tmp_path, request)
