"""Schedules, due-ness, coalescing, the re-capture policy, the scheduler loop and the job lock.

Everything runs on a clock passed in: no test sleeps.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import pytest

from newsarchiver.changes import summarize
from newsarchiver.cli.jobs import parse_since
from newsarchiver.config import Job, load_config
from newsarchiver.cron import parse_cron
from newsarchiver.errors import (
    ConfigError,
    ExitCode,
    IndexStoreError,
    LockedError,
    UsageError,
)
from newsarchiver.index_jobs import RemovalRow, VersionChangeRow
from newsarchiver.joblock import JobLock, lock_path
from newsarchiver.jobs import (
    RecaptureCandidate,
    Scheduler,
    due_recaptures,
    is_due,
    next_due,
    parse_duration,
    parse_schedule,
    parse_timestamp,
    recapture_due,
)

UTC = timezone.utc


def at(text: str) -> datetime:
    """'2024-05-01 10:00' -> aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- schedules ---------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule, after, expected", [
    ("every 30m", "2024-05-01 10:07", "2024-05-01 10:30"),
    ("every 30m", "2024-05-01 10:30", "2024-05-01 11:00"),  # strictly after
    ("every 2 h", "2024-05-01 10:07", "2024-05-01 12:00"),
    ("every 45s", "2024-05-01 10:00:10", "2024-05-01 10:00:45"),
    ("hourly", "2024-05-01 10:07", "2024-05-01 11:00"),
    ("daily", "2024-05-01 10:07", "2024-05-02 00:00"),
    ("weekly", "2024-05-01 10:07", "2024-05-06 00:00"),  # 2024-05-01 is a Wednesday; weekly = Monday
    ("*/15 * * * *", "2024-05-01 10:07", "2024-05-01 10:15"),
    ("0 9-17/4 * * *", "2024-05-01 10:07", "2024-05-01 13:00"),
    ("5,35 */6 * * *", "2024-05-01 10:07", "2024-05-01 12:05"),
    ("0 6 * * mon-fri", "2024-05-03 07:00", "2024-05-06 06:00"),  # Friday -> Monday
    ("0 6 * * sat,sun", "2024-05-01 07:00", "2024-05-04 06:00"),
    ("0 0 * * 7", "2024-05-01 07:00", "2024-05-05 00:00"),  # 7 is Sunday too
    ("0 0 1 jan-mar *", "2024-05-01 07:00", "2025-01-01 00:00"),
    ("0 0 29 feb *", "2024-03-01 00:00", "2028-02-29 00:00"),
    ("30 4 1 * 1", "2024-05-02 00:00", "2024-05-06 04:30"),  # day-of-month OR day-of-week (Vixie)
    ("30 4 1 * 1", "2024-05-28 00:00", "2024-06-01 04:30"),
    ("30 4 */10 * *", "2024-05-02 00:00", "2024-05-11 04:30"),  # */ on day-of-month alone: AND with *
    ("10/20 * * * *", "2024-05-01 10:31", "2024-05-01 10:50"),  # a/n = a to the end, every n
])
def test_next_firing(schedule: str, after: str, expected: str) -> None:
    assert parse_schedule(schedule).next_after(at(after)) == at(expected)


def test_cron_lines_follow_the_local_zone_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    line = parse_cron("30 2 * * *")
    # 2024-03-31 02:30 does not exist in Berlin: it fires right after the jump (03:30 CEST).
    spring = line.next_after(at("2024-03-30 12:00"), berlin)
    assert spring.astimezone(berlin).strftime("%m-%d %H:%M %Z") == "03-31 03:30 CEST"
    # 2024-10-27 02:30 happens twice: it fires once.
    autumn = line.next_after(at("2024-10-26 12:00"), berlin)
    after_autumn = line.next_after(autumn, berlin)
    assert autumn == at("2024-10-27 00:30") and after_autumn.astimezone(berlin).day == 28
    assert spring.tzinfo == UTC  # always UTC out: arithmetic across zones stays right


@pytest.mark.parametrize("schedule, message", [
    ("every 0m", "at least 1s"),
    ("every 5 fortnights", "expected a duration"),
    ("soon", 'expected "every 30m"'),
    ("61 * * * *", "minute '61': 61 is out of range 0-59"),
    ("* * * * * *", 'expected "every 30m"'),
    ("0 0 30 2 *", "never fires"),
    ("0 0 * * funday", "day of week 'funday'"),
    ("0 20-10 * * *", "runs backwards"),
    ("*/0 * * * *", "step '0'"),
    ("0 0 1,,2 * *", "empty list item"),
])
def test_bad_schedules_are_config_errors(schedule: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:  # ScheduleError or CronError, both exit 3
        parse_schedule(schedule)
    assert message in str(info.value)
    assert info.value.exit_code == ExitCode.CONFIG


def test_a_bad_cron_line_in_config_names_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[jobs]]\nname = "a"\nseeds = ["https://a.example/"]\nschedule = "0 25 * * *"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (f"{path}:4: jobs[0].schedule: cron line '0 25 * * *': hour '25': "
                               "25 is out of range 0-23")


# --- due-ness and coalescing ---------------------------------------------------------------------

def test_a_job_that_never_ran_is_due_at_once() -> None:
    now = at("2024-05-01 10:07")
    assert next_due("daily", None, now) == now and is_due("daily", None, now)


def test_a_job_is_due_at_the_first_firing_after_its_last_start() -> None:
    last = at("2024-05-01 10:00:02")
    assert next_due("every 30m", last, at("2024-05-01 10:10")) == at("2024-05-01 10:30")
    assert not is_due("every 30m", last, at("2024-05-01 10:29:59"))
    assert is_due("every 30m", last, at("2024-05-01 10:30"))


def test_missed_runs_coalesce_into_one() -> None:
    # The machine slept from 10:05 to 17:42: five hourly firings were missed.
    last = at("2024-05-01 10:00")
    wake = at("2024-05-01 17:42")
    assert next_due("hourly", last, wake) == at("2024-05-01 11:00")  # overdue: run now, once
    assert is_due("hourly", last, wake)
    # ...and after that one run the next firing is in the future, not 12:00, 13:00, ...
    assert next_due("hourly", wake, wake) == at("2024-05-01 18:00")


def test_runs_do_not_drift_when_they_start_late() -> None:
    # A crontab firing every 5 minutes starts runs a little after the schedule says.
    starts = [at("2024-05-01 10:00:40")]
    for _ in range(3):
        due = next_due("every 30m", starts[-1], starts[-1])
        starts.append(due + timedelta(seconds=40))
    assert [s.strftime("%H:%M") for s in starts] == ["10:00", "10:30", "11:00", "11:30"]


# --- re-capture policy ---------------------------------------------------------------------------

POLICY = tuple(parse_duration(d) for d in ("1h", "6h", "24h", "7d"))
FIRST = at("2024-05-01 10:00")


@pytest.mark.parametrize("last_attempt, now, due", [
    ("2024-05-01 10:00", "2024-05-01 10:59", False),   # captured once, 1h not yet passed
    ("2024-05-01 10:00", "2024-05-01 11:00", True),    # 1h passed
    ("2024-05-01 11:05", "2024-05-01 15:00", False),   # 1h served, 6h not yet
    ("2024-05-01 11:05", "2024-05-01 16:00", True),    # 6h passed
    ("2024-05-01 10:00", "2024-05-03 12:00", True),    # 1h, 6h, 24h all missed: one fetch...
    ("2024-05-03 12:00", "2024-05-03 13:00", False),   # ...serves them all
    ("2024-05-03 12:00", "2024-05-08 10:00", True),    # 7d
    ("2024-05-08 10:01", "2024-06-30 10:00", False),   # after the last interval: never again
    ("2024-05-01 10:30", "2024-05-01 11:30", True),    # a capture before the 1h mark does not serve it
])
def test_recapture_at_growing_intervals(last_attempt: str, now: str, due: bool) -> None:
    assert recapture_due(FIRST, at(last_attempt), POLICY, at(now)) is due


def test_zero_interval_means_once_at_the_next_run_and_empty_means_never() -> None:
    zero = (timedelta(0),)
    assert recapture_due(FIRST, FIRST, zero, FIRST + timedelta(seconds=1))
    assert not recapture_due(FIRST, FIRST + timedelta(seconds=5), zero, FIRST + timedelta(days=1))
    assert not recapture_due(FIRST, FIRST, (), FIRST + timedelta(days=30))


def test_due_recaptures_longest_waiting_first_and_capped() -> None:
    def cand(i: int, url: str, last: str) -> RecaptureCandidate:
        return RecaptureCandidate(article_id=i, url=url, first_captured_at=FIRST, last_attempt_at=at(last))

    candidates = [cand(1, "https://n.example/a", "2024-05-01 11:05"),   # 6h not passed at 14:00
                  cand(2, "https://n.example/b", "2024-05-01 10:00"),
                  cand(3, "https://n.example/c", "2024-05-01 10:00"),
                  cand(4, "https://n.example/b", "2024-05-01 10:00")]   # same URL twice: fetched once
    assert due_recaptures(candidates, POLICY, at("2024-05-01 14:00")) == ["https://n.example/b", "https://n.example/c"]
    assert due_recaptures(candidates, POLICY, at("2024-05-01 14:00"), limit=1) == ["https://n.example/b"]


# --- the scheduler loop, on a fake clock -----------------------------------------------------------

class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start
        self.naps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += timedelta(seconds=seconds)


class Harness:
    """A Scheduler whose runs take `run_seconds` of fake time and are recorded like the catalogue does."""

    def __init__(self, jobs: list[Job], start: datetime, until: datetime, run_seconds: float = 120) -> None:
        self.clock = FakeClock(start)
        self.until = until
        self.run_seconds = run_seconds
        self.starts: dict[str, list[datetime]] = {job.name: [] for job in jobs}
        self.fail: dict[str, Exception] = {}
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.scheduler = Scheduler(jobs, run=self.run, last_started=self.last_started, clock=self.clock,
                                   sleep=self.sleep, stop=self.stop,
                                   on_error=lambda job, exc: self.errors.append(f"{job.name}: {exc}"))

    def run(self, job: Job) -> None:
        if job.name in self.fail:
            raise self.fail[job.name]
        self.starts[job.name].append(self.clock.now)
        self.clock.now += timedelta(seconds=self.run_seconds)

    def last_started(self, name: str) -> Optional[datetime]:
        return self.starts[name][-1] if self.starts[name] else None

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "the scheduler must never spin"
        self.clock.sleep(seconds)
        if self.clock.now >= self.until:
            self.stop.set()

    def times(self, name: str) -> list[str]:
        return [t.strftime("%H:%M") for t in self.starts[name]]


def test_scheduler_runs_each_job_when_due_and_naps_briefly_in_between() -> None:
    jobs = [Job(name="fast", seeds=("https://a.example/",), schedule="every 30m"),
            Job(name="slow", seeds=("https://b.example/",), schedule="0 */2 * * *")]
    h = Harness(jobs, at("2024-05-01 09:50"), until=at("2024-05-01 12:10"))
    h.scheduler.run_forever()
    assert h.times("fast") == ["09:50", "10:00", "10:30", "11:00", "11:30", "12:00"]
    # "slow" never ran: due at once (after "fast", which is first in the config), then every 2 hours.
    assert h.times("slow") == ["09:52", "10:02", "12:02"]
    assert max(h.clock.naps) <= 60  # short naps: the wall clock is looked at again every minute


def test_scheduler_coalesces_a_long_suspend_into_one_run() -> None:
    jobs = [Job(name="news", seeds=("https://a.example/",), schedule="hourly")]
    h = Harness(jobs, at("2024-05-01 10:00"), until=at("2024-05-01 17:10"))
    h.starts["news"].append(at("2024-05-01 09:00"))
    original_sleep = h.clock.sleep

    def suspend_once(seconds: float) -> None:
        if h.clock.now < at("2024-05-01 11:00"):
            h.clock.now = at("2024-05-01 16:42")  # the laptop lid was closed for hours
        else:
            original_sleep(seconds)

    h.clock.sleep = suspend_once  # type: ignore[method-assign]
    h.scheduler.run_forever()
    assert h.times("news") == ["09:00", "10:00", "16:42", "17:00"]


def test_scheduler_retries_a_locked_job_a_minute_later_without_spinning() -> None:
    jobs = [Job(name="news", seeds=("https://a.example/",), schedule="every 30m")]
    h = Harness(jobs, at("2024-05-01 10:00"), until=at("2024-05-01 10:05"))
    h.fail["news"] = LockedError("job 'news' is already running (pid 42)")
    h.scheduler.run_forever()
    assert len(h.errors) == 5  # 10:00, 10:01, ... one try a minute
    assert "pid 42" in h.errors[0]


def test_scheduler_survives_a_failing_job_and_waits_for_its_next_firing() -> None:
    jobs = [Job(name="broken", seeds=("https://a.example/",), schedule="every 30m"),
            Job(name="fine", seeds=("https://b.example/",), schedule="every 30m")]
    h = Harness(jobs, at("2024-05-01 10:00"), until=at("2024-05-01 10:40"))
    h.fail["broken"] = IndexStoreError("index.sqlite: the index is busy")
    h.scheduler.run_forever()
    assert h.errors == ["broken: index.sqlite: the index is busy"] * 2  # 10:00 and 10:30, not in a spin
    assert h.times("fine") == ["10:00", "10:30"]


def test_scheduler_stops_between_jobs_when_asked() -> None:
    jobs = [Job(name=n, seeds=("https://a.example/",), schedule="hourly") for n in ("a", "b")]
    h = Harness(jobs, at("2024-05-01 10:00"), until=at("2024-05-02 00:00"))
    original = h.run

    def run_then_stop(job: Job) -> None:
        original(job)
        h.stop.set()  # SIGTERM during the first run: the crawler finishes it, then the loop ends

    h.scheduler.run = run_then_stop
    h.scheduler.run_forever()
    assert h.times("a") == ["10:00"] and h.times("b") == []


# --- the job lock --------------------------------------------------------------------------------

def test_second_lock_of_a_job_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    import os

    with JobLock(tmp_path, "news"):
        assert lock_path(tmp_path, "news").read_text().strip() == str(os.getpid())
        with pytest.raises(LockedError) as info:
            JobLock(tmp_path, "news").acquire()
        assert f"job 'news' is already running (pid {os.getpid()}" in str(info.value)
        with JobLock(tmp_path, "other"):  # other jobs are not affected
            pass
    with JobLock(tmp_path, "news"):  # released
        pass
    assert lock_path(tmp_path, "news").exists()  # left in place, empty
    assert lock_path(tmp_path, "news").read_text() == ""


def test_a_killed_holder_never_leaves_the_lock_stuck(tmp_path: Path) -> None:
    code = ("import sys, time; from pathlib import Path; from newsarchiver.joblock import JobLock; "
            f"JobLock(Path({str(tmp_path)!r}), 'news').acquire(); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            JobLock(tmp_path, "news").acquire()
    finally:
        holder.kill()  # SIGKILL: no cleanup code runs
        holder.wait()
    with JobLock(tmp_path, "news"):
        pass


# --- changes and --since ---------------------------------------------------------------------------

def test_change_summaries_count_words_and_note_headlines_and_removals() -> None:
    edit = VersionChangeRow(article_id=4, url="https://n.example/a", n=2, captured_at="2024-05-01T11:00:00.000000Z",
                            old_title="Talks Stall", new_title="Talks Stall (Updated)",
                            old_text="The talks stalled on Monday.\nNo date was set.",
                            new_text="The talks stalled on Monday.\nNo date was set. Both sides blamed each other.")
    same_title = VersionChangeRow(article_id=5, url="https://n.example/b", n=3,
                                  captured_at="2024-05-01T10:00:00.000000Z", old_title="Dam Opens",
                                  new_title="Dam  Opens", old_text="It opened in May.", new_text="It opened in June.")
    gone = RemovalRow(article_id=7, url="https://n.example/c", removed_at="2024-05-01T12:00:00.000000Z",
                      title="Minister Resigns", status=410)
    found = summarize([edit, same_title], [gone])
    assert [c.article_id for c in found] == [5, 4, 7]  # oldest first
    assert (found[0].words_added, found[0].words_removed, found[0].headline_changed) == (1, 1, False)
    assert (found[1].words_added, found[1].words_removed, found[1].headline_changed) == (5, 0, True)
    assert found[1].line() == ("2024-05-01 11:00  edited   #4 v1->v2, +5 -0 words, "
                               "headline 'Talks Stall' -> 'Talks Stall (Updated)'  https://n.example/a")
    assert found[2].line() == ("2024-05-01 12:00  removed  #7 (HTTP 410, removed 2024-05-01) 'Minister Resigns'  "
                               "https://n.example/c")


def test_since_takes_durations_and_dates() -> None:
    now = at("2024-05-10 12:00")
    assert parse_since("1d", now) == at("2024-05-09 12:00")
    assert parse_since("2w", now) == at("2024-04-26 12:00")
    assert parse_since("2024-05-01", now) == at("2024-05-01 00:00")
    assert parse_since("2024-05-01T10:00+02:00", now) == at("2024-05-01 08:00")
    with pytest.raises(UsageError, match="--since"):
        parse_since("last tuesday", now)


def test_catalogue_timestamps_parse_to_utc() -> None:
    assert parse_timestamp("2024-05-01T10:00:00.123456Z") == at("2024-05-01 10:00:00.123456")
    assert parse_timestamp("2024-05-01T10:00:00Z") == at("2024-05-01 10:00")
