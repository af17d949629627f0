"""Jobs against a local news site whose articles change between runs, through the real CLI.

Edit a paragraph and the headline, remove an article, run again: versions, removals, run
records, `changes`, `jobs`, `--report`, the per-job lock and `schedule` on SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from warc_checks import assert_valid_warcs

from newsarchiver.errors import ExitCode
from newsarchiver.index import Catalogue
from newsarchiver.joblock import lock_path
from newsarchiver.sample_site import SampleSiteServer, Site, generate_site, wait_until

ENV = {**os.environ, "TZ": "UTC"}


def write_config(tmp_path: Path, server: SampleSiteServer, *, delay: float = 0.0, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
archive_dir = "archive"
[crawl]
delay_seconds = {delay}
retries = 0
timeout_seconds = 5
[extract]
workers = 1
[[jobs]]
name = "news"
seeds = ["{server.url}/"]
schedule = "every 30m"
max_depth = 1
recapture = ["0s"]    # every archived article once more at the next run
{extra}
""", encoding="utf-8")
    return path


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", *args, "-c", str(config)],
                          capture_output=True, text=True, env=ENV, timeout=120)


def popen(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "newsarchiver", *args, "-c", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


@pytest.fixture
def small_site() -> Site:
    return generate_site(n_articles=3)


@pytest.fixture
def server(small_site: Site) -> Iterator[SampleSiteServer]:
    with SampleSiteServer(small_site) as running:
        yield running


def article_at(catalogue: Catalogue, server: SampleSiteServer, path: str):  # type: ignore[no-untyped-def]
    article = catalogue.article(server.url + path)
    assert article is not None, path
    return article


def test_edits_and_removals_between_runs(tmp_path: Path, small_site: Site, server: SampleSiteServer) -> None:
    config = write_config(tmp_path, server)
    archive = tmp_path / "archive"
    edited, removed, untouched = small_site.articles[1], small_site.articles[2], small_site.articles[0]

    first = cli(config, "run", "news", "--report", str(tmp_path / "r1.json"))
    assert first.returncode == 0, first.stderr
    r1 = json.loads((tmp_path / "r1.json").read_text())
    assert (r1["run_id"], r1["outcome"], r1["job"], r1["recaptured"]) == (1, "ok", "news", 0)
    assert r1["new_articles"] >= 3 and r1["removed_articles"] == 0 and r1["failures"] == 0

    server.edit_article(1)  # a sentence added to one paragraph, and "(Updated)" in the headline
    server.remove_article(2, status=410)  # gone from the site, its listings and feeds
    server.requests.clear()
    second = cli(config, "run", "news", "--report", str(tmp_path / "r2.json"))
    assert second.returncode == 0, second.stderr  # a removal is recorded, not a failure
    assert "1 removed" in second.stdout
    r2 = json.loads((tmp_path / "r2.json").read_text())
    assert r2["run_id"] == 2 and r2["outcome"] == "ok"
    assert r2["changed_articles"] >= 1 and r2["removed_articles"] == 1 and r2["failures"] == 0
    assert r2["recaptured"] >= 3
    # Only the re-capture policy could ask for the removed article: nothing links to it any more.
    assert server.count(removed.path) == 1

    with Catalogue.open(archive, readonly=True) as catalogue:
        a_edited = article_at(catalogue, server, edited.path)
        versions = catalogue.versions(a_edited.id)
        assert [v.n for v in versions] == [1, 2]
        assert versions[1].title.endswith("(Updated)") and not versions[0].title.endswith("(Updated)")
        assert len(versions[1].text.split()) > len(versions[0].text.split())
        a_untouched = article_at(catalogue, server, untouched.path)
        assert [v.n for v in catalogue.versions(a_untouched.id)] == [1]  # unchanged text: no new version
        assert a_untouched.removed_at is None
        a_removed = article_at(catalogue, server, removed.path)
        assert a_removed.removed_at is not None and a_removed.removed_at >= r2["started_at"][:19]
        assert catalogue.versions(a_removed.id)  # removed, never deleted
        runs = catalogue.runs("news")
    assert [r.id for r in runs] == [2, 1]
    assert all(r.finished_at and r.outcome == "ok" for r in runs)
    assert runs[0].counts["removed_articles"] == 1 and runs[0].counts["changed_articles"] >= 1
    assert runs[1].counts["new_articles"] >= 3 and runs[0].counts["fetched"] == r2["fetched"]

    changes = cli(config, "changes", "--since", "1h", "--job", "news")
    assert changes.returncode == 0, changes.stderr
    lines = changes.stdout.splitlines()
    edit_line = next(line for line in lines if line.rstrip().endswith(edited.path))
    assert " edited " in edit_line and "v1->v2" in edit_line
    assert f"headline {edited.title!r} -> {(edited.title + ' (Updated)')!r}" in edit_line
    assert "-0 words" in edit_line and "+0 words" not in edit_line
    removal_line = next(line for line in lines if line.rstrip().endswith(removed.path))
    assert " removed " in removal_line and "HTTP 410" in removal_line and repr(removed.title) in removal_line
    assert not any(line.rstrip().endswith(untouched.path) for line in lines)

    as_json = [json.loads(line) for line in cli(config, "changes", "--json").stdout.splitlines()]
    kinds = {c["url"]: c["kind"] for c in as_json}
    assert kinds[server.url + edited.path] == "edited" and kinds[server.url + removed.path] == "removed"
    assert cli(config, "changes", "--job", "elsewhere").stdout.startswith("no articles edited or removed")
    future = cli(config, "changes", "--since", "2999-01-01")
    assert future.returncode == 0 and future.stdout.startswith("no articles")

    jobs = cli(config, "jobs")
    assert jobs.returncode == 0, jobs.stderr
    assert jobs.stdout.startswith("news  (every 30m; re-capture 0s)")
    assert "last run   #2 " in jobs.stdout and "  ok  " in jobs.stdout and "1 removed" in jobs.stdout
    assert "next due   " in jobs.stdout and "totals     2 runs" in jobs.stdout
    (row,) = json.loads(cli(config, "jobs", "--json").stdout)
    assert row["last_run"]["id"] == 2 and row["totals"]["runs"] == 2 and row["totals"]["removed_articles"] == 1
    assert row["due_now"] is False  # every 30m, and it just ran

    due = cli(config, "run", "--all", "--due", "--report", str(tmp_path / "none.json"))
    assert due.returncode == 0 and "job news: not due until" in due.stdout
    assert json.loads((tmp_path / "none.json").read_text()) == []
    assert_valid_warcs(archive)


def test_run_all_writes_a_list_of_run_records(tmp_path: Path, server: SampleSiteServer) -> None:
    second_job = f'[[jobs]]\nname = "fronts"\nseeds = ["{server.url}/"]\nmax_depth = 0\n'
    config = write_config(tmp_path, server, extra=second_job)
    result = cli(config, "run", "--all", "--report", str(tmp_path / "all.json"))
    assert result.returncode == 0, result.stderr
    records = json.loads((tmp_path / "all.json").read_text())
    assert [r["job"] for r in records] == ["news", "fronts"]
    assert all(r["outcome"] == "ok" and r["finished_at"] for r in records)


def test_run_usage_and_config_errors(tmp_path: Path, server: SampleSiteServer) -> None:
    config = write_config(tmp_path, server)
    both = cli(config, "run", "news", "--all")
    assert both.returncode == ExitCode.USAGE and "give a JOB name or --all" in both.stderr
    unknown = cli(config, "run", "nwes")
    assert unknown.returncode == ExitCode.CONFIG and "no job named 'nwes' (did you mean 'news'?)" in unknown.stderr
    config.write_text(config.read_text().replace('"every 30m"', '"0 24 * * *"'))
    bad = cli(config, "run", "news")
    assert bad.returncode == ExitCode.CONFIG
    assert bad.stderr == (f"newsarchiver: error: {config}:12: jobs[0].schedule: cron line '0 24 * * *': "
                          "hour '24': 24 is out of range 0-23\n")


def test_a_second_run_of_a_running_job_exits_7_at_once(tmp_path: Path, server: SampleSiteServer) -> None:
    config = write_config(tmp_path, server)
    archive = tmp_path / "archive"
    slow = popen(config, "run", "news", "--delay", "1")  # a few seconds per page: still running below
    try:
        assert wait_until(lambda: lock_path(archive, "news").exists()
                          and lock_path(archive, "news").read_text().strip() == str(slow.pid), timeout=30)
        second = cli(config, "run", "news")
        assert second.returncode == ExitCode.LOCKED, second.stderr
        assert second.stderr.startswith(f"newsarchiver: error: job 'news' is already running (pid {slow.pid}, ")
        assert len(second.stderr.splitlines()) == 1
        slow.send_signal(signal.SIGTERM)
        _out, err = slow.communicate(timeout=60)
        assert slow.returncode == ExitCode.INTERRUPTED, err
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
    assert_valid_warcs(archive)  # closed cleanly
    with Catalogue.open(archive, readonly=True) as catalogue:
        (run,) = catalogue.runs("news")
    assert run.outcome == "interrupted" and run.finished_at
    again = cli(config, "run", "news")  # the lock went with the process; the run resumes
    assert again.returncode == 0, again.stderr


class Reader:
    """Collects a process's stdout lines in a thread, so a test can wait for one."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stdout is not None
        stream = proc.stdout
        self.thread = threading.Thread(target=lambda: self.lines.extend(iter(stream.readline, "")), daemon=True)
        self.thread.start()

    def seen(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))


def test_schedule_runs_a_due_job_then_exits_0_on_sigterm(tmp_path: Path, server: SampleSiteServer) -> None:
    config = write_config(tmp_path, server)
    proc = popen(config, "schedule")
    try:
        out = Reader(proc)
        # Never run: due at once; then it sleeps until the next half hour.
        assert wait_until(lambda: out.seen("next run of news"), timeout=60), out.lines
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        out.thread.join(timeout=5)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert out.seen("scheduler stopped") and out.seen("job news: run 1 ok")
    assert_valid_warcs(tmp_path / "archive")


def test_schedule_sigterm_mid_run_closes_the_run_and_its_warcs(tmp_path: Path, server: SampleSiteServer) -> None:
    config = write_config(tmp_path, server, delay=0.5)
    archive = tmp_path / "archive"
    proc = popen(config, "schedule")
    try:
        assert wait_until(lambda: sum(p.startswith("/a/") for p in server.requests.paths()) >= 1, timeout=60)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "scheduler stopped" in out and "finishing the current run" in err
    assert_valid_warcs(archive)
    with Catalogue.open(archive, readonly=True) as catalogue:
        (run,) = catalogue.runs("news")
    assert run.outcome == "interrupted" and run.finished_at and run.counts["fetched"] >= 1
