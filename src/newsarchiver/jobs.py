"""Scheduled jobs: schedules, due-ness, the re-capture policy and the scheduler loop. Pure.

No function here reads the clock, sleeps or touches a file: the time comes in as an argument and
the scheduler gets its clock, sleeper and job runner injected, so all of it is tested with a fake
clock. Running a job for real (lock, catalogue, crawler) is `jobrun.py`.

Schedules (the `schedule` key of a job):

    every 30m      every N seconds/minutes/hours/days (s, m, h, d), at multiples of N counted
                   from 1970-01-01 00:00 UTC, so runs never drift (every 30m = hh:00 and hh:30)
    hourly         = "0 * * * *"
    daily          = "0 0 * * *"   (midnight, scheduler's local time)
    weekly         = "0 0 * * 1"   (Monday midnight, as systemd's `weekly`)
    m h dom mon dow   a cron line, local time (see cron.py)

Due-ness: a job that never ran is due at once; otherwise at the first firing after the start of
its last run. That one rule coalesces missed runs: after a week asleep, an hourly job's next
firing after its last start is long past, so it runs once, and its next firing is after that run.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

from newsarchiver.cron import CronLine, parse_cron
from newsarchiver.errors import ConfigError, LockedError, NewsArchiverError

if TYPE_CHECKING:
    from newsarchiver.config import Job

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAMED_SCHEDULES = {"hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 1"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_EVERY = re.compile(r"^every\s+(\d+\s*[a-z]+)$", re.IGNORECASE)


class ScheduleError(ConfigError):
    """A schedule or duration that cannot be parsed (a config error: exit 3)."""


# --- durations and timestamps ----------------------------------------------------------------

def parse_duration(text: str) -> timedelta:
    """ "45s", "30m", "6h", "7d", "2w" -> timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise ScheduleError(f'expected a duration such as "30m", "6h" or "7d", got {text!r}')
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_timestamp(text: str) -> datetime:
    """A catalogue timestamp (UTC ISO-8601, 'Z' or an offset) -> an aware datetime in UTC."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # the catalogue writes UTC; a bare one is UTC too
    return value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """The catalogue's spelling, so string comparisons in SQL agree with datetime ones."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- schedules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    text: str
    every: Optional[timedelta] = None
    cron: Optional[CronLine] = None

    def next_after(self, after: datetime, tz: tzinfo = UTC) -> datetime:
        """The first firing strictly after `after`, in UTC. `tz` is the zone of cron lines."""
        if self.every is not None:
            steps = (after.astimezone(UTC) - EPOCH) // self.every + 1
            return EPOCH + steps * self.every
        assert self.cron is not None
        return self.cron.next_after(after, tz)


def parse_schedule(text: str) -> Schedule:
    text = " ".join(text.split())
    lowered = text.lower()
    every = _EVERY.match(lowered)
    if every:
        interval = parse_duration(every.group(1))
        if interval < timedelta(seconds=1):
            raise ScheduleError(f"schedule {text!r}: the interval must be at least 1s")
        return Schedule(text, every=interval)
    if lowered in NAMED_SCHEDULES:
        return Schedule(text, cron=parse_cron(NAMED_SCHEDULES[lowered]))
    if len(text.split()) == 5:
        return Schedule(text, cron=parse_cron(text))
    raise ScheduleError(f'expected "every 30m", "hourly", "daily", "weekly" or a cron line, got {text!r}')


def next_due(schedule: str | Schedule, last_run_started_at: Optional[datetime], now: datetime,
             tz: tzinfo = UTC) -> datetime:
    """When the job should next start (UTC). Earlier than `now` means overdue: run it once, now."""
    if isinstance(schedule, str):
        schedule = parse_schedule(schedule)
    if last_run_started_at is None:
        return now.astimezone(UTC)
    return schedule.next_after(last_run_started_at, tz)


def is_due(schedule: str | Schedule, last_run_started_at: Optional[datetime], now: datetime,
           tz: tzinfo = UTC) -> bool:
    return next_due(schedule, last_run_started_at, now, tz) <= now


# --- re-capture policy -------------------------------------------------------------------------

def recapture_intervals(job: "Job") -> tuple[timedelta, ...]:
    """The job's re-capture intervals after first capture, shortest first (empty = never)."""
    return tuple(sorted(parse_duration(d) for d in job.recapture))


def recapture_due(first_captured_at: datetime, last_attempt_at: datetime, intervals: Sequence[timedelta],
                  now: datetime) -> bool:
    """Is an archived article due for another fetch?

    Each interval d marks a moment first + d at which the article should be fetched again; a
    moment counts as served once a capture after the first one happened at or after it. Due when
    some moment has come and is not served. Several missed moments are served by one fetch (the
    latest capture serves them all), and after the last moment the article is left alone.
    `last_attempt_at` is the latest capture of any outcome (200, 304, 404, redirect), so a
    removed article is asked again too, and a restored one is noticed.
    """
    recaptured = last_attempt_at > first_captured_at
    for interval in sorted(intervals):
        moment = first_captured_at + interval
        if moment > now:
            return False
        if not (recaptured and last_attempt_at >= moment):
            return True
    return False


@dataclass(frozen=True)
class RecaptureCandidate:
    """An archived article of a job, as the catalogue knows it (see index_jobs.py)."""

    article_id: int
    url: str
    first_captured_at: datetime
    last_attempt_at: datetime


def due_recaptures(candidates: Iterable[RecaptureCandidate], intervals: Sequence[timedelta], now: datetime,
                   limit: Optional[int] = None) -> list[str]:
    """URLs to fetch again this run, the longest-waiting first, at most `limit`."""
    due = [c for c in candidates if recapture_due(c.first_captured_at, c.last_attempt_at, intervals, now)]
    due.sort(key=lambda c: (c.last_attempt_at, c.article_id))
    urls = list(dict.fromkeys(c.url for c in due))
    return urls if limit is None else urls[:limit]


# --- the scheduler loop ------------------------------------------------------------------------

@dataclass
class Scheduler:
    """Runs due jobs one after another, then sleeps until the next is due; stops on `stop`.

    Injected: `run(job)` runs one job (raising LockedError when another process holds it),
    `last_started(name)` reads the start of the job's last run from the catalogue (runs made by
    cron or by hand count too), `clock()` gives an aware datetime, `sleep(seconds)` waits and
    returns early once `stop` is set (the CLI passes `stop.wait`).
    """

    jobs: Sequence["Job"]
    run: Callable[["Job"], object]
    last_started: Callable[[str], Optional[datetime]]
    clock: Callable[[], datetime]
    sleep: Callable[[float], object]
    stop: threading.Event = field(default_factory=threading.Event)
    tz: tzinfo = UTC
    # Sleep in short naps and look at the wall clock again after each: a monotonic wait does not
    # count time the machine spent suspended, and the clock may be set.
    max_nap_seconds: float = 60.0
    retry_locked_seconds: float = 60.0
    on_error: Optional[Callable[["Job", NewsArchiverError], None]] = None
    _schedules: dict[str, Schedule] = field(default_factory=dict, init=False)
    _attempted: dict[str, datetime] = field(default_factory=dict, init=False)
    _not_before: dict[str, datetime] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._schedules = {job.name: parse_schedule(job.schedule) for job in self.jobs}

    def due_at(self, job: "Job", now: datetime) -> datetime:
        last = self.last_started(job.name)
        attempted = self._attempted.get(job.name)
        # A run that failed before writing its record still counts, or it would be retried in a spin.
        if attempted is not None and (last is None or attempted > last):
            last = attempted
        due = next_due(self._schedules[job.name], last, now, self.tz)
        held_until = self._not_before.get(job.name)
        return max(due, held_until) if held_until is not None else due

    def due_jobs(self, now: datetime) -> list["Job"]:
        """The jobs due at `now`, the longest overdue first."""
        timed = [(self.due_at(job, now), i, job) for i, job in enumerate(self.jobs)]
        return [job for due, _, job in sorted(timed, key=lambda t: (t[0], t[1])) if due <= now]

    def next_wakeup(self, now: datetime) -> Optional[datetime]:
        return min((self.due_at(job, now) for job in self.jobs), default=None)

    def run_due(self) -> list["Job"]:
        """One pass: run every job due now; returns the jobs that ran (or failed trying)."""
        ran: list["Job"] = []
        for job in self.due_jobs(self.clock()):
            if self.stop.is_set():
                break
            started = self.clock()
            try:
                self.run(job)
                self._not_before.pop(job.name, None)
            except LockedError as exc:
                # Running elsewhere (cron, a manual `run`): look again a little later.
                self._not_before[job.name] = started + timedelta(seconds=self.retry_locked_seconds)
                self._report(job, exc)
                continue
            except NewsArchiverError as exc:
                # A bad night for one job (disk full, index busy) must not end the scheduler.
                self._report(job, exc)
            self._attempted[job.name] = started
            ran.append(job)
        return ran

    def run_forever(self) -> None:
        while not self.stop.is_set():
            self.run_due()
            if self.stop.is_set():
                break
            now = self.clock()
            wake = self.next_wakeup(now)
            if wake is None:
                seconds = self.max_nap_seconds
            else:
                seconds = min(max((wake - now).total_seconds(), 0.0), self.max_nap_seconds)
            if seconds > 0:
                self.sleep(seconds)

    def _report(self, job: "Job", exc: NewsArchiverError) -> None:
        if self.on_error is not None:
            self.on_error(job, exc)
