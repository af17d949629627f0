"""The crawler against a real local news site and its hostile routes; every WARC is checked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from newsarchiver.config import Config, Job, default_config
from newsarchiver.crawl import Crawler
from newsarchiver.errors import ExitCode
from newsarchiver.frontier import Frontier
from newsarchiver.sample_site import SampleSiteServer, generate_site, wait_until
from newsarchiver.sample_site.pages import PRIVATE_PATH
from warc_checks import assert_valid_warcs, records


def fast_config(archive: Path, **crawl: object) -> Config:
    config = default_config(archive)
    settings = {"delay_seconds": 0.0, "timeout_seconds": 2.0, "max_fetch_seconds": 3.0, "retries": 1,
                "backoff_seconds": 0.05, "max_retry_after_seconds": 3.0, "max_body_mb": 2.0, **crawl}
    return replace(config, crawl=replace(config.crawl, **settings),
                   extract=replace(config.extract, workers=1))


def test_crawl_sample_site_fetches_every_page_once(tmp_path: Path) -> None:
    site = generate_site(n_articles=8)
    with SampleSiteServer(site) as server:
        job = Job(name="news", seeds=(server.url + "/",), feeds=(server.url + "/feed.xml",), max_depth=2)
        report = Crawler(fast_config(tmp_path), job).run()
        paths = server.requests.paths()
    assert report.failures == 0 and not report.interrupted
    for article in site.articles:
        assert paths.count(article.path) == 1, article.path  # tracking params and #fragments deduped
    assert paths.count("/robots.txt") == 1
    assert not [p for p in paths if p.startswith("/private/")], "robots.txt disallows /private/"
    assert report.robots_excluded >= 1 and report.blocked == 0
    files = assert_valid_warcs(tmp_path)
    assert (tmp_path / "index.cdxj").read_text().count("\n") >= len(site.articles)
    conversions = records(tmp_path, "conversion")
    seed_text = [h for _, h, _ in conversions if h["WARC-Target-URI"].endswith(site.articles[0].path)]
    assert seed_text and seed_text[0]["Content-Type"].startswith("text/plain")
    assert "trafilatura" in seed_text[0]["X-Extractor"]
    assert files[0].name.startswith("news-") and files[0].name.endswith("-00001.warc.gz")


@pytest.mark.parametrize("connections", [1, 3])
def test_connections_per_host_hold_with_more_fetch_threads(tmp_path: Path, connections: int) -> None:
    """A fetch thread frees its host's connection as soon as the response is read, before it
    compresses the records: with 8 threads the server still never sees more than `connections`
    requests at once."""
    with SampleSiteServer(generate_site(n_articles=24), latency_ms=15) as server:
        config = fast_config(tmp_path, connections_per_host=connections, workers=8)
        report = Crawler(config, Job(name="polite", seeds=(server.url + "/",), max_depth=2)).run()
        assert report.failures == 0 and report.fetched > 30
        assert server.most_in_flight == connections
    assert_valid_warcs(tmp_path)


def test_crawl_delay_spaces_every_request_after_robots_txt(tmp_path: Path) -> None:
    """robots.txt says Crawl-delay: 2; the crawl was asked for no delay. The first page after
    robots.txt waits as long as the others (it used to wait only the configured delay)."""
    site = generate_site(n_articles=2)
    with SampleSiteServer(site) as server:
        server.robots_mode = "crawl-delay"
        seeds = tuple(server.url + a.path for a in site.articles)
        report = Crawler(fast_config(tmp_path, page_assets="none"), Job(name="slow", seeds=seeds, max_depth=0)).run()
        times = [r.at for r in server.requests.records()]
    assert report.fetched == 3 and server.requests.paths()[0] == "/robots.txt"
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1.9, gaps


def test_extraction_backlog_is_bounded(tmp_path: Path) -> None:
    """Fetching at 0 ms outruns one extraction process: the crawl waits for extraction rather than
    letting an unbounded backlog build up (which a stop would then have to work through)."""
    from newsarchiver.crawl import EXTRACTION_BACKLOG

    with SampleSiteServer(generate_site(n_articles=150)) as server:
        crawler = Crawler(fast_config(tmp_path, connections_per_host=8, workers=8),
                          Job(name="backlog", seeds=(server.url + "/",), max_depth=2))
        most = 0
        submit = crawler.pool.submit

        def counting_submit(*args: object, **kwargs: object) -> None:
            nonlocal most
            submit(*args, **kwargs)  # type: ignore[arg-type]
            most = max(most, crawler.pool.backlog())

        crawler.pool.submit = counting_submit  # type: ignore[method-assign]
        report = crawler.run()
    assert report.new_articles >= 150
    # One loop pass can add a page per fetch thread on top of the limit, no more.
    assert most <= EXTRACTION_BACKLOG * crawler.pool.workers + 8


def test_a_broken_extraction_pool_loses_no_capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction processes that cannot start: every page is still catalogued, as failed extraction."""
    import operator

    import newsarchiver.pipeline as pipeline
    from newsarchiver.index import Catalogue

    monkeypatch.setattr(pipeline, "worker_init", operator.truediv)  # every process fails as it starts
    with SampleSiteServer(generate_site(n_articles=12)) as server, Catalogue.open(tmp_path) as store:
        report = Crawler(fast_config(tmp_path), Job(name="broken", seeds=(server.url + "/",), max_depth=2),
                         store=store).run()
        with store.db.read() as conn:
            captures = conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
    assert not report.interrupted and report.extraction_errors >= 12
    assert captures == len([r for r in records(tmp_path) if r[0] in ("response", "revisit")])
    assert_valid_warcs(tmp_path)


def test_warcinfo_names_software_job_and_settings(tmp_path: Path) -> None:
    with SampleSiteServer(generate_site(n_articles=1)) as server:
        Crawler(fast_config(tmp_path), Job(name="info", seeds=(server.url + "/",), max_depth=0)).run()
    from warcio.archiveiterator import ArchiveIterator

    path = next(tmp_path.glob("*.warc.gz"))
    with open(path, "rb") as handle:
        first = next(iter(ArchiveIterator(handle)))
        body = first.content_stream().read().decode()
    assert first.rec_type == "warcinfo"
    assert "software: newsarchiver/" in body and "job: info" in body and "delay_seconds=0.0" in body


HOSTILE_SEEDS = [
    "/hostile/loop", "/hostile/chain/3", "/hostile/slow?seconds=10", "/hostile/endless", "/hostile/lying-length",
    "/hostile/gzip", "/hostile/gzip-bomb", "/hostile/chunked", "/hostile/429", "/hostile/500", "/hostile/flaky/1",
    "/hostile/404", "/hostile/pdf", "/hostile/huge", "/hostile/malformed", "/hostile/to-metadata",
    "/hostile/to-private", "/hostile/to-file", "/hostile/to-ftp", "/hostile/cp1251", "/hostile/odd-content-type",
]


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory):
    archive = tmp_path_factory.mktemp("hostile")
    with SampleSiteServer(generate_site(n_articles=2), hostile=True) as server:
        server.bomb_mb = 64  # still 60x the wire size; keeps the test quick
        job = Job(name="hostile", seeds=tuple(server.url + p for p in HOSTILE_SEEDS), max_depth=0)
        started = time.monotonic()
        report = Crawler(fast_config(archive, workers=8), job).run()
        elapsed = time.monotonic() - started
        yield archive, report, server, elapsed


def test_redirects_obey_robots_txt_and_exclude_patterns(tmp_path: Path) -> None:
    """A redirect is followed where a link would be: never to a URL robots.txt disallows or an
    exclude pattern rejects, and to another host only after that host's robots.txt is read."""
    site = generate_site(n_articles=2)
    with SampleSiteServer(site, hostile=True) as server, SampleSiteServer(site) as closed, \
            SampleSiteServer(site) as open_site:
        closed.robots_mode = "disallow-all"
        article = site.articles[0].path
        seeds = (server.url + "/hostile/redirect?to=" + PRIVATE_PATH,  # same host, disallowed
                 server.url + "/hostile/redirect?to=" + closed.url + article,  # a host that says no
                 server.url + "/hostile/redirect?to=" + open_site.url + article,
                 server.url + "/hostile/chain/4")  # its third hop is excluded
        job = Job(name="redirects", seeds=seeds, max_depth=0, exclude=("chain/2$",))
        report = Crawler(fast_config(tmp_path, page_assets="none"), job).run()
        assert PRIVATE_PATH not in server.requests.paths()
        assert closed.requests.paths() == ["/robots.txt"]
        assert open_site.requests.paths() == ["/robots.txt", article]
        assert "/hostile/chain/3" in server.requests.paths() and "/hostile/chain/2" not in server.requests.paths()
    assert report.robots_excluded == 2 and report.failures == 0 and report.blocked == 0
    frontier = Frontier(tmp_path / ".state" / "redirects.frontier.sqlite")
    assert frontier.state_of(seeds[0])[2] == "done"
    assert_valid_warcs(tmp_path)


def test_redirect_handoffs_keep_the_page_budget_and_other_hosts_rules(tmp_path: Path) -> None:
    """A redirect handed to another host takes the redirect's place in max_pages; a robots.txt
    that redirects to another host's robots.txt does not stand in for that host's own rules
    (its pages used to wait for them forever)."""
    site = generate_site(n_articles=2)
    with SampleSiteServer(site, hostile=True) as server, SampleSiteServer(site) as other:
        article = site.articles[0].path
        server.robots_moved_to = other.url + "/robots.txt"
        job = Job(name="handoff", seeds=(server.url + "/hostile/redirect?to=" + other.url + article,
                                         other.url + "/hostile/"), max_depth=0, max_pages=2)
        report = Crawler(fast_config(tmp_path, page_assets="none", workers=1), job).run()
        assert other.requests.paths().count(article) == 1
        assert other.requests.paths().count("/robots.txt") == 2  # once for each host
    assert not report.interrupted and report.failures == 1  # /hostile/ is not served by `other`
    assert_valid_warcs(tmp_path)


def test_a_redirect_to_a_host_that_does_not_resolve_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    with SampleSiteServer(generate_site(n_articles=2), hostile=True) as server:
        seed = server.url + "/hostile/redirect?to=http://nosuchhost.invalid/story"
        report = Crawler(fast_config(tmp_path), Job(name="nodns", seeds=(seed,), max_depth=0)).run()
    failed = dict(report.failed_urls)
    assert "nosuchhost.invalid" in failed[seed] and report.blocked == 0
    assert_valid_warcs(tmp_path)


def test_a_refused_robots_txt_ends_the_crawl(tmp_path: Path) -> None:
    """robots.txt redirected to an address the SSRF guard refuses counts as unreachable (RFC 9309:
    disallow all); the crawl used to wait for it forever."""
    with SampleSiteServer(generate_site(n_articles=2)) as server:
        server.robots_mode = "to-private"
        job = Job(name="refused", seeds=(server.url + "/",), max_depth=1)
        report = Crawler(fast_config(tmp_path), job).run()
        assert server.requests.paths() == ["/robots.txt"]
    assert report.blocked == 1 and report.robots_excluded == 1 and not report.interrupted
    assert_valid_warcs(tmp_path)


def _response(archive: Path, suffix: str) -> tuple[dict[str, str], object]:
    for rec_type, headers, http in records(archive):
        if rec_type == "response" and headers["WARC-Target-URI"].endswith(suffix):
            return headers, http
    raise AssertionError(f"no response for {suffix}")


def test_hostile_site_never_crashes_and_warcs_are_valid(hostile_crawl) -> None:
    archive, report, _server, elapsed = hostile_crawl
    assert not report.interrupted
    assert elapsed < 60
    assert_valid_warcs(archive)
    failed = dict(report.failed_urls)
    assert any("redirect loop" in reason for reason in failed.values())


def test_truncation_is_recorded(hostile_crawl) -> None:
    archive = hostile_crawl[0]
    assert _response(archive, "/hostile/endless")[0]["WARC-Truncated"] == "length"
    assert _response(archive, "/hostile/huge")[0]["WARC-Truncated"] == "length"
    assert _response(archive, "/hostile/lying-length")[0]["WARC-Truncated"] == "disconnect"


def test_payload_kept_as_transferred(hostile_crawl) -> None:
    archive = hostile_crawl[0]
    headers, http = _response(archive, "/hostile/chunked")
    assert http.get_header("X-Crawler-Transfer-Encoding") == "chunked"
    assert http.get_header("Transfer-Encoding") is None
    _, http = _response(archive, "/hostile/gzip")
    assert http.get_header("Content-Encoding") == "gzip"
    headers, _ = _response(archive, "/hostile/gzip-bomb")
    assert "WARC-Truncated" not in headers  # stored compressed: small on disk, never inflated


def test_redirect_hops_each_archived(hostile_crawl) -> None:
    archive = hostile_crawl[0]
    uris = [h["WARC-Target-URI"] for t, h, _ in records(archive, "response")]
    assert sum("/hostile/chain/" in u or "/hostile/chain" in u for u in uris) >= 3


def test_ssrf_and_scheme_redirects_refused(hostile_crawl) -> None:
    _archive, report, server, _ = hostile_crawl
    failed = dict(report.failed_urls)
    for route in ("/hostile/to-metadata", "/hostile/to-private", "/hostile/to-file", "/hostile/to-ftp"):
        assert server.url + route in failed, route
    assert "refused" in failed[server.url + "/hostile/to-file"] or "http" in failed[server.url + "/hostile/to-file"]
    assert report.blocked >= 4


def test_retries_and_retry_after(hostile_crawl) -> None:
    archive, report, server, _ = hostile_crawl
    assert server.count("/hostile/429") == 2  # retried once after Retry-After: 1
    assert server.count("/hostile/500") == 2  # retries = 1
    _, http = _response(archive, "/hostile/flaky/1")
    assert http.get_statuscode() == "200"
    assert server.url + "/hostile/500" in dict(report.failed_urls)


def test_slow_server_times_out_and_is_recorded(hostile_crawl) -> None:
    _archive, report, server, _ = hostile_crawl
    assert any("slow" in url for url, _ in report.failed_urls)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def test_crawl_cli_end_to_end_and_exit_codes(tmp_path: Path) -> None:
    site = generate_site(n_articles=3)
    with SampleSiteServer(site) as server:
        report_file = tmp_path / "report.json"
        proc = run_cli("crawl", server.url + "/", "--archive", str(tmp_path / "a"), "--delay", "0",
                       "--max-depth", "1", "--report", str(report_file))
        assert proc.returncode == 0, proc.stderr
        assert "responses archived" in proc.stdout
        report = json.loads(report_file.read_text())
        assert report["fetched"] >= 4
        bad = run_cli("crawl", "ftp://example.com/", "--archive", str(tmp_path / "a"))
        assert bad.returncode == ExitCode.USAGE
        assert bad.stderr.strip().count("\n") == 0 and "only http:// and https://" in bad.stderr
    assert_valid_warcs(tmp_path / "a")


def test_unwritable_archive_dir_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = run_cli("crawl", "http://127.0.0.1:9/", "--archive", str(blocker / "warcs"))
    assert proc.returncode == ExitCode.ARCHIVE
    assert len(proc.stderr.strip().splitlines()) == 1 and "cannot create" in proc.stderr


def test_rotation_writes_several_files_each_with_warcinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsarchiver.cdxj as cdxj

    config = fast_config(tmp_path)
    config = replace(config, warc=replace(config.warc, max_warc_mb=0.01))
    updates: list[int] = []
    update = cdxj.update_cdxj

    def counting_update(archive_dir: Path, files: list[Path], **kw: object) -> Path:
        updates.append(len(files))
        return update(archive_dir, files, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(cdxj, "update_cdxj", counting_update)
    with SampleSiteServer(generate_site(n_articles=6)) as server:
        crawler = Crawler(config, Job(name="rot", seeds=(server.url + "/",), max_depth=1))
        crawler.run()
    files = assert_valid_warcs(tmp_path)  # index.cdxj lines of each file = cdxj-indexer's
    # Files were indexed as they were closed, during the crawl, and their lines left memory.
    assert len(updates) > 1 and sum(updates) == len(files)
    assert not crawler.writer.cdxj_lines
    assert len(files) >= 3
    assert [f.name.rsplit("-", 1)[1] for f in files][:2] == ["00001.warc.gz", "00002.warc.gz"]


def test_kill_9_mid_crawl_then_resume_fetches_each_page_once(tmp_path: Path) -> None:
    site = generate_site(n_articles=10)
    archive = tmp_path / "archive"
    with SampleSiteServer(site) as server:
        args = [sys.executable, "-m", "newsarchiver", "crawl", server.url + "/", "--archive", str(archive),
                "--delay", "0.4", "--max-depth", "1", "--name", "resume"]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert wait_until(lambda: sum(p.startswith("/a/") for p in server.requests.paths()) >= 3, timeout=60)
            time.sleep(0.2)  # inside the politeness delay: the last exchange is written
            os.kill(proc.pid, signal.SIGKILL)
            # No orphaned extraction worker keeps the killed crawl's pipes open.
            proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert list(archive.glob("*.warc.gz.open")), "the killed crawl left its WARC open"
        again = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0",
                        "--max-depth", "1", "--name", "resume")
        assert again.returncode == 0, again.stderr
        paths = server.requests.paths()
    for article in site.articles:
        assert paths.count(article.path) == 1, (article.path, paths)
    assert_valid_warcs(archive)


def test_recrawl_sends_conditional_requests_and_writes_revisits(tmp_path: Path) -> None:
    site = generate_site(n_articles=4)
    archive = tmp_path / "a"
    with SampleSiteServer(site) as server:
        first = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1")
        assert first.returncode == 0, first.stderr
        server.requests.clear()
        second = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1",
                         "--report", str(tmp_path / "r.json"))
        assert second.returncode == 0, second.stderr
        article_requests = [r for r in server.requests.records() if r.path.startswith("/a/")]
    assert article_requests and all(r.headers.get("If-None-Match") for r in article_requests)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["not_modified"] == len(site.articles)
    assert report["revisits"] >= 1  # the front page and feeds come back byte-identical
    revisits = records(archive, "revisit")
    profiles = [headers["WARC-Profile"].rsplit("/", 1)[1] for _, headers, _ in revisits]
    # 304s are revisits too (server-not-modified), so replay tools show the earlier capture.
    assert profiles.count("server-not-modified") == len(site.articles)
    assert profiles.count("identical-payload-digest") == report["revisits"] - len(site.articles)
    for _, headers, http in revisits:
        assert headers["WARC-Refers-To-Target-URI"] == headers["WARC-Target-URI"]
        assert headers["WARC-Refers-To-Date"] < headers["WARC-Date"]
    assert not [h for t, h, http in records(archive, "response") if http.get_statuscode() == "304"]
    assert_valid_warcs(archive)


def _crawl_stopped_by_sigterm(server: SampleSiteServer, archive: Path) -> str:
    """Start a crawl of `server`, SIGTERM it once two articles were fetched; its stderr."""
    args = [sys.executable, "-m", "newsarchiver", "crawl", server.url + "/", "--archive", str(archive),
            "--delay", "0.3", "--max-depth", "1"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_until(lambda: sum(p.startswith("/a/") for p in server.requests.paths()) >= 2, timeout=60)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    return err


def test_sigterm_closes_warcs_and_resumes(tmp_path: Path) -> None:
    site = generate_site(n_articles=6)
    archive = tmp_path / "a"
    with SampleSiteServer(site) as server:
        assert "resume" in _crawl_stopped_by_sigterm(server, archive)
        assert not list(archive.glob("*.open"))
        assert_valid_warcs(archive)
        again = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1")
        assert again.returncode == 0, again.stderr
        paths = server.requests.paths()
    for article in site.articles:
        assert paths.count(article.path) == 1


def test_a_resumed_crawl_reads_robots_txt_again(tmp_path: Path) -> None:
    """The URLs a stopped crawl left queued come back without their host's rules: the resumed
    run fetches robots.txt before any of them (it used to fetch them under no rules at all)."""
    site = generate_site(n_articles=6)
    archive = tmp_path / "a"
    with SampleSiteServer(site) as server:
        _crawl_stopped_by_sigterm(server, archive)
        fetched_before = {p for p in server.requests.paths() if p.startswith("/a/")}
        assert len(fetched_before) < len(site.articles)
        server.requests.clear()
        server.robots_mode = "disallow-all"  # the site closed its doors while we were stopped
        again = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1")
        assert again.returncode == 0, again.stderr
        assert server.requests.paths() == ["/robots.txt"]
    assert_valid_warcs(archive)


def test_resume_trusts_the_warc_over_unsaved_frontier_marks(tmp_path: Path) -> None:
    """A crash after records reached the WARC but before the frontier saved its marks: on resume
    the WARC says what was fetched, so nothing is fetched twice and nothing is lost."""
    import sqlite3

    site = generate_site(n_articles=5)
    archive = tmp_path / "a"
    with SampleSiteServer(site) as server:
        first = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1",
                        "--name", "crash")
        assert first.returncode == 0, first.stderr
        db = sqlite3.connect(archive / ".state" / "crash.frontier.sqlite")
        with db:
            db.execute("UPDATE meta SET value = 'running' WHERE key = 'state'")
            db.execute("UPDATE urls SET state = 'queued' WHERE url LIKE '%/a/%' OR url LIKE '%/'")
        db.close()
        server.requests.clear()
        again = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1",
                        "--name", "crash")
        assert again.returncode == 0, again.stderr
        refetched = [p for p in server.requests.paths() if p != "/robots.txt"]
    assert refetched == []
    assert_valid_warcs(archive)


def test_writer_hashes_files_as_written(tmp_path: Path) -> None:
    import hashlib

    from newsarchiver.archive import WarcWriter
    from newsarchiver.models import FetchResult

    writer = WarcWriter(tmp_path, "hash", max_bytes=10_000)
    for i in range(30):
        writer.write_exchange(FetchResult(url=f"http://example.org/{i}", method="GET", request_headers=(("Host", "example.org"),),
                                          fetched_at="2024-05-01T00:00:00.000000Z", status=200, reason="OK",
                                          headers=(("Content-Type", "text/plain"),), body=b"x" * (500 + i)), "hash")
    writer.close()
    assert len(writer.closed_files) >= 2
    for name in writer.closed_files:
        assert writer.file_sha256[name] == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    assert_valid_warcs(tmp_path)


def _file_size_limit(limit: int):
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("limit", [40_000, 400_000])  # the index cannot be created; a WARC fills up
def test_full_disk_is_one_clear_error_and_closed_records_stay_readable(tmp_path: Path, limit: int) -> None:
    """A file size limit stands in for a full disk: writes fail with an OSError as with ENOSPC."""
    archive = tmp_path / "a"
    with SampleSiteServer(generate_site(n_articles=20, page_kb=120)) as server:
        proc = subprocess.run(
            [sys.executable, "-m", "newsarchiver", "crawl", server.url + "/", "--archive", str(archive),
             "--delay", "0", "--max-depth", "1"],
            capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(limit))
        assert proc.returncode == ExitCode.ARCHIVE, proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("newsarchiver: error:")]
        assert len(errors) == 1 and "disk full" in errors[0]
        assert "Traceback" not in proc.stderr
        assert not list(archive.glob("*.open"))
        if list(archive.glob("*.warc.gz")):
            assert_valid_warcs(archive)  # closed, renamed, every record whole
        again = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1")
        assert again.returncode == 0, again.stderr
        # A run ended by an error stays resumable: the rerun does not start over.
        assert server.requests.paths().count("/") == 1


def test_a_frontier_that_cannot_be_written_is_an_archive_error(tmp_path: Path) -> None:
    script = f"""
import sys
from pathlib import Path
from newsarchiver.errors import ArchiveError
from newsarchiver.frontier import Frontier
frontier = Frontier(Path({str(tmp_path)!r}) / "f.sqlite")
frontier.start("2024-05-01T00:00:00Z")
try:
    for i in range(20000):
        frontier.add(f"http://example.org/{{i}}/" + "x" * 200, "example.org", "page", 1)
        if i % 500 == 0:
            frontier.commit()
except ArchiveError as exc:
    print(exc)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          preexec_fn=_file_size_limit(300_000))
    assert proc.returncode == 0, proc.stderr
    assert "cannot write the crawl frontier" in proc.stdout and "disk full" in proc.stdout


@pytest.mark.parametrize("torn_in", ["request", "response"])
def test_recovery_cuts_a_torn_pair_whole(tmp_path: Path, torn_in: str) -> None:
    """A crawl killed mid-write leaves a torn tail. Recovery keeps only whole request/response
    pairs: a response whose request was torn goes with it (it used to stay, and fail verify)."""
    from newsarchiver.archive import WarcWriter, recover_open_files
    from newsarchiver.models import FetchResult
    from test_warcread import warcio_offsets

    writer = WarcWriter(tmp_path / "w", "torn", max_bytes=10**9, gzip_level=1)
    for i in range(3):
        writer.write_exchange(FetchResult(
            url=f"http://example.org/{i}", method="GET", request_headers=(("Host", "example.org"),),
            fetched_at="2024-05-01T00:00:00.000000Z", status=200, reason="OK",
            headers=(("Content-Type", "text/html"),), body=b"<p>page</p>" * 50), "torn")
    writer.close()
    (written,) = (tmp_path / "w").glob("*.warc.gz")
    offsets = warcio_offsets(written)  # warcinfo, then (response, request) x 3
    last_response, last_request = offsets[-2], offsets[-1]
    start, length = last_request if torn_in == "request" else last_response
    data = written.read_bytes()
    archive = tmp_path / "a"
    archive.mkdir()
    (archive / (written.name + ".open")).write_bytes(data[:start + length // 2])
    (recovered,) = recover_open_files(archive)
    assert recovered.records == 5 and recovered.dropped_bytes == start + length // 2 - last_response[0]
    assert not list(archive.glob("*.open"))
    assert_valid_warcs(archive)


def test_warc_write_failure_cuts_the_partial_record(tmp_path: Path) -> None:
    script = f"""
import sys
from pathlib import Path
from newsarchiver.archive import WarcWriter
from newsarchiver.errors import ArchiveError
from newsarchiver.models import FetchResult
writer = WarcWriter(Path({str(tmp_path)!r}), "full", max_bytes=10**9, gzip_level=1)
body = bytes(range(256)) * 400  # incompressible enough to grow the file quickly
try:
    for i in range(1000):
        writer.write_exchange(FetchResult(url=f"http://example.org/{{i}}", method="GET",
            request_headers=(("Host", "example.org"),), fetched_at="2024-05-01T00:00:00.000000Z",
            status=200, reason="OK", headers=(("Content-Type", "application/octet-stream"),), body=body), "full")
except ArchiveError as exc:
    print(exc)
    writer.close()
    sys.exit(4)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          preexec_fn=_file_size_limit(300_000))
    assert proc.returncode == 4, proc.stderr
    assert "write failed" in proc.stdout and "disk full" in proc.stdout
    assert_valid_warcs(tmp_path)


def test_max_depth_0_fetches_only_the_seed_and_its_assets(tmp_path: Path) -> None:
    with SampleSiteServer(generate_site(n_articles=4)) as server:
        proc = run_cli("crawl", server.url + "/", "--archive", str(tmp_path / "a"), "--delay", "0",
                       "--max-depth", "0")
        assert proc.returncode == 0, proc.stderr
        paths = server.requests.paths()
    assert "/" in paths and "/robots.txt" in paths
    assert not [p for p in paths if "sitemap" in p or p.startswith("/a/")], paths


def test_no_extract_archives_now_and_import_pending_indexes_later(tmp_path: Path) -> None:
    """Archive-only runs still dedup across runs (conditional requests, revisits); the import
    later gives each page its article, and each revisit the article it repeats."""
    import sqlite3

    site = generate_site(n_articles=4)
    archive = tmp_path / "a"
    with SampleSiteServer(site) as server:
        for run in range(2):
            server.requests.clear()
            proc = run_cli("crawl", server.url + "/", "--archive", str(archive), "--delay", "0", "--max-depth", "1",
                           "--no-extract", "--name", "fast")
            assert proc.returncode == 0, proc.stderr
            assert "import --pending" in proc.stderr
        article_requests = [r for r in server.requests.records() if r.path.startswith("/a/")]
    assert article_requests and all(r.headers.get("If-None-Match") for r in article_requests)
    assert len(records(archive, "revisit")) >= len(site.articles)
    assert not records(archive, "conversion")

    def count(sql: str) -> int:
        db = sqlite3.connect(archive / "index.sqlite")
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()

    assert count("SELECT COUNT(*) FROM articles") == 0
    pending = run_cli("import", "--pending", "--archive", str(archive))
    assert pending.returncode == 0, pending.stderr
    assert count("SELECT COUNT(*) FROM articles") == len(site.articles)
    assert count("SELECT COUNT(*) FROM captures WHERE url LIKE '%/a/%' AND article_id IS NULL") == 0
    again = run_cli("import", "--pending", "--archive", str(archive))
    assert again.returncode == 0 and "nothing pending" in again.stdout
    found = run_cli("search", "accord", "--archive", str(archive), "--format", "ids")
    assert found.returncode == 0 and found.stdout.strip()
    assert_valid_warcs(archive)


def test_a_304_after_an_archive_only_run_confirms_the_newest_version(tmp_path: Path) -> None:
    """v1 extracted; the article is edited; an archive-only run captures v2; the next run's 304
    confirms v2 (it used to be tied to v1, which came back as a false third version)."""
    import sqlite3

    site = generate_site(n_articles=1)
    archive = tmp_path / "a"
    with SampleSiteServer(site) as server:
        url = server.url + site.articles[0].path

        def crawl(*extra: str) -> None:
            proc = run_cli("crawl", url, "--archive", str(archive), "--delay", "0", "--max-depth", "0", *extra)
            assert proc.returncode == 0, proc.stderr

        crawl()
        server.edit_article(0)
        crawl("--no-extract")
        crawl()
    assert run_cli("import", "--pending", "--archive", str(archive)).returncode == 0
    db = sqlite3.connect(archive / "index.sqlite")
    try:
        versions = db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        confirmed = db.execute("SELECT version_n FROM captures WHERE status = 304").fetchall()
    finally:
        db.close()
    assert versions == 2 and confirmed == [(2,)]


@pytest.mark.parametrize("args, expected", [
    (["crawl", "http://"], "not a valid URL"),
    (["crawl", "http://127.0.0.1:9/", "--exclude", "("], "--exclude '(': invalid regular expression"),
    (["crawl", "http://127.0.0.1:9/", "--allow-host", "bad host/x"], "--allow-host: allowed host 'bad host/x' is not a host name"),
    (["import"], "give WARC files or --pending"),
    (["import", "x.warc.gz", "--pending"], "give WARC files or --pending"),
])
def test_bad_command_lines_are_one_line_usage_errors(tmp_path: Path, args: list[str], expected: str) -> None:
    proc = run_cli(*args, "--archive", str(tmp_path / "a"), cwd=tmp_path)
    assert proc.returncode == ExitCode.USAGE, proc.stderr
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr
    assert "Traceback" not in proc.stderr
