"""One SQL surface over the two catalogue stores: SQLite (the embedded default) and PostgreSQL.

The catalogue's queries (index.py and its index_* helpers) are written once, in the SQL both
engines accept: `?` and `:name` parameters, `ON CONFLICT`, `RETURNING id`, the `"offset"` column
quoted. `Database.write()` and `Database.read()` hand out a connection-like object whose
`execute()` returns a cursor with `fetchone`, `fetchall`, `rowcount` and iteration, and whose rows
answer both `row["name"]` and `row[0]`, as sqlite3.Row does. For PostgreSQL, `PgConnection`
rewrites the parameters into psycopg's `%s` / `%(name)s` form (cached per statement).

The few places where the dialects truly differ ask `Database.dialect` ("sqlite" or "postgresql").

Writes: SQLite serialises writers with `BEGIN IMMEDIATE` (one writer, readers never blocked).
PostgreSQL gets the same one-writer semantics from a transaction-level advisory lock taken by every
write transaction, so two workers indexing the same article cannot both create it; readers see
committed data through MVCC and never wait. Errors of either driver become IndexStoreError here.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence
from urllib.parse import urlsplit, urlunsplit

from newsarchiver.errors import IndexStoreError
from newsarchiver.index_schema import connect, rollback, store_error

POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
WRITE_LOCK_KEY = 7_305_112_017  # pg_advisory_xact_lock key of the catalogue's one writer
POOL_MAX = 8


def is_postgresql_url(value: Optional[str]) -> bool:
    return bool(value) and str(value).startswith(POSTGRESQL_SCHEMES)


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
    except ValueError:  # e.g. "Invalid IPv6 URL": show nothing of it rather than a part
        return url.split("://", 1)[0] + "://***"
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


# --- rows ----------------------------------------------------------------------------------------

class Row:
    """A result row addressable by column name or position, like sqlite3.Row."""

    __slots__ = ("_values", "_names")

    def __init__(self, values: Sequence[Any], names: dict[str, int]) -> None:
        self._values = tuple(values)
        self._names = names

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._names[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values))!r})"


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


# --- SQL translation for psycopg --------------------------------------------------------------

_LITERAL_OR_PARAM = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|%|\?|(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """`?` -> `%s`, `:name` -> `%(name)s`, every `%` -> `%%`; no parameter inside a literal or `::`."""
    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if match.group(1):
            return f"%({match.group(1)})s"
        return text.replace("%", "%%")  # psycopg reads % as a placeholder even inside a literal
    return _LITERAL_OR_PARAM.sub(replace, sql)


class PgConnection:
    """A psycopg connection that takes the catalogue's SQL (see the module docstring)."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Any = None) -> Any:
        if params is None:  # psycopg leaves a statement without parameters as it is
            return self.raw.execute(sql)
        return self.raw.execute(to_psycopg(sql), _params(params))

    def executemany(self, sql: str, rows: Any) -> Any:
        cursor = self.raw.cursor()
        cursor.executemany(to_psycopg(sql), [_params(row) for row in rows])
        return cursor


def _params(params: Any) -> Any:
    if params is None or isinstance(params, dict):
        return params
    return tuple(params)


# --- the two databases -------------------------------------------------------------------------

class Database:
    dialect: str
    name: str  # a path or a redacted URL, for messages
    readonly: bool

    def write(self) -> Any:  # a context manager giving one write transaction
        raise NotImplementedError

    def read(self) -> Any:  # a context manager giving a connection for reads
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load (SQLite's planner needs none here)."""

    @contextmanager
    def exclusive(self, key: int) -> Iterator[None]:
        """Held by one process at a time, across transactions (no-op here: see PostgresDatabase)."""
        yield

    def error(self, exc: BaseException) -> IndexStoreError:
        raise NotImplementedError


class SqliteDatabase(Database):
    """One sqlite3 connection shared by the threads of a process, behind a lock."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
        self.conn: Optional[sqlite3.Connection] = conn
        self.path = path
        self.name = str(path)
        self.readonly = readonly
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path, readonly: bool) -> "SqliteDatabase":
        return cls(connect(path, readonly), path, readonly)

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            raise IndexStoreError(f"{self.path}: the index is closed")
        return self.conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise IndexStoreError(f"{self.path}: opened read-only")
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self.error(exc) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                rollback(conn)
                raise self.error(exc) from exc
            except BaseException:
                rollback(conn)
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection()
            except sqlite3.Error as exc:
                raise self.error(exc) from exc

    def close(self) -> None:
        with self._lock:
            if self.conn is None:
                return
            try:
                self.conn.close()
            except sqlite3.Error as exc:
                raise self.error(exc) from exc
            finally:
                self.conn = None

    def error(self, exc: BaseException) -> IndexStoreError:
        if isinstance(exc, sqlite3.Error):
            return store_error(self.path, exc)
        return IndexStoreError(f"{self.path}: {exc}")


class PostgresDatabase(Database):
    """A psycopg_pool connection pool; each read or write borrows one connection."""

    dialect = "postgresql"

    def __init__(self, pool: Any, url: str, readonly: bool) -> None:
        self.pool = pool
        self.url = url
        self.name = redact_url(url)
        self.readonly = readonly

    @classmethod
    def open(cls, url: str, readonly: bool) -> "PostgresDatabase":
        """Connect (failing fast with one line) and bring the schema up to date when writable."""
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise IndexStoreError(f"{redact_url(url)}: PostgreSQL support needs psycopg and psycopg-pool "
                                  f"(pip install 'psycopg[binary]' psycopg-pool): {exc}") from exc
        name = redact_url(url)
        if url.split("://", 1)[-1].split("/", 1)[0].count("@") > 1:
            # libpq and urlsplit would split user:password@host differently, and libpq's error
            # message would then show a piece of the password.
            raise IndexStoreError(f"{name}: write '@' in the user name or password as %40")
        try:
            # Probe once so a wrong URL or a stopped server is one line now, not a pool timeout later.
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            # libpq may quote the URL it could not parse, password and all.
            raise IndexStoreError(f"{name}: cannot connect: {_one_line(exc).replace(url, name)}") from exc
        pool = ConnectionPool(url, min_size=1, max_size=POOL_MAX, open=True, timeout=60,
                              kwargs={"row_factory": _row_factory}, name="newsarchiver")
        database = cls(pool, url, readonly)
        from newsarchiver.index_schema_pg import check_version, migrate

        try:
            with database.read() as conn:
                if readonly:
                    check_version(conn, name)
            if not readonly:
                migrate(database)
        except BaseException:
            database.close()
            raise
        return database

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        if self.readonly:
            raise IndexStoreError(f"{self.name}: opened read-only")
        import psycopg

        try:
            with self.pool.connection() as raw:  # commits on a clean exit, rolls back on an exception
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                yield PgConnection(raw)
        except psycopg.Error as exc:
            raise self.error(exc) from exc

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        import psycopg

        try:
            with self.pool.connection() as raw:
                yield PgConnection(raw)
        except psycopg.Error as exc:
            raise self.error(exc) from exc

    @contextmanager
    def exclusive(self, key: int) -> Iterator[None]:
        """A session advisory lock on one pooled connection, held until the block ends (a process
        that dies releases it with its connection)."""
        import psycopg

        try:
            with self.pool.connection() as raw:
                raw.autocommit = True  # the lock belongs to the session, not to a transaction
                try:
                    raw.execute("SELECT pg_advisory_lock(%s)", (key,))
                    try:
                        yield
                    finally:
                        raw.execute("SELECT pg_advisory_unlock(%s)", (key,))
                finally:
                    raw.autocommit = False
        except psycopg.Error as exc:
            raise self.error(exc) from exc

    def analyze(self) -> None:
        """VACUUM ANALYZE after a bulk load: planner statistics, and GIN's pending list merged."""
        import psycopg

        try:
            with self.pool.connection() as raw:
                raw.autocommit = True  # VACUUM cannot run inside a transaction
                try:
                    raw.execute("VACUUM ANALYZE")
                finally:
                    raw.autocommit = False
        except psycopg.Error as exc:
            raise self.error(exc) from exc

    def close(self) -> None:
        self.pool.close()

    def error(self, exc: BaseException) -> IndexStoreError:
        return IndexStoreError(f"{self.name}: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


__all__ = ["Database", "PgConnection", "PostgresDatabase", "Row", "SqliteDatabase", "is_postgresql_url",
           "redact_url", "to_psycopg"]
