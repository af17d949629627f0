from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from newsarchiver.discover import (
    MAX_SITEMAP_URLS,
    NewsEntry,
    classify,
    feed_links,
    gunzip_capped,
    links_from_html,
    parse_feed,
    parse_sitemap,
)

PAGE = b"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Russia, Uzbekistan Sign Accord - Example News</title>
  <link rel="stylesheet" href="/static/site.css">
  <link rel="canonical" href="https://www.example.com/a/russia-uzbekistan-accord/123.html">
  <link rel="alternate" type="application/rss+xml" title="Top stories" href="/api/rss/top">
  <link rel="alternate" type="application/atom+xml" href="https://feeds.example.com/atom.xml">
  <link rel="alternate" hreflang="ru" href="https://ru.example.com/a/123.html">
</head>
<body>
  <a href="#content" class="skip">Skip to main content</a>
  <div class="ticker">Breaking News <a href="/a/breaking/124.html?utm_source=ticker">Quake</a></div>
  <article>
    <p>Text with a <a href="../../a/related/125.html">related story</a>,
       <a href="/a/related/125.html#comments">its comments</a> and
       <a rel="nofollow" href="https://elsewhere.org/report.pdf">a report</a>.</p>
    <a href="javascript:void(0)">Share</a> <a href="mailto:desk@example.com">Mail us</a>
    <a href="tel:+4912345">Call</a> <a href="data:text/html,hi">data</a> <a href="">self</a> <a>no href</a>
    <map><area href="/map/region" alt="region"></map>
  </article>
  <a href="HTTPS://WWW.EXAMPLE.COM:443/a/breaking/124.html">Quake again</a>
</body>
</html>
"""
PAGE_URL = "https://www.example.com/a/russia-uzbekistan-accord/123.html"


def test_links_from_html_resolves_normalises_and_dedups() -> None:
    assert links_from_html(PAGE, PAGE_URL) == [
        "https://www.example.com/api/rss/top",
        "https://feeds.example.com/atom.xml",
        "https://www.example.com/a/russia-uzbekistan-accord/123.html",  # "#content"
        "https://www.example.com/a/breaking/124.html",
        "https://www.example.com/a/related/125.html",
        "https://elsewhere.org/report.pdf",  # nofollow is followed (a ranking hint, not access)
        "https://www.example.com/map/region",
    ]


def test_feed_links() -> None:
    assert feed_links(PAGE, PAGE_URL) == ["https://www.example.com/api/rss/top", "https://feeds.example.com/atom.xml"]
    assert feed_links(PAGE.decode(), PAGE_URL) == feed_links(PAGE, PAGE_URL)


def test_base_href_is_respected_first_one_only() -> None:
    html = b"""<html><head><base href="/en/"><base href="https://wrong.example/"></head>
    <body><a href="story.html">s</a><a href="/abs">a</a></body></html>"""
    assert links_from_html(html, "https://example.com/x/y") == [
        "https://example.com/en/story.html",
        "https://example.com/abs",
    ]


def test_javascript_base_href_is_ignored() -> None:
    html = b'<base href="javascript:alert(1)"><a href="s.html">s</a>'
    assert links_from_html(html, "https://example.com/dir/") == ["https://example.com/dir/s.html"]


def test_windows_1251_page_links() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>'
        '<body><a href="/новости/1">Новости</a></body></html>'
    ).encode("cp1251")
    expected = ["https://example.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1"]
    assert links_from_html(html, "https://example.ru/") == expected
    # the HTTP charset, when given, is used the same way
    bare = '<a href="/новости/1">x</a>'.encode("cp1251")
    assert links_from_html(bare, "https://example.ru/", encoding="windows-1251") == expected


def test_latin1_page_without_declaration_does_not_crash() -> None:
    html = '<a href="/caf\u00e9">Caf\u00e9</a>'.encode("latin-1")
    assert links_from_html(html, "https://example.fr/") == ["https://example.fr/caf%C3%A9"]


def test_xhtml_with_xml_declaration() -> None:
    html = b"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body><a href="/x">x</a></body></html>"""
    assert links_from_html(html, "https://example.com/") == ["https://example.com/x"]


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x00", b"<", b"\xff\xfe", "", b"<html><a href='/a'"])
def test_empty_or_broken_html(body: bytes | str) -> None:
    result = links_from_html(body, "https://example.com/")
    assert result in ([], ["https://example.com/a"])


def test_link_extraction_is_fast() -> None:
    links = "".join(f'<li><a href="/news/2024/{i}.html?utm_source=x">Story {i}</a></li>' for i in range(500))
    page = f"<html><body><ul>{links}</ul>{'<p>text ' * 5000}</body></html>".encode()
    start = time.perf_counter()
    for _ in range(10):
        result = links_from_html(page, "https://example.com/")
    elapsed = (time.perf_counter() - start) / 10
    assert len(result) == 500
    assert elapsed < 0.1  # about 5 ms here; generous for slow CI machines


# --- feeds ---------------------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel>
  <title>Example News - Top Stories</title>
  <link>https://www.example.com/</link>
  <item>
    <title>Russia, Uzbekistan Sign Accord</title>
    <link>https://www.example.com/a/russia-uzbekistan-accord/123.html?utm_source=rss</link>
    <guid isPermaLink="true">https://www.example.com/a/russia-uzbekistan-accord/123.html</guid>
    <pubDate>Mon, 14 Nov 2005 10:00:00 GMT</pubDate>
  </item>
  <item>
    <title>Relative link</title>
    <link>/a/relative/124.html</link>
  </item>
  <item>
    <title>Via FeedBurner</title>
    <link>https://feedproxy.google.com/~r/example/~3/abc/</link>
    <feedburner:origLink>https://www.example.com/a/origin/125.html</feedburner:origLink>
  </item>
  <item>
    <title>Only a permalink guid</title>
    <guid>https://www.example.com/a/guid-only/126.html</guid>
  </item>
  <item>
    <title>Opaque guid, no link</title>
    <guid isPermaLink="false">12345</guid>
  </item>
  <item>
    <title>Duplicate</title>
    <link>https://www.example.com/a/russia-uzbekistan-accord/123.html#top</link>
  </item>
</channel>
</rss>
"""


def test_parse_rss2() -> None:
    assert parse_feed(RSS, "https://www.example.com/rss.xml") == [
        "https://www.example.com/a/russia-uzbekistan-accord/123.html",
        "https://www.example.com/a/relative/124.html",
        "https://www.example.com/a/origin/125.html",
        "https://www.example.com/a/guid-only/126.html",
    ]


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.example.org/news/">
  <title>Пример новостей</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-05-01T10:00:00Z</updated>
  <entry>
    <title>Статья</title>
    <link rel="enclosure" type="audio/mpeg" href="https://cdn.example.org/a.mp3"/>
    <link rel="alternate" type="text/html" href="2024/05/статья.html"/>
    <id>tag:example.org,2024:1</id>
    <updated>2024-05-01T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Second</title>
    <link href="https://www.example.org/news/2024/05/second.html"/>
    <id>tag:example.org,2024:2</id>
    <updated>2024-05-01T11:00:00Z</updated>
  </entry>
</feed>
""".encode()


def test_parse_atom_with_xml_base() -> None:
    assert parse_feed(ATOM, "https://www.example.org/feed.atom") == [
        "https://www.example.org/news/2024/05/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F.html",
        "https://www.example.org/news/2024/05/second.html",
    ]


def test_parse_rss1_rdf() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://example.net/"><title>Old</title><link>https://example.net/</link></channel>
  <item rdf:about="https://example.net/a/1"><title>One</title><link>https://example.net/a/1</link></item>
</rdf:RDF>"""
    assert parse_feed(rdf, "https://example.net/index.rdf") == ["https://example.net/a/1"]


def test_parse_json_feed() -> None:
    feed = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
        "items": [{"id": "1", "url": "https://example.com/j/1"}, {"id": "2", "url": "/j/2"},
                  {"id": "3", "external_url": "https://other.org/x"}, {"id": "4"}, "junk"]}"""
    assert parse_feed(feed, "https://example.com/feed.json") == [
        "https://example.com/j/1",
        "https://example.com/j/2",
        "https://other.org/x",
    ]
    assert parse_feed(b"{broken json", "https://example.com/feed.json") == []
    assert parse_feed(b"[1, 2]", "https://example.com/feed.json") == []


def test_malformed_feed_is_read_leniently() -> None:
    broken = b"""<rss version="2.0"><channel><title>Broken &amp unescaped</title>
      <item><title>One & only</title><link>https://example.com/1</link></item>
      <item><title>Two <b>bold</title><link>https://example.com/2</link></item>
    """
    urls = parse_feed(broken, "https://example.com/rss")
    assert "https://example.com/1" in urls


@pytest.mark.parametrize("body", [b"", b"not a feed at all", b"<html><body>404</body></html>", b"\xff\xfe\x00"])
def test_non_feeds_give_nothing(body: bytes) -> None:
    assert parse_feed(body, "https://example.com/rss") == []


def test_feed_body_is_never_opened_as_a_path(tmp_path: Path) -> None:
    # feedparser given bytes would open() them as a file name; a hostile server could make us
    # read a local file. The body must be treated as content only.
    local = tmp_path / "local.xml"
    local.write_bytes(RSS)
    assert parse_feed(str(local).encode(), "https://example.com/rss") == []
    assert parse_feed(str(local), "https://example.com/rss") == []  # type: ignore[arg-type]


# --- sitemaps ------------------------------------------------------------------------------------

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/sitemap.xsl"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://www.example.com/a/1.html</loc>
    <lastmod>2024-05-01T10:00:00+00:00</lastmod>
    <image:image><image:loc>https://img.example.com/1.jpg</image:loc></image:image>
  </url>
  <url><loc>
      https://www.example.com/a/2.html?utm_medium=sitemap
  </loc></url>
  <url><loc>https://www.example.com/a/1.html</loc></url>
  <url><loc>javascript:alert(1)</loc></url>
  <url><lastmod>2024-01-01</lastmod></url>
</urlset>
"""


def test_parse_urlset() -> None:
    result = parse_sitemap(URLSET, "https://www.example.com/sitemap.xml")
    assert result.urls == ["https://www.example.com/a/1.html", "https://www.example.com/a/2.html"]
    assert result.sitemaps == []
    assert result.news == []
    assert result.lastmod == {"https://www.example.com/a/1.html": "2024-05-01T10:00:00+00:00"}
    assert not result.truncated


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.example.com/sitemap-news.xml</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>https://www.example.com/sitemap-2024-05.xml.gz</loc></sitemap>
</sitemapindex>
"""


def test_parse_sitemap_index() -> None:
    result = parse_sitemap(SITEMAP_INDEX, "https://www.example.com/sitemap_index.xml")
    assert result.sitemaps == [
        "https://www.example.com/sitemap-news.xml",
        "https://www.example.com/sitemap-2024-05.xml.gz",
    ]
    assert result.urls == []
    assert result.lastmod["https://www.example.com/sitemap-news.xml"] == "2024-05-01"


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://www.example.com/a/russia-uzbekistan-accord/123.html</loc>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2005-11-14T10:00:00+00:00</news:publication_date>
      <news:title>Russia, Uzbekistan Sign Accord</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://www.example.com/uz/a/124.html</loc>
    <news:news>
      <news:publication><news:name>Ozodlik</news:name><news:language>uz</news:language></news:publication>
      <news:publication_date>2005-11-14</news:publication_date>
      <news:title>Oʻzbekiston &amp; Rossiya</news:title>
    </news:news>
  </url>
</urlset>
""".encode()


def test_parse_google_news_sitemap() -> None:
    result = parse_sitemap(NEWS_SITEMAP, "https://www.example.com/news-sitemap.xml")
    assert result.urls == [
        "https://www.example.com/a/russia-uzbekistan-accord/123.html",
        "https://www.example.com/uz/a/124.html",
    ]
    assert result.news == [
        NewsEntry(
            url="https://www.example.com/a/russia-uzbekistan-accord/123.html",
            title="Russia, Uzbekistan Sign Accord",
            publication_date="2005-11-14T10:00:00+00:00",
            publication_name="Example News",
            language="en",
        ),
        NewsEntry(
            url="https://www.example.com/uz/a/124.html",
            title="Oʻzbekiston & Rossiya",
            publication_date="2005-11-14",
            publication_name="Ozodlik",
            language="uz",
        ),
    ]


def test_gzipped_sitemaps() -> None:
    result = parse_sitemap(gzip.compress(URLSET), "https://www.example.com/sitemap.xml.gz")
    assert result.urls == ["https://www.example.com/a/1.html", "https://www.example.com/a/2.html"]
    # two gzip members concatenated (what `cat a.gz b.gz` gives) are one stream
    two = gzip.compress(SITEMAP_INDEX[:120]) + gzip.compress(SITEMAP_INDEX[120:])
    assert len(parse_sitemap(two, "https://www.example.com/s.xml.gz").sitemaps) == 2


def test_gzip_cap_and_damage() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    data, truncated = gunzip_capped(bomb, 1000)
    assert (len(data), truncated) == (1000, True)
    assert gunzip_capped(gzip.compress(b"x" * 1000), 1000) == (b"x" * 1000, False)
    cut = gzip.compress(URLSET)[:-40]
    partial, truncated = gunzip_capped(cut, 10**6)
    assert truncated and partial and URLSET.startswith(partial[:50])
    result = parse_sitemap(cut, "https://www.example.com/s.xml.gz")
    assert result.truncated
    assert "https://www.example.com/a/1.html" in result.urls
    assert gunzip_capped(b"\x1f\x8bnot gzip at all", 100) == (b"", True)


def test_malformed_xml_is_recovered() -> None:
    broken = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.com/1</loc></url>
  <url><loc>https://example.com/2 & 3</loc>
  <url><loc>https://example.com/4</loc></url>
  <url><loc>https://example.com/5"""
    urls = parse_sitemap(broken, "https://example.com/sitemap.xml").urls
    assert urls[0] == "https://example.com/1"
    assert "https://example.com/4" in urls


def test_wrong_namespace_still_read() -> None:
    body = b"<urlset><url><loc>https://example.com/1</loc></url></urlset>"
    assert parse_sitemap(body, "https://example.com/s.xml").urls == ["https://example.com/1"]


def test_entities_are_not_expanded_and_files_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://attacker.example/leaked")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<urlset><url><loc>&xxe;</loc></url><url><loc>https://example.com/&d;</loc></url>
<url><loc>https://example.com/ok</loc></url></urlset>""".encode()
    urls = parse_sitemap(xxe, "https://example.com/s.xml").urls
    assert "https://attacker.example/leaked" not in urls
    assert all(len(u) < 200 for u in urls)
    assert "https://example.com/ok" in urls


def test_text_sitemap() -> None:
    body = b"https://example.com/1\r\n\r\n  https://example.com/2  \nnot a url\n/relative\nftp://x/\n"
    assert parse_sitemap(body, "https://example.com/sitemap.txt").urls == [
        "https://example.com/1",
        "https://example.com/2",
    ]


def test_rss_used_as_sitemap() -> None:
    assert parse_sitemap(RSS, "https://www.example.com/rss.xml").urls[0] == (
        "https://www.example.com/a/russia-uzbekistan-accord/123.html"
    )


def test_url_count_cap() -> None:
    urls = "".join(f"<url><loc>https://example.com/{i}</loc></url>" for i in range(MAX_SITEMAP_URLS + 5))
    result = parse_sitemap(f"<urlset>{urls}</urlset>".encode(), "https://example.com/s.xml")
    assert len(result.urls) == MAX_SITEMAP_URLS
    assert result.truncated


@pytest.mark.parametrize("body", [b"", b"<", b"<html><body>Not found</body></html>", b"\x00\x01\x02", b"\x1f\x8b"])
def test_garbage_sitemaps_give_nothing(body: bytes) -> None:
    result = parse_sitemap(body, "https://example.com/sitemap.xml")
    assert result.urls == [] and result.sitemaps == [] and result.news == []


# --- classify -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "url", "head", "kind"),
    [
        ("text/html; charset=utf-8", PAGE_URL, PAGE[:1024], "html"),
        ("application/xhtml+xml", "https://e.com/", b'<?xml version="1.0"?><html xmlns="x">', "html"),
        (None, "https://e.com/", b"<!DOCTYPE html><html>", "html"),
        (None, "https://e.com/", b"<div>fragment</div>", "html"),
        ("application/rss+xml", "https://e.com/rss", RSS[:1024], "feed"),
        ("text/html", "https://e.com/rss", RSS[:1024], "feed"),  # mislabelled feed
        ("text/xml", "https://e.com/feed", ATOM[:1024], "feed"),
        ("application/atom+xml", "https://e.com/feed", b"", "feed"),
        ("application/feed+json", "https://e.com/feed.json", b"{}", "feed"),
        ("application/json", "https://e.com/feed.json", b'{"version": "https://jsonfeed.org/version/1.1"', "feed"),
        ("application/json", "https://e.com/api", b'{"a": 1}', "other"),
        ("application/xml", "https://e.com/sitemap.xml", URLSET[:1024], "sitemap"),
        ("text/html", "https://e.com/sitemap_index.xml", SITEMAP_INDEX[:1024], "sitemap"),
        ("application/x-gzip", "https://e.com/sitemap-1.xml.gz", gzip.compress(URLSET)[:1024], "sitemap"),
        ("application/octet-stream", "https://e.com/sm.xml.gz", gzip.compress(URLSET)[:1024], "sitemap"),
        ("application/gzip", "https://e.com/archive.tar.gz", gzip.compress(b"tar")[:1024], "other"),
        ("text/plain", "https://e.com/robots.txt", b"User-agent: *", "robots"),
        ("text/plain", "https://e.com/sitemap.txt", b"https://e.com/1\n", "sitemap"),
        ("application/pdf", "https://e.com/report.pdf", b"%PDF-1.7", "other"),
        ("image/jpeg", "https://e.com/a.jpg", b"\xff\xd8\xff", "other"),
        (None, "https://e.com/x", b"", "other"),
    ],
)
def test_classify(content_type: str | None, url: str, head: bytes, kind: str) -> None:
    assert classify(content_type, url, head) == kind


def test_classify_is_not_fooled_into_backtracking() -> None:
    start = time.perf_counter()
    classify("text/plain", "https://e.com/x", b" " * 4000 + b"x")
    classify("text/plain", "https://e.com/x", b"<?" * 2000)
    classify("text/plain", "https://e.com/x", b"<!--" * 1000)
    assert time.perf_counter() - start < 0.5
