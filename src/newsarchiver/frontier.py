"""The crawl frontier: what to fetch next, persisted so a stopped crawl resumes.

The queue lives in a small SQLite file per job (`<archive>/.state/<job>.frontier.sqlite`). Every
URL is written there before it is fetched and marked done only after its records are in the WARC
file, so Ctrl-C or `kill -9` loses nothing and a rerun fetches only what was not yet captured.
A finished run leaves the file marked finished; the next run of the job starts a fresh frontier
(front pages and feeds are fetched again every run; unchanged articles become revisit records).

Politeness (one slot per host, a delay between requests, robots Crawl-delay) is kept in memory by
the `HostSlots` scheduler; it needs no persistence since a restart only waits longer.
"""

from __future__ import annotations

import heapq
import itertools
import sqlite3
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from newsarchiver.errors import ArchiveError

# Lower runs first: robots.txt, then sitemaps and feeds (they list articles), then pages and
# their assets in the order found (so an image is captured close in time to its page).
PRIORITY = {"robots": 0, "sitemap": 1, "feed": 1, "page": 2, "asset": 2}

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    source TEXT,
    state TEXT NOT NULL DEFAULT 'queued',  -- queued | done | failed | skipped
    seq INTEGER NOT NULL,
    note TEXT,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS urls_state ON urls(state);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True)
class QueuedUrl:
    url: str
    host: str
    kind: str
    depth: int
    source: Optional[str]
    seq: int


class Frontier:
    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Deferred transactions, committed once per pass of the crawl loop (see commit()).
            self.db = sqlite3.connect(str(path), check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise ArchiveError(f"{path}: cannot open the crawl frontier: {exc}") from exc
        self.path = path
        self._seq = itertools.count(self._max_seq() + 1)
        self._queues: dict[str, list[tuple[int, int, QueuedUrl]]] = defaultdict(list)
        self._known: set[str] = set()
        self._finished: set[str] = set()  # marked done/failed/skipped while still in a queue

    def _max_seq(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM urls").fetchone()
        return int(row[0])

    def _meta(self, key: str) -> Optional[str]:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        with self._disk_errors():
            self.db.execute(sql, params)

    @contextmanager
    def _disk_errors(self) -> Iterator[None]:
        """A write that fails (disk full, permissions) is an archive error, exit 4, one line."""
        try:
            yield
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.path}: cannot write the crawl frontier: {exc} (disk full?); free space "
                               "and rerun: the run resumes from its WARC files") from exc

    def start(self, started_at: str) -> bool:
        """Begin a run; returns True when an unfinished earlier run is resumed instead."""
        if self._meta("state") == "running":
            self._load()
            return True
        self._write("DELETE FROM urls", ())
        self._set_meta("state", "running")
        self._set_meta("started_at", started_at)
        self.commit()
        return False

    def finish(self) -> None:
        self._set_meta("state", "finished")
        self.commit()

    def commit(self) -> None:
        """Make the marks and additions so far durable. The crawl commits once per loop pass;
        a crash loses at most that pass, and the WARC (recovered on resume) says what was fetched."""
        with self._disk_errors():
            self.db.commit()

    def state_of(self, url: str) -> Optional[tuple[str, int, str]]:
        """(kind, depth, state) of a URL in this run, or None."""
        row = self.db.execute("SELECT kind, depth, state FROM urls WHERE url = ?", (url,)).fetchone()
        return (row[0], int(row[1]), row[2]) if row else None

    @property
    def started_at(self) -> Optional[str]:
        return self._meta("started_at")

    def _load(self) -> None:
        for url, host, kind, depth, source, state, seq in self.db.execute(
            "SELECT url, host, kind, depth, source, state, seq FROM urls ORDER BY seq"
        ):
            self._known.add(url)
            if state == "queued":
                self._push(QueuedUrl(url, host, kind, depth, source, seq))

    def _push(self, item: QueuedUrl) -> None:
        heapq.heappush(self._queues[item.host], (PRIORITY.get(item.kind, 2), item.seq, item))

    def add(self, url: str, host: str, kind: str, depth: int, source: Optional[str] = None,
            again: bool = False) -> bool:
        """Queue a URL unless it is already known in this run (or `again`); True when queued."""
        if url in self._known and not again:
            return False
        self._known.add(url)
        self._finished.discard(url)
        item = QueuedUrl(url, host, kind, depth, source, next(self._seq))
        self._write(
            "INSERT INTO urls(url, host, kind, depth, source, seq) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET state = 'queued', seq = excluded.seq",
            (url, host, kind, depth, source, item.seq),
        )
        self._push(item)
        return True

    def mark(self, url: str, state: str, note: Optional[str] = None) -> None:
        """Record the outcome of a URL (also one reached only as a redirect target)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._known.add(url)
        self._finished.add(url)
        self._write(
            "INSERT INTO urls(url, host, kind, depth, state, seq, note, done_at) VALUES (?, '', 'page', 0, ?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET state = excluded.state, note = excluded.note, done_at = excluded.done_at",
            (url, state, next(self._seq), note, now),
        )

    def is_known(self, url: str) -> bool:
        return url in self._known

    def hosts_with_work(self) -> list[str]:
        return [host for host in list(self._queues) if self.peek(host) is not None]

    def peek(self, host: str) -> Optional[QueuedUrl]:
        queue = self._queues.get(host)
        while queue and queue[0][2].url in self._finished:
            heapq.heappop(queue)  # finished meanwhile (a redirect target, a recovered capture)
        return queue[0][2] if queue else None

    def pop(self, host: str) -> QueuedUrl:
        self.peek(host)
        return heapq.heappop(self._queues[host])[2]

    def drop_queued(self, host: str) -> list[QueuedUrl]:
        """Take every queued URL of a host out of the queue (e.g. robots.txt disallows all)."""
        items = [entry[2] for entry in self._queues.pop(host, [])]
        return items

    def pending(self) -> int:
        """Hosts with queued work (0 when nothing is left to fetch)."""
        return len(self.hosts_with_work())

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.db.close()


class HostSlots:
    """Per-host politeness: at most `connections` requests in flight and `delay` seconds between them."""

    def __init__(self, connections: int, delay: float, clock=time.monotonic) -> None:
        self.connections = connections
        self.delay = delay
        self.clock = clock
        self.active: dict[str, int] = defaultdict(int)
        self.next_at: dict[str, float] = defaultdict(float)
        self.host_delay: dict[str, float] = {}

    def set_crawl_delay(self, host: str, seconds: Optional[float]) -> None:
        if seconds is not None and seconds > self.delay:
            longer = min(seconds, 60.0)  # a hostile Crawl-delay must not stall a run forever
            # The wait after robots.txt itself was scheduled with the old delay: lengthen it too.
            shorter = self.host_delay.get(host, self.delay)
            self.next_at[host] += (longer - shorter) / self.connections
            self.host_delay[host] = longer

    def wait_for(self, host: str) -> float:
        """0 when a request to host may start now, else seconds until it may (inf when busy)."""
        if self.active[host] >= self.connections:
            return float("inf")
        return max(0.0, self.next_at[host] - self.clock())

    def acquire(self, host: str) -> None:
        self.active[host] += 1
        # With several connections per host, requests are spaced by delay / connections.
        spacing = self.host_delay.get(host, self.delay) / self.connections
        self.next_at[host] = max(self.next_at[host], self.clock()) + spacing

    def release(self, host: str) -> None:
        self.active[host] -= 1
        delay = self.host_delay.get(host, self.delay)
        if self.connections == 1:
            # One connection: the delay runs from the end of the request, as wget's --wait does.
            self.next_at[host] = self.clock() + delay
