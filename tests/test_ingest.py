"""`newsarchiver import` and `reindex` on real WARC files built with warcio, through the CLI."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warc_factory import WarcBuilder, paragraphs_for, sha1_b32, article_html

SITE = "https://www.example.com"


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def rows(archive: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(archive / "index.sqlite")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def versions_table(archive: Path) -> list[tuple]:
    return rows(archive, "SELECT a.url_key, v.n, v.title, v.text_hash, v.captured_at FROM versions v "
                         "JOIN articles a ON a.id = v.article_id ORDER BY a.url_key, v.n")


def first_crawl(path: Path, n: int = 4) -> Path:
    w = WarcBuilder(job="news")
    for i in range(n):
        w.page(f"{SITE}/news/story-{i}?utm_source=rss", f"Story {i}", paragraphs_for(f"s{i}"),
               f"2024-05-0{i + 1}T10:00:00Z", canonical=f"https://example.com/news/story-{i}")
    w.response(f"{SITE}/style.css", b"body{color:red}", "2024-05-01T10:00:01Z", content_type="text/css")
    return w.save(path)


def second_crawl(path: Path) -> Path:
    """Story 0 edited, story 1 unchanged, story 2 retitled, story 3 gone."""
    w = WarcBuilder(job="news")
    edited = paragraphs_for("s0")
    edited[1] = "The ministry later corrected the figures it had given to reporters on Monday morning."
    w.page(f"{SITE}/news/story-0", "Story 0", edited, "2024-06-01T10:00:00Z")
    w.page(f"{SITE}/news/story-1", "Story 1", paragraphs_for("s1"), "2024-06-01T10:01:00Z",
           canonical="https://example.com/news/story-1")
    w.page(f"{SITE}/news/story-2", "Story 2: a new headline", paragraphs_for("s2"), "2024-06-01T10:02:00Z",
           canonical="https://example.com/news/story-2")
    w.response(f"{SITE}/news/story-3", b"<html><body>Not found</body></html>", "2024-06-01T10:03:00Z",
               status="404 Not Found")
    return w.save(path)


def test_import_records_captures_articles_and_versions(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    one, two = first_crawl(tmp_path / "in" / "one.warc.gz"), second_crawl(tmp_path / "in" / "two.warc.gz")
    result = cli("import", one, two, "--archive", archive, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout and "4 new articles" in result.stdout
    assert rows(archive, "SELECT COUNT(*) FROM captures") == [(9,)]
    assert rows(archive, "SELECT COUNT(*) FROM articles") == [(4,)]
    by_article = dict(rows(archive, "SELECT a.url_key, COUNT(v.id) FROM articles a "
                                    "JOIN versions v ON v.article_id = a.id GROUP BY a.id"))
    assert by_article == {"https://example.com/news/story-0": 2, "https://example.com/news/story-1": 1,
                          "https://example.com/news/story-2": 2, "https://example.com/news/story-3": 1}
    assert rows(archive, "SELECT url_key FROM articles WHERE removed_at IS NOT NULL") == [
        ("https://example.com/news/story-3",)]
    assert rows(archive, "SELECT DISTINCT job FROM captures") == [("news",)]  # from warcinfo isPartOf
    # The files were copied in, so the archive directory alone can rebuild the index.
    assert (archive / "imported" / "one.warc.gz").read_bytes() == one.read_bytes()
    assert rows(archive, "SELECT name, complete FROM warc_files ORDER BY name") == [
        ("imported/one.warc.gz", 1), ("imported/two.warc.gz", 1)]


def test_reimport_adds_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    one = first_crawl(tmp_path / "one.warc.gz")
    assert cli("import", one, "--archive", archive, "--extract-workers", "2", cwd=tmp_path).returncode == 0
    before = (rows(archive, "SELECT COUNT(*) FROM captures"), versions_table(archive))
    again = cli("import", one, "--archive", archive, cwd=tmp_path)
    copy = tmp_path / "renamed.warc.gz"
    copy.write_bytes(one.read_bytes())
    renamed = cli("import", copy, archive / "imported" / "one.warc.gz", "--archive", archive, cwd=tmp_path)
    assert again.returncode == renamed.returncode == 0
    assert "skipped" in again.stdout and "already imported" in renamed.stdout
    assert (rows(archive, "SELECT COUNT(*) FROM captures"), versions_table(archive)) == before


def test_revisit_resolves_across_files_in_any_order(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    body = article_html("Story", paragraphs_for("r"), canonical="https://example.com/r")
    a = WarcBuilder()
    a.response(f"{SITE}/r", body, "2024-05-01T10:00:00Z")
    b = WarcBuilder()
    b.revisit(f"{SITE}/r", f"{SITE}/r", "2024-05-01T10:00:00Z", sha1_b32(body), "2024-05-08T10:00:00Z")
    # The revisit's file first: it is linked once its original is indexed.
    result = cli("import", b.save(tmp_path / "b.warc.gz"), a.save(tmp_path / "a.warc.gz"),
                 "--archive", archive, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ((record_type, article_id, version_n, original),) = rows(
        archive, "SELECT record_type, article_id, version_n, original_id FROM captures WHERE record_type = 'revisit'")
    assert article_id == 1 and version_n == 1 and original is not None
    assert rows(archive, "SELECT last_captured_at FROM articles") == [("2024-05-08T10:00:00Z",)]


def test_damaged_warc_keeps_good_records_and_names_file_and_offset(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    data = first_crawl(tmp_path / "whole.warc.gz").read_bytes()
    damaged = tmp_path / "cut.warc.gz"
    damaged.write_bytes(data[: len(data) - 700])  # cut inside the last records
    result = cli("import", damaged, "--archive", archive, cwd=tmp_path)
    assert result.returncode == 5
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("newsarchiver: error:")]
    assert len(error_lines) == 1 and "cut.warc.gz" in error_lines[0] and "offset" in error_lines[0]
    kept = rows(archive, "SELECT COUNT(*) FROM captures")[0][0]
    assert 1 <= kept < 5
    assert rows(archive, "PRAGMA integrity_check") == [("ok",)]
    again = cli("import", damaged, "--archive", archive, cwd=tmp_path)
    assert again.returncode == 5 and rows(archive, "SELECT COUNT(*) FROM captures")[0][0] == kept

    junk = tmp_path / "notes.warc"
    junk.write_text("this is not a WARC file\n")
    bad = cli("import", junk, "--archive", archive, cwd=tmp_path)
    assert bad.returncode == 5 and "notes.warc" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("import", tmp_path / "nope.warc.gz", "--archive", archive, cwd=tmp_path)
    assert missing.returncode == 4 and "nope.warc.gz: no such file" in missing.stderr


def test_reindex_rebuilds_the_same_articles_and_versions(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    cli("import", first_crawl(tmp_path / "one.warc.gz"), second_crawl(tmp_path / "two.warc.gz"),
        "--archive", archive, cwd=tmp_path)
    conn = sqlite3.connect(archive / "index.sqlite")
    conn.execute("INSERT INTO runs (job, started_at, finished_at, outcome) "
                 "VALUES ('news', '2024-06-01T09:00:00Z', '2024-06-01T11:00:00Z', 'ok')")
    conn.commit()
    conn.close()
    before = versions_table(archive)
    captures_before = rows(archive, "SELECT warc_file, offset, url, status, version_n FROM captures ORDER BY 1, 2")
    result = cli("reindex", "--archive", archive, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert versions_table(archive) == before
    assert rows(archive, "SELECT warc_file, offset, url, status, version_n FROM captures ORDER BY 1, 2") == captures_before
    # Runs are not in the WARCs: kept, and the captures made during a run point at it again.
    assert rows(archive, "SELECT job, outcome FROM runs") == [("news", "ok")]
    assert rows(archive, "SELECT COUNT(*) FROM captures WHERE run_id = 1") == [(4,)]
    assert not (archive / "index.sqlite.reindex").exists()
    search = cli("search", "ministry", "corrected", "--format", "ids", "--archive", archive, cwd=tmp_path)
    assert search.stdout.split() == ["1"]


def _big_warc(path: Path, pages: int) -> Path:
    w = WarcBuilder(job="big")
    for i in range(pages):
        w.page(f"{SITE}/news/big-{i}", f"Big story {i}", paragraphs_for(f"big{i}", 8),
               f"2024-05-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z")
    return w.save(path)


def test_kill_9_during_import_then_rerun_completes(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    pages = 400
    warc = _big_warc(tmp_path / "big.warc.gz", pages)
    proc = subprocess.Popen([sys.executable, "-m", "newsarchiver", "import", str(warc), "--archive", str(archive),
                             "--extract-workers", "1"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    count = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            count = rows(archive, "SELECT COUNT(*) FROM captures")[0][0]
        except sqlite3.Error:
            count = 0
        if count >= 20:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the import finished before it could be interrupted")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert rows(archive, "PRAGMA integrity_check") == [("ok",)]
    partial = rows(archive, "SELECT COUNT(*) FROM captures")[0][0]
    assert 20 <= partial < pages
    assert rows(archive, "SELECT complete FROM warc_files") == [(0,)]

    rerun = cli("import", warc, "--archive", archive, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert rows(archive, "PRAGMA integrity_check") == [("ok",)]
    assert rows(archive, "SELECT COUNT(*), COUNT(DISTINCT offset) FROM captures") == [(pages, pages)]
    assert rows(archive, "SELECT COUNT(*) FROM articles") == [(pages,)]
    assert rows(archive, "SELECT COUNT(*) FROM versions") == [(pages,)]
    assert rows(archive, "SELECT complete FROM warc_files") == [(1,)]
    # Search caught up too: every article is findable.
    ids = cli("search", "--format", "ids", "--limit", "1000", "--archive", archive, cwd=tmp_path)
    assert len(ids.stdout.split()) == pages


def test_interrupted_reindex_leaves_the_old_index(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    pages = 300
    assert cli("import", _big_warc(tmp_path / "big.warc.gz", pages), "--archive", archive,
               cwd=tmp_path).returncode == 0
    before = versions_table(archive)
    proc = subprocess.Popen([sys.executable, "-m", "newsarchiver", "reindex", "--archive", str(archive),
                             "--extract-workers", "1"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    temp = archive / "index.sqlite.reindex"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = sqlite3.connect(f"file:{temp}?mode=ro", uri=True)
            done = conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
            conn.close()
        except sqlite3.Error:
            done = 0
        if done >= 20:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the reindex finished before it could be interrupted")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # The old index is untouched and usable; the half-built one is beside it, not in its place.
    assert rows(archive, "PRAGMA integrity_check") == [("ok",)]
    assert versions_table(archive) == before
    assert cli("show", "1", "--archive", archive, cwd=tmp_path).returncode == 0
    again = cli("reindex", "--archive", archive, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert versions_table(archive) == before and not temp.exists()


def test_reindex_keeps_article_ids_of_a_crawl(tmp_path: Path) -> None:
    """IDs are what users pass to show/diff: a rebuilt index must number articles the same way."""
    import sqlite3
    import subprocess
    import sys

    from newsarchiver.sample_site import SampleSiteServer, generate_site

    archive = tmp_path / "archive"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "newsarchiver", *args, "--archive", str(archive)],
                              capture_output=True, text=True, timeout=180)

    def ids() -> list[tuple[int, str]]:
        with sqlite3.connect(archive / "index.sqlite") as db:
            return sorted(db.execute("SELECT id, url FROM articles"))

    with SampleSiteServer(generate_site(n_articles=10)) as server:
        for name in ("zeta", "alpha"):  # job names sort against the crawl order
            proc = cli("crawl", server.url + "/", "--delay", "0", "--max-depth", "1", "--name", name,
                       "--extract-workers", "2")
            assert proc.returncode == 0, proc.stderr
        server.edit_article(0)
        assert cli("crawl", server.url + "/", "--delay", "0", "--max-depth", "1", "--name", "alpha").returncode == 0
    before = ids()
    assert len(before) == 10
    proc = cli("reindex")
    assert proc.returncode == 0, proc.stderr
    assert ids() == before
