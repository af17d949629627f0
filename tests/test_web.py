"""The offline reader (`newsarchiver serve`) in a real headless Chromium, over a real archive.

The archive: the sample site crawled twice with an edit in between (two versions of article 0),
plus an imported WARC holding a hostile page and an Arabic article. The browser's only way out
is a recording proxy for non-loopback addresses and a loopback canary the hostile page targets:
both must see nothing. Screenshots of each page go to the test's tmp dir.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from warc_checks import assert_valid_warcs
from web_support import (
    ARABIC_TITLE,
    ARABIC_URL,
    HOSTILE_TITLE,
    HOSTILE_URL,
    Recorder,
    chromium_available,
    page_requests,
    start_chromium,
    write_special_warc,
)

from newsarchiver.config import Job, default_config
from newsarchiver.crawl import Crawler
from newsarchiver.index import Catalogue
from newsarchiver.ingest import import_warcs
from newsarchiver.sample_site import SampleSiteServer, generate_site
from newsarchiver.web import ReaderServer
from newsarchiver.web.lookup import CaptureLocator, url_key
from newsarchiver.web.replay import REPLAY_CSP
from newsarchiver.web.rewrite import rewrite_html


@dataclass
class World:
    archive: Path
    reader: ReaderServer
    canary: Recorder
    proxy: Recorder
    screens: Path
    seed_id: int  # article 0 of the sample site: two versions
    hostile_id: int
    arabic_id: int


def _crawl(archive: Path, url: str) -> None:
    config = default_config(archive)
    config = replace(config, crawl=replace(config.crawl, delay_seconds=0.0, timeout_seconds=5.0, retries=0),
                     extract=replace(config.extract, workers=1))
    job = Job(name="news", seeds=(url + "/",), feeds=(url + "/feed.xml",), max_depth=1, max_pages=30)
    with Catalogue.open(archive) as store:
        report = Crawler(config, job, store=store).run()
    assert report.failures == 0, report.failed_urls


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("web")
    archive = root / "archive"
    canary, proxy = Recorder(), Recorder()
    with SampleSiteServer(generate_site(n_articles=3)) as site:
        _crawl(archive, site.url)
        site.edit_article(0)  # a sentence added and "(Updated)" in the headline
        # Replay URLs carry 14-digit (one-second) timestamps, as pywb's do: two captures of a URL
        # within one second cannot be told apart, so the second crawl starts in a later second.
        time.sleep(1.1)
        _crawl(archive, site.url)
    assert_valid_warcs(archive)
    special = write_special_warc(root / "special.warc.gz", canary.url)
    with Catalogue.open(archive) as catalogue:
        report = import_warcs(catalogue, [special], replace(default_config(archive), extract=replace(
            default_config(archive).extract, workers=1)))
        assert not report.errors, report.errors
        ids = {key: catalogue.article(url) for key, url in (("hostile", HOSTILE_URL), ("arabic", ARABIC_URL))}
        seed = next(a for a in map(catalogue.article, catalogue.find_articles()) if a and a.latest_version == 2)
    assert ids["hostile"] and ids["arabic"], "the imported pages were not indexed as articles"
    screens = root / "screens"
    screens.mkdir()
    with ReaderServer(archive, port=0) as reader:
        yield World(archive, reader, canary, proxy, screens, seed.id, ids["hostile"].id, ids["arabic"].id)
    canary.close()
    proxy.close()


@pytest.fixture(scope="module")
def browser(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not chromium_available():
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), world.proxy)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def open_page(driver: Any, world: World, path: str, shot: str) -> None:
    driver.get(world.reader.url.rstrip("/") + path)
    time.sleep(0.3)  # let subresources of the page and its frames settle before the screenshot
    driver.save_screenshot(str(world.screens / f"{shot}.png"))


def http_get(url: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


# --- the pages, in the browser ----------------------------------------------------------------------

def test_search_finds_and_highlights(world: World, browser: Any) -> None:
    open_page(browser, world, "/?q=accord", "search")
    count = browser.find_element("css selector", ".hitcount").text
    assert "matching article" in count and not count.startswith("0 ")
    assert browser.find_elements("css selector", ".result mark"), "matched words are marked in the snippet"
    titles = [e.text for e in browser.find_elements("css selector", ".result h2 a")]
    assert any("Accord" in t for t in titles), titles
    open_page(browser, world, "/", "search-all")
    assert "in the archive" in browser.find_element("css selector", ".hitcount").text
    open_page(browser, world, "/?q=accord&since=nonsense", "search-bad-date")
    assert "since" in browser.find_element("css selector", ".error").text


def test_article_page_reads_well(world: World, browser: Any) -> None:
    open_page(browser, world, "/?q=accord", "search-again")
    browser.find_element("css selector", f'.result h2 a[href="/article/{world.seed_id}"]').click()
    assert browser.current_url.endswith(f"/article/{world.seed_id}")
    browser.save_screenshot(str(world.screens / "article.png"))
    assert "(Updated)" in browser.find_element("css selector", "h1").text
    assert browser.find_element("css selector", ".byline .authors").text
    versions = browser.find_elements("css selector", ".versions li")
    assert len(versions) == 2
    assert len(browser.find_elements("css selector", ".captures li")) >= 2
    assert len(browser.find_elements("css selector", ".story-body p")) >= 3
    assert browser.find_element("css selector", ".story").get_attribute("dir") == "ltr"


def test_diff_marks_added_and_removed_words(world: World, browser: Any) -> None:
    open_page(browser, world, f"/article/{world.seed_id}", "article-before-diff")
    browser.find_element("link text", "Compare versions").click()
    browser.save_screenshot(str(world.screens / "diff.png"))
    assert "version 1 and version 2" in browser.find_element("css selector", "h1").text
    inserted = " ".join(e.text for e in browser.find_elements("css selector", ".story-body ins"))
    assert inserted, "the added sentence is marked"
    assert browser.find_elements("css selector", ".diff-title del") and "(Updated)" in \
        browser.find_element("css selector", ".diff-title ins").text


def test_archived_original_is_served_from_the_archive(world: World, browser: Any) -> None:
    open_page(browser, world, f"/article/{world.hostile_id}", "hostile-article")
    browser.find_element("link text", "Archived original").click()
    time.sleep(1.5)  # the hostile page's meta refresh fires after 1 s if it is ever allowed to
    browser.save_screenshot(str(world.screens / "original.png"))
    frame = browser.find_element("css selector", "iframe.original")
    assert frame.get_attribute("sandbox") == ""
    browser.switch_to.frame(frame)
    try:
        assert "/original/20240501100000/" in browser.execute_script("return location.href")
        photo = browser.execute_script("const i = document.getElementById('photo'); return [i.complete, i.naturalWidth]")
        assert photo == [True, 64], "the archived image is served through its rewritten link"
        missing = browser.execute_script("return document.getElementById('missing').naturalWidth")
        assert missing == 0, "an image that was never archived stays missing"
        color = browser.execute_script("return getComputedStyle(document.querySelector('.lead')).color")
        assert color == "rgb(18, 52, 86)", "the archived stylesheet applies"
    finally:
        browser.switch_to.default_content()


def test_crawled_original_uses_the_cdxj_index(world: World, browser: Any) -> None:
    """A crawled page and the stylesheet and images the crawler archived with it."""
    open_page(browser, world, f"/capture/{_capture_of(world, world.seed_id)}", "original-crawled")
    browser.switch_to.frame(browser.find_element("css selector", "iframe.original"))
    try:
        assert "(Updated)" in browser.find_element("css selector", "h1").text
        logo = browser.execute_script("return document.querySelector('.logo img').naturalWidth")
        assert logo == 120, "the archived logo is served from the WARC"
        font = browser.execute_script("return getComputedStyle(document.body).fontFamily")
        assert "Georgia" in font, "the archived stylesheet applies"
    finally:
        browser.switch_to.default_content()


def test_hostile_page_runs_nothing(world: World, browser: Any) -> None:
    open_page(browser, world, f"/article/{world.hostile_id}", "hostile-reader")
    assert browser.find_element("css selector", "h1").text == HOSTILE_TITLE.strip()
    assert HOSTILE_TITLE.strip() in browser.title, "the title is text, not markup"
    assert browser.execute_script("return window.name") == ""
    open_page(browser, world, f"/capture/{_capture_of(world, world.hostile_id)}", "hostile-original")
    browser.switch_to.frame(browser.find_element("css selector", "iframe.original"))
    try:
        assert browser.execute_script("return window.name") == ""
        assert browser.execute_script("return document.title") == HOSTILE_TITLE, "the script did not retitle it"
        assert browser.find_element("id", "jslink").get_attribute("href") is None
        assert browser.find_element("id", "datalink").get_attribute("href") is None
        for element_id in ("jslink", "submit", "pinged"):  # the last one navigates the frame
            browser.find_element("id", element_id).click()
        time.sleep(1.5)
    finally:
        browser.switch_to.default_content()
    assert browser.current_url.startswith(world.reader.url), "no click navigated the reader away"
    assert world.canary.requests == [], "the hostile page reached the network"
    console = [entry["message"] for entry in browser.get_log("browser")]
    assert not [m for m in console if "pwned" in m and "Content Security Policy" not in m], console
    with pytest.raises(Exception, match="no such alert"):
        _ = browser.switch_to.alert.text


def test_right_to_left_for_arabic(world: World, browser: Any) -> None:
    open_page(browser, world, f"/article/{world.arabic_id}", "arabic")
    story = browser.find_element("css selector", ".story")
    assert story.get_attribute("dir") == "rtl" and story.get_attribute("lang") == "ar"
    assert browser.execute_script("return getComputedStyle(document.querySelector('.story-body p')).direction") == "rtl"
    assert browser.find_element("css selector", "h1").text == ARABIC_TITLE
    open_page(browser, world, "/?lang=ar", "search-arabic")
    snippet = browser.find_element("css selector", ".snippet")
    assert snippet.get_attribute("dir") == "rtl"


def test_sites_and_jobs_pages(world: World, browser: Any) -> None:
    open_page(browser, world, "/sites", "sites")
    sites = [e.text for e in browser.find_elements("css selector", "table.grid tbody td:first-child")]
    assert {"127.0.0.1", "hostile.example", "arabic.example"} <= set(sites)
    open_page(browser, world, "/jobs", "jobs")
    assert "news" in [e.text for e in browser.find_elements("css selector", ".job h2")]
    assert len(browser.find_elements("css selector", ".job tbody tr")) >= 2
    assert browser.find_elements("css selector", ".outcome-ok")


def test_no_request_left_the_machine(world: World, browser: Any) -> None:
    """Run last: every request of every page above stayed on loopback."""
    assert page_requests(world.proxy.requests) == [], "a page asked for a non-loopback address"
    assert world.canary.requests == []
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls, "the performance log recorded the reader's requests"
    outside = [u for u in urls if not u.startswith((world.reader.url, "data:", "chrome:", "about:"))]
    assert outside == []


# --- plain HTTP: guards and headers ------------------------------------------------------------------

def test_foreign_host_and_writes_refused(world: World) -> None:
    base, port = world.reader.url, world.reader.port
    assert http_get(base, host=f"127.0.0.1:{port}")[0] == 200
    assert http_get(base, host=f"localhost:{port}")[0] == 200
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", f"127.0.0.1.evil.example:{port}"):
        assert http_get(base, host=host)[0] == 403, host
    assert http_get(base, method="POST")[0] == 405
    assert http_get(base + "_static/..%2f..%2findex.sqlite")[0] == 404
    assert http_get(base + "original/2024/file:///etc/passwd")[0] == 404
    assert http_get(base + "original/2024/http://never.example/")[0] == 404
    _, headers, body = http_get(base)
    assert "script-src" not in headers["Content-Security-Policy"] and "default-src 'none'" in headers[
        "Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and b"<script" not in body


def test_archived_response_headers_are_not_replayed(world: World) -> None:
    status, headers, body = http_get(f"{world.reader.url}original/20240501100000/{HOSTILE_URL}")
    assert status == 200
    assert headers["Content-Security-Policy"] == REPLAY_CSP
    names = {name.lower() for name in headers}
    assert not names & {"set-cookie", "strict-transport-security", "refresh", "link", "content-encoding",
                        "clear-site-data"}
    text = body.decode("utf-8")  # decoded from gzip by the reader
    assert "Ministers meet over border pact" in text
    assert "javascript:" not in text.lower().replace("javascript:fetch", "") or 'href="javascript' not in text
    assert world.canary.url + "/meta-refresh" not in text.split("<body")[0].replace(
        f"/original/20240501100000/{world.canary.url}/meta-refresh", "")


def _capture_of(world: World, article_id: int) -> int:
    with Catalogue.open(world.archive, readonly=True) as catalogue:
        return catalogue.captures_of(article_id)[-1].id


def test_empty_archive_explains_how_to_start(tmp_path: Path) -> None:
    with ReaderServer(tmp_path / "nothing-yet", port=0) as reader:
        status, _, body = http_get(reader.url)
        assert status == 200 and b"Nothing archived here yet" in body and b"newsarchiver demo" in body
        for path in ("sites", "jobs"):
            assert http_get(reader.url + path)[0] == 200
        assert http_get(reader.url + "article/1")[0] == 404


def test_serve_cli_refuses_remote_without_flag_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    refused = subprocess.run([sys.executable, "-m", "newsarchiver", "serve", "--archive", str(tmp_path),
                              "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2 and "--allow-remote" in refused.stderr and refused.stderr.count("\n") == 1
    process = subprocess.Popen([sys.executable, "-m", "newsarchiver", "serve", "--archive", str(tmp_path),
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        url = line.split(" at ", 1)[1].split()[0]
        assert http_get(url)[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)


# --- pure parts: link rewriting and the CDXJ lookup ------------------------------------------------------

def test_rewrite_points_every_url_into_the_archive() -> None:
    page = ('<base href="http://a.example/news/"><a href="x.html">x</a><a id=j href="java\tscript:alert(1)">j</a>'
            '<img srcset="a.png 1x, data:image/png;base64,AAAA 2x" src="//cdn.example/i.png">'
            """<meta http-equiv="Refresh" content="0; URL='http://b.example/'">"""
            '<style>p{background:url("bg.png")}@import "s.css";</style><p>a &lt; b &amp; c</p>'
            '<a href="#top" ping="http://t.example/">t</a><link rel=stylesheet href="s.css" integrity="sha384-x">')
    out = rewrite_html(page, "http://a.example/index.html", "20240501000000")
    prefix = "/original/20240501000000/"
    assert f'<a href="{prefix}http://a.example/news/x.html">' in out and '<a id="j">j</a>' in out
    assert "<base" not in out and "ping=" not in out and "integrity" not in out
    assert f"{prefix}http://cdn.example/i.png" in out and "data:image/png;base64,AAAA 2x" in out
    assert f'content="0; URL={prefix}http://b.example/"' in out
    assert f'url("{prefix}http://a.example/news/bg.png")' in out and f'@import "{prefix}http://a.example/news/s.css"' in out
    assert "a &lt; b &amp; c" in out and 'href="#top"' in out


def test_cdxj_lookup_finds_the_nearest_capture(tmp_path: Path) -> None:
    (tmp_path / "a.warc.gz").write_bytes(b"")
    lines = []
    for i in range(3000):
        url = f"http://site{i:04d}.example/page"
        for stamp in ("20240101000000", "20240301000000", "20240601000000"):
            record = {"url": url, "mime": "text/html", "status": "200", "offset": str(i), "filename": "a.warc.gz"}
            lines.append(f"{url_key(url)} {stamp} {json.dumps(record)}")
    evil = {"url": "http://evil.example/", "status": "200", "offset": "0", "filename": "../outside.warc.gz"}
    lines.append(f"{url_key('http://evil.example/')} 20240101000000 {json.dumps(evil)}")
    (tmp_path / "index.cdxj").write_text("".join(f"{line}\n" for line in sorted(lines)))
    locator = CaptureLocator(tmp_path)
    for i in (0, 1234, 2999):
        found = locator.find(f"http://site{i:04d}.example/page", "20240320000000")
        assert found is not None and found.offset == i and found.timestamp == "20240301000000"
    assert locator.find("http://site3000.example/page", "20240101000000") is None
    assert locator.find("http://evil.example/", "20240101000000") is None, "a file outside the archive"
