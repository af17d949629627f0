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
import threading
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional, Protocol
from urllib.parse import urljoin, urlsplit

from newsarchiver.errors import IndexStoreError
from newsarchiver.index_jobs import JobQueriesMixin
from newsarchiver.index_queries import QueriesMixin
from newsarchiver.index_records import (
    ArticleRecord, CaptureOutcome, CaptureRecord, CatalogueStats, PreviousCapture, RunRecord, VersionRecord,
)
from newsarchiver.index_schema import connect as _connect, rollback as _rollback, store_error as _store_error
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

    def __init__(self, conn: sqlite3.Connection, path: Path, archive_dir: Path, *, readonly: bool,
                 search: Optional[SearchSink], sync_batch: int) -> None:
        self._conn: Optional[sqlite3.Connection] = conn
        self.path = path
        self.archive_dir = archive_dir
        self.readonly = readonly
        self._search = search
        self._sync_batch = sync_batch
        self._pending_sync = 0
        self._lock = threading.RLock()

    # --- opening and closing -----------------------------------------------------------------

    @classmethod
    def open(cls, archive_dir: Path | str, *, readonly: bool = False, search: Any = "auto",
             sync_batch: int = 50, db_path: Optional[Path] = None) -> "Catalogue":
        """Open (creating and migrating when writable) the catalogue of an archive directory.

        search: "auto" opens `archive_dir/search` when writable; None leaves full-text sync to a
        later open (rows stay marked unsynced); or any object with upsert/delete/commit/clear.
        sync_batch: captures between two search commits. db_path: another file (reindex).
        """
        archive_dir = Path(archive_dir)
        path = db_path or archive_dir / INDEX_FILE
        if readonly and not path.exists():
            raise IndexStoreError(f"{path}: no index yet (run `newsarchiver import WARC...` or `newsarchiver reindex`)")
        conn = _connect(path, readonly)
        if search == "auto":
            search = None if readonly else open_search(archive_dir / SEARCH_DIR)
        catalogue = cls(conn, path, archive_dir, readonly=readonly, search=search, sync_batch=sync_batch)
        if not readonly:
            catalogue.check_search()
            catalogue.sync_search()  # catch up after a crash between the SQLite and search commits
        return catalogue

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                if not self.readonly:
                    self.sync_search()
                self._conn.close()
            except sqlite3.Error as exc:
                raise _store_error(self.path, exc) from exc
            finally:
                self._conn = None
                if self._search is not None and hasattr(self._search, "close"):
                    self._search.close()

    def __enter__(self) -> "Catalogue":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise IndexStoreError(f"{self.path}: the index is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; sqlite3 errors become IndexStoreError here, at the boundary."""
        if self.readonly:
            raise IndexStoreError(f"{self.path}: opened read-only")
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _store_error(self.path, exc) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)
                raise _store_error(self.path, exc) from exc
            except BaseException:
                _rollback(conn)
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection()
            except sqlite3.Error as exc:
                raise _store_error(self.path, exc) from exc

    # --- runs ----------------------------------------------------------------------------------

    def begin_run(self, job: str, started_at: Optional[str] = None) -> int:
        with self._write() as conn:
            cur = conn.execute("INSERT INTO runs (job, started_at) VALUES (?, ?)", (job, started_at or utc_now()))
            return int(cur.lastrowid or 0)

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
            conn.execute("INSERT OR IGNORE INTO warc_files (name) VALUES (?)", (name,))
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
            existing = conn.execute("SELECT id, article_id, version_n FROM captures WHERE warc_file = ? AND offset = ?",
                                    (capture.warc_file, capture.offset)).fetchone()
            if existing:
                return CaptureOutcome(existing["id"], existing["article_id"], existing["version_n"], False, False)
            conn.execute("INSERT OR IGNORE INTO warc_files (name) VALUES (?)", (capture.warc_file,))
            original_id = None
            if capture.status == 304:
                # Not Modified: the server confirms the previous capture still stands.
                original_id = self._previous_success(conn, capture.url, capture.captured_at)
            elif capture.record_type == "revisit":
                original_id = self._find_original(conn, capture)
            cur = conn.execute(
                "INSERT INTO captures (url, captured_at, status, mime, payload_digest, warc_file, offset, length, "
                "record_type, record_id, refers_to_uri, refers_to_date, original_id, job, run_id, truncated, etag, "
                "last_modified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (capture.url, capture.captured_at, capture.status, capture.mime, capture.payload_digest,
                 capture.warc_file, capture.offset, capture.length, capture.record_type, capture.record_id or None,
                 capture.refers_to_uri, capture.refers_to_date, original_id, capture.job, run_id, capture.truncated,
                 etag, last_modified),
            )
            capture_id = int(cur.lastrowid or 0)
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

    def _set_removed(self, conn: sqlite3.Connection, article_id: int, at: str) -> bool:
        """True when the article is newly marked removed (not already, and not newer than `at`)."""
        # Only if it answered with the article before that moment: an old 404 met late changes nothing.
        cur = conn.execute("UPDATE articles SET removed_at = ?, revision = revision + 1 "
                           "WHERE id = ? AND removed_at IS NULL AND last_captured_at <= ?", (at, article_id, at))
        return cur.rowcount > 0

    def _article_id_for_url(self, conn: sqlite3.Connection, url: str) -> Optional[int]:
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

    def has_capture(self, warc_file: str, offset: int) -> bool:
        with self._read() as conn:
            return conn.execute("SELECT 1 FROM captures WHERE warc_file = ? AND offset = ?",
                                (warc_file, offset)).fetchone() is not None

    def copy_kept_state(self, old_db: Path) -> None:
        """Carry over what the WARCs do not hold (runs, learned boilerplate) from another index file."""
        conn = self._connection()
        try:
            conn.execute("ATTACH DATABASE ? AS old", (f"{old_db.resolve().as_uri()}?mode=ro",))
        except sqlite3.Error as exc:
            raise _store_error(old_db, exc) from exc
        try:
            with self._write() as conn:
                conn.execute("INSERT OR IGNORE INTO runs SELECT * FROM old.runs")
                conn.execute("INSERT OR IGNORE INTO boilerplate SELECT * FROM old.boilerplate")
        finally:
            conn.execute("DETACH DATABASE old")

    def link_captures_to_runs(self) -> int:
        """Give captures without a run the run of their job whose time span holds them (after reindex)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE captures SET run_id = (SELECT r.id FROM runs r WHERE r.job = captures.job "
                "AND r.started_at <= captures.captured_at AND captures.captured_at <= COALESCE(r.finished_at, '9999') "
                "ORDER BY r.started_at DESC LIMIT 1) WHERE run_id IS NULL AND job != ''")
            return cur.rowcount

    def prepare_for_move(self) -> None:
        """Fold the WAL into the main file and leave WAL mode, so the file can be renamed alone."""
        with self._read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")

    def integrity_check(self) -> str:
        with self._read() as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


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
