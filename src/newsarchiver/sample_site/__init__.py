"""A deterministic sample news site and a local HTTP server for it (demo, tests, benchmarks).

    site = generate_site(n_articles=12)              # article 0 is the RFE/RL seed story
    with SampleSiteServer(site, hostile=True) as server:
        requests.get(server.url + site.articles[0].path)
        server.count(site.articles[0].path)          # -> 1
        server.edit_article(0); server.remove_article(3, status=410)

Modules: text (seed story, news-text generator), site (data model, routing), pages (HTML),
feeds (robots.txt, RSS, Atom, sitemaps), assets (PNG/CSS/JS), server (HTTP server, request
log), hostile (the /hostile/ routes; its docstring lists them).
"""

from __future__ import annotations

from .server import (
    ROBOTS_MODES,
    RequestLog,
    RequestRecord,
    SampleSiteServer,
    running_servers,
    start_servers,
    stop_servers,
    wait_until,
)
from .site import ArticleHead, ArticleInfo, Response, Section, Site, Topic, generate_site

__all__ = [
    "ROBOTS_MODES",
    "ArticleHead",
    "ArticleInfo",
    "RequestLog",
    "RequestRecord",
    "Response",
    "SampleSiteServer",
    "Section",
    "Site",
    "Topic",
    "generate_site",
    "running_servers",
    "start_servers",
    "stop_servers",
    "wait_until",
]
