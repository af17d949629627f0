"""`newsarchiver run`, `schedule`, `jobs` and `changes`: scheduled jobs and what they caught.

Exit codes of `run`: 0 every run went well; 8 a run finished but some URLs failed or were
refused; 7 a job is already running (its lock is held); 3 config errors; 130 interrupted.
With several jobs (`--all`) the most serious wins: 130, then 7, then 8.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Iterator, Optional

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.cli.crawl import add_run_options, apply_overrides, print_run_details
from newsarchiver.config import Config, Job
from newsarchiver.errors import (
    ConfigError,
    ExitCode,
    LockedError,
    NewsArchiverError,
    UsageError,
)
from newsarchiver.jobs import (
    ScheduleError,
    format_timestamp,
    next_due,
    parse_duration,
    parse_schedule,
)

# Which exit code wins when `run --all` ends several runs differently.
_SEVERITY = [ExitCode.INTERRUPTED, ExitCode.LOCKED, ExitCode.PARTIAL, ExitCode.OK]


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run jobs from config.toml once each, then exit (for cron, systemd)")
    run.add_argument("job", nargs="?", metavar="JOB", help="the job's name in config.toml")
    run.add_argument("--all", action="store_true", help="every job in config.toml, one after another")
    run.add_argument("--due", action="store_true",
                     help="only if the job's schedule says it is due (for a crontab line firing every few minutes)")
    add_run_options(run)
    run.set_defaults(handler=run_jobs)

    schedule = subparsers.add_parser("schedule", help="stay in the foreground and run each job when it is due")
    schedule.add_argument("--job", action="append", default=[], metavar="JOB", help="only this job (repeatable)")
    add_config_options(schedule)
    schedule.set_defaults(handler=run_schedule)

    jobs = subparsers.add_parser("jobs", help="each job with its last run, outcome, next due time and totals")
    add_config_options(jobs)
    jobs.add_argument("--json", action="store_true", help="output JSON")
    jobs.set_defaults(handler=run_jobs_list)

    changes = subparsers.add_parser("changes", help="articles edited or removed in a period, one line each")
    changes.add_argument("--since", default="1d", metavar="WHEN",
                         help='a duration back from now ("6h", "1d", "2w") or a UTC date/time '
                              '("2024-05-01", "2024-05-01T10:00") (default: 1d)')
    changes.add_argument("--job", default=None, metavar="JOB", help="only articles this job captured")
    changes.add_argument("--json", action="store_true", help="output JSON Lines, one change a line")
    add_config_options(changes)
    changes.set_defaults(handler=run_changes)


# --- time ------------------------------------------------------------------------------------------

def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def local_zone() -> tzinfo:
    """The zone cron lines and `daily` are read in: $TZ, else /etc/localtime, else the current offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    names = [os.environ.get("TZ", "").lstrip(":")]
    target = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in target:
        names.append(target.split("zoneinfo/", 1)[1])
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo or timezone.utc


def local_time(value: datetime, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z").strip()


def _relative(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600}h"


# --- signals ---------------------------------------------------------------------------------------

@contextmanager
def stop_on_signals(message: str) -> Iterator[threading.Event]:
    """SIGINT/SIGTERM set the event (the crawler then finishes its records); a second SIGINT aborts."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        if not stop.is_set():
            print(f"newsarchiver: {message}", file=sys.stderr, flush=True)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- run -------------------------------------------------------------------------------------------

def _selected_jobs(config: Config, name: Optional[str], every: bool) -> list[Job]:
    if every == bool(name):
        raise UsageError("run: give a JOB name or --all (not both)")
    if name:
        return [config.job(name)]
    if not config.jobs:
        raise ConfigError(f"{config.path or 'config'}: no [[jobs]] defined (see `newsarchiver check-config`)")
    return list(config.jobs)


def _print_run(result: Any, config: Config) -> None:
    r = result.report
    print(f"job {r.job}: run {result.run_id} {result.outcome}: {r.fetched} responses archived "
          f"({r.revisits} revisits, {r.not_modified} not modified), {r.new_articles} new articles, "
          f"{r.changed_articles} changed, {r.removed_articles} removed, {result.recaptured} re-captured, "
          f"{r.failures} failed, {r.blocked} refused", flush=True)
    print_run_details(r, config, resume_hint=f"`newsarchiver run {r.job}` resumes it")


def _exit_code(result: Any) -> ExitCode:
    return {"interrupted": ExitCode.INTERRUPTED, "partial": ExitCode.PARTIAL}.get(result.outcome, ExitCode.OK)


def run_jobs(args: argparse.Namespace) -> int:
    from newsarchiver.jobrun import last_started, run_job

    config = apply_overrides(resolve_config(args), args)
    jobs = _selected_jobs(config, args.job, args.all)
    tz = local_zone()
    records: list[dict[str, Any]] = []
    codes: list[ExitCode] = [ExitCode.OK]
    with stop_on_signals("stopping after the requests in flight (Ctrl-C again to abort)") as stop:
        for job in jobs:
            if stop.is_set():
                break
            now = utc_now()
            if args.due:
                due = next_due(job.schedule, last_started(config, job.name), now, tz)
                if due > now:
                    print(f"job {job.name}: not due until {local_time(due, tz)}")
                    continue
            try:
                result = run_job(config, job, now=now, stop=stop)
            except LockedError as exc:
                if not args.all:
                    raise
                print(f"newsarchiver: error: {exc}", file=sys.stderr)
                codes.append(ExitCode.LOCKED)
                continue
            _print_run(result, config)
            records.append(result.to_dict())
            codes.append(_exit_code(result))
    if args.report:
        # One job: its record (the shape `crawl --report` writes); --all: a list of them.
        data: Any = records if args.all else (records[0] if records else None)
        Path(args.report).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return int(min(codes, key=_SEVERITY.index))


# --- schedule --------------------------------------------------------------------------------------

def run_schedule(args: argparse.Namespace) -> int:
    from newsarchiver.jobrun import last_started, run_job
    from newsarchiver.jobs import Scheduler

    config = resolve_config(args)
    jobs = [config.job(name) for name in args.job] if args.job else list(config.jobs)
    if not jobs:
        raise ConfigError(f"{config.path or 'config'}: no [[jobs]] defined (see `newsarchiver check-config`)")
    tz = local_zone()

    def last(name: str) -> Optional[datetime]:
        return last_started(config, name)

    with stop_on_signals("finishing the current run, then exiting (Ctrl-C again to abort)") as stop:
        def run_one(job: Job) -> None:
            started = utc_now()
            print(f"{local_time(started, tz)}  job {job.name}: starting", flush=True)
            result = run_job(config, job, now=started, stop=stop)
            _print_run(result, config)
            if not stop.is_set():
                upcoming = next_due(job.schedule, started, utc_now(), tz)
                print(f"  next run of {job.name}: {local_time(upcoming, tz)}", flush=True)

        def on_error(job: Job, exc: NewsArchiverError) -> None:
            print(f"newsarchiver: error: job {job.name}: {exc}", file=sys.stderr, flush=True)

        scheduler = Scheduler(jobs, run=run_one, last_started=last, clock=utc_now, sleep=stop.wait,
                              stop=stop, tz=tz, on_error=on_error)
        now = utc_now()
        print(f"scheduling {len(jobs)} job(s); SIGTERM or Ctrl-C stops after the current run", flush=True)
        for job in jobs:
            print(f"  {job.name:<20} {job.schedule:<16} next: {_due_text(scheduler.due_at(job, now), now, tz)}",
                  flush=True)
        scheduler.run_forever()
    print("newsarchiver: scheduler stopped", flush=True)
    return int(ExitCode.OK)


def _due_text(due: datetime, now: datetime, tz: tzinfo) -> str:
    if due <= now:
        return "now" if now - due < timedelta(minutes=1) else f"now (overdue since {local_time(due, tz)})"
    return f"{local_time(due, tz)} (in {_relative(due - now)})"


# --- jobs ------------------------------------------------------------------------------------------

def run_jobs_list(args: argparse.Namespace) -> int:
    from newsarchiver.stores import index_exists, open_catalogue

    config = resolve_config(args)
    tz = local_zone()
    now = utc_now()
    catalogue = open_catalogue(config, readonly=True) if index_exists(config) else None
    try:
        rows = [_job_row(job, catalogue, now, tz) for job in config.jobs]
    finally:
        if catalogue is not None:
            catalogue.close()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"no jobs in {config.path or 'the config'} (add [[jobs]] tables)")
        return 0
    for row in rows:
        print(f"{row['name']}  ({row['schedule']}; re-capture {', '.join(row['recapture']) or 'never'})")
        last = row["last_run"]
        if last:
            c = last["counts"]
            print(f"  last run   #{last['id']} {local_time(_ts(last['started_at']), tz)}  {last['outcome']}"
                  f"  ({c['fetched']} fetched, {c['new_articles']} new, {c['changed_articles']} changed, "
                  f"{c['removed_articles']} removed, {c['failures']} failed)")
        else:
            print("  last run   never")
        print(f"  next due   {_due_text(_ts(row['next_due']), now, tz)}")
        t = row["totals"]
        print(f"  totals     {t['runs']} runs, {t['articles']} articles; {t['fetched']} fetched, "
              f"{t['new_articles']} new, {t['changed_articles']} changed, {t['removed_articles']} removed, "
              f"{t['failures']} failed")
    return 0


def _ts(text: str) -> datetime:
    from newsarchiver.jobs import parse_timestamp

    return parse_timestamp(text)


def _job_row(job: Job, catalogue: Any, now: datetime, tz: tzinfo) -> dict[str, Any]:
    last = catalogue.last_run(job.name) if catalogue is not None else None
    started = _ts(last.started_at) if last else None
    due = next_due(parse_schedule(job.schedule), started, now, tz)
    if catalogue is not None:
        totals = catalogue.job_totals(job.name)
        total_data = {"runs": totals.runs, "articles": totals.articles, **totals.counts}
    else:
        total_data = {"runs": 0, "articles": 0, "fetched": 0, "new_articles": 0, "changed_articles": 0,
                      "removed_articles": 0, "revisits": 0, "failures": 0}
    return {
        "name": job.name, "schedule": job.schedule, "recapture": list(job.recapture),
        "last_run": None if last is None else {
            "id": last.id, "started_at": last.started_at, "finished_at": last.finished_at,
            "outcome": last.outcome, "counts": last.counts,
        },
        "next_due": format_timestamp(due), "due_now": due <= now, "totals": total_data,
    }


# --- changes ---------------------------------------------------------------------------------------

def parse_since(text: str, now: datetime) -> datetime:
    """ "1d" -> now - 1 day; "2024-05-01" or "2024-05-01T10:00" (UTC unless an offset is given)."""
    try:
        return now - parse_duration(text)
    except ScheduleError:
        pass
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f'--since: expected a duration ("6h", "1d", "2w") or a date ("2024-05-01"), got {text!r}') \
            from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def run_changes(args: argparse.Namespace) -> int:
    from newsarchiver.changes import summarize
    from newsarchiver.stores import open_catalogue

    config = resolve_config(args)
    since = parse_since(args.since, utc_now())
    with open_catalogue(config, readonly=True) as catalogue:
        stamp = format_timestamp(since)
        found = summarize(catalogue.version_changes(stamp, args.job), catalogue.removals(stamp, args.job))
    if args.json:
        for change in found:
            print(json.dumps(change.to_dict(), ensure_ascii=False))
        return 0
    scope = f" by job {args.job}" if args.job else ""
    if not found:
        print(f"no articles edited or removed since {format_timestamp(since)[:16]}Z{scope}")
        return 0
    edits = sum(1 for c in found if c.kind == "edited")
    print(f"{edits} edits, {len(found) - edits} removals since {format_timestamp(since)[:16]}Z{scope}:")
    for change in found:
        print("  " + change.line())
    return 0
