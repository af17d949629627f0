"""`newsarchiver crawl URL...`: capture into WARC files (`run JOB` is in cli/jobs.py)."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.config import Config, Job
from newsarchiver.errors import ExitCode, UsageError
from newsarchiver.models import RunReport


def register(subparsers: argparse._SubParsersAction) -> None:
    crawl = subparsers.add_parser("crawl", help="crawl seed pages, feeds or sitemaps into WARC files")
    crawl.add_argument("urls", nargs="+", metavar="URL", help="seed page, RSS/Atom feed or sitemap URL")
    crawl.add_argument("--name", default="crawl", help="job name used in WARC file names (default: crawl)")
    crawl.add_argument("--max-pages", type=int, default=None, help="pages to fetch at most (default 1000)")
    crawl.add_argument("--max-depth", type=int, default=None, help="link depth from the seeds (default 2)")
    crawl.add_argument("--include", action="append", default=[], metavar="REGEX", help="only URLs matching")
    crawl.add_argument("--exclude", action="append", default=[], metavar="REGEX", help="drop URLs matching")
    crawl.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="another host in scope")
    add_run_options(crawl)
    crawl.set_defaults(handler=run_crawl)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)
    parser.add_argument("--delay", type=float, default=None, metavar="SECONDS", help="delay between requests per host")
    parser.add_argument("--connections", type=int, default=None, help="connections per host (default 1)")
    parser.add_argument("--workers", type=int, default=None, help="fetch threads across hosts")
    parser.add_argument("--extract-workers", type=int, default=None, help="extraction processes (default: cores)")
    parser.add_argument("--no-extract", action="store_true",
                        help="only archive; extract and index later with `newsarchiver import --pending`")
    parser.add_argument("--report", metavar="FILE", default=None, help="write the run report as JSON")


def apply_overrides(config: Config, args: argparse.Namespace) -> Config:
    crawl_changes: dict[str, Any] = {}
    if args.delay is not None:
        if args.delay < 0:
            raise UsageError("--delay: expected seconds >= 0")
        crawl_changes["delay_seconds"] = args.delay
    if args.connections is not None:
        if not 1 <= args.connections <= 16:
            raise UsageError("--connections: expected 1 to 16")
        crawl_changes["connections_per_host"] = args.connections
    if args.workers is not None:
        if not 1 <= args.workers <= 256:
            raise UsageError("--workers: expected 1 to 256")
        crawl_changes["workers"] = args.workers
    config = replace(config, crawl=replace(config.crawl, **crawl_changes))
    if args.no_extract:
        config = replace(config, extract=replace(config.extract, during_crawl=False))
    if args.extract_workers is not None:
        if args.extract_workers < 0:
            raise UsageError("--extract-workers: expected 0 (one per core) or more")
        config = replace(config, extract=replace(config.extract, workers=args.extract_workers))
    return config


def run_crawl(args: argparse.Namespace) -> int:
    config = apply_overrides(resolve_config(args), args)
    overrides: dict[str, Any] = {
        "include": tuple(args.include), "exclude": tuple(args.exclude), "allowed_hosts": tuple(args.allow_host),
    }
    if args.max_pages is not None:
        overrides["max_pages"] = args.max_pages
    if args.max_depth is not None:
        overrides["max_depth"] = args.max_depth
    from newsarchiver.urls import allowed_host_problem, normalize_url

    for host in args.allow_host:
        problem = allowed_host_problem(host)
        if problem:
            raise UsageError(f"--allow-host: {problem}")
    for url in args.urls:
        if not url.lower().startswith(("http://", "https://")):
            raise UsageError(f"{url}: only http:// and https:// URLs can be crawled")
        if normalize_url(url) is None:
            raise UsageError(f"{url}: not a valid URL (no host name?)")
    for option, patterns in (("--include", args.include), ("--exclude", args.exclude)):
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UsageError(f"{option} {pattern!r}: invalid regular expression: {exc}") from None
    from newsarchiver.crawl import adhoc_job

    job = adhoc_job(args.urls, name=args.name, **overrides)
    return execute(config, job, args.report)


def open_store(config: Config) -> Optional[Any]:
    from newsarchiver.archive import ensure_archive_dir
    from newsarchiver.stores import open_catalogue

    ensure_archive_dir(config.archive_dir)
    return open_catalogue(config)


def execute(config: Config, job: Job, report_path: Optional[str]) -> int:
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        print("newsarchiver: stopping after the requests in flight (Ctrl-C again to abort)", file=sys.stderr)
        stop.set()

    from newsarchiver.crawl import Crawler
    from newsarchiver.joblock import JobLock

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    store = open_store(config)
    lock = JobLock(config.archive_dir, job.name)  # `crawl --name X` and `run X` never overlap
    try:
        lock.acquire()
        report = Crawler(config, job, store=store, stop=stop).run()
    finally:
        lock.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if store is not None:
            store.close()
    _print_report(report, config)
    if report_path:
        Path(report_path).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    if report.interrupted:
        return int(ExitCode.INTERRUPTED)
    return int(ExitCode.PARTIAL if report.failures or report.blocked or report.extraction_errors else ExitCode.OK)


def _print_report(report: RunReport, config: Config) -> None:
    print(f"job {report.job}: {report.fetched} responses archived "
          f"({report.revisits} revisits, {report.not_modified} not modified), "
          f"{report.new_articles} new articles, {report.changed_articles} changed, "
          f"{report.failures} failed, {report.blocked} refused, {report.robots_excluded} excluded by robots.txt")
    print_run_details(report, config, resume_hint="run the same command again to resume")
    if report.extraction_pending:
        print(f"  {report.extraction_pending} pages archived without extraction: "
              "`newsarchiver import --pending` indexes them", file=sys.stderr)


def print_run_details(report: RunReport, config: Config, resume_hint: str) -> None:
    """The files written, then on stderr what went wrong: shared by `crawl` and `run`."""
    for name in report.warc_files:
        print(f"  {config.archive_dir / name}", flush=True)
    for url, reason in report.failed_urls[:20]:
        print(f"  failed: {url}: {reason}", file=sys.stderr)
    if len(report.failed_urls) > 20:
        print(f"  ... and {len(report.failed_urls) - 20} more failures", file=sys.stderr)
    if report.extraction_errors:
        print(f"  {report.extraction_errors} pages could not be extracted (see the warnings above); "
              "they are archived and `newsarchiver reindex` retries them", file=sys.stderr)
    if report.interrupted:
        print(f"  interrupted: {resume_hint}", file=sys.stderr)
