"""The reader on a PostgreSQL index, in a real headless Chromium: search with highlights, an
article with its versions, the word diff and the sites page, as on SQLite (test_web.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_postgresql_cli import build_warc
from web_support import Recorder, chromium_available, start_chromium

from newsarchiver.web import ReaderServer


@pytest.fixture
def reader(tmp_path: Path, pg_url: str) -> Iterator[ReaderServer]:
    warc = build_warc(tmp_path / "in.warc.gz")
    archive = tmp_path / "archive"
    result = subprocess.run([sys.executable, "-m", "newsarchiver", "import", str(warc), "--archive", str(archive),
                             "--index", pg_url, "--extract-workers", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not (archive / "index.sqlite").exists() and not (archive / "search").exists()
    with ReaderServer(archive, port=0, index_url=pg_url) as server:
        yield server


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not chromium_available():
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    proxy = Recorder()
    driver = start_chromium(tmp_path / "profile", proxy)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    proxy.close()


def test_reader_on_postgresql(reader: ReaderServer, browser: Any) -> None:
    base = reader.url.rstrip("/")
    browser.get(f"{base}/?q=amended")
    assert browser.find_element("css selector", ".hitcount").text.startswith("1 matching article")
    assert [e.text.lower() for e in browser.find_elements("css selector", ".result mark")][:1] == ["amended"]
    browser.find_element("css selector", '.result h2 a[href="/article/1"]').click()
    assert "Ministers sign amended border pact" in browser.find_element("css selector", "h1").text
    assert len(browser.find_elements("css selector", ".versions li")) == 2
    browser.find_element("link text", "Compare versions").click()
    inserted = " ".join(e.text for e in browser.find_elements("css selector", ".story-body ins"))
    assert "amended after protests" in inserted
    browser.get(f"{base}/sites")
    assert [e.text for e in browser.find_elements("css selector", "table.grid tbody td:first-child")] == ["example.com"]
    browser.get(f"{base}/?q=pact&since=nonsense")
    assert "since" in browser.find_element("css selector", ".error").text
