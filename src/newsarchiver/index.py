"""The catalogue: an SQLite file `index.sqlite` in the archive directory, derived from the WARCs.

`Catalogue` is the one class behind which the rows live, so that a server-backed store can be
added later without touching crawl, ingest or the CLI: they see only the `Store` protocol and the
rows of `index_records`. All SQL stays in this module and its helpers: `index_schema`
(migrations, connection settings), `index_versions` (captures -> articles and versions),
`index_queries` (reading) and `index_search` (keeping the full-text index in step).

Concurrency: WAL mode, so readers are never blocked; one writer, serialised by a lock inside the
process and by SQLite's write lock (with a busy timeout) across processes. Every capture is one
`BEGIN IMMEDIATE ... COMMIT`, so `kill -9` leaves either the whole capture or none of it.

Versions: an article gets a new version when its normalised text or its headline changes (a
headline edit is a change an archivist wants to see). Versions are a pure function of the article's
captures in time order, so a crawl and a `reindex` that meets the same captures in another order
give the same versions: a capture older than the newest one rebuilds the article's versions.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Protocol
from urllib.parse import urljoin, urlsplit

from newsarchiver.errors import IndexStoreError
from newsarchiver.index_jobs import JobQueriesMixin
from newsarchiver.index_queries import QueriesMixin
from newsarchiver.index_records import (
    ArticleRecord, CaptureOutcome, CaptureRecord, CatalogueStats, PreviousCapture, RunRecord, VersionRecord,
)
from newsarchiver.db import Database, PostgresDatabase, SqliteDatabase, is_postgresql_url
from newsarchiver.index_schema import store_error as _store_error
from newsarchiver.index_versions import VersionsMixin, _is_success, version_key
from newsarchiver.index_search import SearchSyncMixin, SearchSink, open_search
from newsarchiver.models import Article, Capture, RunReport
from newsarchiver.urls import canonical_identity as article_key

if TYPE_CHECKING:
    from newsarchiver.boilerplate import LearnedBoilerplate

log = logging.getLogger(__name__)

INDEX_FILE = "index.sqlite"
SEARCH_DIR = "search"
REMOVED_STATUSES = (404, 410)
RUN_COUNT_FIELDS = ("discovered", "fetched", "archived", "revisits", "not_modified", "new_articles",
                    "changed_articles", "removed_articles", "failures", "blocked")


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store(Protocol):
    """What crawl, ingest and the CLI need from a catalogue, whatever stores it."""

    def begin_run(self, job: str) -> int: ...
    def finish_run(self, run_id: int, report: RunReport) -> None: ...
    def record_capture(self, capture: Capture, article: Optional[Article] = None, *, run_id: Optional[int] = None,
                       etag: Optional[str] = None, last_modified: Optional[str] = None,
                       location: Optional[str] = None) -> CaptureOutcome: ...
    def mark_removed(self, url: str, at: str) -> Optional[int]: ...
    def previous_capture(self, url: str) -> Optional[PreviousCapture]: ...
    def article(self, id_or_url: int | str) -> Optional[ArticleRecord]: ...
    def versions(self, article_id: int) -> list[VersionRecord]: ...
    def captures_of(self, article_id: int) -> list[CaptureRecord]: ...
    def runs(self, job: Optional[str] = None, limit: int = 100) -> list[RunRecord]: ...
    def stats(self) -> CatalogueStats: ...
    def learned_boilerplate(self, site: str) -> Optional["LearnedBoilerplate"]: ...
    def save_boilerplate(self, site: str, data: "LearnedBoilerplate | dict[str, Any]") -> None: ...
    def warc_file_known(self, name: str, size: int) -> bool: ...
    def register_warc_file(self, name: str, *, size: Optional[int] = None, sha256: Optional[str] = None,
                           mtime: Optional[str] = None, complete: bool = False, error: Optional[str] = None) -> None: ...
    def sync_search(self) -> int: ...
    def close(self) -> None: ...


class Catalogue(SearchSyncMixin, VersionsMixin, QueriesMixin, JobQueriesMixin):
    """The SQLite catalogue. Open with `Catalogue.open(archive_dir)`; use as a context manager."""

    def __init__(self, db: Database, archive_dir: Path, *, search: Optional[SearchSink], sync_batch: int) -> None:
        self.db = db
        self.dialect = db.dialect
        self.path = db.path if isinstance(db, SqliteDatabase) else None  # the SQLite file, if any
        self.name = db.name  # a path or a redacted URL, for messages
        self.archive_dir = archive_dir
        self.readonly = db.readonly
        self._search = search
        self._sync_batch = sync_batch
        self._pending_sync = 0
        self._closed = False

    # --- opening and closing -----------------------------------------------------------------

    @classmethod
    def open(cls, archive_dir: Path | str, *, readonly: bool = False, search: Any = "auto",
             sync_batch: int = 50, db_path: Optional[Path] = None, index_url: Optional[str] = None) -> "Catalogue":
        """Open (creating and migrating when writable) the catalogue of an archive directory.

        index_url: None or "sqlite" for `archive_dir/index.sqlite` (or db_path, for reindex);
        a postgresql:// URL for a shared PostgreSQL index (its full text lives there too).
        search: "auto" opens the store's search index when writable; None leaves full-text sync
        to a later open (rows stay marked unsynced); or any object with upsert/delete/commit/clear.
        sync_batch: captures between two search commits.
        """
        archive_dir = Path(archive_dir)
        db: Database
        if is_postgresql_url(index_url):
            db = PostgresDatabase.open(str(index_url), readonly)
        else:
            path = db_path or archive_dir / INDEX_FILE
            if readonly and not path.exists():
                raise IndexStoreError(f"{path}: no index yet (run `newsarchiver import WARC...` or `newsarchiver reindex`)")
            db = SqliteDatabase.open(path, readonly)
        if search == "auto":
            search = None if readonly else open_search(archive_dir / SEARCH_DIR, db)
        catalogue = cls(db, archive_dir, search=search, sync_batch=sync_batch)
        if not readonly:
            catalogue.check_search()
            catalogue.sync_search()  # catch up after a crash between the catalogue and search commits
        return catalogue

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self.readonly:
                self.sync_search()
        finally:
            try:
                if self._search is not None and hasattr(self._search, "close"):
                    self._search.close()
            finally:
                self.db.close()

    def __enter__(self) -> "Catalogue":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[Any]:
        """One write transaction; driver errors become IndexStoreError (db.py), at the boundary."""
        return self.db.write()  # type: ignore[no-any-return]

    def _read(self) -> AbstractContextManager[Any]:
        return self.db.read()  # type: ignore[no-any-return]

    # --- runs ----------------------------------------------------------------------------------

    def begin_run(self, job: str, started_at: Optional[str] = None) -> int:
        with self._write() as conn:
            cur = conn.execute("INSERT INTO runs (job, started_at) VALUES (?, ?) RETURNING id",
                               (job, started_at or utc_now()))
            return int(cur.fetchone()[0])

    def finish_run(self, run_id: int, report: RunReport) -> None:
        if report.interrupted:
            outcome = "interrupted"
        elif report.failures:
            outcome = "partial"
        else:
            outcome = "ok"
        counts = {name: int(getattr(report, name)) for name in RUN_COUNT_FIELDS}
        assignments = ", ".join(f"{name} = :{name}" for name in RUN_COUNT_FIELDS)
        with self._write() as conn:
            conn.execute(
                f"UPDATE runs SET finished_at = :finished_at, outcome = :outcome, report = :report, {assignments} "
                "WHERE id = :id",
                {"finished_at": report.finished_at or utc_now(), "outcome": outcome,
                 "report": json.dumps(asdict(report), ensure_ascii=False), "id": run_id, **counts},
            )
        self.sync_search()

    # --- WARC files ----------------------------------------------------------------------------

    def warc_file_known(self, name: str, size: int) -> bool:
        """True when the file was indexed completely at this size."""
        with self._read() as conn:
            row = conn.execute("SELECT 1 FROM warc_files WHERE name = ? AND size = ? AND complete = 1",
                               (name, size)).fetchone()
        return row is not None

    def warc_file_by_sha256(self, sha256: str) -> Optional[str]:
        """Name of a completely indexed file with this content, if any."""
        with self._read() as conn:
            row = conn.execute("SELECT name FROM warc_files WHERE sha256 = ? AND complete = 1 ORDER BY id LIMIT 1",
                               (sha256,)).fetchone()
        return row["name"] if row else None

    def register_warc_file(self, name: str, *, size: Optional[int] = None, sha256: Optional[str] = None,
                           mtime: Optional[str] = None, complete: bool = False, error: Optional[str] = None) -> None:
        """Create or update a file's row (the crawler may call this with complete=True on close)."""
        with self._write() as conn:
            conn.execute("INSERT INTO warc_files (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
            conn.execute(
                "UPDATE warc_files SET size = COALESCE(?, size), sha256 = COALESCE(?, sha256), "
                "mtime = COALESCE(?, mtime), complete = ?, error = ?, indexed_at = ? WHERE name = ?",
                (size, sha256, mtime, int(complete), error, utc_now(), name),
            )

    # --- captures ------------------------------------------------------------------------------

    def record_capture(self, capture: Capture, article: Optional[Article] = None, *, run_id: Optional[int] = None,
                       etag: Optional[str] = None, last_modified: Optional[str] = None,
                       location: Optional[str] = None) -> CaptureOutcome:
        """Index one response/revisit record, in one transaction. Idempotent per (warc_file, offset).

        article: the extracted article, or None (not an article, or a revisit or 304: then the
        article and text of the capture it repeats are used). location: the Location header of
        a redirect, so an article redirected to a front page is marked removed.
        """
        outcome = self._record_capture(capture, article, run_id, etag, last_modified, location)
        # Search follows SQLite in batches; rows left unsynced by a crash catch up on the next open.
        self._pending_sync += 1
        if self._pending_sync >= self._sync_batch:
            self.sync_search()
        return outcome

    def _record_capture(self, capture: Capture, article: Optional[Article], run_id: Optional[int],
                        etag: Optional[str], last_modified: Optional[str], location: Optional[str]) -> CaptureOutcome:
        with self._write() as conn:
            existing = conn.execute('SELECT id, article_id, version_n FROM captures WHERE warc_file = ? AND "offset" = ?',
                                    (capture.warc_file, capture.offset)).fetchone()
            if existing:
                if existing["article_id"] is None and article is not None and _is_success(capture.status):
                    # Archived first without extraction (`crawl --no-extract`), its article comes now.
                    return self._attach_late_article(conn, existing["id"], article)
                return CaptureOutcome(existing["id"], existing["article_id"], existing["version_n"], False, False)
            conn.execute("INSERT INTO warc_files (name) VALUES (?) ON CONFLICT DO NOTHING", (capture.warc_file,))
            original_id = None
            if capture.status == 304:
                # Not Modified: the server confirms the previous capture still stands.
                # The capture it names, even one still waiting for its article (`crawl --no-extract`);
                # without Refers-To (other tools' 304s), the latest success before it.
                original_id = self._referred_to(conn, capture)
                if original_id is None:
                    original_id = self._previous_success(conn, capture.url, capture.captured_at)
            elif capture.record_type == "revisit":
                original_id = self._find_original(conn, capture)
            cur = conn.execute(
                "INSERT INTO captures (url, captured_at, status, mime, payload_digest, warc_file, \"offset\", length, "
                "record_type, record_id, refers_to_uri, refers_to_date, original_id, job, run_id, truncated, etag, "
                "last_modified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (capture.url, capture.captured_at, capture.status, capture.mime, capture.payload_digest,
                 capture.warc_file, capture.offset, capture.length, capture.record_type, capture.record_id or None,
                 capture.refers_to_uri, capture.refers_to_date, original_id, capture.job, run_id, capture.truncated,
                 etag, last_modified),
            )
            capture_id = int(cur.fetchone()[0])
            if article is not None and _is_success(capture.status):
                return self._attach_article(conn, capture_id, article)
            if original_id is not None and (_is_success(capture.status) or capture.status == 304):
                return self._attach_original(conn, capture_id, original_id)
            if _is_removal(capture, location):
                article_id = self._article_id_for_url(conn, capture.url)
                removed = False
                if article_id is not None:
                    conn.execute("UPDATE captures SET article_id = ? WHERE id = ?", (article_id, capture_id))
                    removed = self._set_removed(conn, article_id, capture.captured_at)
                return CaptureOutcome(capture_id, article_id, None, False, False, is_removed=removed)
            return CaptureOutcome(capture_id, None, None, False, False)

    # --- removal -------------------------------------------------------------------------------

    def mark_removed(self, url: str, at: str) -> Optional[int]:
        """Mark the article at this URL removed (404/410, redirect to a front page); never deletes."""
        with self._write() as conn:
            article_id = self._article_id_for_url(conn, url)
            if article_id is not None:
                self._set_removed(conn, article_id, at)
        return article_id

    def _set_removed(self, conn: Any, article_id: int, at: str) -> bool:
        """True when the article is newly marked removed (not already, and not newer than `at`)."""
        # Only if it answered with the article before that moment: an old 404 met late changes nothing.
        cur = conn.execute("UPDATE articles SET removed_at = ?, revision = revision + 1 "
                           "WHERE id = ? AND removed_at IS NULL AND last_captured_at <= ?", (at, article_id, at))
        return cur.rowcount > 0

    def _article_id_for_url(self, conn: Any, url: str) -> Optional[int]:
        row = conn.execute("SELECT id FROM articles WHERE url_key = ?", (article_key(url),)).fetchone()
        if row:
            return int(row["id"])
        row = conn.execute("SELECT article_id FROM captures WHERE url = ? AND article_id IS NOT NULL "
                           "ORDER BY captured_at DESC LIMIT 1", (url,)).fetchone()
        return int(row["article_id"]) if row else None

    # --- crawler helpers -----------------------------------------------------------------------

    def previous_capture(self, url: str) -> Optional[PreviousCapture]:
        """The latest 2xx capture of this URL (for a revisit: located at its original), or None."""
        with self._read() as conn:
            latest = conn.execute(
                "SELECT * FROM captures WHERE url = ? AND status BETWEEN 200 AND 299 "
                "AND record_type IN ('response', 'revisit') ORDER BY captured_at DESC LIMIT 1", (url,)).fetchone()
            if latest is None:
                return None
            original = latest
            if latest["record_type"] == "revisit":
                if latest["original_id"] is None:
                    return None  # nothing readable to refer to: fetch and store the payload again
                original = conn.execute("SELECT * FROM captures WHERE id = ?", (latest["original_id"],)).fetchone()
        return PreviousCapture(
            payload_digest=latest["payload_digest"], captured_at=original["captured_at"],
            warc_file=original["warc_file"], offset=original["offset"], etag=latest["etag"],
            last_modified=latest["last_modified"], url=original["url"], record_id=original["record_id"] or "",
        )

    # --- learned boilerplate -------------------------------------------------------------------

    def learned_boilerplate(self, site: str) -> Optional["LearnedBoilerplate"]:
        """What was learned for a site (a host; `www.` and case do not matter), or None."""
        from newsarchiver.boilerplate import LearnedBoilerplate

        with self._read() as conn:
            row = conn.execute("SELECT learned FROM boilerplate WHERE site = ?", (_site_key(site),)).fetchone()
        if row is None:
            return None
        try:
            return LearnedBoilerplate.from_json(row["learned"])
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("learned boilerplate for %s is unreadable (%s); ignoring it", site, exc)
            return None

    def save_boilerplate(self, site: str, data: "LearnedBoilerplate | dict[str, Any]") -> None:
        text = json.dumps(data, ensure_ascii=False) if isinstance(data, dict) else data.to_json()
        with self._write() as conn:
            conn.execute("INSERT INTO boilerplate (site, learned, updated_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (site) DO UPDATE SET learned = excluded.learned, updated_at = excluded.updated_at",
                         (_site_key(site), text, utc_now()))

    # --- maintenance ---------------------------------------------------------------------------

    def capture_settled(self, warc_file: str, offset: int) -> bool:
        """Indexed, and nothing left to extract: an import may skip the record.

        A 200 HTML response without an article is extracted again: `crawl --no-extract` records
        its pages without their articles. (After an interrupted import, its non-article pages
        are extracted twice; the second pass adds nothing.)
        """
        with self._read() as conn:
            return conn.execute(
                'SELECT 1 FROM captures WHERE warc_file = ? AND "offset" = ? AND (article_id IS NOT NULL '
                "OR record_type != 'response' OR status != 200 OR mime NOT IN ('text/html', 'application/xhtml+xml', ''))",
                (warc_file, offset)).fetchone() is not None

    def copy_kept_state(self, old_db: Path) -> None:
        """Carry over what the WARCs do not hold (runs, learned boilerplate) from an SQLite index file."""
        runs, boilerplate = read_kept_state(old_db)
        self.insert_rows("runs", runs)
        self.insert_rows("boilerplate", boilerplate)

    def insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert whole rows (ids included) unless present; used to copy one store into another."""
        if not rows:
            return
        names = list(rows[0])
        columns = ", ".join(f'"{name}"' for name in names)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))}) ON CONFLICT DO NOTHING"
        with self._write() as conn:
            conn.executemany(sql, [tuple(row[name] for name in names) for row in rows])
            if self.dialect == "postgresql" and "id" in names:
                move_identity_past_rows(conn, table)

    def first_indexed_order(self) -> tuple[dict[str, int], dict[str, int]]:
        """(position of each file's row, id of its first capture): the order files were indexed in."""
        with self._read() as conn:
            order = {row[0]: i for i, row in enumerate(conn.execute("SELECT name FROM warc_files ORDER BY id"))}
            first = {row[0]: int(row[1]) for row in conn.execute(
                "SELECT warc_file, MIN(id) FROM captures GROUP BY warc_file")}
        return order, first

    def clear_derived(self) -> None:
        """Empty what the WARCs rebuild (captures, articles, versions, files), ids restarting at 1;
        runs, learned boilerplate and the frontier stay. PostgreSQL's in-place reindex only."""
        if self.dialect != "postgresql":
            raise IndexStoreError(f"{self.name}: clear_derived is for PostgreSQL (SQLite reindexes into a new file)")
        with self._write() as conn:
            conn.execute("TRUNCATE versions, captures, articles, warc_files RESTART IDENTITY CASCADE")
            conn.execute("DELETE FROM meta")

    def link_captures_to_runs(self) -> int:
        """Give captures without a run the run of their job whose time span holds them (after reindex)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE captures SET run_id = (SELECT r.id FROM runs r WHERE r.job = captures.job "
                "AND r.started_at <= captures.captured_at AND captures.captured_at <= COALESCE(r.finished_at, '9999') "
                "ORDER BY r.started_at DESC LIMIT 1) WHERE run_id IS NULL AND job != ''")
            return cur.rowcount

    def prepare_for_move(self) -> None:
        """(SQLite) Fold the WAL into the main file and leave WAL mode, so the file can be renamed alone."""
        with self._read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")

    def integrity_check(self) -> str:
        if self.dialect != "sqlite":
            return "ok"  # PostgreSQL checks its own pages; amcheck is an administrator's tool
        with self._read() as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def move_identity_past_rows(conn: Any, table: str) -> None:
    """(PostgreSQL) After rows were inserted with their ids, new rows must get ids after them."""
    conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))")


def read_kept_state(db_file: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs and learned boilerplate rows of an SQLite index file (what a reindex keeps)."""
    try:
        conn = sqlite3.connect(f"{Path(db_file).resolve().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            runs = [dict(row) for row in conn.execute("SELECT * FROM runs ORDER BY id")]
            boilerplate = [dict(row) for row in conn.execute("SELECT * FROM boilerplate ORDER BY site")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _store_error(Path(db_file), exc) from exc
    return runs, boilerplate


def is_front_page(url: str) -> bool:
    """A home page or a language front (`/`, `/en/`, `/index.html`): where removed articles redirect."""
    path = urlsplit(url).path.strip("/").lower()
    return path == "" or re.fullmatch(r"index\.\w+|home|news|[a-z]{2}(-[a-z]{2})?", path) is not None


def _is_removal(capture: Capture, location: Optional[str]) -> bool:
    if capture.status in REMOVED_STATUSES:
        return True
    if capture.status in (301, 302, 303, 307, 308) and location:
        return is_front_page(urljoin(capture.url, location)) and not is_front_page(capture.url)
    return False


def _site_key(site: str) -> str:
    """A site as boilerplate.site_key names it: a host, lowercase, without `www.` (a URL works too)."""
    if "://" in site:
        site = urlsplit(site).hostname or site
    site = site.lower().strip().rstrip(".")
    return site[4:] if site.startswith("www.") else site


__all__ = [
    "ArticleRecord", "CaptureOutcome", "CaptureRecord", "Catalogue", "CatalogueStats", "PreviousCapture",
    "RunRecord", "Store", "VersionRecord", "article_key", "utc_now", "version_key",
]
