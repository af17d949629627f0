"""`newsarchiver worker`: one crawl worker on a job's frontier shared in PostgreSQL (see worker.py).

Exit codes: 0 the shared crawl is done (or nothing was due); 8 it is done but URLs this worker
fetched failed or were refused; 2 no PostgreSQL index given; 3 config errors; 6 the database
cannot be reached; 130 interrupted (this worker's claims were given back: others take them now).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newsarchiver.cli.common import resolve_config
from newsarchiver.cli.crawl import add_run_options, apply_overrides
from newsarchiver.cli.jobs import local_time, local_zone, stop_on_signals, utc_now
from newsarchiver.config import Config, Job
from newsarchiver.errors import ConfigError, ExitCode, UsageError

_SEVERITY = [ExitCode.INTERRUPTED, ExitCode.PARTIAL, ExitCode.OK]


def register(subparsers: argparse._SubParsersAction) -> None:
    worker = subparsers.add_parser(
        "worker", help="crawl a job together with other workers, sharing its frontier in PostgreSQL")
    worker.add_argument("--job", action="append", default=[], metavar="JOB",
                        help="the job's name in config.toml (repeatable; default: every job, in turn)")
    worker.add_argument("--worker-id", metavar="ID", default=None,
                        help="this worker's name in WARC file names and claims (default: HOSTNAME-PID)")
    worker.add_argument("--lease-seconds", type=float, default=None, metavar="N",
                        help="a claim of a worker that stops renewing it is taken over after N seconds "
                             "(default: [workers] lease_seconds, 60)")
    add_run_options(worker)  # -c, --archive, --index, --delay, --connections, --workers, ...
    worker.set_defaults(handler=run_worker_command)


def _resolve(args: argparse.Namespace) -> tuple[Config, list[Job], str]:
    from dataclasses import replace

    from newsarchiver.db import is_postgresql_url
    from newsarchiver.worker import default_worker_id, sanitize_worker_id

    config = apply_overrides(resolve_config(args), args)
    if not is_postgresql_url(config.index):
        raise UsageError("worker: the workers share their frontier in PostgreSQL: pass --index postgresql://... "
                         "or set index in config.toml")
    if args.lease_seconds is not None:
        if args.lease_seconds < 1:
            raise UsageError("--lease-seconds: expected seconds >= 1")
        config = replace(config, workers=replace(config.workers, lease_seconds=args.lease_seconds))
    worker_id = default_worker_id() if args.worker_id is None else sanitize_worker_id(args.worker_id)
    if not worker_id:
        raise UsageError(f"--worker-id {args.worker_id!r}: expected letters, digits, '.', '_' or '-'")
    jobs = [config.job(name) for name in args.job] if args.job else list(config.jobs)
    if not jobs:
        raise ConfigError(f"{config.path or 'config'}: no [[jobs]] defined: a worker crawls a job of config.toml")
    return config, jobs, worker_id


def run_worker_command(args: argparse.Namespace) -> int:
    from newsarchiver.worker import run_worker

    config, jobs, worker_id = _resolve(args)
    tz = local_zone()
    codes: list[ExitCode] = [ExitCode.OK]
    records: list[dict[str, Any]] = []
    with stop_on_signals("stopping after the requests in flight; claims go back to the other workers") as stop:
        for job in jobs:
            if stop.is_set():
                break
            result = run_worker(config, job, index_url=config.index, worker_id=worker_id, stop=stop,
                                now=utc_now(), tz=tz)
            _print_result(result, tz)
            records.append(result.to_dict())
            codes.append({"interrupted": ExitCode.INTERRUPTED, "partial": ExitCode.PARTIAL}.get(
                result.outcome, ExitCode.OK))
    if args.report:
        # One job: its record (the shape `run --report` writes, plus the shared crawl's); several: a list.
        data: Any = records if len(jobs) > 1 else (records[0] if records else None)
        Path(args.report).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return int(min(codes, key=_SEVERITY.index))


def _print_result(result: Any, tz: Any) -> None:
    """One line on stdout; failed URLs on stderr."""
    r, crawl, counts = result.report, result.crawl, result.counts
    if result.outcome == "idle":
        ended = f" at {local_time(crawl.finished_at, tz)}" if crawl is not None and crawl.finished_at else ""
        print(f"job {r.job}: worker {result.worker_id}: nothing to do: its last crawl finished{ended} "
              "and the job is not due yet", flush=True)
        return
    state = "interrupted" if r.interrupted else "finished"
    print(f"job {r.job}: worker {result.worker_id} {state} (crawl #{crawl.crawl_no if crawl else '?'}): "
          f"{r.fetched} responses archived, {r.new_articles} new articles, {r.failures} failed, "
          f"{r.blocked} refused, {r.robots_excluded} excluded by robots.txt, {len(r.warc_files)} WARC files; "
          f"shared crawl: {counts.get('done', 0)} done, {counts.get('failed', 0)} failed, "
          f"{counts.get('skipped', 0)} skipped, {counts.get('queued', 0) + counts.get('claimed', 0)} left",
          flush=True)
    for url, reason in r.failed_urls[:20]:
        print(f"  failed: {url}: {reason}", file=sys.stderr)
    if len(r.failed_urls) > 20:
        print(f"  ... and {len(r.failed_urls) - 20} more failures", file=sys.stderr)
    if r.interrupted:
        print("  interrupted: this worker's claims went back to the queue; start a worker again to go on",
              file=sys.stderr)
