"""The SQLite catalogue's schema, as numbered migrations applied in order (`PRAGMA user_version`),
and the connection settings every catalogue connection gets.

A migration is a list of statements run in one transaction together with the bump of
`user_version`, so a crash mid-migration leaves the previous version intact. Never edit a
released migration: append a new one.

Tables (plural snake_case, timestamps `*_at` as UTC ISO-8601):

    warc_files   one row per WARC file known to the catalogue (name relative to the archive dir)
    runs         one row per crawl/job run, with the RunReport counts
    captures     one row per response/revisit record: where it lives and what it said
    articles     one row per identity (normalised canonical URL)
    versions     one row per distinct text (+ headline) of an article, n = 1, 2, ...
    boilerplate  learned per-site boilerplate (not derivable from the WARCs alone; kept on reindex)
    meta         small key/value state (e.g. "the search index must be cleared")
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsarchiver.errors import IndexStoreError, IndexWriteError

BUSY_TIMEOUT_MS = 30_000

MIGRATIONS: list[list[str]] = [
    # 1: the first schema
    [
        """CREATE TABLE warc_files (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,          -- relative to the archive directory
            size INTEGER,                       -- bytes, when the file was (last) indexed
            sha256 TEXT,                        -- hex; NULL for files registered by the crawler
            mtime TEXT,
            complete INTEGER NOT NULL DEFAULT 0, -- 1 once every readable record is indexed
            error TEXT,                         -- one line when the file is damaged
            indexed_at TEXT
        )""",
        "CREATE INDEX warc_files_sha256 ON warc_files(sha256)",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            job TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT NOT NULL DEFAULT 'running', -- running | ok | partial | interrupted
            discovered INTEGER NOT NULL DEFAULT 0,
            fetched INTEGER NOT NULL DEFAULT 0,
            archived INTEGER NOT NULL DEFAULT 0,
            revisits INTEGER NOT NULL DEFAULT 0,
            not_modified INTEGER NOT NULL DEFAULT 0,
            new_articles INTEGER NOT NULL DEFAULT 0,
            changed_articles INTEGER NOT NULL DEFAULT 0,
            removed_articles INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            blocked INTEGER NOT NULL DEFAULT 0,
            report TEXT                         -- the full RunReport as JSON
        )""",
        "CREATE INDEX runs_job ON runs(job, started_at)",
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url_key TEXT NOT NULL UNIQUE,       -- the normalised identity
            url TEXT NOT NULL,                  -- canonical URL as first seen, for display
            site TEXT NOT NULL,                 -- host of the canonical URL
            first_captured_at TEXT NOT NULL,
            last_captured_at TEXT NOT NULL,
            removed_at TEXT,
            latest_version INTEGER NOT NULL DEFAULT 0,
            revision INTEGER NOT NULL DEFAULT 1,   -- bumped on every change that the search doc shows
            search_revision INTEGER NOT NULL DEFAULT 0  -- the revision the search index holds
        )""",
        "CREATE INDEX articles_site ON articles(site)",
        # Only out-of-step rows are in this index, so catching up on open costs nothing when in step.
        "CREATE INDEX articles_unsynced ON articles(id) WHERE search_revision != revision",
        """CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            n INTEGER NOT NULL,
            version_key TEXT NOT NULL,          -- sha256 of text_hash + headline: what makes a version new
            text_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            authors TEXT NOT NULL DEFAULT '[]', -- JSON list
            published TEXT,
            updated TEXT,
            language TEXT,
            site_name TEXT,
            description TEXT,
            section TEXT,
            tags TEXT NOT NULL DEFAULT '[]',    -- JSON list
            lead_image TEXT,
            word_count INTEGER NOT NULL DEFAULT 0,
            flags TEXT NOT NULL DEFAULT '[]',   -- JSON list
            extractor TEXT NOT NULL DEFAULT '',
            captured_at TEXT NOT NULL,          -- first capture showing this version
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            UNIQUE (article_id, n)
        )""",
        """CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            captured_at TEXT NOT NULL,
            status INTEGER,
            mime TEXT NOT NULL DEFAULT '',
            payload_digest TEXT NOT NULL DEFAULT '',
            warc_file TEXT NOT NULL REFERENCES warc_files(name),
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            record_type TEXT NOT NULL,          -- response | revisit
            record_id TEXT,
            refers_to_uri TEXT,
            refers_to_date TEXT,
            original_id INTEGER REFERENCES captures(id),  -- a revisit's resolved original
            job TEXT NOT NULL DEFAULT '',
            run_id INTEGER REFERENCES runs(id),
            truncated TEXT,
            article_id INTEGER REFERENCES articles(id),
            version_key TEXT,                   -- which text this capture showed
            version_n INTEGER,                  -- ... as a version number (rewritten on reorder)
            etag TEXT,
            last_modified TEXT,
            UNIQUE (warc_file, offset)
        )""",
        "CREATE INDEX captures_url ON captures(url, captured_at)",
        "CREATE INDEX captures_article ON captures(article_id, captured_at)",
        "CREATE INDEX captures_digest ON captures(payload_digest)",
        "CREATE INDEX captures_pending_revisits ON captures(id) WHERE record_type = 'revisit' AND original_id IS NULL",
        """CREATE TABLE boilerplate (
            site TEXT PRIMARY KEY,
            learned TEXT NOT NULL,              -- JSON, as boilerplate.py gives it
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to SCHEMA_VERSION; returns the version it was at.

    The caller holds no open transaction. Each migration commits on its own.
    """
    start = schema_version(conn)
    if start > SCHEMA_VERSION:
        # A newer newsarchiver wrote this file; writing with old code would corrupt its meaning.
        raise ValueError(f"schema version {start} is newer than this newsarchiver ({SCHEMA_VERSION}); upgrade it")
    for number in range(start, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) > number:
                conn.execute("COMMIT")
                continue
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)  # a failed COMMIT (disk full) may have ended the transaction already
            raise
    return start


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """A connection with the catalogue's settings (WAL, busy timeout, foreign keys), migrated when writable."""
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level None: transactions are ours (BEGIN IMMEDIATE), not the module's guesses.
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            if schema_version(conn) != SCHEMA_VERSION:
                raise IndexStoreError(f"{path}: index schema {schema_version(conn)} is not the expected "
                                      f"{SCHEMA_VERSION}: run a writing command (e.g. `newsarchiver reindex`) first")
            return conn
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a process crash (kill -9); a power cut may lose the last
        # commits, which a rerun of the import or a reindex restores from the WARCs.
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
        return conn
    except sqlite3.Error as exc:
        raise store_error(path, exc) from exc
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"{path}: cannot open the index: {exc}") from exc


def rollback(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the transaction was already rolled back by SQLite itself


def store_error(path: Path, exc: sqlite3.Error) -> IndexStoreError:
    message = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in message or "malformed" in message):
        return IndexStoreError(f"{path}: the index is damaged ({message}); move it aside and run `newsarchiver reindex`")
    if "locked" in message or "busy" in message:
        return IndexStoreError(f"{path}: the index is busy (another process holds the write lock); try again")
    if "disk I/O error" in message or "database or disk is full" in message:
        return IndexWriteError(f"{path}: {message} (disk full or no write permission?); free space and rerun: "
                               "the WARC files are intact and `newsarchiver reindex` rebuilds the index")
    return IndexStoreError(f"{path}: {message}")
