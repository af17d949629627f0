"""The reader's read-only handles on an archive: the catalogue and the search index.

Opened lazily and shared by the request threads (the catalogue serialises its own reads). An
archive that has no index yet is normal (the reader then explains how to start), and one that
gets its first crawl while the reader runs is picked up by the next request. `reindex` replaces
index.sqlite with a new file: a changed inode makes the reader reopen it. With a PostgreSQL index
(index_url) both handles are opened once: the database shows every commit to the next query.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchiver.index import INDEX_FILE, SEARCH_DIR, Catalogue
from newsarchiver.index_records import RunRecord
from newsarchiver.search import SearchFilters, SearchIndex, SearchPage, index_exists

log = logging.getLogger(__name__)

RUNS_PER_JOB = 10
_RUNS_SCANNED = 2000


@dataclass(frozen=True)
class SiteSummary:
    site: str
    articles: int
    removed: int
    last_captured_at: str


@dataclass(frozen=True)
class JobSummary:
    job: str
    runs: list[RunRecord]  # newest first


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class ArchiveData:
    def __init__(self, archive_dir: Path, *, index_url: str | None = None) -> None:
        self.archive_dir = Path(archive_dir).resolve()
        self.index_url = index_url
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._catalogue_id: tuple[int, int] | None = None
        self._search: Any = None  # a SearchIndex, or search_pg's PgSearchIndex
        self._search_id: tuple[int, int] | None = None
        self._sites_cache: tuple[Any, list[SiteSummary]] = (None, [])
        self._search_lock = threading.Lock()  # tantivy reloads on commits: one search at a time

    def catalogue(self) -> Catalogue | None:
        """The catalogue, or None when the archive has no index yet."""
        if self.index_url:
            with self._lock:
                if self._catalogue is None:
                    self._catalogue = Catalogue.open(self.archive_dir, readonly=True, index_url=self.index_url)
                return self._catalogue
        path = self.archive_dir / INDEX_FILE
        identity = _file_identity(path)
        with self._lock:
            if identity is None:
                return None
            if self._catalogue is None or identity != self._catalogue_id:
                old, self._catalogue = self._catalogue, None
                if old is not None:
                    old.close()
                self._catalogue = Catalogue.open(self.archive_dir, readonly=True)
                self._catalogue_id = identity
            return self._catalogue

    def search_index(self) -> Any:
        """The full-text index, or None when there is none yet."""
        if self.index_url:
            catalogue = self.catalogue()
            with self._lock:
                if self._search is None and catalogue is not None:
                    from newsarchiver.search_pg import PgSearchIndex

                    self._search = PgSearchIndex(catalogue.db.pool, readonly=True)  # type: ignore[attr-defined]
                return self._search
        path = self.archive_dir / SEARCH_DIR
        if not index_exists(path):
            return None
        identity = _file_identity(path)
        with self._lock:
            if self._search is None or identity != self._search_id:
                self._search = SearchIndex.open(path, readonly=True)
                self._search_id = identity
            return self._search

    def search(self, query: str, filters: SearchFilters, *, sort: str, limit: int, offset: int) -> SearchPage:
        index = self.search_index()
        if index is None:
            return SearchPage(0, [])
        with self._search_lock:
            return index.search(query, filters, sort=sort, limit=limit, offset=offset)

    def close(self) -> None:
        with self._lock:
            if self._catalogue is not None:
                self._catalogue.close()
            if self._search is not None:
                self._search.close()
            self._catalogue = self._search = None

    # --- summaries ----------------------------------------------------------------------------

    def sites(self) -> list[SiteSummary]:
        """Each site with its article count and last capture, most articles first."""
        catalogue = self.catalogue()
        if catalogue is None:
            return []
        # Cached until the SQLite index changes (WAL writes change the -wal file's mtime);
        # PostgreSQL answers the aggregate itself, every time.
        stamp = None if self.index_url else tuple(
            _mtime(self.archive_dir / (INDEX_FILE + suffix)) for suffix in ("", "-wal"))
        cached_stamp, cached = self._sites_cache
        if stamp is not None and cached_stamp == stamp:
            return cached
        summaries = [SiteSummary(site, n, removed, last) for site, n, removed, last in catalogue.site_totals()]
        self._sites_cache = (stamp, summaries)
        return summaries

    def jobs(self) -> list[JobSummary]:
        """Each job with its last runs, the job run most recently first."""
        catalogue = self.catalogue()
        if catalogue is None:
            return []
        by_job: dict[str, list[RunRecord]] = {}
        for run in catalogue.runs(None, limit=_RUNS_SCANNED):  # newest first
            runs = by_job.setdefault(run.job, [])
            if len(runs) < RUNS_PER_JOB:
                runs.append(run)
        return [JobSummary(job, runs) for job, runs in by_job.items()]


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


__all__ = ["ArchiveData", "JobSummary", "SiteSummary"]
