"""The shared crawl frontier in PostgreSQL: several workers on several hosts crawl one job together.

Three tables (created by the catalogue's migration #1, see index_schema_pg; never lazily):

- `frontier_crawls`: one row per job: which crawl of it is running, its settings (taken from the
  worker that began it, so every worker is as polite as the first) and the page budget spent.
- `frontier_hosts`: per host, `next_allowed_at` (politeness across workers) and the outcome of its
  robots.txt (status and body), so it is fetched once and every worker obeys the same rules.
- `frontier_urls`: every URL of the crawl, keyed (job, url), so adding is deduplicated by
  `INSERT ... ON CONFLICT DO NOTHING`; state queued | claimed | done | failed | skipped.

Claim (one transaction): lock one host row whose `next_allowed_at` has passed and that has
claimable work, `FOR UPDATE SKIP LOCKED` (a host another worker is claiming from is skipped, never
waited for); count its live claims again in a fresh statement (READ COMMITTED: it sees every claim
committed before our lock) against `connections_per_host`; take its first queued URL (robots.txt,
then sitemaps and feeds, then pages in the order found) `FOR UPDATE SKIP LOCKED`; mark it claimed
by this worker with `lease_until`, and move the host's `next_allowed_at` on by the delay (the
larger of the crawl's delay and robots Crawl-delay). When the claim completes, the delay runs again
from the end of the request, as `HostSlots` does for one connection. All times are the database's
(`clock_timestamp()`), never a worker's clock.

Leases: a worker renews its claims while it works; a claim whose lease ran out (its worker died or
hung) goes back to the queue (`reap`) and counts an attempt; after `max_attempts` it is failed.
A stopping worker releases its claims at once. Pages claimed count against the crawl's max_pages
in `frontier_crawls.pages_claimed`, so the budget holds across workers.

Lock order, so transactions never deadlock: claims wait on nothing but the crawl row (hosts and
URLs are taken with SKIP LOCKED); completions take URL rows (sorted) before host rows (sorted).
A deadlock or serialisation failure is still retried, and psycopg errors become IndexStoreError.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Optional

from newsarchiver.errors import IndexStoreError
from newsarchiver.frontier import PRIORITY, QueuedUrl
from newsarchiver.frontier_pg_schema import (
    PICK_HOST,
    QUEUED_OF_HOST,
    RETURN_CLAIMS,
    SCHEMA_STATEMENTS,
    create_schema,
)
from newsarchiver.robots import robots_url

log = logging.getLogger(__name__)

MAX_CRAWL_DELAY = 60.0  # a hostile Crawl-delay must not stall a crawl forever (as HostSlots)
CLAIM_BATCH = 50  # queued URLs of a host looked at per statement while skipping disallowed ones
HOST_TRIES = 8  # hosts tried in one claim before giving up for this pass
RETRIES = 5  # deadlock / serialisation failures retried

# SCHEMA_STATEMENTS and create_schema live in frontier_pg_schema; the migration reads them here.
__all__ = ["SCHEMA_STATEMENTS", "CrawlInfo", "NewUrl", "Outcome", "SharedFrontier", "create_schema"]


class NewUrl(NamedTuple):
    url: str  # normalised
    host: str  # host_key(url)
    kind: str  # robots | sitemap | feed | page | asset
    depth: int
    source: Optional[str] = None
    # A redirect's target on another host, queued instead of followed: when new, it takes the
    # redirect's place in max_pages (the redirect's claim gives its page back).
    replaces_page: bool = False


class Outcome(NamedTuple):
    url: str
    state: str  # done | failed | skipped
    note: Optional[str] = None
    host: str = ""  # for a URL the frontier may not know yet (a redirect target)


@dataclass(frozen=True)
class CrawlInfo:
    """The job's current crawl, as `start` found or began it."""

    crawl_no: int
    state: str  # running | finished
    started_at: Optional[datetime]
    finished_at: Optional[datetime]
    began: bool  # this worker began it (False: joined a running one, or left a finished one alone)
    delay_seconds: float
    connections_per_host: int
    obey_robots: bool
    max_pages: int


# The policy a claimer applies to each queued URL of the host it locked: None to take it, or the
# reason to skip it (robots.txt disallows). Gets the URL and the host's robots_state.
Admit = Callable[[QueuedUrl, str], Optional[str]]


class SharedFrontier:
    """One worker's handle on the shared frontier of one job.

    One psycopg connection per worker, used by the crawl loop's thread only (the loop is the
    frontier's one writer in its process, as with SQLite): claims and completions are short
    transactions in sequence, so a pool would add threads and nothing else. A lock guards it
    anyway. Open with `SharedFrontier.connect(url, job, worker)`.
    """

    def __init__(self, conn: Any, name: str, job: str, worker: str, *, lease_seconds: float = 60.0,
                 max_attempts: int = 3) -> None:
        self.conn = conn
        self.name = name  # the redacted database URL, for messages
        self.job = job
        self.worker = worker
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.crawl: Optional[CrawlInfo] = None
        self._lock = threading.RLock()

    @classmethod
    def connect(cls, url: str, job: str, worker: str, **kwargs: Any) -> SharedFrontier:
        import psycopg

        from newsarchiver.db import redact_url

        name = redact_url(url)
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10,
                                   application_name=f"newsarchiver worker {worker}"[:63])
        except psycopg.Error as exc:
            message = _one_line(exc).replace(url, name)  # libpq may quote the URL, password and all
            raise IndexStoreError(f"{name}: cannot connect for the shared frontier: {message}") from exc
        return cls(conn, name, job, worker, **kwargs)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One transaction; psycopg errors become IndexStoreError (see _retrying for retries)."""
        import psycopg

        with self._lock:
            try:
                with self.conn.transaction():
                    yield self.conn
            except psycopg.Error as exc:
                if isinstance(exc, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)):
                    raise _Retry() from exc
                raise IndexStoreError(f"{self.name}: shared frontier of job {self.job!r}: "
                                      f"{_one_line(exc)}") from exc

    def _retrying(self, work: Callable[[Any], Any]) -> Any:
        for attempt in range(RETRIES):
            try:
                with self._transaction() as conn:
                    return work(conn)
            except _Retry as retry:
                if attempt == RETRIES - 1:
                    raise IndexStoreError(f"{self.name}: shared frontier of job {self.job!r}: "
                                          f"{_one_line(retry.__cause__ or retry)}") from retry.__cause__
                log.debug("frontier transaction retried: %s", retry.__cause__)
        raise AssertionError("unreachable")

    # --- the crawl ---------------------------------------------------------------------------

    def start(self, seeds: Sequence[NewUrl], *, max_pages: int, delay_seconds: float, connections_per_host: int,
              obey_robots: bool, begin_new: Callable[[Optional[datetime]], bool] = lambda _last: True,
              if_new: Sequence[NewUrl] = ()) -> CrawlInfo:
        """Join the job's running crawl, or begin one (settings from the arguments) when the last
        one finished and `begin_new(its start)` agrees. Seeds are added in the same transaction
        (idempotently: a joining worker adds nothing twice), so no worker ever sees a begun crawl
        empty and declares it finished; `if_new` only when this worker begins the crawl."""
        def work(conn: Any) -> CrawlInfo:
            conn.execute("INSERT INTO frontier_crawls (job) VALUES (%s) ON CONFLICT DO NOTHING", (self.job,))
            row = conn.execute("SELECT crawl_no, state, started_at FROM frontier_crawls WHERE job = %s FOR UPDATE",
                               (self.job,)).fetchone()
            began = row[1] != "running" and (row[0] == 0 or begin_new(row[2]))
            if began:
                conn.execute("DELETE FROM frontier_urls WHERE job = %s", (self.job,))
                conn.execute("DELETE FROM frontier_hosts WHERE job = %s", (self.job,))
                conn.execute(
                    "UPDATE frontier_crawls SET crawl_no = crawl_no + 1, state = 'running', "
                    "started_at = clock_timestamp(), finished_at = NULL, max_pages = %s, pages_claimed = 0, "
                    "delay_seconds = %s, connections_per_host = %s, obey_robots = %s WHERE job = %s",
                    (max_pages, delay_seconds, connections_per_host, obey_robots, self.job))
            info = self._crawl_row(conn, began)
            if info.state == "running":
                self._insert(conn, [*seeds, *(if_new if began else ())], info.obey_robots)
            return info

        self.crawl = self._retrying(work)
        return self.crawl

    def _crawl_row(self, conn: Any, began: bool) -> CrawlInfo:
        row = conn.execute(
            "SELECT crawl_no, state, started_at, finished_at, delay_seconds, connections_per_host, obey_robots, "
            "max_pages FROM frontier_crawls WHERE job = %s", (self.job,)).fetchone()
        return CrawlInfo(crawl_no=row[0], state=row[1], started_at=row[2], finished_at=row[3], began=began,
                         delay_seconds=row[4], connections_per_host=row[5], obey_robots=row[6], max_pages=row[7])

    def _settings(self) -> CrawlInfo:
        if self.crawl is None:
            raise RuntimeError("SharedFrontier.start() first")
        return self.crawl

    def finish_if_done(self) -> bool:
        """Mark the crawl finished when nothing is queued or claimed (after reaping dead claims)."""
        self.reap()
        return bool(self._retrying(lambda conn: conn.execute(
            "UPDATE frontier_crawls SET state = 'finished', finished_at = clock_timestamp() "
            "WHERE job = %(job)s AND state = 'running' AND NOT EXISTS (SELECT 1 FROM frontier_urls "
            "WHERE job = %(job)s AND state IN ('queued', 'claimed')) RETURNING crawl_no",
            {"job": self.job}).fetchone()) or self.is_finished())

    def is_finished(self) -> bool:
        row = self._retrying(lambda conn: conn.execute(
            "SELECT state FROM frontier_crawls WHERE job = %s", (self.job,)).fetchone())
        return row is None or row[0] == "finished"

    # --- adding and completing ----------------------------------------------------------------

    def add(self, entries: Sequence[NewUrl]) -> int:
        """Queue URLs not yet known in this crawl; returns how many were new."""
        obey = self._settings().obey_robots
        return int(self._retrying(lambda conn: self._insert(conn, entries, obey)))

    def complete(self, added: Sequence[NewUrl] = (), claims: Sequence[Outcome] = (), marks: Sequence[Outcome] = (),
                 robots: Sequence[tuple[str, Optional[int], bytes, Optional[float]]] = ()) -> int:
        """One transaction for what a pass of the crawl loop learned: new URLs, the outcome of this
        worker's claims (each host's delay then runs from now), other URLs' outcomes (redirect
        targets; never a robots.txt entry nor another worker's claim), and robots.txt results
        (host, status or None for no response, body, Crawl-delay). Returns how many URLs were new."""
        settings = self._settings()

        def work(conn: Any) -> int:
            new = self._insert(conn, added, settings.obey_robots)
            if claims:
                rows = sorted(claims)
                hosts = conn.execute(
                    "UPDATE frontier_urls u SET state = t.state, note = t.note, done_at = clock_timestamp(), "
                    "worker = NULL, lease_until = NULL FROM unnest(%s::text[], %s::text[], %s::text[]) "
                    "AS t(url, state, note) WHERE u.job = %s AND u.url = t.url "
                    # Only our own live claim, or one reaped and not yet claimed again: a worker
                    # that outlived its lease must not overwrite the claim of the one fetching now.
                    "AND (u.state = 'queued' OR (u.state = 'claimed' AND u.worker = %s)) "
                    "RETURNING u.host", ([r.url for r in rows], [r.state for r in rows], [r.note for r in rows],
                                         self.job, self.worker)).fetchall()
                done_hosts = sorted({h[0] for h in hosts})
            else:
                done_hosts = []
            if marks:
                rows = sorted(marks)
                conn.execute(
                    "INSERT INTO frontier_urls (job, url, host, kind, depth, priority, state, note, done_at) "
                    "SELECT %s, t.url, t.host, 'page', 0, 2, t.state, t.note, clock_timestamp() "
                    "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS t(url, host, state, note) "
                    "ORDER BY t.url ON CONFLICT (job, url) DO UPDATE SET state = excluded.state, note = excluded.note, "
                    "done_at = excluded.done_at WHERE frontier_urls.state = 'queued' AND frontier_urls.kind <> 'robots'",
                    (self.job, [r.url for r in rows], [r.host for r in rows], [r.state for r in rows],
                     [r.note for r in rows]))
            for host, status, body, delay in sorted(robots, key=lambda r: r[0]):
                conn.execute(
                    "UPDATE frontier_hosts SET robots_state = 'fetched', robots_status = %s, robots_body = %s, "
                    "crawl_delay = %s, robots_fetched_at = clock_timestamp() WHERE job = %s AND host = %s",
                    (status, body, min(delay, MAX_CRAWL_DELAY) if delay is not None else None, self.job, host))
            if done_hosts and settings.connections_per_host == 1:
                # One connection: the delay runs from the end of the request, as wget's --wait does.
                conn.execute(
                    "UPDATE frontier_hosts SET next_allowed_at = GREATEST(next_allowed_at, clock_timestamp() "
                    "+ make_interval(secs => GREATEST(%s, COALESCE(crawl_delay, 0)))) "
                    "WHERE job = %s AND host = ANY(%s::text[])", (settings.delay_seconds, self.job, done_hosts))
            return new

        return int(self._retrying(work))

    def _insert(self, conn: Any, entries: Sequence[NewUrl], obey_robots: bool) -> int:
        if not entries:
            return 0
        unique = sorted({e.url: e for e in entries}.values())  # sorted: concurrent inserts lock in one order
        hosts: dict[str, str] = {}
        for e in unique:
            hosts.setdefault(e.host, robots_url(e.url))
        names = sorted(hosts)
        created = conn.execute(
            "INSERT INTO frontier_hosts (job, host, robots_state, robots_url) "
            "SELECT %s, t.host, %s, t.robots FROM unnest(%s::text[], %s::text[]) AS t(host, robots) ORDER BY t.host "
            "ON CONFLICT DO NOTHING RETURNING host",
            (self.job, "pending" if obey_robots else "ignored", names, [hosts[h] for h in names])).fetchall()
        if obey_robots and created:
            pairs = sorted((hosts[row[0]], row[0]) for row in created)
            # A new host's robots.txt first; a row already there (a page link to it) becomes the robots entry.
            conn.execute(
                "INSERT INTO frontier_urls (job, url, host, kind, depth, priority) "
                "SELECT %s, t.url, t.host, 'robots', 0, 0 FROM unnest(%s::text[], %s::text[]) AS t(url, host) "
                "ORDER BY t.url ON CONFLICT (job, url) DO UPDATE SET kind = 'robots', priority = 0, state = 'queued' "
                "WHERE frontier_urls.kind <> 'robots' AND frontier_urls.state <> 'claimed'",
                (self.job, [url for url, _ in pairs], [host for _, host in pairs]))
        fresh = [e for e in unique if not (obey_robots and e.kind == "robots")]
        inserted = {row[0] for row in conn.execute(
            "INSERT INTO frontier_urls (job, url, host, kind, depth, source, priority) "
            "SELECT %s, t.url, t.host, t.kind, t.depth, t.source, t.priority "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::text[], %s::int[]) "
            "AS t(url, host, kind, depth, source, priority) ORDER BY t.url ON CONFLICT DO NOTHING RETURNING url",
            (self.job, [e.url for e in fresh], [e.host for e in fresh], [e.kind for e in fresh],
             [e.depth for e in fresh], [e.source for e in fresh], [PRIORITY.get(e.kind, 2) for e in fresh])).fetchall()}
        given_back = sum(1 for e in fresh if e.replaces_page and e.kind == "page" and e.url in inserted)
        if given_back:
            conn.execute("UPDATE frontier_crawls SET pages_claimed = GREATEST(pages_claimed - %s, 0) WHERE job = %s",
                         (given_back, self.job))
        return len(inserted)

    # --- claiming -----------------------------------------------------------------------------

    def claim(self, admit: Admit) -> Optional[QueuedUrl]:
        """Claim the next URL this worker may fetch now (see the module docstring), or None.

        `admit` is asked about each queued URL of the locked host in order; the ones it refuses
        are marked skipped with its reason, in the same transaction."""
        settings = self._settings()
        return self._retrying(lambda conn: self._claim(conn, admit, settings))  # type: ignore[no-any-return]

    def _claim(self, conn: Any, admit: Admit, settings: CrawlInfo) -> Optional[QueuedUrl]:
        tried: list[str] = []
        for _ in range(HOST_TRIES):
            picked = conn.execute(PICK_HOST, {"job": self.job, "tried": tried,
                                               "connections": settings.connections_per_host}).fetchone()
            if picked is None:
                return None
            host, robots_state = picked
            tried.append(host)
            # A fresh snapshot now that the host is ours: claims committed since the pick count.
            live = conn.execute("SELECT count(*) FROM frontier_urls WHERE job = %s AND host = %s AND state = 'claimed'",
                                (self.job, host)).fetchone()[0]
            if live >= settings.connections_per_host:
                continue
            item = self._claim_on_host(conn, host, robots_state, admit, settings)
            if item is not None:
                return item
        return None

    def _claim_on_host(self, conn: Any, host: str, robots_state: str, admit: Admit,
                       settings: CrawlInfo) -> Optional[QueuedUrl]:
        params = {"job": self.job, "host": host, "ready": robots_state != "pending", "limit": CLAIM_BATCH}
        budget_left = True
        while True:
            rows = conn.execute(QUEUED_OF_HOST, params).fetchall()
            if not rows:
                return None
            for url, kind, depth, source, seq in rows:
                item = QueuedUrl(url, host, kind, depth, source, seq)
                reason = admit(item, robots_state)
                if reason is None and kind == "page" and not (budget_left and self._spend_page(conn)):
                    reason = "max_pages reached"
                    if budget_left:
                        self._skip_remaining_pages(conn)
                        budget_left = False
                if reason is not None:
                    conn.execute("UPDATE frontier_urls SET state = 'skipped', note = %s, done_at = clock_timestamp() "
                                 "WHERE job = %s AND url = %s", (reason, self.job, url))
                    continue
                conn.execute(
                    "UPDATE frontier_urls SET state = 'claimed', worker = %s, attempts = attempts + 1, "
                    "claimed_at = clock_timestamp(), lease_until = clock_timestamp() + make_interval(secs => %s) "
                    "WHERE job = %s AND url = %s", (self.worker, self.lease_seconds, self.job, url))
                # Request starts are spaced by the delay (split between connections), across workers.
                conn.execute(
                    "UPDATE frontier_hosts SET next_allowed_at = GREATEST(next_allowed_at, clock_timestamp()) "
                    "+ make_interval(secs => GREATEST(%s, COALESCE(crawl_delay, 0)) / %s) WHERE job = %s AND host = %s",
                    (settings.delay_seconds, settings.connections_per_host, self.job, host))
                return item

    def _spend_page(self, conn: Any) -> bool:
        return conn.execute(
            "UPDATE frontier_crawls SET pages_claimed = pages_claimed + 1 "
            "WHERE job = %s AND pages_claimed < max_pages RETURNING pages_claimed", (self.job,)).fetchone() is not None

    def _skip_remaining_pages(self, conn: Any) -> None:
        """The page budget is spent: every queued page of the crawl is skipped now, not host by host."""
        conn.execute(
            "UPDATE frontier_urls SET state = 'skipped', note = 'max_pages reached', done_at = clock_timestamp() "
            "WHERE job = %(job)s AND url IN (SELECT url FROM frontier_urls WHERE job = %(job)s AND state = 'queued' "
            "AND kind = 'page' FOR UPDATE SKIP LOCKED)", {"job": self.job})

    # --- leases ------------------------------------------------------------------------------

    def renew(self) -> int:
        """Extend the leases of this worker's claims (the crawl loop calls it every lease/3)."""
        return int(self._retrying(lambda conn: conn.execute(
            "UPDATE frontier_urls SET lease_until = clock_timestamp() + make_interval(secs => %s) "
            "WHERE job = %s AND state = 'claimed' AND worker = %s",
            (self.lease_seconds, self.job, self.worker)).rowcount))

    def reap(self) -> int:
        """Claims whose lease ran out go back to the queue (or fail after max_attempts)."""
        return self._return_claims("lease_until < clock_timestamp()", {}, refund=0)

    def release(self, worker: Optional[str] = None) -> int:
        """Give this worker's claims (or a dead worker's) back at once: others take them now."""
        mine = worker is None
        return self._return_claims("worker = %(worker)s", {"worker": worker or self.worker}, refund=1 if mine else 0)

    def _return_claims(self, which: str, params: dict[str, Any], refund: int) -> int:
        sql = RETURN_CLAIMS.format(which=which)
        values = {"job": self.job, "max_attempts": self.max_attempts + refund, "refund": refund, **params}
        return int(self._retrying(lambda conn: conn.execute(sql, values).fetchone()[0]))

    def settle(self, worker: str, urls: Sequence[str]) -> list[tuple[str, str, int]]:
        """URLs a dead worker claimed whose records reached its WARC (recovered after a crash):
        done now, never fetched again. Returns (url, kind, depth) of those settled."""
        if not urls:
            return []
        rows = self._retrying(lambda conn: conn.execute(
            "UPDATE frontier_urls SET state = 'done', note = 'recovered from an unclosed WARC file', "
            "done_at = clock_timestamp(), worker = NULL, lease_until = NULL "
            "WHERE job = %s AND url = ANY(%s::text[]) AND state = 'claimed' AND worker = %s "
            "RETURNING url, kind, depth", (self.job, sorted(set(urls)), worker)).fetchall())
        return [(str(url), str(kind), int(depth)) for url, kind, depth in rows]

    # --- reading -----------------------------------------------------------------------------

    def robots_of(self, host: str) -> Optional[tuple[Optional[int], bytes, Optional[str]]]:
        """(status or None for no response, body, robots.txt URL) once fetched; None before."""
        row = self._retrying(lambda conn: conn.execute(
            "SELECT robots_state, robots_status, robots_body, robots_url FROM frontier_hosts "
            "WHERE job = %s AND host = %s", (self.job, host)).fetchone())
        if row is None or row[0] != "fetched":
            return None
        return row[1], bytes(row[2] or b""), row[3]

    def seconds_to_next(self) -> Optional[float]:
        """Seconds until some host with claimable work may be asked (<= 0: now); None if none may."""
        row = self._retrying(lambda conn: conn.execute(
            "SELECT EXTRACT(EPOCH FROM GREATEST(m, clock_timestamp()) - clock_timestamp()) FROM (SELECT "
            "min(h.next_allowed_at) AS m FROM frontier_hosts h "
            "WHERE h.job = %(job)s AND (SELECT 1 FROM frontier_urls u WHERE u.job = h.job AND u.host = h.host "
            "AND u.state = 'queued' AND (u.kind = 'robots' OR h.robots_state <> 'pending') LIMIT 1) IS NOT NULL "
            "AND (SELECT count(*) FROM frontier_urls c WHERE c.job = h.job AND c.host = h.host "
            "AND c.state = 'claimed') < %(connections)s) AS soonest WHERE m IS NOT NULL",
            {"job": self.job, "connections": self._settings().connections_per_host}).fetchone())
        return None if row is None or row[0] is None else float(row[0])

    def counts(self) -> dict[str, int]:
        rows = self._retrying(lambda conn: conn.execute(
            "SELECT state, count(*) FROM frontier_urls WHERE job = %s GROUP BY state", (self.job,)).fetchall())
        return {state: int(n) for state, n in rows}

    def pending(self) -> int:
        """URLs queued or claimed (0 when the crawl has nothing left)."""
        counts = self.counts()
        return counts.get("queued", 0) + counts.get("claimed", 0)


class _Retry(Exception):
    """A deadlock or serialisation failure: run the transaction again."""


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
