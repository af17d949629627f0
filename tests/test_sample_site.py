"""The sample news site and its server, tested over real sockets with requests."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
import xml.etree.ElementTree as ET
import zlib
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
import requests
from bs4 import BeautifulSoup

from newsarchiver.sample_site import (
    ROBOTS_MODES,
    SampleSiteServer,
    Site,
    generate_site,
    running_servers,
    wait_until,
)
from newsarchiver.sample_site import hostile, text

pytestmark = pytest.mark.timeout(20)

SEED_FILE = Path(__file__).resolve().parents[2] / "shared/seeds/rferl-russia-uzbekistan-accord.txt"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def get(server: SampleSiteServer, path: str, **kw: object) -> requests.Response:
    kw.setdefault("timeout", 5)
    return requests.get(server.url + path, **kw)  # type: ignore[arg-type]


# --- the generated site ----------------------------------------------------------------------


def test_article_zero_is_the_seed_story(site: Site) -> None:
    a = site.articles[0]
    assert a.title == "Russia, Uzbekistan To Sign New Accord"
    assert a.path == "/a/2005/11/14/russia-uzbekistan-to-sign-new-accord.html"
    assert a.paragraphs[0].startswith("Moscow, 14 November 2005 (RFE/RL) -- Russian President")
    assert a.blocks[a.subheading_at] == "New Accord"
    assert a.expected_metadata["date"] == "2005-11-14" and a.language == "en"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="the shared seed file is not checked out")
def test_article_zero_text_matches_the_seed_file(site: Site) -> None:
    lines = [ln.strip() for ln in SEED_FILE.read_text().splitlines() if ln.strip()]
    start = lines.index("Russia, Uzbekistan To Sign New Accord") + 1
    end = lines.index("Aftermath Of Andijon")
    seed_blocks = lines[start:end]
    seed_blocks[0] = seed_blocks[0].removeprefix(text.SEED_CAPTION + " ")  # caption ran into it
    assert list(site.articles[0].blocks) == seed_blocks


def test_generation_is_deterministic_distinct_and_lazy() -> None:
    a, b = generate_site(n_articles=50, seed=3), generate_site(n_articles=50, seed=3)
    assert [x.expected_text for x in a.articles] == [x.expected_text for x in b.articles]
    texts = {x.expected_text for x in a.articles}
    assert len(texts) == 50
    assert generate_site(n_articles=50, seed=4).articles[7].expected_text != a.articles[7].expected_text
    for art in a.articles[1:]:
        assert 8 <= len(art.paragraphs) <= 20 and art.authors and "lorem" not in art.expected_text
        when = art.published
        assert f", {when.day} {when:%B %Y} (Sample News) -- " in art.paragraphs[0]  # dateline
    started = time.monotonic()
    big = generate_site(n_articles=100_000, page_kb=75)
    page = big.render(big.articles[99_999].path, "http://127.0.0.1:1").body
    assert time.monotonic() - started < 1.0  # nothing prebuilt
    assert abs(len(page) - 75 * 1024) < 3 * 1024


def test_edit_and_remove_change_what_is_served(site_server: SampleSiteServer, site: Site) -> None:
    original = site.articles[2]
    edited = site_server.edit_article(2)
    assert edited.version == 1 and edited.title != original.title
    assert sum(x != y for x, y in zip(original.paragraphs, edited.paragraphs)) == 1
    page = get(site_server, original.path).text
    assert edited.title in page and edited.paragraphs[edited.paragraphs.index(
        next(p for p, q in zip(edited.paragraphs, original.paragraphs) if p != q))][-40:] in page
    assert site.articles[2] == original  # site.articles keeps the first version
    site_server.remove_article(2, status=410)
    assert get(site_server, original.path).status_code == 410
    assert original.path not in get(site_server, "/sitemap-articles.xml").text
    site_server.remove_article(2, status=404)
    assert get(site_server, original.path).status_code == 404
    site_server.restore_article(2)
    assert get(site_server, original.path).status_code == 200


# --- pages -----------------------------------------------------------------------------------


def test_article_page_has_chrome_and_metadata(site_server: SampleSiteServer, site: Site) -> None:
    a = site.articles[1]
    r = get(site_server, a.path + "?utm_source=x#frag")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
    soup = BeautifulSoup(r.text, "lxml")
    assert soup.html["lang"] == "en"
    assert soup.h1.get_text() == a.title
    assert soup.find("link", rel="canonical")["href"] == site_server.url + a.path
    meta = {m.get("property") or m.get("name"): m["content"] for m in soup.find_all("meta")
            if m.get("content")}
    assert meta["og:title"] == a.title and meta["og:site_name"] == "Sample News"
    assert meta["og:image"].startswith(site_server.url)
    assert meta["article:published_time"] == a.published.isoformat()
    assert meta["article:section"] == a.section.name and meta["author"] == ", ".join(a.authors)
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["@type"] == "NewsArticle" and ld["headline"] == a.title
    assert soup.find("time")["datetime"] == a.published.isoformat()
    body = [p.get_text() for p in soup.select(".article-body p")]
    assert body == list(a.paragraphs)
    for chrome in ("Accessibility links", "Skip to main content", "Breaking News",
                   "undesirable organization", "To find out more, click here.", a.topic.heading):
        assert chrome in soup.get_text(" ", strip=True).replace(" .", "."), chrome


def test_every_internal_link_resolves(site_server: SampleSiteServer, site: Site) -> None:
    session = requests.Session()
    seen, queue = set(), ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        r = session.get(site_server.url + path, timeout=5)
        assert r.status_code == 200, path
        if "html" not in r.headers["Content-Type"]:
            continue
        for tag in BeautifulSoup(r.text, "lxml").find_all(["a", "link", "img", "script"]):
            ref = tag.get("href") or tag.get("src")
            url = urlsplit(urljoin(site_server.url + path, ref)) if ref else None
            if url and url.netloc == urlsplit(site_server.url).netloc and url.path != "/search":
                queue.append(url.path)
    assert {a.path for a in site.articles} <= seen
    assert "/private/drafts.html" in seen  # linked, so a crawler must consult robots.txt
    assert {"/static/logo.png", "/static/site.css", "/feed.xml"} <= seen
    assert session.get(site_server.url + "/static/logo.png").content.startswith(b"\x89PNG")
    assert get(site_server, "/no/such/page").status_code == 404


def test_section_pages_paginate_over_every_article() -> None:
    site = generate_site(n_articles=130)
    with SampleSiteServer(site) as server:
        found: set[str] = set()
        for section in site.sections:
            path = section.path
            while path:
                soup = BeautifulSoup(get(server, path).text, "lxml")
                found |= {a["href"] for a in soup.select("ul.article-list a")}
                nxt = soup.find("a", rel="next")
                path = nxt["href"] if nxt else None
    assert found == {a.path for a in site.articles}


def test_page_kb_pads_pages_with_chrome() -> None:
    site = generate_site(n_articles=5, page_kb=75)
    with SampleSiteServer(site) as server:
        for path in ("/", site.articles[0].path, site.articles[4].path):
            size = len(get(server, path).content)
            assert 73 * 1024 < size < 78 * 1024, (path, size)


# --- feeds, sitemaps, robots.txt -------------------------------------------------------------


def test_feeds_parse(site_server: SampleSiteServer, site: Site) -> None:
    for path in ("/feed.xml", "/atom.xml"):
        feed = feedparser.parse(get(site_server, path).content)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert len(feed.entries) == 12
        newest = site.articles[11]
        assert feed.entries[0].title == newest.title
        assert feed.entries[0].link.split("?")[0] == site_server.url + newest.path
    rss = feedparser.parse(get(site_server, "/feed.xml").content)
    assert "utm_source=rss" in rss.entries[0].link  # tracking params, as real feeds have


def test_sitemaps_are_valid_xml(site_server: SampleSiteServer, site: Site) -> None:
    index = ET.fromstring(get(site_server, "/sitemap.xml").content)
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert locs == [site_server.url + "/sitemap-articles.xml", site_server.url + "/sitemap-news.xml"]
    urlset = ET.fromstring(get(site_server, "/sitemap-articles.xml").content)
    urls = {e.text for e in urlset.iter(f"{SM}loc")}
    assert {site_server.url + a.path for a in site.articles} <= urls
    news = ET.fromstring(get(site_server, "/sitemap-news.xml").content)
    entries = news.findall(f"{SM}url")
    assert len(entries) == 12 and all(e.find(f"{NEWS}news") is not None for e in entries)
    assert entries[-1].find(f"{NEWS}news/{NEWS}title").text == site.articles[0].title


def test_robots_txt_modes(site_server: SampleSiteServer) -> None:
    r = get(site_server, "/robots.txt")
    assert "Disallow: /private/" in r.text and f"Sitemap: {site_server.url}/sitemap.xml" in r.text
    expected = {"normal": 200, "crawl-delay": 200, "disallow-all": 200, "missing": 404, "401": 401,
                "403": 403, "500": 500, "garbage": 200, "to-private": 302}
    assert set(expected) == set(ROBOTS_MODES)
    for mode, status in expected.items():
        site_server.robots_mode = mode
        assert get(site_server, "/robots.txt", allow_redirects=False).status_code == status, mode
    site_server.robots_mode = "crawl-delay"
    assert "Crawl-delay: 2" in get(site_server, "/robots.txt").text
    site_server.robots_mode = "garbage"
    with pytest.raises(UnicodeDecodeError):
        get(site_server, "/robots.txt").content.decode("utf-8")


# --- server behaviour ------------------------------------------------------------------------


def test_request_log_counts_each_fetch(site_server: SampleSiteServer, site: Site) -> None:
    path = site.articles[3].path
    get(site_server, path, headers={"User-Agent": "newsarchiver-test/1"})
    get(site_server, path + "?utm_source=x")
    assert site_server.count(path) == 1 and site_server.count(path + "?utm_source=x") == 1
    record = [r for r in site_server.requests if r.path == path][0]
    assert record.method == "GET" and record.headers["user-agent"] == "newsarchiver-test/1"
    requests.head(site_server.url + path, timeout=5)
    assert site_server.count(path, method="HEAD") == 1


def test_keep_alive_and_one_write_per_response(site_server: SampleSiteServer, site: Site) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", site_server.port, timeout=5)
    conn.request("GET", site.articles[0].path)
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("GET", site.articles[1].path)
    second = conn.getresponse()
    assert second.status == 200 and len(second.read()) == int(second.headers["Content-Length"])
    assert conn.sock is sock and not first.will_close  # the same TCP connection
    conn.close()


def test_conditional_requests(site_server: SampleSiteServer, site: Site) -> None:
    path = site.articles[0].path
    r = get(site_server, path)
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    assert parsedate_to_datetime(modified) == site.articles[0].modified
    assert get(site_server, path, headers={"If-None-Match": etag}).status_code == 304
    assert get(site_server, path, headers={"If-Modified-Since": modified}).status_code == 304
    assert get(site_server, path, headers={"If-None-Match": '"other"'}).status_code == 200
    site_server.edit_article(0)
    r2 = get(site_server, path, headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["ETag"] != etag
    assert get(site_server, path, headers={"If-Modified-Since": modified}).status_code == 200


def test_latency_and_stop_is_prompt(site: Site) -> None:
    server = SampleSiteServer(site, latency_ms=150, hostile=True).start()
    started = time.monotonic()
    assert get(server, "/").status_code == 200
    assert time.monotonic() - started >= 0.15
    with pytest.raises(requests.exceptions.Timeout):
        get(server, "/hostile/slow?seconds=30", timeout=0.3)
    port = server.port
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)  # an idle keep-alive client
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert idle.recv(100).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    server.stop()  # with a slow handler still sleeping and a connection open
    assert time.monotonic() - started < 2
    while idle.recv(65536):  # drain the rest of the response, then see the server's close
        pass
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=1)


def test_several_servers_on_distinct_loopback_addresses() -> None:
    with running_servers(3, n_articles=4, distinct_addresses=True) as servers:
        hosts = [urlsplit(s.url).hostname for s in servers]
        assert hosts == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
        labels = {BeautifulSoup(get(s, "/").text, "lxml").h1.get_text() for s in servers}
        assert labels == {"Sample News 1", "Sample News 2", "Sample News 3"}
        assert len({s.site.articles[1].title for s in servers}) == 3


# --- hostile routes --------------------------------------------------------------------------


def test_hostile_routes_are_off_by_default(site: Site) -> None:
    with SampleSiteServer(site) as server:
        assert get(server, "/hostile/loop", allow_redirects=False).status_code == 404


def test_redirects(site_server: SampleSiteServer) -> None:
    r = get(site_server, "/hostile/loop", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/hostile/loop"
    with pytest.raises(requests.exceptions.TooManyRedirects):
        get(site_server, "/hostile/loop")
    r = get(site_server, "/hostile/chain/5")
    assert r.status_code == 200 and len(r.history) == 5
    assert {h.status_code for h in r.history} == {301, 302, 303, 307, 308}
    bait = {"/hostile/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/hostile/to-private": "http://10.0.0.1/", "/hostile/to-file": "file:///etc/passwd",
            "/hostile/to-ftp": "ftp://ftp.example.com/pub/README"}
    for path, location in bait.items():  # never followed here: only the Location is checked
        r = get(site_server, path, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"] == location


def test_redirect_to_another_loopback_address(site_server: SampleSiteServer) -> None:
    assert site_server.peer is not None
    r = get(site_server, "/hostile/other-host")
    assert r.history[0].headers["Location"].startswith("http://127.0.0.2:")
    assert r.status_code == 200 and urlsplit(r.url).hostname == "127.0.0.2"
    assert site_server.peer.count("/") == 1


def test_slow_response_times_out(site_server: SampleSiteServer) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(site_server, "/hostile/slow?seconds=1", timeout=0.2)
    assert get(site_server, "/hostile/slow?seconds=0.05").status_code == 200


def test_endless_body_stops_when_client_disconnects(site_server: SampleSiteServer) -> None:
    r = get(site_server, "/hostile/endless", stream=True)
    assert "Content-Length" not in r.headers
    received = 0
    for chunk in r.iter_content(65536):
        received += len(chunk)
        if received > 2_000_000:
            break
    assert site_server.active_streams == 1
    r.close()
    assert wait_until(lambda: site_server.active_streams == 0, timeout=5)


def test_lying_content_length(site_server: SampleSiteServer) -> None:
    sock = socket.create_connection(("127.0.0.1", site_server.port), timeout=5)
    sock.sendall(b"GET /hostile/lying-length HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while chunk := sock.recv(65536):  # the server closes after the short body
        data += chunk
    sock.close()
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Content-Length: %d" % hostile.LYING_DECLARED in head
    assert len(body) == hostile.LYING_SENT
    with pytest.raises(requests.exceptions.RequestException):
        get(site_server, "/hostile/lying-length")


def test_gzip_and_gzip_bomb(site_server: SampleSiteServer, site: Site) -> None:
    r = get(site_server, "/hostile/gzip", stream=True)
    raw = r.raw.read(decode_content=False)
    assert r.headers["Content-Encoding"] == "gzip" and raw[:2] == b"\x1f\x8b"
    assert site.articles[0].title in gzip.decompress(raw).decode()

    r = get(site_server, "/hostile/gzip-bomb", stream=True)
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["Content-Type"].startswith("text/html")
    wire = r.raw.read(decode_content=False)
    assert len(wire) == int(r.headers["Content-Length"]) < 1_200_000  # small on the wire...
    inflated, rest = 0, wire
    for _ in range(4):  # ...each of its members inflates to 1 MB of zeros...
        d = zlib.decompressobj(31)
        out = d.decompress(rest)
        assert out == bytes(len(out))
        inflated, rest = inflated + len(out), d.unused_data
    assert inflated == 4 << 20
    member = len(wire) - len(rest)
    assert len(wire) / (member / 4) == 1024  # ...and there are 1,024 of them: 1 GB


def test_chunked_framing_is_real(site_server: SampleSiteServer) -> None:
    sock = socket.create_connection(("127.0.0.1", site_server.port), timeout=5)
    sock.sendall(b"GET /hostile/chunked HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while not data.endswith(b"\r\n0\r\n\r\n"):
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the last chunk"
        data += chunk
    sock.close()
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
    pieces, exts = [], []
    while True:
        size_line, body = body.split(b"\r\n", 1)
        size_hex, _, ext = size_line.partition(b";")
        size = int(size_hex, 16)
        if size == 0:
            break
        pieces.append(body[:size])
        exts.append(ext)
        assert body[size:size + 2] == b"\r\n"
        body = body[size + 2:]
    assert pieces == list(hostile.CHUNKS) and b"note=hand-made" in exts
    assert get(site_server, "/hostile/chunked").content == b"".join(hostile.CHUNKS)


def test_statuses_and_retry_after(site_server: SampleSiteServer) -> None:
    assert get(site_server, "/hostile/429").headers["Retry-After"] == "1"
    r = get(site_server, "/hostile/503")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    when = parsedate_to_datetime(get(site_server, "/hostile/503-date").headers["Retry-After"])
    assert when.tzinfo is not None
    for status in (404, 410, 500):
        assert get(site_server, f"/hostile/{status}").status_code == status
    assert [get(site_server, "/hostile/flaky/2").status_code for _ in range(4)] == [500, 500, 200, 200]
    assert get(site_server, "/hostile/flaky/2?other").status_code == 500  # counted per target
    site_server.reset_counters()
    assert get(site_server, "/hostile/flaky/2").status_code == 500


def test_charsets(site_server: SampleSiteServer) -> None:
    r = get(site_server, "/hostile/cp1251")
    assert r.headers["Content-Type"] == "text/html; charset=windows-1251"
    assert b"charset" not in r.content and hostile.RUSSIAN_TEXT in r.content.decode("cp1251")
    r = get(site_server, "/hostile/koi8r")
    assert r.headers["Content-Type"] == "text/html" and b"charset=koi8-r" in r.content
    assert hostile.RUSSIAN_TEXT in r.content.decode("koi8_r")
    r = get(site_server, "/hostile/latin1")
    assert r.headers["Content-Type"].endswith("iso-8859-1")
    assert hostile.FRENCH_GERMAN_TEXT in r.content.decode("latin-1")
    r = get(site_server, "/hostile/utf16")
    assert r.content[:2] == b"\xff\xfe" and hostile.UTF16_TEXT in r.content.decode("utf-16")


def test_pdf_is_valid(site_server: SampleSiteServer) -> None:
    r = get(site_server, "/hostile/pdf")
    pdf = r.content
    assert r.headers["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    offsets = re.findall(rb"(\d{10}) 00000 n", pdf[xref_at:])
    for n, off in enumerate(offsets, 1):
        assert pdf[int(off):].startswith(b"%d 0 obj" % n)


def test_huge_page(site_server: SampleSiteServer) -> None:
    r = requests.head(site_server.url + "/hostile/huge", timeout=5)
    assert int(r.headers["Content-Length"]) == 30 * 1024 * 1024
    site_server.huge_mb = 3
    body = get(site_server, "/hostile/huge").content
    assert len(body) == 3 * 1024 * 1024 and body.endswith(b"</body></html>\n")


def test_malformed_and_non_article_pages(site_server: SampleSiteServer) -> None:
    bad = get(site_server, "/hostile/malformed").content
    assert b"\x00" in bad and bad.index(b"</html>") < len(bad) - 100
    with pytest.raises(UnicodeDecodeError):
        bad.decode("utf-8")
    assert "Checking your browser" in get(site_server, "/hostile/challenge").text
    assert "Accept all" in get(site_server, "/hostile/consent").text
    paywall = get(site_server, "/hostile/paywall").text
    assert "Subscribe to continue reading" in paywall and '"isAccessibleForFree":false' in paywall
    index = get(site_server, "/hostile/").text
    assert all(path in index for path in hostile.ROUTES)
