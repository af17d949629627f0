"""Moving an archive's index from SQLite to PostgreSQL (`newsarchiver migrate --to URL`).

Two ways, both ending with the full text rebuilt by PostgreSQL itself:
- copy (default): every row of the SQLite catalogue, ids included, in one PostgreSQL transaction,
  so a failed copy leaves the target as it was. Article IDs users have bookmarked stay valid.
- from the WARCs (`--from-warcs`): the PostgreSQL reindex, for an SQLite index that is damaged or
  missing; runs and learned boilerplate still come from index.sqlite when it is readable.
The target must hold no captures yet: merging two indexes is not a migration.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional

from newsarchiver.config import Config
from newsarchiver.db import is_postgresql_url, redact_url
from newsarchiver.errors import IndexStoreError, UsageError
from newsarchiver.index import INDEX_FILE, Catalogue, move_identity_past_rows
from newsarchiver.index_schema import store_error

log = logging.getLogger(__name__)

# Parents before children, so every foreign key finds its row (captures.original_id is deferred).
COPIED_TABLES = ("warc_files", "runs", "articles", "captures", "versions", "boilerplate")
BATCH_ROWS = 2000


@dataclass(frozen=True)
class MigrationReport:
    target: str
    rows: dict[str, int]  # table -> rows in the target afterwards
    search_documents: int


def migrate_index(config: Config, target_url: str, *, from_warcs: bool = False,
                  progress: Optional[Callable[[str, int], None]] = None) -> MigrationReport:
    if not is_postgresql_url(target_url):
        raise UsageError(f"--to: expected a postgresql:// URL, got {target_url!r}")
    source = config.archive_dir / INDEX_FILE
    target_config = replace(config, index=target_url)
    if from_warcs:
        _rebuild_from_warcs(config, target_config, source)
    else:
        if not source.exists():
            raise UsageError(f"{source}: no SQLite index to copy (use --from-warcs to build from the WARC files)")
        with Catalogue.open(config.archive_dir, index_url=target_url, search=None) as target:
            _require_empty(target)
            _copy_rows(source, target, progress)
            target.request_search_rebuild()
    with Catalogue.open(config.archive_dir, index_url=target_url) as target:  # opening builds the full text
        target.sync_search()
        target.db.analyze()  # fresh statistics, so the planner uses the new indexes at once
        rows = _row_counts(target)
        with target.db.read() as conn:
            documents = int(conn.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0])
    return MigrationReport(target=redact_url(target_url), rows=rows, search_documents=documents)


def _rebuild_from_warcs(config: Config, target_config: Config, source: Path) -> None:
    from newsarchiver.ingest import reindex

    with Catalogue.open(config.archive_dir, index_url=target_config.index, search=None) as target:
        _require_empty(target)
        if source.exists():
            try:
                target.copy_kept_state(source)
            except IndexStoreError as exc:
                log.warning("runs and learned boilerplate not copied: %s", exc)
    reindex(config.archive_dir, target_config)


def _require_empty(target: Catalogue) -> None:
    captures = target.stats().captures
    if captures:
        raise UsageError(f"{target.name} already holds {captures} captures; migrate into an empty database")


def _copy_rows(source: Path, target: Catalogue, progress: Optional[Callable[[str, int], None]]) -> None:
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise store_error(source, exc) from exc
    try:
        with target.db.write() as pg:
            pg.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in COPIED_TABLES:
                copied = _copy_table(conn, pg, table)
                if progress is not None:
                    progress(table, copied)
                if table != "boilerplate":  # the one table keyed by name, not by id
                    move_identity_past_rows(pg, table)
    except sqlite3.Error as exc:
        raise store_error(source, exc) from exc
    finally:
        conn.close()


def _copy_table(conn: sqlite3.Connection, pg: Any, table: str) -> int:
    cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
    names = [column[0] for column in cursor.description]
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"
    copied = 0
    while True:
        rows = cursor.fetchmany(BATCH_ROWS)
        if not rows:
            return copied
        pg.executemany(sql, rows)
        copied += len(rows)


def _row_counts(target: Catalogue) -> dict[str, int]:
    with target.db.read() as conn:
        return {table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in COPIED_TABLES}
