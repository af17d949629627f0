"""The catalogue contract: every test taking `cat` or `open_store` runs on SQLite and on PostgreSQL
(a real server, tests/conftest.py), with captures recorded as the crawler and importer do."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
from conftest import StoreOpener

from newsarchiver.errors import IndexStoreError
from newsarchiver.index import Catalogue
from newsarchiver.index_schema import SCHEMA_VERSION
from newsarchiver.models import Article, Capture, RunReport

URL = "https://www.example.com/news/story?utm_source=rss"


def capture(offset: int, at: str, *, url: str = URL, status: int = 200, digest: str = "sha1:AAA", **kw: object) -> Capture:
    return Capture(url=url, captured_at=at, status=status, mime="text/html", payload_digest=digest,
                   warc_file=str(kw.pop("warc_file", "a.warc.gz")), offset=offset, length=100, job="news", **kw)  # type: ignore[arg-type]


def article(text: str, title: str = "Headline", canonical: str = "https://example.com/news/story/") -> Article:
    return Article(url=URL, canonical_url=canonical, title=title, text=text, authors=("Jane Doe",), language="en")


@pytest.fixture
def cat(open_store: StoreOpener) -> Iterator[Catalogue]:
    catalogue = open_store(search=None)
    yield catalogue
    catalogue.close()


def test_open_sets_wal_foreign_keys_and_schema_version(tmp_path: Path) -> None:  # SQLite only
    with Catalogue.open(tmp_path, search=None):
        pass
    conn = sqlite3.connect(tmp_path / "index.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"warc_files", "runs", "captures", "articles", "versions", "boilerplate"} <= tables
    conn.close()
    # Opening again (migrations already applied) is a no-op.
    with Catalogue.open(tmp_path, search=None) as again:
        assert again.integrity_check() == "ok"


def test_record_capture_is_idempotent_per_file_offset(cat: Catalogue) -> None:
    first = cat.record_capture(capture(0, "2024-05-01T10:00:00Z"), article("one two three"))
    again = cat.record_capture(capture(0, "2024-05-01T10:00:00Z"), article("one two three"))
    assert first.is_new_article and first.version_n == 1 and not first.is_changed
    assert again.capture_id == first.capture_id and not again.is_new_article
    assert cat.stats().captures == 1 and cat.stats().versions == 1


def test_new_version_only_when_text_or_headline_changes(cat: Catalogue) -> None:
    cat.record_capture(capture(0, "2024-05-01T10:00:00Z"), article("one two three"))
    same = cat.record_capture(capture(1, "2024-05-02T10:00:00Z"), article("one  two\nthree"))  # whitespace only
    edited = cat.record_capture(capture(2, "2024-05-03T10:00:00Z"), article("one two three four"))
    retitled = cat.record_capture(capture(3, "2024-05-04T10:00:00Z"), article("one two three four", "New headline"))
    assert (same.version_n, same.is_changed) == (1, False)
    assert (edited.version_n, edited.is_changed) == (2, True)
    assert (retitled.version_n, retitled.is_changed) == (3, True)
    versions = cat.versions(same.article_id)
    assert [v.n for v in versions] == [1, 2, 3]
    assert versions[0].captured_at == "2024-05-01T10:00:00Z" and versions[0].authors == ("Jane Doe",)


def test_article_identity_merges_url_variants(cat: Catalogue) -> None:
    a = cat.record_capture(capture(0, "2024-05-01T10:00:00Z"), article("text", canonical="https://example.com/news/story"))
    b = cat.record_capture(capture(1, "2024-05-02T10:00:00Z", url="http://amp.example.com/news/story/amp"),
                           article("text", canonical="http://www.example.com/news/story/amp/"))
    assert a.article_id == b.article_id
    for ref in ("https://example.com/news/story", URL, str(a.article_id)):
        found = cat.article(ref)
        assert found is not None and found.id == a.article_id
    assert cat.article("https://example.com/other") is None
    assert cat.article("999") is None


def test_out_of_order_captures_give_the_same_versions(open_store: StoreOpener) -> None:
    events = [(0, "2024-05-01T00:00:00Z", "alpha"), (1, "2024-05-02T00:00:00Z", "beta"),
              (2, "2024-05-03T00:00:00Z", "beta"), (3, "2024-05-04T00:00:00Z", "alpha")]
    results = []
    for name, order in (("forward", events), ("shuffled", [events[3], events[0], events[2], events[1]])):
        with open_store(name, search=None) as cat:
            for offset, at, text in order:
                cat.record_capture(capture(offset, at), article(text))
            results.append([(v.n, v.text, v.captured_at) for v in cat.versions(1)])
            assert [c.version_n for c in cat.captures_of(1)] == [1, 2, 2, 3]
    assert results[0] == results[1] == [(1, "alpha", "2024-05-01T00:00:00Z"), (2, "beta", "2024-05-02T00:00:00Z"),
                                        (3, "alpha", "2024-05-04T00:00:00Z")]


def test_revisit_resolves_to_original_even_when_indexed_first(cat: Catalogue) -> None:
    revisit = capture(0, "2024-05-02T00:00:00Z", warc_file="b.warc.gz", record_type="revisit",
                      refers_to_uri=URL, refers_to_date="2024-05-01T00:00:00Z")
    early = cat.record_capture(revisit, None)
    assert early.article_id is None  # the original is in a file not indexed yet
    original = cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("the text"))
    assert cat.resolve_pending_revisits() == 1
    row = cat.capture(early.capture_id)
    assert row is not None and row.original_id == original.capture_id
    assert row.article_id == original.article_id and row.version_n == 1
    art = cat.article(original.article_id or 0)
    assert art is not None and art.last_captured_at == "2024-05-02T00:00:00Z" and art.latest_version == 1


def test_revisit_by_digest_across_files(cat: Catalogue) -> None:
    original = cat.record_capture(capture(0, "2024-05-01T00:00:00Z", digest="sha1:XYZ"), article("text"))
    revisit = cat.record_capture(capture(5, "2024-05-03T00:00:00Z", warc_file="c.warc.gz", digest="sha1:XYZ",
                                         record_type="revisit"), None)
    assert revisit.article_id == original.article_id and revisit.version_n == 1 and not revisit.is_changed


def test_removal_on_404_and_return(cat: Catalogue) -> None:
    first = cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("text"))
    gone = cat.record_capture(capture(1, "2024-05-02T00:00:00Z", status=404), None)
    assert gone.article_id == first.article_id
    art = cat.article(first.article_id or 0)
    assert art is not None and art.removed_at == "2024-05-02T00:00:00Z"
    back = cat.record_capture(capture(2, "2024-05-03T00:00:00Z"), article("text"))
    art = cat.article(back.article_id or 0)
    assert art is not None and art.removed_at is None


def test_redirect_to_front_page_and_mark_removed(cat: Catalogue) -> None:
    first = cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("text"))
    cat.record_capture(capture(1, "2024-05-02T00:00:00Z", status=301), None, location="/")
    art = cat.article(first.article_id or 0)
    assert art is not None and art.removed_at == "2024-05-02T00:00:00Z"
    other = cat.record_capture(capture(2, "2024-05-01T00:00:00Z", url="https://example.com/b"),
                               article("b", canonical="https://example.com/b"))
    assert cat.mark_removed("https://example.com/b", "2024-06-01T00:00:00Z") == other.article_id
    assert cat.mark_removed("https://example.com/never-seen", "2024-06-01T00:00:00Z") is None


def test_not_modified_keeps_the_article_current(cat: Catalogue) -> None:
    first = cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("text"), etag='"v1"')
    same = cat.record_capture(capture(1, "2024-05-02T00:00:00Z", status=304), None)
    assert same.article_id == first.article_id and same.version_n == 1 and not same.is_changed


def test_previous_capture_for_revisits_and_conditional_requests(cat: Catalogue) -> None:
    assert cat.previous_capture(URL) is None
    cat.record_capture(capture(0, "2024-05-01T00:00:00Z", record_id="<urn:uuid:1>"), article("text"),
                       etag='"v1"', last_modified="Wed, 01 May 2024 00:00:00 GMT")
    cat.record_capture(capture(9, "2024-05-02T00:00:00Z", record_type="revisit", refers_to_uri=URL,
                               refers_to_date="2024-05-01T00:00:00Z"), None, etag='"v1"')
    prev = cat.previous_capture(URL)
    assert prev is not None
    digest, captured_at, warc_file, offset, etag, _modified = prev[:6]
    # A new revisit must refer to the original response, not to the revisit before it.
    assert (digest, captured_at, warc_file, offset, etag) == ("sha1:AAA", "2024-05-01T00:00:00Z", "a.warc.gz", 0, '"v1"')
    assert prev.record_id == "<urn:uuid:1>"


def test_runs_are_recorded_with_counts(cat: Catalogue) -> None:
    run_id = cat.begin_run("news")
    cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("text"), run_id=run_id)
    report = RunReport(job="news", started_at="2024-05-01T00:00:00Z", finished_at="2024-05-01T00:05:00Z",
                       fetched=3, new_articles=1, failures=1, failed_urls=[("https://example.com/x", "timeout")])
    cat.finish_run(run_id, report)
    (run,) = cat.runs("news")
    assert run.outcome == "partial" and run.finished_at == "2024-05-01T00:05:00Z"
    assert run.counts["fetched"] == 3 and run.report["failed_urls"] == [["https://example.com/x", "timeout"]]
    assert cat.captures_of(1)[0].run_id == run_id
    assert cat.runs("other") == []


def test_learned_boilerplate_round_trip(cat: Catalogue) -> None:
    from newsarchiver.boilerplate import learn_boilerplate

    pages = [(f"p{i}", [f"story {i}", "Donate today."]) for i in range(4)]
    learned = learn_boilerplate("example.com", pages, min_pages=3, min_share=0.3)
    cat.save_boilerplate("www.example.com", learned)
    back = cat.learned_boilerplate("WWW.EXAMPLE.COM")
    assert back is not None and "Donate today." in back and back.pages == 4
    assert cat.learned_boilerplate("other.org") is None


def test_warc_files_and_find_articles(cat: Catalogue) -> None:
    cat.register_warc_file("a.warc.gz", size=123, sha256="ab" * 32, complete=True)
    assert cat.warc_file_known("a.warc.gz", 123) and not cat.warc_file_known("a.warc.gz", 124)
    assert cat.warc_file_by_sha256("ab" * 32) == "a.warc.gz"
    cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), replace(article("text"), published="2024-04-30"))
    assert cat.find_articles(site="example.com") == [1]
    assert cat.find_articles(author="jane") == [1] and cat.find_articles(author="john") == []
    assert cat.find_articles(language="EN", published_since="2024-04", published_until="2024-04-30") == [1]
    assert cat.find_articles(job="news") == [1] and cat.find_articles(job="other") == []


def test_search_index_catches_up_after_a_crash_between_commits(open_store: StoreOpener) -> None:
    from newsarchiver.stores import open_searcher

    # search=None stands for a crash after the catalogue commit and before the search commit.
    with open_store(search=None) as cat:
        cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("zanzibar ferry timetable"))
        assert cat.stats().unsynced_articles == 1
    with open_store() as cat:  # the real search index, caught up on open
        assert cat.stats().unsynced_articles == 0
        cat.record_capture(capture(1, "2024-05-02T00:00:00Z"), article("zanzibar ferry timetable changed"))
    searcher = open_searcher(open_store.config())
    assert searcher is not None
    with searcher as index:
        page = index.search("zanzibar")
        assert page.total == 1 and page.hits[0].version_n == 2  # one hit per article: its latest version


def test_jobs_changes_and_site_queries(cat: Catalogue) -> None:
    cat.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("first text"))
    cat.record_capture(capture(1, "2024-05-03T00:00:00Z"), article("second text", "Changed headline"))
    cat.record_capture(capture(2, "2024-05-04T00:00:00Z", url="https://example.com/gone"),
                       article("b", canonical="https://example.com/gone"))
    cat.record_capture(capture(3, "2024-05-05T00:00:00Z", url="https://example.com/gone", status=410), None)
    (change,) = cat.version_changes("2024-05-02T00:00:00Z")
    assert (change.n, change.old_title, change.new_title) == (2, "Headline", "Changed headline")
    assert cat.version_changes("2024-05-02T00:00:00Z", job="other") == []
    (removal,) = cat.removals("2024-05-01T00:00:00Z", job="news")
    assert (removal.url, removal.status, removal.removed_at) == ("https://example.com/gone", 410, "2024-05-05T00:00:00Z")
    totals = cat.job_totals("news")
    assert totals.articles == 2 and totals.runs == 0
    # Within a week of its first capture an article is still in its re-capture policy.
    assert [row.article_id for row in cat.recapture_rows("news", 7.0)] == [1, 2]
    assert [row.article_id for row in cat.recapture_rows("news", 1.5)] == [2]
    assert cat.site_totals() == [("example.com", 2, 1, "2024-05-04T00:00:00Z")]  # a 410 is no capture of the text


def test_copied_state_keeps_ids_and_sequences(open_store: StoreOpener, tmp_path: Path) -> None:
    with Catalogue.open(tmp_path / "old", search=None) as old:  # an SQLite index with a run and boilerplate
        old.begin_run("news")
        old.begin_run("news")
        old.save_boilerplate("example.com", {"site": "example.com", "pages": 3, "paragraphs": {}})
    with open_store(search=None) as cat:
        cat.copy_kept_state(tmp_path / "old" / "index.sqlite")
        assert [run.id for run in cat.runs("news")] == [2, 1]
        assert cat.begin_run("news") == 3  # the id sequence moved past the copied rows


def test_readonly_and_damaged_files_give_index_errors(tmp_path: Path) -> None:  # SQLite only
    with pytest.raises(IndexStoreError, match="no index yet"):
        Catalogue.open(tmp_path / "empty", readonly=True)
    with Catalogue.open(tmp_path / "ro", search=None):
        pass
    with Catalogue.open(tmp_path / "ro", readonly=True) as ro:
        with pytest.raises(IndexStoreError, match="read-only"):
            ro.begin_run("x")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "index.sqlite").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(IndexStoreError, match="reindex"):
        Catalogue.open(bad, search=None)


def test_concurrent_search_syncs_never_leave_an_older_document(pg_url: str, tmp_path: Path) -> None:
    """Two workers' catalogues on one PostgreSQL index: while A syncs an article, B records a new
    version of it and syncs. A must not overwrite B's newer document and leave it marked synced."""
    import threading
    import time

    a = Catalogue.open(tmp_path, index_url=pg_url, sync_batch=1000)
    b = Catalogue.open(tmp_path, index_url=pg_url, sync_batch=1000)
    try:
        a.record_capture(capture(0, "2024-05-01T00:00:00Z"), article("old words here", "Old title"))
        b_done = threading.Event()

        def b_records_and_syncs() -> None:
            b.record_capture(capture(1, "2024-05-02T00:00:00Z"), article("brand new different text", "New title"))
            b.sync_search()
            b_done.set()

        real_commit = a._search.commit  # type: ignore[union-attr]
        worker = threading.Thread(target=b_records_and_syncs)

        def commit_while_b_works() -> None:
            worker.start()
            b_done.wait(timeout=3)  # with the sync lock B waits for us; without it B finishes first
            time.sleep(0.2)
            real_commit()

        a._search.commit = commit_while_b_works  # type: ignore[union-attr,method-assign]
        a.sync_search()
        worker.join(timeout=30)
        a._search.commit = real_commit  # type: ignore[union-attr,method-assign]
        a.sync_search()
        from newsarchiver.stores import PgSearcher

        searcher = PgSearcher(Catalogue.open(tmp_path, index_url=pg_url, readonly=True))
        with searcher:
            assert [(h.title, h.version_n) for h in searcher.search("brand").hits] == [("New title", 2)]
            assert searcher.search("old").total == 0
    finally:
        a.close()
        b.close()
