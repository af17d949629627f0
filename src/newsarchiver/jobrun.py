"""Running one job for real: take its lock, pick the articles due for re-capture, crawl, record.

The catalogue row of the run (table `runs`) is written by the crawler (begin_run/finish_run);
`JobRun` adds what only this layer knows (how many URLs were re-captured) and is what
`run --report FILE` writes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Optional

from newsarchiver.config import Config, Job
from newsarchiver.index import Catalogue
from newsarchiver.joblock import JobLock
from newsarchiver.jobs import (
    RecaptureCandidate,
    due_recaptures,
    parse_timestamp,
    recapture_intervals,
)
from newsarchiver.models import RunReport
from newsarchiver.stores import index_exists, open_catalogue

log = logging.getLogger(__name__)

# Re-captures share the job's page budget with new articles; they may take at most this share,
# so a backlog of old articles (after a long pause) never starves today's news.
RECAPTURE_SHARE = 0.5


@dataclass(frozen=True)
class JobRun:
    report: RunReport
    run_id: Optional[int]
    recaptured: int  # archived article URLs queued for re-capture

    @property
    def outcome(self) -> str:
        """ok, partial (some URLs failed or were refused, or pages could not be extracted: exit 8)
        or interrupted; the same rule as `crawl`'s exit code."""
        r = self.report
        if r.interrupted:
            return "interrupted"
        if r.failures or r.blocked or r.extraction_errors:
            return "partial"
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "outcome": self.outcome, "recaptured": self.recaptured,
                **self.report.to_dict()}


def select_recaptures(catalogue: Catalogue, job: Job, now: datetime) -> list[str]:
    """URLs of the job's archived articles due for another fetch now (see jobs.recapture_due)."""
    intervals = recapture_intervals(job)
    if not intervals:
        return []
    longest_days = intervals[-1] / timedelta(days=1)
    candidates = [
        RecaptureCandidate(article_id=row.article_id, url=row.url,
                           first_captured_at=parse_timestamp(row.first_captured_at),
                           last_attempt_at=parse_timestamp(row.last_attempt_at))
        for row in catalogue.recapture_rows(job.name, longest_days)
    ]
    limit = max(1, int(job.max_pages * RECAPTURE_SHARE))
    return due_recaptures(candidates, intervals, now, limit=limit)


def run_job(config: Config, job: Job, *, now: datetime, stop: Optional[threading.Event] = None,
            progress: Optional[Callable[[str, RunReport], None]] = None) -> JobRun:
    """One run of a job; raises LockedError at once if the job is running elsewhere."""
    from newsarchiver.archive import ensure_archive_dir
    from newsarchiver.crawl import Crawler

    ensure_archive_dir(config.archive_dir)
    # The lock comes first: a second run must not even open the catalogue or the frontier.
    with JobLock(config.archive_dir, job.name), open_catalogue(config) as catalogue:
        recapture = select_recaptures(catalogue, job, now)
        if recapture:
            log.info("job %s: %d archived articles due for re-capture", job.name, len(recapture))
        crawler = Crawler(config, job, store=catalogue, stop=stop, progress=progress,
                          recapture=tuple(recapture))
        report = crawler.run()
    return JobRun(report=report, run_id=crawler.run_id, recaptured=len(recapture))


def last_started(config: Config, job: str) -> Optional[datetime]:
    """When the job's last run started, from the catalogue (None: never, or no index yet)."""
    if not index_exists(config):
        return None
    with open_catalogue(config, readonly=True) as catalogue:
        run = catalogue.last_run(job)
    return parse_timestamp(run.started_at) if run else None
