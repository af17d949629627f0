from __future__ import annotations

import gzip

import pytest

from newsarchiver.robots import MAX_ROBOTS_BYTES, RobotsPolicy, product_token, robots_url
from newsarchiver.urls import normalize_url

UA = "newsarchiver/0.1 (+https://github.com/newsarchiver/newsarchiver; digital preservation crawler)"

NEWS_SITE_ROBOTS = b"""\
# robots.txt for a news site
User-agent: *
Disallow: /search
Disallow: /*?print=
Allow: /search/about$
Crawl-delay: 2

User-agent: GPTBot
Disallow: /

user-agent: NewsArchiver
disallow: /admin/
allow: /admin/public/
crawl-delay: 0.5

Sitemap: https://www.example.com/sitemap_index.xml
Sitemap: /news-sitemap.xml
Sitemap: https://www.example.com/sitemap_index.xml
"""


def test_our_group_wins_over_star() -> None:
    policy = RobotsPolicy.from_response(200, NEWS_SITE_ROBOTS, UA, url="https://www.example.com/robots.txt")
    assert not policy.allowed("https://www.example.com/admin/users")
    assert policy.allowed("https://www.example.com/admin/public/page")  # longest match wins
    assert policy.allowed("https://www.example.com/search?q=x")  # the * group does not apply to us
    assert policy.crawl_delay() == 0.5
    assert policy.sitemaps() == [
        "https://www.example.com/sitemap_index.xml",
        "https://www.example.com/news-sitemap.xml",
    ]


def test_star_group_with_wildcards_and_anchors() -> None:
    policy = RobotsPolicy.from_response(200, NEWS_SITE_ROBOTS, "otherbot/1.0")
    assert not policy.allowed("https://www.example.com/search?q=x")
    assert policy.allowed("https://www.example.com/search/about")
    assert not policy.allowed("https://www.example.com/search/about/more")
    assert not policy.allowed("https://www.example.com/news/1?print=1")
    assert policy.allowed("https://www.example.com/news/1")
    assert policy.crawl_delay() == 2.0


def test_robots_txt_itself_is_always_allowed() -> None:
    policy = RobotsPolicy.from_response(200, b"User-agent: *\nDisallow: /\n", UA)
    assert not policy.allowed("https://example.com/")
    assert policy.allowed("https://example.com/robots.txt")
    assert RobotsPolicy.from_response(503, b"", UA).allowed("https://example.com/robots.txt")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451, 301, 302])
def test_unavailable_means_allow_all(status: int) -> None:
    policy = RobotsPolicy.from_response(status, b"User-agent: *\nDisallow: /\n", UA)
    assert policy.allowed("https://example.com/anything")
    assert policy.crawl_delay() is None
    assert policy.sitemaps() == []


@pytest.mark.parametrize("status", [None, 429, 500, 502, 503, 504])
def test_unreachable_means_disallow_all(status: int | None) -> None:
    policy = RobotsPolicy.from_response(status, b"User-agent: *\nAllow: /\n", UA)
    assert not policy.allowed("https://example.com/")
    assert not policy.allowed("https://example.com/news/1")


def test_non_utf8_file_does_not_crash() -> None:
    body = (
        "User-agent: *\n"
        "Disallow: /архив/\n"  # windows-1251 bytes, not UTF-8
        "Disallow: /privé/\n"
    ).encode("cp1251", errors="replace") + b"\xff\xfe\x00garbage\x80\x81\n" + b"Disallow: /tmp/\n"
    policy = RobotsPolicy.from_response(200, body, UA)
    assert not policy.allowed("https://example.com/tmp/x")
    assert policy.allowed("https://example.com/news/")


def test_utf8_paths_match_percent_encoded_urls() -> None:
    body = "\ufeffUser-agent: *\nDisallow: /архив/\n".encode("utf-8")  # with a BOM
    policy = RobotsPolicy.from_response(200, body, UA)
    assert not policy.allowed("https://example.com/%D0%B0%D1%80%D1%85%D0%B8%D0%B2/2020")
    assert policy.allowed("https://example.com/news/")


def test_gzipped_body_without_content_encoding() -> None:
    policy = RobotsPolicy.from_response(200, gzip.compress(b"User-agent: *\nDisallow: /private/\n"), UA)
    assert not policy.allowed("https://example.com/private/x")


def test_only_the_first_500_kib_is_parsed() -> None:
    filler = b"# padding line to push rules past the RFC 9309 minimum size\n" * (MAX_ROBOTS_BYTES // 60 + 10)
    body = b"User-agent: *\nDisallow: /early/\n" + filler + b"Disallow: /late/\n"
    assert len(body) > MAX_ROBOTS_BYTES
    policy = RobotsPolicy.from_response(200, body, UA)
    assert not policy.allowed("https://example.com/early/")
    assert policy.allowed("https://example.com/late/")


def test_empty_or_html_body_allows_all() -> None:
    assert RobotsPolicy.from_response(200, b"", UA).allowed("https://example.com/x")
    soft_404 = b"<!doctype html><html><body><h1>Page not found</h1></body></html>"
    assert RobotsPolicy.from_response(200, soft_404, UA).allowed("https://example.com/x")


def test_bad_crawl_delay_is_ignored() -> None:
    body = b"User-agent: *\nCrawl-delay: soon\nCrawl-delay: -3\nDisallow: /x\n"
    assert RobotsPolicy.from_response(200, body, UA).crawl_delay() is None


def test_helpers() -> None:
    assert robots_url("https://example.com:8443/news/a?b=1#c") == "https://example.com:8443/robots.txt"
    # The crawler asks for it by a normalised URL: no default port, so it is fetched and archived once.
    assert robots_url(normalize_url("http://127.0.0.1:80/a")) == "http://127.0.0.1/robots.txt"
    assert product_token(UA) == "newsarchiver"
    assert product_token("") == "newsarchiver"
    assert "404" in repr(RobotsPolicy.from_response(404, b"", UA))
