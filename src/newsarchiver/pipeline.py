"""Extraction in a process pool, fed with WARC records exactly as written.

Extraction costs 10-40 ms per page, more than fetching and archiving it, so it must not run in
the fetch threads (the GIL) nor block the crawl loop. Workers receive where the response record is
(file and offset, not the live response), read it back and run the pure extractor on the payload,
and hand back the article and its conversion record, ready to append.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Iterator, Literal, Optional

from newsarchiver.archive import OPEN_SUFFIX
from newsarchiver.errors import WarcFormatError
from newsarchiver.models import Capture, ExtractResult

Extracted = tuple[ExtractResult, Optional[tuple[str, bytes]]]  # and the conversion record, ready to append
WaitFor = Literal["nothing", "oldest", "all"]

log = logging.getLogger(__name__)


def extract_stored(archive_dir: Path, warc_file: str, offset: int,
                   site_rules: Any = None, learned: Any = None) -> ExtractResult:
    """Read a response record back from its WARC file (still `.open` or already closed) and extract it.

    Handing the worker a location instead of the record's bytes saves pickling ~75 KB per page in
    the crawl loop; the record is in the page cache anyway.
    """
    from newsarchiver.extract import extract_article
    from newsarchiver.warcread import read_entry_at

    for name in (warc_file + OPEN_SUFFIX, warc_file):  # the rename on close is atomic: one of them exists
        try:
            entry = read_entry_at(archive_dir / name, offset)
        except WarcFormatError as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                continue
            raise
        # The payload as stored (content-encoding kept): the extractor decodes it, capped.
        return extract_article(entry.payload, entry.url or "", entry.http_headers, site_rules=site_rules,
                               learned=learned, status=entry.http_status)
    return ExtractResult(None, f"extraction failed: {warc_file} not found")


def extract_for_crawl(archive_dir: Path, warc_file: str, offset: int, record_id: str, url: str,
                      site_rules: Any, learned: Any,
                      conversion_gzip_level: Optional[int]) -> Extracted:
    """extract_stored, plus the conversion record of the article's text ready to append (when
    conversion_gzip_level is given), built here rather than in the crawl loop."""
    result = extract_stored(archive_dir, warc_file, offset, site_rules, learned)
    article = result.article
    if article is None or conversion_gzip_level is None:
        return result, None
    from newsarchiver.archive import conversion_record

    return result, conversion_record(record_id, url, article.text, article.extractor, conversion_gzip_level)


def worker_init(crawler_pid: int) -> None:
    """Run in each extraction process when it starts.

    Ctrl-C in a terminal (and systemd's stop) signal the whole process group: the workers ignore
    SIGINT and SIGTERM so the crawl can finish the pages in flight and shut the pool down itself.
    If the crawl is killed outright (kill -9), nothing tells its workers (their parent is the
    forkserver, and they hold both ends of their task queue), so a watchdog thread ends each
    worker once the crawl is gone; the forkserver then exits with its last client. Without it,
    orphans would hold the crawl's terminal and pipes open.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch() -> None:
        while _alive(crawler_pid):
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="crawler-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    """A killed crawl stays a zombie until its parent reaps it, and its parent may be waiting for
    our end of its pipes to close: count a zombie as gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc: fall back to a null signal
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True


def pool_initargs() -> tuple[int]:
    return (os.getpid(),)


class ExtractionPool:
    """Submit records, collect (capture, result, meta, conversion record) in submission order."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or max(1, os.cpu_count() or 1)
        self._executor: Optional[ProcessPoolExecutor] = None
        self._pending: dict[Future[Extracted], tuple[Capture, dict[str, Any]]] = {}
        self._starting: Optional[threading.Thread] = None
        self._waiting: list[tuple[tuple[Any, ...], Capture, dict[str, Any]]] = []  # submitted while starting

    def start(self) -> None:
        """Start the worker processes in the background. Starting them takes about half a second
        (the forkserver imports the extractor), which would otherwise stall the crawl loop at its
        first page; pages submitted meanwhile wait here and go to the pool once it is up."""
        if self._executor is None and self._starting is None:
            self._starting = threading.Thread(target=self._start_processes, name="extraction-start", daemon=True)
            self._starting.start()

    def _start_processes(self) -> None:
        try:
            self._pool().submit(os.getpid).result()  # ProcessPoolExecutor starts its processes on a submit
        except Exception as exc:  # the pages then fail one by one, as "extraction failed", and are kept
            log.warning("extraction processes did not start: %s", exc)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: forking a process that runs fetch threads is unsafe; spawn re-imports per task.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["newsarchiver.extract"])
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                 initializer=worker_init, initargs=pool_initargs())
        return self._executor

    def _flush_waiting(self, wait_for_start: bool) -> bool:
        """Hand the pages that waited for the start to the pool; False while it is still starting."""
        if self._starting is not None:
            if wait_for_start:
                self._starting.join()
            if self._starting.is_alive():
                return False
            self._starting = None
        for args, capture, meta in self._waiting:
            try:
                future = self._pool().submit(extract_for_crawl, *args)
            except Exception as exc:  # a broken pool: this page fails, the crawl and its index go on
                future = Future()
                future.set_exception(exc)
            self._pending[future] = (capture, meta)
        self._waiting.clear()
        return True

    def submit(self, archive_dir: Path, capture: Capture, site_rules: Any, meta: dict[str, Any],
               learned: Any = None, conversion_gzip_level: Optional[int] = None) -> None:
        args = (archive_dir, capture.warc_file, capture.offset, capture.record_id, capture.url, site_rules, learned,
                conversion_gzip_level)
        self._waiting.append((args, capture, meta))
        self._flush_waiting(wait_for_start=False)

    def backlog(self) -> int:
        return len(self._pending) + len(self._waiting)

    def completed(self, wait_for: WaitFor) -> Iterator[tuple[Capture, Optional[ExtractResult], dict[str, Any],
                                                           Optional[tuple[str, bytes]]]]:
        """Results in submission order (= WARC order), so the index numbers articles as a
        `reindex` of the same files does. wait_for: "nothing" (only what is done), "oldest"
        (backpressure: the oldest submission, then what is done), "all"."""
        if not self._flush_waiting(wait_for_start=wait_for != "nothing") or not self._pending:
            return
        if wait_for == "all":
            wait(list(self._pending))
        elif wait_for == "oldest":
            wait([next(iter(self._pending))])
        while self._pending:
            future = next(iter(self._pending))  # dicts keep insertion order: the oldest submission
            if not future.done():
                return
            capture, meta = self._pending.pop(future)
            conversion: Optional[tuple[str, bytes]] = None
            try:
                result, conversion = future.result()
            except Exception as exc:  # a crash on one page must not stop the crawl
                log.warning("extraction failed for %s: %s", capture.url, exc)
                result = ExtractResult(None, f"extraction failed: {type(exc).__name__}: {exc}")
            yield capture, result, meta, conversion

    def shutdown(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=False)
            self._executor = None
