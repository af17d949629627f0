"""Keeping the full-text index (search.py) in step with the catalogue.

SQLite is the record; the search index is derived. Each article row carries a `revision`, bumped
by every change a search document shows, and the `search_revision` the search index holds. The
order is always: commit SQLite, upsert into search, commit search, then record `search_revision`.
A crash anywhere in between leaves rows with `search_revision != revision`, which the next open
(and the end of every import or reindex) catches up: the search index may lag, never silently
disagree. One document per article: its latest version.
"""

from __future__ import annotations

import json
import logging
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Optional, Protocol

from newsarchiver.errors import NewsArchiverError

log = logging.getLogger(__name__)

SYNC_CHUNK = 500  # documents per search commit while catching up
CLEAR_PENDING = "search_clear_pending"  # meta key: the search index holds stale documents
SEARCH_SYNC_LOCK = 7_305_112_019  # advisory lock key (PostgreSQL) held while one process syncs


class SearchSink(Protocol):
    """The part of search.SearchIndex the catalogue writes to."""

    def upsert(self, doc: Any) -> None: ...
    def delete(self, article_id: int) -> None: ...
    def commit(self) -> None: ...
    def clear(self) -> None: ...


def open_search(directory: Path, db: Any = None) -> Optional[SearchSink]:
    """The store's search index, or None when it cannot be opened now (rows then stay unsynced).

    SQLite catalogue: the tantivy SearchIndex in `directory`. PostgreSQL: its own full text
    (search_pg), in the same database, through the catalogue's connection pool.
    """
    if db is not None and db.dialect == "postgresql":
        from newsarchiver.search_pg import PgSearchIndex

        return PgSearchIndex(db.pool)  # type: ignore[no-any-return]
    try:
        from newsarchiver.search import SearchIndex
    except ImportError:
        log.warning("full-text search is not installed; the catalogue will catch it up later")
        return None
    try:
        return SearchIndex.open(directory)  # type: ignore[no-any-return]
    except NewsArchiverError as exc:
        # E.g. another process holds the search writer: the catalogue stays correct, search lags.
        log.warning("search index not updated now: %s", exc)
        return None


def make_search_doc(**fields: Any) -> Any:
    try:
        from newsarchiver.search import SearchDoc
    except ImportError:
        return dict(fields)
    return SearchDoc(**fields)


class SearchSyncMixin:
    db: Any  # db.Database, provided by Catalogue
    _search: Optional[SearchSink]
    _pending_sync: int
    readonly: bool

    def _read(self) -> AbstractContextManager[Any]:  # provided by Catalogue
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:  # provided by Catalogue
        raise NotImplementedError

    def request_search_rebuild(self) -> None:
        """Mark the whole search index stale: the next sync clears it and indexes every article."""
        with self._write() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, '1') "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (CLEAR_PENDING,))
            conn.execute("UPDATE articles SET search_revision = 0")

    def check_search(self) -> None:
        """On open: a new or foreign search index gets every article again (the catalogue is the record)."""
        search = self._search
        if search is None or self.readonly:
            return
        with self._read() as conn:
            articles = conn.execute("SELECT COUNT(*) FROM articles WHERE latest_version > 0").fetchone()[0]
            unsynced = conn.execute("SELECT COUNT(*) FROM articles WHERE search_revision != revision").fetchone()[0]
        created = bool(getattr(search, "created", False))
        held = search.doc_count() if hasattr(search, "doc_count") else None
        if created or (unsynced == 0 and held is not None and held != articles):
            if not created:
                log.warning("search index holds %d documents for %d articles: rebuilding it", held, articles)
            self.request_search_rebuild()

    def sync_search(self) -> int:
        """Bring the search index up to the catalogue; returns the number of documents written."""
        self._pending_sync = 0
        if self._search is None or self.readonly:
            return 0
        try:
            # One sync at a time across processes: two workers interleaving read -> commit -> mark
            # could leave an older document in search over a newer one already marked synced.
            # (SQLite's tantivy index has a single writer anyway; PostgreSQL takes an advisory lock.)
            with self.db.exclusive(SEARCH_SYNC_LOCK):
                return self._sync_search(self._search)
        except (NewsArchiverError, OSError, ValueError, RuntimeError) as exc:
            # The catalogue is the record and stays correct; the rows stay unsynced and catch up later.
            log.warning("search index lags the catalogue: %s", exc)
            return 0

    def _sync_search(self, search: SearchSink) -> int:
        with self._read() as conn:
            clear = conn.execute("SELECT 1 FROM meta WHERE key = ?", (CLEAR_PENDING,)).fetchone() is not None
        if clear:
            search.clear()
            search.commit()
            with self._write() as conn:
                conn.execute("DELETE FROM meta WHERE key = ?", (CLEAR_PENDING,))
        written = 0
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    "SELECT id, revision FROM articles WHERE search_revision != revision ORDER BY id LIMIT ?",
                    (SYNC_CHUNK,)).fetchall()
                docs = [(row["id"], row["revision"], self._search_doc(conn, row["id"])) for row in rows]
            if not docs:
                return written
            for article_id, _, doc in docs:
                if doc is None:
                    search.delete(article_id)
                else:
                    search.upsert(doc)
            search.commit()
            with self._write() as conn:
                # Only if unchanged since read: a newer revision stays unsynced for the next round.
                conn.executemany("UPDATE articles SET search_revision = ? WHERE id = ? AND revision = ?",
                                 [(revision, article_id, revision) for article_id, revision, _ in docs])
            written += len(docs)

    def _search_doc(self, conn: Any, article_id: int) -> Any:
        row = conn.execute(
            "SELECT a.id, a.url, a.site, a.removed_at, a.latest_version, a.first_captured_at, a.last_captured_at, "
            "v.title, v.text, v.authors, v.language, v.published, v.flags, "
            "(SELECT c.url FROM captures c WHERE c.id = v.capture_id) AS captured_url "
            "FROM articles a JOIN versions v ON v.article_id = a.id AND v.n = a.latest_version WHERE a.id = ?",
            (article_id,)).fetchone()
        if row is None:
            return None
        jobs = [r[0] for r in conn.execute(
            "SELECT DISTINCT job FROM captures WHERE article_id = ? AND job != '' ORDER BY job", (article_id,))]
        flags = list(json.loads(row["flags"]))
        if row["removed_at"]:
            flags.append("removed")
        return make_search_doc(
            article_id=row["id"], version_n=row["latest_version"], title=row["title"], text=row["text"],
            url=row["captured_url"] or row["url"], canonical_url=row["url"], site=row["site"],
            authors=list(json.loads(row["authors"])), language=row["language"], published=row["published"],
            captured_at=row["last_captured_at"], first_captured_at=row["first_captured_at"], jobs=jobs, flags=flags,
        )
