"""Opening the configured store: the catalogue and its full-text search, SQLite or PostgreSQL.

`config.index` is "sqlite" (the embedded default: `index.sqlite` and `search/` in the archive
directory) or a postgresql:// URL (one shared database holding catalogue, full text and the
workers' frontier). Commands open stores only through these two functions, so they behave the same
on both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Protocol

from newsarchiver.config import Config
from newsarchiver.db import is_postgresql_url
from newsarchiver.index import Catalogue
from newsarchiver.search_filters import SearchFilters


class Searcher(Protocol):
    def search(self, query: str, filters: SearchFilters = ..., *, sort: str = "relevance",
               limit: int = 20, offset: int = 0) -> Any: ...
    def close(self) -> None: ...
    def __enter__(self) -> "Searcher": ...
    def __exit__(self, *exc: object) -> None: ...


def uses_postgresql(config: Config) -> bool:
    return is_postgresql_url(config.index)


def open_catalogue(config: Config, *, readonly: bool = False, archive_dir: Optional[Path] = None,
                   **options: Any) -> Catalogue:
    return Catalogue.open(archive_dir or config.archive_dir, readonly=readonly,
                          index_url=config.index if uses_postgresql(config) else None, **options)


def index_exists(config: Config) -> bool:
    """Whether there is a catalogue to read (a PostgreSQL index always exists once reachable)."""
    from newsarchiver.index import INDEX_FILE

    return uses_postgresql(config) or (config.archive_dir / INDEX_FILE).exists()


def open_searcher(config: Config) -> Optional[Searcher]:
    """A read-only full-text searcher, or None when the archive has no search index yet."""
    if uses_postgresql(config):
        return PgSearcher(open_catalogue(config, readonly=True))
    from newsarchiver.search import SearchIndex, index_exists as search_exists

    path = config.archive_dir / "search"
    if not search_exists(path):
        return None
    return SearchIndex.open(path, readonly=True)  # type: ignore[no-any-return]


class PgSearcher:
    """PostgreSQL full text over a read-only catalogue's connection pool; closing closes both."""

    def __init__(self, catalogue: Catalogue) -> None:
        from newsarchiver.search_pg import PgSearchIndex

        self.catalogue = catalogue
        self.index = PgSearchIndex(catalogue.db.pool, readonly=True)  # type: ignore[attr-defined]

    def search(self, query: str, filters: SearchFilters = SearchFilters(), *, sort: str = "relevance",
               limit: int = 20, offset: int = 0) -> Any:
        return self.index.search(query, filters, sort=sort, limit=limit, offset=offset)

    def close(self) -> None:
        self.catalogue.close()

    def __enter__(self) -> "PgSearcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
