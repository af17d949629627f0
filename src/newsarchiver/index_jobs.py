"""The catalogue's queries for scheduled jobs (mixed into Catalogue): last runs, totals, articles
due for re-capture, and what changed (edits and removals) in a period."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Callable, Optional

from newsarchiver.index_records import RunRecord

# Summed over a job's runs for `newsarchiver jobs`.
TOTAL_FIELDS = ("fetched", "new_articles", "changed_articles", "removed_articles", "revisits", "failures")


@dataclass(frozen=True)
class JobTotals:
    runs: int
    articles: int  # distinct articles the job captured
    counts: dict[str, int]  # TOTAL_FIELDS summed over the runs


@dataclass(frozen=True)
class RecaptureRow:
    article_id: int
    url: str  # the URL the article last answered 2xx at (else its canonical URL)
    first_captured_at: str
    last_attempt_at: str  # latest capture of any status linked to the article


@dataclass(frozen=True)
class VersionChangeRow:
    """Version n of an article, with the version before it, to describe the edit."""

    article_id: int
    url: str
    n: int
    captured_at: str
    old_title: str
    new_title: str
    old_text: str
    new_text: str


@dataclass(frozen=True)
class RemovalRow:
    article_id: int
    url: str
    removed_at: str
    title: str  # the latest version's headline
    status: Optional[int]  # of the capture that showed the removal (404, 410, 30x)


class JobQueriesMixin:
    dialect: str

    def _read(self) -> AbstractContextManager[Any]:  # provided by Catalogue
        raise NotImplementedError

    runs: Callable[..., list[RunRecord]]  # QueriesMixin's (an annotation only: it must not shadow it)

    def last_run(self, job: str) -> Optional[RunRecord]:
        found = self.runs(job, limit=1)
        return found[0] if found else None

    def job_totals(self, job: str) -> JobTotals:
        sums = ", ".join(f"COALESCE(SUM({name}), 0) AS {name}" for name in TOTAL_FIELDS)
        with self._read() as conn:
            row = conn.execute(f"SELECT COUNT(*) AS runs, {sums} FROM runs WHERE job = ?", (job,)).fetchone()
            articles = conn.execute("SELECT COUNT(DISTINCT article_id) FROM captures WHERE job = ? "
                                    "AND article_id IS NOT NULL", (job,)).fetchone()[0]
        return JobTotals(runs=int(row["runs"]), articles=int(articles),
                         counts={name: int(row[name]) for name in TOTAL_FIELDS})

    def recapture_rows(self, job: str, longest_days: float) -> list[RecaptureRow]:
        """The job's articles whose re-capture policy may not be finished yet.

        Finished means a capture after the first one at or after first + the longest interval;
        the exact due-ness of the rest is decided in Python (jobs.recapture_due).
        """
        sql = """
            SELECT * FROM (
                SELECT a.id AS article_id, a.url AS canonical, a.first_captured_at,
                    (SELECT MAX(c.captured_at) FROM captures c WHERE c.article_id = a.id) AS last_attempt_at,
                    (SELECT c.url FROM captures c WHERE c.article_id = a.id AND c.status BETWEEN 200 AND 299
                     ORDER BY c.captured_at DESC LIMIT 1) AS last_url
                FROM articles a
                WHERE EXISTS (SELECT 1 FROM captures c WHERE c.article_id = a.id AND c.job = :job)
            ) AS recent WHERE last_attempt_at = first_captured_at OR {before_longest}
            ORDER BY article_id"""
        if self.dialect == "sqlite":
            before_longest = "julianday(last_attempt_at) < julianday(first_captured_at) + :days"
        else:
            before_longest = ("last_attempt_at::timestamptz < "
                              "first_captured_at::timestamptz + make_interval(secs => :days * 86400)")
        sql = sql.format(before_longest=before_longest)
        with self._read() as conn:
            rows = conn.execute(sql, {"job": job, "days": longest_days}).fetchall()
        return [RecaptureRow(article_id=row["article_id"], url=row["last_url"] or row["canonical"],
                             first_captured_at=row["first_captured_at"],
                             last_attempt_at=row["last_attempt_at"] or row["first_captured_at"]) for row in rows]

    def version_changes(self, since: str, job: Optional[str] = None) -> list[VersionChangeRow]:
        """Versions 2, 3, ... first seen at or after `since` (UTC ISO-8601), oldest first."""
        sql = """
            SELECT v.article_id, a.url, v.n, v.captured_at, p.title AS old_title, v.title AS new_title,
                   p.text AS old_text, v.text AS new_text
            FROM versions v
            JOIN versions p ON p.article_id = v.article_id AND p.n = v.n - 1
            JOIN articles a ON a.id = v.article_id
            WHERE v.n > 1 AND v.captured_at >= :since
              AND (CAST(:job AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM captures c WHERE c.article_id = a.id AND c.job = :job))
            ORDER BY v.captured_at, v.article_id, v.n"""
        with self._read() as conn:
            rows = conn.execute(sql, {"since": since, "job": job}).fetchall()
        return [VersionChangeRow(**{name: row[name] for name in VersionChangeRow.__dataclass_fields__})
                for row in rows]

    def removals(self, since: str, job: Optional[str] = None) -> list[RemovalRow]:
        """Articles marked removed at or after `since`, oldest first."""
        sql = """
            SELECT a.id AS article_id, a.url, a.removed_at,
                   COALESCE((SELECT v.title FROM versions v WHERE v.article_id = a.id AND v.n = a.latest_version), '')
                       AS title,
                   (SELECT c.status FROM captures c WHERE c.article_id = a.id AND c.captured_at = a.removed_at
                    ORDER BY c.id LIMIT 1) AS status
            FROM articles a
            WHERE a.removed_at IS NOT NULL AND a.removed_at >= :since
              AND (CAST(:job AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM captures c WHERE c.article_id = a.id AND c.job = :job))
            ORDER BY a.removed_at, a.id"""
        with self._read() as conn:
            rows = conn.execute(sql, {"since": since, "job": job}).fetchall()
        return [RemovalRow(**{name: row[name] for name in RemovalRow.__dataclass_fields__}) for row in rows]
