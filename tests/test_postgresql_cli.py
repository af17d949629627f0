"""The commands on a PostgreSQL index behave as on SQLite: the same WARCs imported into both give
the same output from show, history, diff, search, changes, export and stats; `migrate` copies an
SQLite index (ids kept) or rebuilds from the WARCs; a crawl writes straight into PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from warc_factory import WarcBuilder, paragraphs_for

from newsarchiver.sample_site import SampleSiteServer, Site

SITE = "https://www.example.com"


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def ok(*args: str | Path, cwd: Path) -> str:
    result = cli(*args, cwd=cwd)
    assert result.returncode == 0, f"{args}: {result.stderr}"
    return result.stdout


def build_warc(path: Path) -> Path:
    w = WarcBuilder(job="news")
    w.page(f"{SITE}/news/pact", "Ministers sign border pact", paragraphs_for("pact"), "2024-05-01T10:00:00Z",
           canonical="https://example.com/news/pact")
    w.page(f"{SITE}/news/storm", "Storm closes the mountain pass", paragraphs_for("storm"), "2024-05-01T11:00:00Z",
           canonical="https://example.com/news/storm")
    w.page(f"{SITE}/ru/news", "Министры подписали договор", paragraphs_for("ru"), "2024-05-01T12:00:00Z",
           canonical="https://example.com/ru/news", lang="ru")
    edited = paragraphs_for("pact")
    edited[1] = "The agreement was later amended after protests in the border villages."
    w.page(f"{SITE}/news/pact", "Ministers sign amended border pact", edited, "2024-05-03T10:00:00Z",
           canonical="https://example.com/news/pact")
    return w.save(path)


@pytest.fixture
def two_archives(tmp_path: Path, pg_url: str) -> tuple[Path, Path, str]:
    """The same WARC imported into an SQLite archive and into a PostgreSQL one."""
    warc = build_warc(tmp_path / "in.warc.gz")
    sqlite_archive, pg_archive = tmp_path / "sqlite", tmp_path / "pg"
    ok("import", warc, "--archive", sqlite_archive, "--extract-workers", "1", cwd=tmp_path)
    ok("import", warc, "--archive", pg_archive, "--index", pg_url, "--extract-workers", "1", cwd=tmp_path)
    return sqlite_archive, pg_archive, pg_url


READ_COMMANDS = [
    ("show", "1"), ("show", "1", "--version", "1", "--format", "md"), ("show", f"{SITE}/news/pact", "--format", "json"),
    ("history", "1", "--json"), ("diff", "1", "--json"), ("diff", "1", "--color", "never"),
    ("search", "pact", "--format", "jsonl"), ("search", "border OR storm", "--sort", "oldest", "--format", "jsonl"),
    ("search", "", "--lang", "ru", "--format", "jsonl"), ("search", "mountain -pact", "--format", "jsonl"),
    ("changes", "--since", "2024-01-01", "--json"), ("jobs",),
]


def test_reading_commands_give_the_same_output_on_both_stores(two_archives: tuple[Path, Path, str]) -> None:
    sqlite_archive, pg_archive, url = two_archives
    for command in READ_COMMANDS:
        on_sqlite = ok(*command, "--archive", sqlite_archive, cwd=sqlite_archive.parent)
        on_pg = ok(*command, "--archive", pg_archive, "--index", url, cwd=pg_archive.parent)
        on_pg = on_pg.replace(str(pg_archive), str(sqlite_archive))
        if command[0] == "search":
            # Scores and so the order differ (BM25 vs ts_rank_cd; ties in date sorts); the hits must not.
            def hits(text: str) -> list[tuple[int, str, str]]:
                rows = [json.loads(line) for line in text.splitlines() if line.strip()]
                return sorted((row["article_id"], row["title"], row["url"]) for row in rows)
            assert hits(on_pg) == hits(on_sqlite), command
            assert hits(on_pg), command
        else:
            assert on_pg == on_sqlite, command


def test_stats_and_export_on_postgresql(two_archives: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, pg_archive, url = two_archives
    stats = json.loads(ok("stats", "--json", "--archive", pg_archive, "--index", url, cwd=tmp_path))
    assert (stats["articles"], stats["versions"], stats["captures"]) == (3, 4, 4)
    assert stats["index_bytes"] > 0 and stats["search_bytes"] > 0 and stats["unsynced_articles"] == 0
    out = tmp_path / "export"
    ok("export", "pact", "--format", "md", "--output", out, "--archive", pg_archive, "--index", url, cwd=tmp_path)
    (exported,) = out.glob("000001-*.md")  # and index.md
    assert exported.read_text(encoding="utf-8").startswith("# Ministers sign amended border pact")


def test_migrate_copies_the_sqlite_index_with_its_ids(tmp_path: Path, pg_url: str) -> None:
    warc = build_warc(tmp_path / "in.warc.gz")
    archive = tmp_path / "archive"
    ok("import", warc, "--archive", archive, "--extract-workers", "1", cwd=tmp_path)
    before = ok("history", "1", "--json", "--archive", archive, cwd=tmp_path)
    out = ok("migrate", "--to", pg_url, "--archive", archive, cwd=tmp_path)
    assert "articles 3" in out and "3 search documents" in out and "newsarchiver:newsarchiver@" not in out
    after = ok("history", "1", "--json", "--archive", archive, "--index", pg_url, cwd=tmp_path)
    assert after == before
    found = json.loads(ok("search", "amended", "--format", "jsonl", "--archive", archive, "--index", pg_url,
                          cwd=tmp_path).splitlines()[0])
    assert found["article_id"] == 1
    # New rows continue after the copied ids; migrating again into the full database is refused.
    again = cli("migrate", "--to", pg_url, "--archive", archive, cwd=tmp_path)
    assert again.returncode == 2 and "already holds 4 captures" in again.stderr
    assert again.stderr.count("\n") == 1


def test_migrate_from_warcs_and_reindex_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    warc = build_warc(tmp_path / "in.warc.gz")
    archive = tmp_path / "archive"
    ok("import", warc, "--archive", archive, "--extract-workers", "1", cwd=tmp_path)
    ok("migrate", "--to", pg_url, "--from-warcs", "--archive", archive, cwd=tmp_path)
    first = ok("history", "1", "--json", "--archive", archive, "--index", pg_url, cwd=tmp_path)
    ok("reindex", "--archive", archive, "--index", pg_url, cwd=tmp_path)
    assert ok("history", "1", "--json", "--archive", archive, "--index", pg_url, cwd=tmp_path) == first
    hits = ok("search", "storm", "--format", "jsonl", "--archive", archive, "--index", pg_url, cwd=tmp_path)
    assert len(hits.splitlines()) == 1


def test_crawl_into_postgresql_matches_a_crawl_into_sqlite(tmp_path: Path, pg_url: str, site: Site) -> None:
    with SampleSiteServer(site, hostile=False) as server:
        seed = server.url + "/"
        _crawl_both(tmp_path, pg_url, seed)


def _crawl_both(tmp_path: Path, pg_url: str, seed: str) -> None:
    ok("crawl", seed, "--archive", tmp_path / "a", "--max-pages", "40", "--delay", "0", cwd=tmp_path)
    ok("crawl", seed, "--archive", tmp_path / "b", "--index", pg_url, "--max-pages", "40", "--delay", "0", cwd=tmp_path)

    def titles(*store: str | Path) -> list[str]:
        out = ok("search", "", "--sort", "oldest", "--limit", "100", "--format", "jsonl", *store, cwd=tmp_path)
        return sorted(json.loads(line)["title"] for line in out.splitlines())

    on_sqlite = titles("--archive", tmp_path / "a")
    assert len(on_sqlite) >= 5
    assert titles("--archive", tmp_path / "b", "--index", pg_url) == on_sqlite
    assert not (tmp_path / "b" / "index.sqlite").exists()


def test_bad_postgresql_urls_are_one_line_errors(tmp_path: Path) -> None:
    bad = cli("stats", "--index", "postgresql://nobody:secret@127.0.0.1:1/none", cwd=tmp_path)
    assert bad.returncode == 6 and "cannot connect" in bad.stderr and "secret" not in bad.stderr
    assert bad.stderr.count("\n") == 1
    for url in ("postgresql://u:s3cret@[::1/x", "postgresql://u:s3cret@PW@127.0.0.1:1/x"):
        odd = cli("stats", "--index", url, cwd=tmp_path)
        assert odd.returncode == 6 and odd.stderr.count("\n") == 1, odd.stderr
        assert "s3cret" not in odd.stderr and "PW" not in odd.stderr, odd.stderr
    wrong = cli("stats", "--index", "mysql://x", cwd=tmp_path)
    assert wrong.returncode == 2 and "postgresql://" in wrong.stderr
    config = tmp_path / "config.toml"
    config.write_text('index = "postgresql://archiver:secret@db.example.org/news"\n', encoding="utf-8")
    shown = ok("check-config", "-c", config, cwd=tmp_path)
    assert '"index": "postgresql://archiver:***@db.example.org/news"' in shown and "secret" not in shown
