"""A crawl worker: the crawler's loop on a job's frontier shared in PostgreSQL (frontier_pg).

Start `newsarchiver worker --job JOB` on as many hosts as you like; each reaches the database and
writes WARC files of its own (`{job}-{worker}-{UTC timestamp}-{serial}.warc.gz`) into its own
archive directory, and records its captures (file and offset) in the shared catalogue.

`WorkerCrawler` is the `Crawler` with its queue seams overridden: it claims URLs from the shared
frontier instead of popping a local queue (politeness, robots.txt and the page budget are decided
in the claim, across workers), and buffers what a pass of the loop learns (new links, outcomes,
robots.txt results) to hand it to the frontier in one transaction after the records are in the
WARC file, just as the local crawl commits its SQLite frontier once per pass. So a worker killed
at any moment loses nothing closed: its claims come back after their lease, and a worker started
later in its directory recovers its `.open` file, marks the URLs found there done (never fetched
again) and gives the dead worker's other claims back at once.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from newsarchiver.config import Config, Job
from newsarchiver.crawl import ROBOTS_DISALLOWS, Crawler, Exchange, decoded_body
from newsarchiver.errors import WarcFormatError
from newsarchiver.frontier import QueuedUrl
from newsarchiver.frontier_pg import CrawlInfo, NewUrl, Outcome, SharedFrontier
from newsarchiver.models import FetchResult, RunReport
from newsarchiver.robots import MAX_ROBOTS_BYTES, RobotsPolicy
from newsarchiver.urls import host_key, normalize_url

if TYPE_CHECKING:
    from newsarchiver.index import Store

log = logging.getLogger(__name__)

WORKER_ID_RE = re.compile(r"[^A-Za-z0-9._-]+")


def default_worker_id() -> str:
    """`{hostname}-{pid}`: unique among live workers, and new after a restart."""
    return sanitize_worker_id(f"{socket.gethostname().split('.')[0]}-{os.getpid()}")


def sanitize_worker_id(raw: str) -> str:
    """Letters, digits, '.', '_' and '-' only (it goes into file names), at most 64 characters."""
    return WORKER_ID_RE.sub("-", raw.strip()).strip("-.")[:64]


def worker_of(file_name: str, job: str) -> Optional[str]:
    """The worker id in `{job}-{worker}-{timestamp}-{serial}.warc.gz`, or None for other files."""
    if not file_name.startswith(f"{job}-") or not file_name.endswith(".warc.gz"):
        return None
    parts = file_name[len(job) + 1:].rsplit("-", 2)
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) != 14:
        return None
    return parts[0] or None


class WorkerCrawler(Crawler):
    """One worker's crawl of a job on the shared frontier (see the module docstring)."""

    def __init__(self, config: Config, job: Job, *, frontier: SharedFrontier, store: Optional[Store] = None,
                 stop: Optional[threading.Event] = None, recapture: tuple[str, ...] = (),
                 poll_seconds: float = 1.0,
                 begin_new: Callable[[Optional[datetime]], bool] = lambda _last: True) -> None:
        self.shared = frontier
        self.worker_id = frontier.worker
        self.poll_seconds = poll_seconds
        self.begin_new = begin_new  # may a finished crawl of the job be followed by a new one now?
        self.crawl: Optional[CrawlInfo] = None
        self.claimed: dict[str, QueuedUrl] = {}  # url -> item: this worker's claims in flight
        self._known: set[str] = set()  # URLs this worker already handed to the frontier
        self._added: list[NewUrl] = []
        self._outcomes: list[Outcome] = []
        self._marks: list[Outcome] = []
        self._robots_found: list[tuple[str, Optional[int], bytes, Optional[float]]] = []
        self._maintain_at = 0.0
        super().__init__(config, job, store=store, stop=stop, recapture=recapture)

    @property
    def working(self) -> bool:
        """Whether there is a running crawl to work on (False: the last one finished, not due)."""
        return self.crawl is not None and self.crawl.state == "running"

    # -- the queue seams ----------------------------------------------------------------------

    def _open_queue(self) -> None:
        pass  # the shared frontier was opened by the caller, and politeness lives in it

    def _warc_prefix(self) -> str:
        return f"{self.job.name}-{self.worker_id}"

    def _finish(self, item: QueuedUrl, state: str, note: Optional[str]) -> None:
        self.claimed.pop(item.url, None)
        self._outcomes.append(Outcome(item.url, state, note))

    def _mark(self, url: str, state: str, note: Optional[str]) -> None:
        self._marks.append(Outcome(url, state, note, host_key(url)))

    def _released(self, item: QueuedUrl) -> bool:
        # The claim's outcome (in _commit) frees the host: nothing to dispatch to yet, and another
        # claim now would be a database round trip for nothing.
        return False

    def _commit(self) -> None:
        """Hand the frontier what this pass learned, in one transaction, after the WARC writes."""
        if not (self._added or self._outcomes or self._marks or self._robots_found):
            return
        self.report.discovered += self.shared.complete(self._added, self._outcomes, self._marks, self._robots_found)
        self._added, self._outcomes, self._marks, self._robots_found = [], [], [], []

    def _close_queue(self) -> None:
        self._commit()
        self.shared.release()  # anything still claimed (an error, a stop): others take it at once
        if self.working and not self.report.interrupted:
            self.shared.finish_if_done()

    def _enqueue(self, raw_url: str, kind: str, depth: int, source: Optional[str], force: bool = False,
                 replaces_page: bool = False) -> None:
        url = normalize_url(raw_url)
        if url is None or url in self._known or not self._wanted(url, kind, depth, force):
            return
        self._known.add(url)
        self._added.append(NewUrl(url, host_key(url), kind, depth, source, replaces_page))

    def _hand_off(self, item: QueuedUrl, target: str, source: str) -> None:
        # The frontier gives the redirect's page back when the target is new to the crawl.
        self._enqueue(target, item.kind, item.depth, source, force=True, replaces_page=True)

    # -- setup --------------------------------------------------------------------------------

    def _prepare(self) -> None:
        from newsarchiver.archive import recover_open_files

        recovered = [self.archive_dir / r.name for r in recover_open_files(self.archive_dir)]
        recovered = [path for path in recovered if path.exists()]
        if recovered:
            from newsarchiver.cdxj import update_cdxj

            update_cdxj(self.archive_dir, recovered)
        c = self.config.crawl
        seeds = [(url, "page") for url in self.job.seeds] + [(url, "feed") for url in self.job.feeds]
        seeds += [(url, "sitemap") for url in self.job.sitemaps]
        self.crawl = self.shared.start(
            _entries(seeds, 0, None), max_pages=self.job.max_pages, delay_seconds=c.delay_seconds,
            connections_per_host=c.connections_per_host, obey_robots=c.obey_robots, begin_new=self.begin_new,
            if_new=_entries([(url, "page") for url in self.recapture], self.job.max_depth, "recapture"))
        if self.working:
            for path in recovered:
                self._settle(path)
            # Nothing is claimed by this process yet: claims under its id are from a crashed run
            # with the same --worker-id, and go back now rather than after their lease.
            self.shared.release(self.worker_id)
            self._commit()
        if self.store is not None and recovered:
            from newsarchiver.ingest import import_warcs

            # Captures of a crashed worker not yet indexed: the WARC is the source of truth.
            import_warcs(self.store, recovered, self.config)  # type: ignore[arg-type]
        if self.working and self.store is not None:
            self.run_id = self.store.begin_run(self.job.name)
        if self.working and self.config.extract.during_crawl:
            self.pool.start()

    def _settle(self, path: Path) -> None:
        """A recovered file's writer is dead: what reached its WARC is done (links found again
        from the archived payloads), and its other claims go back to the queue now."""
        from newsarchiver.warcread import iter_entries

        dead = worker_of(path.name, self.job.name)
        if dead is None:
            return
        archived: dict[str, FetchResult] = {}
        try:
            for entry in iter_entries(path, types={"response", "revisit"}):
                if entry.url and entry.http_status is not None:
                    archived.setdefault(entry.url, FetchResult(
                        url=entry.url, method="GET", request_headers=(), fetched_at=entry.date or "",
                        status=entry.http_status, headers=tuple(entry.http_headers), body=entry.payload))
        except WarcFormatError:
            pass  # recovery already cut the torn tail; nothing after it is readable
        for url, kind, depth in self.shared.settle(dead, list(archived)):
            result = archived[url]
            item = QueuedUrl(url, host_key(url), kind, depth, None, 0)
            if kind == "robots":
                self._learn_robots(item, result)
            elif result.status == 200:
                for found, found_kind, found_depth, force in self._discover(item, result):
                    self._enqueue(found, found_kind, found_depth, url, force=force)
        released = self.shared.release(dead)
        log.info("%s: recovered from worker %s; %d of its claims given back", path.name, dead, released)

    # -- the loop -----------------------------------------------------------------------------

    def _dispatch(self, threads: ThreadPoolExecutor, inflight: dict[Future[Exchange], QueuedUrl]) -> None:
        if not self.working:
            return
        self._maintain()
        capacity = self.config.crawl.workers - len(inflight)
        while capacity > 0 and not self.stop.is_set():
            item = self.shared.claim(self._admit)
            if item is None:
                break
            self.claimed[item.url] = item
            extra, previous = self._previous(item.url)
            inflight[threads.submit(self._fetch_chain, item, extra, previous)] = item
            capacity -= 1

    def _admit(self, item: QueuedUrl, robots_state: str) -> Optional[str]:
        """Asked by the claim for each queued URL of the host it locked: None, or why to skip it."""
        if item.kind == "robots" or robots_state != "fetched":
            return None  # robots.txt itself, or robots ignored for this crawl
        policy = self.robots.get(item.host)
        if policy is None:
            fetched = self.shared.robots_of(item.host)
            status, body, url = fetched if fetched is not None else (None, b"", None)
            policy = RobotsPolicy.from_response(status, body, self.config.crawl.user_agent, url=url)
            self.robots[item.host] = policy
        if policy.allowed(item.url):
            return None
        self.report.robots_excluded += 1
        return ROBOTS_DISALLOWS

    def _maintain(self) -> None:
        """Every lease/3: renew this worker's leases, and send dead workers' claims back."""
        now = time.monotonic()
        if now < self._maintain_at:
            return
        self._maintain_at = now + self.shared.lease_seconds / 3
        if self.claimed:
            self.shared.renew()
        self.shared.reap()

    def _has_dispatchable_soon(self) -> bool:
        if not self.working or self.stop.is_set():
            return False
        # Nothing in flight here: go on while others hold claims (they may add links) or URLs wait.
        return not self.shared.finish_if_done()

    def _next_wakeup(self) -> float:
        soonest = self.shared.seconds_to_next()
        if soonest is None:
            return self.poll_seconds
        return max(0.02, min(soonest, self.poll_seconds))

    def _finish_inflight(self, inflight: dict[Future[Exchange], QueuedUrl]) -> None:
        """Stopping: handle the exchanges in flight, renewing their leases while they run long."""
        while inflight:
            done, _ = wait(list(inflight), timeout=max(0.1, self.shared.lease_seconds / 3),
                           return_when=FIRST_COMPLETED)
            self._maintain()
            for future in done:
                inflight.pop(future)
                self._handle(future.result())

    def _learn_robots(self, item: QueuedUrl, result: Optional[FetchResult]) -> None:
        """This worker fetched a host's robots.txt: keep the outcome in the frontier for all."""
        status = result.status if result is not None else None
        body = decoded_body(result)[: MAX_ROBOTS_BYTES + 1] if result is not None and status == 200 else b""
        policy = RobotsPolicy.from_response(status, body, self.config.crawl.user_agent, url=item.url)
        self.robots[item.host] = policy
        self._robots_found.append((item.host, status, body, policy.crawl_delay()))
        if item.host in self.seed_hosts and self.job.max_depth >= 1:
            for sitemap in policy.sitemaps():
                self._enqueue(sitemap, "sitemap", 1, item.url)


def _entries(urls: list[tuple[str, str]], depth: int, source: Optional[str]) -> list[NewUrl]:
    out = []
    for raw, kind in urls:
        url = normalize_url(raw)
        if url is not None:
            out.append(NewUrl(url, host_key(url), kind, depth, source))
    return out


@dataclass(frozen=True)
class WorkerRun:
    """What one worker did for one job, and the state of the shared crawl when it left."""

    job: str
    worker_id: str
    report: RunReport
    crawl: Optional[CrawlInfo]
    counts: dict[str, int]  # URLs of the shared crawl by state

    def to_dict(self) -> dict[str, object]:
        crawl = self.crawl
        return {"worker_id": self.worker_id, "outcome": self.outcome, "crawl_no": crawl.crawl_no if crawl else None,
                "crawl_began": crawl.began if crawl else False, "shared_counts": self.counts, **self.report.to_dict()}

    @property
    def outcome(self) -> str:
        """ok, partial (some URLs failed here), interrupted, or idle (nothing due to work on)."""
        r = self.report
        if r.interrupted:
            return "interrupted"
        if self.crawl is None or self.crawl.state != "running":
            return "idle"
        if r.failures or r.blocked or r.extraction_errors:
            return "partial"
        return "ok"


def run_worker(config: Config, job: Job, *, index_url: str, worker_id: str, stop: threading.Event,
               now: datetime, tz: tzinfo) -> WorkerRun:
    """One worker on one job until the shared crawl has nothing left (or `stop` is set)."""
    from newsarchiver.archive import ensure_archive_dir
    from newsarchiver.index import Catalogue
    from newsarchiver.jobrun import select_recaptures
    from newsarchiver.jobs import is_due

    ensure_archive_dir(config.archive_dir)
    settings = config.workers
    # The catalogue opens first: opening it migrates the database, frontier tables included.
    with Catalogue.open(config.archive_dir, index_url=index_url) as catalogue:
        frontier = SharedFrontier.connect(index_url, job.name, worker_id, lease_seconds=settings.lease_seconds,
                                          max_attempts=settings.max_attempts)
        try:
            crawler = WorkerCrawler(
                config, job, frontier=frontier, store=catalogue, stop=stop, poll_seconds=settings.poll_seconds,
                recapture=tuple(select_recaptures(catalogue, job, now)),
                begin_new=lambda last: last is None or is_due(job.schedule, last, now, tz))
            report = crawler.run()
            counts = frontier.counts()
        finally:
            frontier.close()
    return WorkerRun(job.name, worker_id, report, crawler.crawl, counts)
