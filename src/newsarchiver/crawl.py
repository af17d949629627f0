"""The one place that wires frontier -> fetch -> archive -> extract -> index.

Threads fetch (many hosts at once, politeness per host); this module's main loop owns the WARC
writer, the frontier and the catalogue, so each has a single writer. A fetch thread frees its
host's connection as soon as it has read the response (the main loop dispatches the next URL at
once) and digests, compresses and scans it afterwards. Extraction runs in a process pool that
reads each page back from the record written to the WARC (never from the live response); its
result comes back here, its conversion record is appended, and it is indexed in one transaction
per capture.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional
from urllib.parse import urljoin, urlsplit

from newsarchiver.archive import PreparedExchange, WarcWriter, prepare_exchange, recover_open_files
from newsarchiver.config import Config, Job
from newsarchiver.decode import PayloadError, decode_content_encoding
from newsarchiver.discover import classify, parse_feed, parse_sitemap, scan_page
from newsarchiver.errors import BlockedError, FetchError, WarcFormatError
from newsarchiver.fetch import Fetcher, retry_after_seconds, utc_now_iso
from newsarchiver.frontier import Frontier, HostSlots, QueuedUrl
from newsarchiver.models import Article, FetchResult, RunReport, header_value
from newsarchiver.pipeline import ExtractionPool, WaitFor
from newsarchiver.robots import RobotsPolicy, robots_url
from newsarchiver.ssrf import AddressPolicy
from newsarchiver.urls import Scope, host_key, normalize_url

if TYPE_CHECKING:
    from newsarchiver.index import Store

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {500, 502, 503, 504}
DISCOVERY_MAX_BYTES = 20 * 1024 * 1024  # a decompressed page, feed or sitemap is read up to this
# Pages per extraction process that may wait for extraction before the crawl waits: enough to ride
# out the pool's start (~0.5 s) and bursts, few enough that a stop finishes in well under a second.
EXTRACTION_BACKLOG = 32
ROBOTS_DISALLOWS = "robots.txt disallows"  # the note of a URL skipped for robots.txt (counted as such)


@dataclass
class Exchange:
    """What a fetch task hands back to the main loop: every hop, and how it ended."""

    item: QueuedUrl
    hops: list[FetchResult] = field(default_factory=list)
    prepared: list[PreparedExchange] = field(default_factory=list)  # one per hop, ready to append
    discovered: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (url, kind, depth, force)
    blocked: Optional[str] = None  # a redirect refused by the SSRF guard or the scheme filter
    error: Optional[str] = None
    not_followed: Optional[str] = None  # why the last redirect was not followed (robots.txt, exclude)
    handed_off: Optional[str] = None  # a redirect to a host whose robots.txt is unknown: queued instead


class Wakeup:
    """A future a fetch thread completes to wake the main loop's wait(); renewed once seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.future: Future[None] = Future()

    def set(self) -> None:
        with self._lock:
            if not self.future.done():
                self.future.set_result(None)

    def reset(self) -> None:
        with self._lock:
            if self.future.done():
                self.future = Future()


def adhoc_job(urls: list[str], name: str = "crawl", **overrides: object) -> Job:
    """A Job for `newsarchiver crawl URL...`: each URL becomes a seed, feed or sitemap by its look."""
    seeds, feeds, sitemaps = [], [], []
    for url in urls:
        path = urlsplit(url).path.lower()
        if "sitemap" in path and path.endswith((".xml", ".xml.gz")):
            sitemaps.append(url)
        elif path.endswith((".rss", ".atom", "/feed", "/rss", "feed.xml", "atom.xml", "rss.xml")):
            feeds.append(url)
        else:
            seeds.append(url)
    return Job(name=name, seeds=tuple(seeds), feeds=tuple(feeds), sitemaps=tuple(sitemaps), **overrides)  # type: ignore[arg-type]


class Crawler:
    def __init__(self, config: Config, job: Job, *, store: Optional[Store] = None,
                 stop: Optional[threading.Event] = None,
                 progress: Optional[Callable[[str, RunReport], None]] = None,
                 recapture: tuple[str, ...] = ()) -> None:
        self.config = config
        self.job = job
        self.store = store
        # Archived articles due for re-capture (chosen by jobs.py): fetched like seeds, links not followed.
        self.recapture = recapture
        self.stop = stop or threading.Event()
        self.progress = progress
        self.archive_dir = config.archive_dir
        self.report = RunReport(job=job.name, started_at=utc_now_iso())
        entry_urls = list(job.seeds) + list(job.feeds) + list(job.sitemaps)
        self.scope = Scope.from_job(job)
        # Hosts named by the user are trusted even on private addresses (tests crawl 127.0.0.1).
        self.address_policy = AddressPolicy.from_seeds(entry_urls)
        self.seed_hosts = {host_key(u) for u in entry_urls if normalize_url(u)}
        self.fetcher = Fetcher(config.crawl, self.address_policy)
        self.robots: dict[str, Optional[RobotsPolicy]] = {}  # host -> policy; None while being fetched
        self.pages_started = 0
        self._run_failed = False  # an error ended the run: its frontier stays resumable
        self._open_queue()
        self.writer = WarcWriter(
            self.archive_dir, self._warc_prefix(), max_bytes=int(config.warc.max_warc_mb * 1024 * 1024),
            gzip_level=config.warc.gzip_level, info=self._warcinfo(),
        )
        self.pool = ExtractionPool(config.extract.workers)
        # Extraction processes build the conversion record of each article at this gzip level.
        self._conversion_level = config.warc.gzip_level if config.warc.conversion_records else None
        self._network_done: queue.SimpleQueue[QueuedUrl] = queue.SimpleQueue()  # filled by fetch threads
        self._wakeup = Wakeup()
        self._cdxj_indexed = 0  # how many of the writer's closed files are in index.cdxj
        self.run_id: Optional[int] = None
        self.seen_digests: dict[str, tuple[str, str]] = {}  # url -> (digest, date), for revisits without an index
        self._learned_cache: dict[str, Optional[object]] = {}
        self._learners: dict[str, Any] = {}  # site -> BoilerplateLearner fed by this run's articles

    def _warcinfo(self) -> dict[str, str]:
        c = self.config.crawl
        return {
            "operator": "newsarchiver user",
            "isPartOf": self.job.name,
            "job": self.job.name,
            "http-header-user-agent": c.user_agent,
            "robots": "obey" if c.obey_robots else "ignore",
            "description": (f"delay_seconds={c.delay_seconds} connections_per_host={c.connections_per_host} "
                            f"max_body_mb={c.max_body_mb} max_depth={self.job.max_depth} "
                            f"max_pages={self.job.max_pages}"),
        }

    # -- the queue: the seams a crawl worker on a shared frontier overrides (see worker.py) ---

    def _open_queue(self) -> None:
        """The frontier (SQLite, one per job, persisted) and the per-host politeness slots."""
        self.frontier = Frontier(self.archive_dir / ".state" / f"{self.job.name}.frontier.sqlite")
        self.slots = HostSlots(self.config.crawl.connections_per_host, self.config.crawl.delay_seconds)

    def _warc_prefix(self) -> str:
        return self.job.name

    def _finish(self, item: QueuedUrl, state: str, note: Optional[str]) -> None:
        """The outcome of a dispatched URL, once its records are in the WARC file."""
        self.frontier.mark(item.url, state, note)

    def _mark(self, url: str, state: str, note: Optional[str]) -> None:
        """The outcome of another URL (a redirect target fetched on the way)."""
        self.frontier.mark(url, state, note)

    def _released(self, item: QueuedUrl) -> bool:
        """A fetch is done with the network; True when that frees a connection to dispatch to."""
        self.slots.release(item.host)
        return True

    def _commit(self) -> None:
        self.frontier.commit()

    def _close_queue(self) -> None:
        # Stopped or failed (disk full, index damaged): the rerun resumes from what is queued.
        if not self.report.interrupted and not self._run_failed:
            self.frontier.finish()
        self.frontier.close()

    # -- setup -------------------------------------------------------------------------------

    def _prepare(self) -> None:
        recovered = recover_open_files(self.archive_dir)
        if recovered:
            from newsarchiver.cdxj import update_cdxj

            kept = [self.archive_dir / r.name for r in recovered if (self.archive_dir / r.name).exists()]
            if kept:
                update_cdxj(self.archive_dir, kept)  # replay tools see what the crashed run captured
        resumed = self.frontier.start(self.report.started_at)
        if resumed:
            self._resume_from(self._files_of_this_run())
            self._robots_for_resumed_hosts()
        if self.store is not None and recovered:
            # Captures written before the crash but not yet indexed: the WARC is the source of truth.
            from newsarchiver.ingest import import_warcs

            kept = [self.archive_dir / r.name for r in recovered if (self.archive_dir / r.name).exists()]
            import_warcs(self.store, kept, self.config)  # type: ignore[arg-type]
        if self.store is not None:
            self.run_id = self.store.begin_run(self.job.name)
        if self.config.extract.during_crawl:
            self.pool.start()
        for url in self.job.seeds:
            self._enqueue(url, "page", 0, None, force=True)
        for url in self.job.feeds:
            self._enqueue(url, "feed", 0, None, force=True)
        for url in self.job.sitemaps:
            self._enqueue(url, "sitemap", 0, None, force=True)
        for url in self.recapture:
            self._enqueue(url, "page", self.job.max_depth, "recapture", force=True)

    def _files_of_this_run(self) -> list[Path]:
        """WARC files the interrupted run wrote: `{job}-{UTC timestamp}-{serial}.warc.gz` since it began."""
        started = (self.frontier.started_at or "").replace("-", "").replace(":", "").replace("T", "")[:14]
        files = []
        for path in sorted(self.archive_dir.glob(f"{self.job.name}-*.warc.gz")):
            stamp = path.name[len(self.job.name) + 1:].split("-")[0]
            if stamp.isdigit() and stamp >= started:
                files.append(path)
        return files

    def _resume_from(self, paths: Iterable[Path]) -> None:
        """Records that reached the WARC before a crash count as fetched: never fetch them twice.

        Their links may not have reached the frontier before the crash, so they are found again
        from the archived payloads (the WARC is the source of truth).
        """
        from newsarchiver.warcread import iter_entries

        for path in paths:
            try:
                for entry in iter_entries(path, types={"response", "revisit"}):
                    known = self.frontier.state_of(entry.url or "")
                    if entry.url is None or known is None or known[2] != "queued":
                        continue
                    self.frontier.mark(entry.url, "done", "recovered from an unclosed WARC file")
                    kind, depth = known[0], known[1]
                    if entry.rec_type == "response" and entry.http_status == 200 and kind != "robots":
                        archived = FetchResult(url=entry.url, method="GET", request_headers=(), fetched_at=entry.date or "",
                                               status=200, headers=tuple(entry.http_headers), body=entry.payload)
                        item = QueuedUrl(entry.url, host_key(entry.url), kind, depth, None, 0)
                        for url, found_kind, found_depth, force in self._discover(item, archived):
                            self._enqueue(url, found_kind, found_depth, entry.url, force=force)
            except WarcFormatError:
                continue  # recovery already cut the torn tail; nothing after it is readable
        self.frontier.commit()

    def _robots_for_resumed_hosts(self) -> None:
        """URLs a stopped run left queued come back without their host's rules: read them first."""
        if not self.config.crawl.obey_robots:
            return
        for host in self.frontier.hosts_with_work():
            item = self.frontier.peek(host)
            if item is not None and item.kind == "robots":
                self.robots.setdefault(host, None)  # the stopped run had queued it: fetched first anyway
            elif item is not None:
                self._robots_first(item.url, host)

    def _wanted(self, url: str, kind: str, depth: int, force: bool) -> bool:
        """In scope and not too deep (forced: seeds, feeds and sitemaps named by the job)."""
        return force or (self.scope.in_scope(url) and not (kind == "page" and depth > self.job.max_depth))

    def _enqueue(self, raw_url: str, kind: str, depth: int, source: Optional[str], force: bool = False) -> None:
        url = normalize_url(raw_url)
        if url is None or self.frontier.is_known(url) or not self._wanted(url, kind, depth, force):
            return
        host = host_key(url)
        self._robots_first(url, host)
        if self.frontier.add(url, host, kind, depth, source):
            self.report.discovered += 1

    def _robots_first(self, url: str, host: str) -> None:
        """Queue the host's robots.txt once per run, ahead of its pages (it has the lowest priority)."""
        if host in self.robots or not self.config.crawl.obey_robots:
            return
        self.robots[host] = None
        # A resumed run knows robots.txt from before the stop but not its rules: fetch it again.
        self.frontier.add(robots_url(url), host, "robots", 0, None, again=True)

    # -- the main loop -----------------------------------------------------------------------

    def run(self) -> RunReport:
        self._prepare()
        inflight: dict[Future[Exchange], QueuedUrl] = {}
        failed = False
        with ThreadPoolExecutor(max_workers=self.config.crawl.workers, thread_name_prefix="fetch") as threads:
            try:
                while not self.stop.is_set():
                    self._dispatch(threads, inflight)
                    self._drain_extractions("nothing")
                    # Backpressure: past EXTRACTION_BACKLOG pages per extraction process, the crawl
                    # waits, one page at a time (not for all of them: that left every connection
                    # idle for a whole batch).
                    while self.pool.backlog() > EXTRACTION_BACKLOG * self.pool.workers:
                        self._drain_extractions("oldest")
                    if not inflight and not self._has_dispatchable_soon():
                        break
                    timeout = self._next_wakeup()
                    if not inflight:
                        self.stop.wait(timeout)  # wait() on no futures returns at once: do not spin
                        continue
                    # Also woken when a fetch thread has read its response: that connection may
                    # take the next URL while the thread still digests and compresses the last one.
                    wakeup = self._wakeup.future
                    waiting: list[Future[Any]] = [*inflight, wakeup]
                    done, _ = wait(waiting, timeout=timeout, return_when=FIRST_COMPLETED)
                    done.discard(wakeup)
                    self._wakeup.reset()
                    if self._release_connections():
                        self._dispatch(threads, inflight)  # first: a free connection waits for nothing else
                    for future in done:
                        inflight.pop(future, None)
                        self._handle(future.result())
                    if done:
                        self._commit()
                        self._index_closed_files()
            except BaseException:
                failed = True
                raise
            finally:
                self._shut_down(inflight, failed)
        return self.report

    def _shut_down(self, inflight: dict[Future[Exchange], QueuedUrl], failed: bool) -> None:
        """Finish what is in flight and close everything, even after an error (disk full, index
        damaged): every step runs, so the WARC is closed and its records stay readable. After an
        error the first one is already on its way up, and later ones are only logged."""
        steps: list[Callable[[], None]] = [
            lambda: self._finish_inflight(inflight),
            lambda: self._drain_extractions("all"),
            self.writer.close,  # type: ignore[list-item]
            self.pool.shutdown,
            self._close,
        ]
        first: Optional[BaseException] = None
        self._run_failed = failed
        for step in steps:
            try:
                step()
            except Exception as exc:
                self._run_failed = True
                if failed or first is not None:
                    log.warning("while closing after an error: %s", exc)
                else:
                    first = exc
        if first is not None:
            raise first

    def _finish_inflight(self, inflight: dict[Future[Exchange], QueuedUrl]) -> None:
        """Ctrl-C / SIGTERM: handle the exchanges already in flight so every record is whole."""
        for future in list(inflight):
            inflight.pop(future)
            self._handle(future.result())

    def _release_connections(self) -> bool:
        """Free the host connection of every fetch that has finished with the network; True if any."""
        freed = False
        while True:
            try:
                item = self._network_done.get_nowait()
            except queue.Empty:
                return freed
            freed = self._released(item) or freed

    def _has_dispatchable_soon(self) -> bool:
        return self.frontier.pending() > 0 and not self._page_budget_spent_everywhere()

    def _page_budget_spent_everywhere(self) -> bool:
        if self.pages_started < self.job.max_pages:
            return False
        # Only pages remain and the budget is spent: nothing more to do.
        for host in self.frontier.hosts_with_work():
            item = self.frontier.peek(host)
            if item and item.kind != "page":
                return False
        return True

    def _next_wakeup(self) -> float:
        waits = [self.slots.wait_for(h) for h in self.frontier.hosts_with_work()]
        waits = [w for w in waits if w != float("inf")]
        soonest = min(waits, default=0.5)
        return max(0.01, min(soonest, 0.5))

    def _dispatch(self, threads: ThreadPoolExecutor, inflight: dict[Future[Exchange], QueuedUrl]) -> None:
        capacity = self.config.crawl.workers - len(inflight)
        for host in self.frontier.hosts_with_work():
            while capacity > 0 and self.slots.wait_for(host) == 0:
                item = self.frontier.peek(host)
                if item is None:
                    break
                if item.kind != "robots" and self.robots.get(host, True) is None:
                    break  # robots.txt of this host not fetched yet
                self.frontier.pop(host)
                if not self._allowed(item):
                    continue
                if item.kind == "page":
                    if self.pages_started >= self.job.max_pages:
                        self.frontier.mark(item.url, "skipped", "max_pages reached")
                        continue
                    self.pages_started += 1
                self.slots.acquire(host)
                extra, previous = self._previous(item.url)
                inflight[threads.submit(self._fetch_chain, item, extra, previous)] = item
                capacity -= 1

    def _allowed(self, item: QueuedUrl) -> bool:
        if item.kind == "robots" or not self.config.crawl.obey_robots:
            return True
        policy = self.robots.get(item.host)
        if policy is not None and not policy.allowed(item.url):
            self.frontier.mark(item.url, "skipped", ROBOTS_DISALLOWS)
            self.report.robots_excluded += 1
            return False
        return True

    def _previous(self, url: str) -> tuple[dict[str, str], Optional[tuple[str, str]]]:
        """Conditional request headers, and (payload digest, WARC-Date) of the last capture of url."""
        if url in self.seen_digests:
            return {}, self.seen_digests[url]
        if self.store is None:
            return {}, None
        previous = self.store.previous_capture(url)
        if previous is None:
            return {}, None
        headers: dict[str, str] = {}
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        return headers, (previous.payload_digest, previous.captured_at)

    # -- in a fetch thread -------------------------------------------------------------------

    def _fetch_chain(self, item: QueuedUrl, extra: dict[str, str],
                     previous: Optional[tuple[str, str]] = None) -> Exchange:
        """Fetch, follow redirects hop by hop, and do the per-response CPU work here, in parallel.

        Each hop is serialised, digested and gzipped into WARC records (zlib and hashlib release
        the GIL) and the final page is scanned for links, so the main loop only appends bytes and
        updates the frontier and the index.
        """
        try:
            exchange = self._fetch_hops(item, extra)
        finally:
            self._network_done.put(item)
            self._wakeup.set()
        for hop in exchange.hops:
            if hop.status is None:
                continue
            earlier = previous if hop.url == item.url else None
            revisit_of = self._revisit_of(hop, earlier)
            exchange.prepared.append(prepare_exchange(hop, self.job.name, revisit_of, self.config.warc.gzip_level,
                                                      original_digest=earlier[0] if earlier else None))
        final = exchange.hops[-1] if exchange.hops else None
        if (final is not None and final.status == 200 and item.kind != "robots"
                and not exchange.blocked and not exchange.error):
            exchange.discovered = self._discover(item, final)
        return exchange

    def _fetch_hops(self, item: QueuedUrl, extra: dict[str, str]) -> Exchange:
        exchange = Exchange(item)
        url = item.url
        seen = {url}
        for _hop in range(self.config.crawl.max_redirects + 1):
            try:
                result = self._fetch_with_retries(url, extra if url == item.url else {})
            except BlockedError as exc:
                exchange.blocked = f"{url}: {exc}"
                return exchange
            exchange.hops.append(result)
            location = header_value(result.headers, "Location")
            if result.status not in REDIRECT_STATUSES or not location:
                return exchange
            target = normalize_url(urljoin(url, location.strip()))
            if target is None:
                exchange.blocked = f"redirect to a non-http(s) URL refused: {location.strip()[:200]}"
                return exchange
            if target in seen:
                exchange.error = f"redirect loop at {target}"
                return exchange
            if item.kind != "robots" and not self._may_follow(exchange, target):
                return exchange
            seen.add(target)
            url = target
        exchange.error = f"more than {self.config.crawl.max_redirects} redirects"
        return exchange

    def _may_follow(self, exchange: Exchange, target: str) -> bool:
        """A redirect is followed where a link would be: not to an excluded URL, nor past robots.txt.

        A target on a host whose robots.txt this run has not read yet goes to the frontier, which
        fetches that robots.txt first and keeps to the host's politeness. Hosts out of the default
        scope are followed: the redirect is the site's own answer for a URL the crawl wanted.
        """
        excluded = self.scope.excluded(target)
        if excluded:
            exchange.not_followed = f"redirect to {target} not followed: {excluded}"
            return False
        if not self.config.crawl.obey_robots:
            return True
        policy = self.robots.get(host_key(target))  # read from a fetch thread: dict.get is atomic
        if policy is None:
            try:  # refused here, the redirect is recorded as refused, as it was when followed
                if self.fetcher.policy is not None:
                    self.fetcher.policy.resolve(target)
            except BlockedError as exc:
                exchange.blocked = f"{target}: {exc}"
                return False
            except FetchError as exc:  # no such host: a failed redirect, as when it was followed
                exchange.error = f"{target}: {exc}"
                return False
            exchange.handed_off = target
            return False
        if not policy.allowed(target):
            exchange.not_followed = f"redirect to {target} not followed: {ROBOTS_DISALLOWS}"
            return False
        return True

    def _fetch_with_retries(self, url: str, extra: dict[str, str]) -> FetchResult:
        settings = self.config.crawl
        attempt = 0
        while True:
            result = self.fetcher.fetch(url, extra)
            retryable = result.error is not None or result.status in RETRY_STATUSES or result.status == 429
            if not retryable or attempt >= settings.retries or self.stop.is_set():
                return result
            wait_s = settings.backoff_seconds * (2 ** attempt)
            if result.status in (429, 503):
                advised = retry_after_seconds(result)
                if advised is not None:
                    if advised > settings.max_retry_after_seconds:
                        return result  # the server asks for longer than we wait: record it as is
                    wait_s = max(wait_s, advised)
            attempt += 1
            log.info("retry %d for %s in %.1fs (%s)", attempt, url, wait_s, result.error or result.status)
            self.stop.wait(wait_s)

    # -- back in the main loop ---------------------------------------------------------------

    def _handle(self, exchange: Exchange) -> None:
        item = exchange.item
        answered = [hop for hop in exchange.hops if hop.status is not None]
        for hop, prepared in zip(answered, exchange.prepared):
            self._archive(hop, prepared, item)
        final = exchange.hops[-1] if exchange.hops else None
        if exchange.blocked:
            if item.kind == "robots":
                self._learn_robots(item, None)  # refused is unreachable: disallow, and the host's pages stop waiting
            self.report.blocked += 1
            self.report.failed_urls.append((item.url, exchange.blocked))
            self.writer.write_failure(item.url, exchange.blocked, self.job.name)
            self._finish(item, "failed", exchange.blocked)
            return
        if final is None or final.status is None:
            reason = exchange.error or (final.error if final else None) or "no response"
            self._record_failure(item, reason)
            return
        if exchange.error:
            self._record_failure(item, exchange.error)
            return
        if item.kind == "robots":
            self._learn_robots(item, final)
        for url, kind, depth, force in exchange.discovered:
            self._enqueue(url, kind, depth, final.url, force=force)
        if exchange.handed_off:
            # A re-captured article that now redirects elsewhere stays a re-capture (404 = removed).
            source = item.source if item.source == "recapture" else final.url
            self._hand_off(item, exchange.handed_off, source)
        if exchange.not_followed and exchange.not_followed.endswith(ROBOTS_DISALLOWS):
            self.report.robots_excluded += 1
        # An archived article asked again that answers 404/410 is recorded as removed, not failed.
        gone = item.source == "recapture" and final.status in (404, 410)
        if final.status >= 400 and item.kind != "robots" and not gone:
            self.report.failures += 1
            self.report.failed_urls.append((item.url, f"HTTP {final.status}"))
        note = f"HTTP {final.status}" + (f"; {exchange.not_followed}" if exchange.not_followed else "")
        self._finish(item, "done", note)

    def _hand_off(self, item: QueuedUrl, target: str, source: str) -> None:
        """Queue a redirect's target on another host, as the same kind of URL at the same depth."""
        if item.kind == "page" and not self.frontier.is_known(target):
            self.pages_started -= 1  # the target takes the redirect's place in max_pages
        self._enqueue(target, item.kind, item.depth, source, force=True)

    def _record_failure(self, item: QueuedUrl, reason: str) -> None:
        if item.kind == "robots":
            self._learn_robots(item, None)
        self.report.failures += 1
        self.report.failed_urls.append((item.url, reason))
        self.writer.write_failure(item.url, reason, self.job.name)
        self._finish(item, "failed", reason)

    def _archive(self, hop: FetchResult, prepared: PreparedExchange, item: QueuedUrl) -> None:
        self.report.fetched += 1
        if hop.url != item.url and item.kind != "robots":
            # (A robots.txt redirected to another host's is not that host's rules: fetched on its own.)
            self._mark(hop.url, "done", "redirect target")
        capture, written = self.writer.append_exchange(prepared)
        self.report.archived += 1
        if capture.record_type == "revisit":
            self.report.revisits += 1
        if hop.status == 304:
            self.report.not_modified += 1
        if capture.warc_file not in self.report.warc_files:
            self.report.warc_files.append(capture.warc_file)
        self.seen_digests.setdefault(hop.url, (capture.payload_digest, capture.captured_at))
        meta = {"etag": header_value(hop.headers, "ETag"), "last_modified": header_value(hop.headers, "Last-Modified"),
                "location": header_value(hop.headers, "Location")}  # a redirect to a front page = removed
        is_page = item.kind == "page" and hop.status == 200 and capture.mime in ("text/html", "application/xhtml+xml", "")
        if is_page and self.config.extract.during_crawl:
            host = (urlsplit(hop.url).hostname or "").lower()
            self.pool.submit(self.archive_dir, capture, self.config.site_rules(host), meta, self._learned(host),
                             self._conversion_level)
            return
        if is_page:
            # The article is left to `import --pending`; the capture is recorded now, so the next
            # run sends conditional requests and writes revisits for this page as for any other.
            self.report.extraction_pending += 1
        if self.store is not None:
            outcome = self.store.record_capture(capture, None, run_id=self.run_id, **meta)
            if outcome.is_removed:
                self.report.removed_articles += 1

    def _learned(self, host: str) -> Optional[object]:
        """Boilerplate learned by earlier runs and imports for this site (looked up once per run)."""
        if self.store is None:
            return None
        if host not in self._learned_cache:
            self._learned_cache[host] = self.store.learned_boilerplate(host)
        return self._learned_cache[host]

    def _learn_from(self, article: Article) -> None:
        from newsarchiver.boilerplate import BoilerplateLearner, site_key

        site = site_key(article.url)
        settings = self.config.extract
        learner = self._learners.setdefault(
            site, BoilerplateLearner(site, settings.boilerplate_min_pages, settings.boilerplate_min_share))
        learner.add(article.canonical_url or article.url, article.text.split("\n\n"))

    def _revisit_of(self, hop: FetchResult, previous: Optional[tuple[str, str]]) -> Optional[tuple[str, str]]:
        """(URL, date) of an earlier capture this one repeats, for a revisit record (any thread):
        a 304 to our conditional request, or a 200 with the same payload."""
        if previous is None:
            return None
        if hop.status == 304:
            return (hop.url, previous[1])
        if not self.config.warc.dedup or hop.status != 200 or hop.truncated:
            return None
        from newsarchiver.archive import sha1_digest

        if previous[0] == sha1_digest(hop.body):
            return (hop.url, previous[1])
        return None

    def _drain_extractions(self, wait_for: WaitFor) -> None:
        for capture, result, meta, conversion in self.pool.completed(wait_for):
            article = result.article if result is not None else None
            if result is not None and (result.reason or "").startswith("extraction failed"):
                self.report.extraction_errors += 1
            if article is not None and not article.flags:
                self._learn_from(article)
            if article is not None and conversion is not None:
                self.writer.append_record(*conversion)
            if self.store is not None:
                outcome = self.store.record_capture(capture, article, run_id=self.run_id, **meta)
                if outcome.is_new_article:
                    self.report.new_articles += 1
                elif outcome.is_changed:
                    self.report.changed_articles += 1
            elif article is not None:
                self.report.new_articles += 1
            if wait_for == "nothing" and self._wakeup.future.done():
                return  # a connection is free: dispatch first, the other results wait for the next pass

    def _learn_robots(self, item: QueuedUrl, result: Optional[FetchResult]) -> None:
        status = result.status if result is not None else None
        body = decoded_body(result) if result is not None else b""
        policy = RobotsPolicy.from_response(status, body, self.config.crawl.user_agent, url=item.url)
        self.robots[item.host] = policy
        self.slots.set_crawl_delay(item.host, policy.crawl_delay())
        # Sitemaps named in robots.txt list the whole site: followed like links, one level down,
        # so `--max-depth 0` (just these pages, or just the feed's articles) stays what it says.
        if item.host in self.seed_hosts and self.job.max_depth >= 1:
            for sitemap in policy.sitemaps():
                self._enqueue(sitemap, "sitemap", 1, item.url)

    def _discover(self, item: QueuedUrl, result: FetchResult) -> list[tuple[str, str, int, bool]]:
        """URLs found in a response: (url, kind, depth, force past scope). Pure: runs in fetch threads."""
        body = decoded_body(result)
        kind = classify(header_value(result.headers, "Content-Type") or "", result.url, body[:4096])
        found: list[tuple[str, str, int, bool]] = []
        # Entries of a feed or sitemap the user named are the articles they asked for: in scope
        # even on another host (feeds.example.com listing www.example.com), at the feed's depth.
        named_by_user = item.depth == 0 and item.kind in ("feed", "sitemap")
        if kind == "sitemap" or item.kind == "sitemap":
            sitemap = parse_sitemap(body, result.url)
            found += [(url, "sitemap", item.depth, named_by_user) for url in sitemap.sitemaps]
            found += [(url, "page", item.depth, named_by_user) for url in sitemap.urls]
        elif kind == "feed" or item.kind == "feed":
            found += [(url, "page", item.depth, named_by_user) for url in parse_feed(body, result.url)]
        elif kind == "html" and item.kind == "page" and (item.depth < self.job.max_depth
                                                          or self.config.crawl.page_assets != "none"):
            assets = self.config.crawl.page_assets
            follow = item.depth < self.job.max_depth
            page = scan_page(body, result.url, want_links=follow, want_assets=assets != "none")
            if follow:
                found += [(url, "page", item.depth + 1, False) for url in page.links]
            if assets != "none":
                found += [(url, "asset", item.depth, assets == "all") for url in page.assets]
        return found

    def _close(self) -> None:
        self.report.finished_at = utc_now_iso()
        self.report.interrupted = self.stop.is_set()
        self.report.warc_files = list(self.writer.closed_files)
        self._close_queue()
        if self.store is not None and self.run_id is not None:
            self.store.finish_run(self.run_id, self.report)
        if self.store is not None and self._learners:
            from newsarchiver.ingest import _save_learned

            # Paragraphs repeated across this run's pages become the site's boilerplate for later runs.
            _save_learned(self.store, self._learners, self.config)
        if self.store is not None and not self.report.extraction_pending:
            # With its hash known, `newsarchiver import` of the same file later adds nothing.
            for name in self.report.warc_files:
                path = self.archive_dir / name
                self.store.register_warc_file(name, size=path.stat().st_size, sha256=self.writer.file_sha256[name],
                                              complete=True)
        self._index_closed_files()

    def _index_closed_files(self) -> None:
        """WARC files the writer has closed go into index.cdxj now, not at the end of the run:
        replay tools see them during a long crawl, and their lines leave memory. The writer knows
        the line of every exchange it wrote, so no file is read again."""
        closed = self.writer.closed_files[self._cdxj_indexed:]
        if not closed:
            return
        from newsarchiver.cdxj import update_cdxj

        update_cdxj(self.archive_dir, [self.archive_dir / name for name in closed], verified=True,
                    known_lines={name: self.writer.cdxj_lines.get(name, []) for name in closed})
        for name in closed:
            self.writer.cdxj_lines.pop(name, None)
        self._cdxj_indexed += len(closed)


def decoded_body(result: FetchResult) -> bytes:
    """The body without its Content-Encoding (capped), for link discovery; b"" when undecodable."""
    if not header_value(result.headers, "Content-Encoding"):
        return result.body
    try:
        return decode_content_encoding(result.body, result.headers, max_bytes=DISCOVERY_MAX_BYTES)
    except PayloadError:
        return b""


