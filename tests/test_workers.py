"""Crawl workers sharing one frontier in PostgreSQL (issue 7): the frontier's claims, leases and
politeness on a real server (threads standing in for workers), then `newsarchiver worker`
subprocesses crawling a multi-host sample site together, one of them killed with -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchiver.errors import ExitCode
from newsarchiver.frontier import QueuedUrl
from newsarchiver.frontier_pg import NewUrl, Outcome, SharedFrontier, create_schema
from newsarchiver.sample_site import SampleSiteServer, generate_site, running_servers, wait_until
from newsarchiver.worker import sanitize_worker_id, worker_of
from warc_checks import assert_valid_warcs

FrontierFactory = Callable[..., SharedFrontier]


def take_all(_item: QueuedUrl, _robots_state: str) -> str | None:
    return None


def pages(host: str, n: int, kind: str = "page") -> list[NewUrl]:
    return [NewUrl(f"http://{host}/p{i}", host, kind, 0) for i in range(n)]


@pytest.fixture
def frontiers(pg_url: str) -> Iterator[FrontierFactory]:
    """Open SharedFrontiers (one connection each, as one per worker) on a schema with the tables."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        create_schema(conn)
    opened: list[SharedFrontier] = []

    def open_one(worker: str, job: str = "news", **kwargs: object) -> SharedFrontier:
        frontier = SharedFrontier.connect(pg_url, job, worker, **kwargs)  # type: ignore[arg-type]
        opened.append(frontier)
        return frontier

    yield open_one
    for frontier in opened:
        frontier.close()


def start(frontier: SharedFrontier, seeds: list[NewUrl], **settings: object) -> None:
    options: dict[str, object] = {"max_pages": 1000, "delay_seconds": 0.0, "connections_per_host": 1,
                                  "obey_robots": False, **settings}
    frontier.start(seeds, **options)  # type: ignore[arg-type]


# --- the frontier ------------------------------------------------------------------------------

def test_concurrent_claims_never_give_one_url_to_two_workers(frontiers: FrontierFactory) -> None:
    hosts = [f"h{i}.example:80" for i in range(6)]
    seeds = [url for host in hosts for url in pages(host, 15)]
    workers = [frontiers(f"w{i}") for i in range(8)]
    for frontier in workers:
        start(frontier, seeds)  # every worker seeds: nothing is added twice
    claims: list[tuple[str, str]] = []
    active: Counter[str] = Counter()
    overlaps: list[str] = []
    lock = threading.Lock()

    def work(frontier: SharedFrontier) -> None:
        idle = 0
        while idle < 20:
            item = frontier.claim(take_all)
            if item is None:
                idle += 1
                time.sleep(0.01)
                continue
            idle = 0
            with lock:
                claims.append((frontier.worker, item.url))
                active[item.host] += 1
                if active[item.host] > 1:
                    overlaps.append(item.host)
            time.sleep(0.002)
            with lock:
                active[item.host] -= 1  # before the outcome commits: then the host is free again
            frontier.complete(claims=[Outcome(item.url, "done", "HTTP 200")])

    threads = [threading.Thread(target=work, args=(f,)) for f in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    urls = Counter(url for _, url in claims)
    assert sorted(urls) == sorted(s.url for s in seeds) and set(urls.values()) == {1}
    assert overlaps == [], "two workers fetched from one host at once (connections_per_host = 1)"
    assert len({worker for worker, _ in claims}) >= 4  # the work was really shared
    assert workers[0].counts() == {"done": len(seeds)}
    assert workers[0].finish_if_done() and workers[1].is_finished()


def test_an_expired_lease_is_claimed_again_then_failed_after_max_attempts(frontiers: FrontierFactory, pg_url: str) -> None:
    a = frontiers("a", lease_seconds=1, max_attempts=2)
    b = frontiers("b", lease_seconds=1, max_attempts=2)
    start(a, pages("one.example:80", 1))
    start(b, [])
    first = a.claim(take_all)
    assert first is not None and b.claim(take_all) is None  # claimed, and its host is busy
    assert b.reap() == 0  # the lease is still live
    time.sleep(1.2)
    assert b.reap() == 1
    again = b.claim(take_all)
    assert again is not None and again.url == first.url
    a.renew()  # a's lease is gone: renewing claims nothing back
    time.sleep(1.2)
    assert a.reap() == 1  # b died too: second attempt spent, so failed
    assert a.counts() == {"failed": 1}
    with psycopg.connect(pg_url, autocommit=True) as conn:
        note, attempts = conn.execute("SELECT note, attempts FROM frontier_urls").fetchone()
    assert attempts == 2 and "lease ran out" in note
    assert a.finish_if_done()


def test_a_late_outcome_never_overwrites_the_claim_of_the_worker_fetching_now(frontiers: FrontierFactory,
                                                                              pg_url: str) -> None:
    a = frontiers("a", lease_seconds=1)
    b = frontiers("b", lease_seconds=60)
    start(a, pages("one.example:80", 2))
    start(b, [])
    stalled = a.claim(take_all)
    assert stalled is not None
    time.sleep(1.2)  # a hangs past its lease; b takes the URL over
    assert b.reap() == 1
    taken = b.claim(take_all)
    assert taken is not None and taken.url == stalled.url
    a.complete(claims=[Outcome(stalled.url, "failed", "timeout")])  # a wakes up and reports late
    with psycopg.connect(pg_url, autocommit=True) as conn:
        state, worker = conn.execute("SELECT state, worker FROM frontier_urls WHERE url = %s",
                                     (stalled.url,)).fetchone()
    assert (state, worker) == ("claimed", "b")
    assert a.claim(take_all) is None  # b is still fetching from the host: one connection per host


def test_renewed_leases_live_and_released_claims_go_back_at_once(frontiers: FrontierFactory, pg_url: str) -> None:
    a = frontiers("a", lease_seconds=1)
    b = frontiers("b", lease_seconds=1)
    start(a, pages("one.example:80", 1) + pages("two.example:80", 1))
    start(b, [])
    claimed = [a.claim(take_all), a.claim(take_all)]
    for _ in range(3):
        time.sleep(0.5)
        assert a.renew() == 2
        assert b.reap() == 0
    assert a.release() == 2  # a stops (SIGTERM): its claims are b's now, attempts not counted
    assert sorted(x.url for x in (b.claim(take_all), b.claim(take_all)) if x) == sorted(x.url for x in claimed if x)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT array_agg(attempts) FROM frontier_urls").fetchone()[0] == [1, 1]


def test_a_robots_txt_no_worker_could_fetch_means_disallow_all(frontiers: FrontierFactory) -> None:
    a = frontiers("a", lease_seconds=1, max_attempts=1)
    host = "one.example:80"
    start(a, pages(host, 2), obey_robots=True)
    robots = a.claim(take_all)
    assert robots is not None and robots.kind == "robots"
    time.sleep(1.2)  # its worker died, and one attempt is all there is
    assert a.reap() == 1
    assert a.robots_of(host) == (None, b"", f"http://{host}/robots.txt")  # unreachable: RFC 9309 disallow all
    refused: list[str] = []

    def obey(item: QueuedUrl, robots_state: str) -> str | None:
        refused.append(item.url)
        return "robots.txt unreachable"

    assert a.claim(obey) is None and len(refused) == 2  # the host's pages no longer wait: skipped
    assert a.counts() == {"failed": 1, "skipped": 2} and a.finish_if_done()


def test_the_delay_per_host_holds_across_workers(frontiers: FrontierFactory) -> None:
    a, b = frontiers("a"), frontiers("b")
    start(a, pages("one.example:80", 2) + pages("two.example:80", 1), delay_seconds=0.4)
    start(b, [])
    first = a.claim(take_all)
    assert first is not None
    a.complete(claims=[Outcome(first.url, "done")])
    second = b.claim(take_all)
    assert second is not None and second.host != first.host  # first's host waits out its delay
    assert b.claim(take_all) is None
    wait = b.seconds_to_next()
    assert wait is not None and 0.3 < wait <= 0.4
    time.sleep(wait + 0.02)
    third = b.claim(take_all)
    assert third is not None and third.host == first.host


def test_robots_txt_is_fetched_once_and_its_rules_shared(frontiers: FrontierFactory, pg_url: str) -> None:
    from newsarchiver.robots import RobotsPolicy

    a, b = frontiers("a"), frontiers("b")
    host = "one.example:80"
    start(a, [NewUrl(f"http://{host}/drafts/x", host, "page", 0), NewUrl(f"http://{host}/news", host, "page", 0)],
          obey_robots=True)
    start(b, [])
    robots = a.claim(take_all)
    assert robots is not None and robots.kind == "robots" and robots.url == f"http://{host}/robots.txt"
    assert b.claim(take_all) is None  # no page of the host before its robots.txt is in
    a.complete(claims=[Outcome(robots.url, "done", "HTTP 200")],
               robots=[(host, 200, b"User-agent: *\nDisallow: /drafts/\nCrawl-delay: 0.5\n", 0.5)])
    status, body, url = b.robots_of(host) or (None, b"", None)
    policy = RobotsPolicy.from_response(status, body, url=url)

    def obey(item: QueuedUrl, robots_state: str) -> str | None:
        assert robots_state == "fetched"
        return None if policy.allowed(item.url) else "robots.txt disallows"

    assert b.claim(obey) is None  # the Crawl-delay (0.5 s), not the crawl's delay of 0
    wait = b.seconds_to_next()
    assert wait is not None and 0.4 < wait <= 0.5
    time.sleep(wait + 0.02)
    page = b.claim(obey)
    assert page is not None and page.url == f"http://{host}/news"
    assert a.counts() == {"done": 1, "claimed": 1, "skipped": 1}  # /drafts/x skipped by that claim
    with psycopg.connect(pg_url, autocommit=True) as conn:
        note = conn.execute("SELECT note FROM frontier_urls WHERE state = 'skipped'").fetchone()[0]
    assert note == "robots.txt disallows"


def test_max_pages_holds_across_workers(frontiers: FrontierFactory) -> None:
    workers = [frontiers(f"w{i}") for i in range(3)]
    seeds = [url for i in range(10) for url in pages(f"h{i}.example:80", 2)] + pages("feeds.example:80", 2, "feed")
    for frontier in workers:
        start(frontier, seeds, max_pages=5)
    got: list[QueuedUrl] = []
    for _ in range(10):
        for frontier in workers:
            item = frontier.claim(take_all)
            if item is not None:
                got.append(item)
                frontier.complete(claims=[Outcome(item.url, "done")])
    assert sum(item.kind == "page" for item in got) == 5
    assert sum(item.kind == "feed" for item in got) == 2  # feeds are not pages: never over budget
    assert workers[0].counts() == {"done": 7, "skipped": 15}
    assert workers[0].finish_if_done()


def test_seeding_is_idempotent_and_a_finished_crawl_waits_until_due(frontiers: FrontierFactory) -> None:
    a, b = frontiers("a"), frontiers("b")
    seeds = pages("one.example:80", 3)
    start(a, seeds)
    start(b, seeds + pages("one.example:80", 4))  # a joining worker adds only what is new
    assert a.counts() == {"queued": 4} and a.crawl and a.crawl.began and b.crawl and not b.crawl.began
    while (item := b.claim(take_all)) is not None:
        b.complete(claims=[Outcome(item.url, "done")], added=[NewUrl(item.url, item.host, "page", 1)])
    assert a.counts() == {"done": 4} and a.finish_if_done()
    later = a.start(seeds, max_pages=10, delay_seconds=0, connections_per_host=1, obey_robots=False,
                    begin_new=lambda last: False)
    assert later.state == "finished" and not later.began and a.counts() == {"done": 4}
    new = a.start(seeds, max_pages=10, delay_seconds=0, connections_per_host=1, obey_robots=False)
    assert new.began and new.crawl_no == later.crawl_no + 1 and a.counts() == {"queued": 3}


def test_worker_ids_and_file_names() -> None:
    assert sanitize_worker_id(" host/a b:1 ") == "host-a-b-1"
    assert worker_of("news-host-a-1234-20260101120000-00001.warc.gz", "news") == "host-a-1234"
    assert worker_of("news-20260101120000-00001.warc.gz", "news") is None  # a `run news` file
    assert worker_of("other-w-20260101120000-00001.warc.gz", "news") is None


# --- `newsarchiver worker` ------------------------------------------------------------------------

DELAY = 0.3


def write_config(path: Path, seeds: list[str], *, lease: float = 4.0, max_depth: int = 1,
                 max_pages: int = 1000) -> Path:
    path.write_text(f"""
[crawl]
delay_seconds = {DELAY}
timeout_seconds = 10
max_fetch_seconds = 20
retries = 0

[extract]
workers = 1

[workers]
lease_seconds = {lease}
poll_seconds = 0.2

[[jobs]]
name = "news"
seeds = {json.dumps(seeds)}
max_depth = {max_depth}
max_pages = {max_pages}
""", encoding="utf-8")
    return path


def worker_cmd(config: Path, archive: Path, pg_url: str, worker_id: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsarchiver", "worker", "-c", str(config), "--archive", str(archive),
            "--index", pg_url, "--worker-id", worker_id, *extra]


def finish(procs: list[subprocess.Popen[str]], timeout: float = 120) -> list[tuple[int, str, str]]:
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
        results.append((proc.returncode, out, err))
    return results


def responses(archives: list[Path]) -> list[tuple[str, str, int]]:
    """(target URI, file, offset) of every response/revisit record in the archives' WARCs."""
    found = []
    for archive in archives:
        for path in sorted(archive.glob("*.warc.gz")):
            with open(path, "rb") as handle:
                iterator = ArchiveIterator(handle)
                for record in iterator:
                    if record.rec_type in ("response", "revisit"):
                        found.append((record.rec_headers.get_header("WARC-Target-URI"), path.name,
                                      iterator.get_record_offset()))
    return found


def request_gaps(server: SampleSiteServer) -> list[float]:
    starts = [r.at for r in server.requests.records()]
    return [later - earlier for earlier, later in zip(starts, starts[1:])]


def test_three_workers_crawl_a_multi_host_site_once_each_url(tmp_path: Path, pg_url: str) -> None:
    with running_servers(3, n_articles=5) as servers:
        config = write_config(tmp_path / "config.toml", [s.url + "/" for s in servers])
        archives = [tmp_path / f"w{i}" for i in range(3)]
        started = time.monotonic()
        procs = [subprocess.Popen(worker_cmd(config, archive, pg_url, f"w{i}", "--report", str(tmp_path / f"r{i}.json")),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i, archive in enumerate(archives)]
        results = finish(procs)
        elapsed = time.monotonic() - started
        logs = {s.url: s.requests.paths() for s in servers}
        gaps = {s.url: request_gaps(s) for s in servers}
    for code, out, err in results:
        assert code == 0, err
        assert out.count("\n") == 1 and "shared crawl:" in out and "0 left" in out, out
    for url, paths in logs.items():
        assert paths.count("/robots.txt") == 1
        twice = [p for p, n in Counter(paths).items() if n > 1]
        assert twice == [], f"{url}: fetched more than once: {twice}"
        assert sum(p.startswith("/a/") for p in paths) == 5
        assert not [p for p in paths if p.startswith("/private/")]  # robots.txt obeyed by every worker
    for url, between in gaps.items():
        assert min(between) >= DELAY - 0.05, f"{url}: requests {min(between):.3f}s apart"
    used = [a for a in archives if list(a.glob("*.warc.gz"))]
    assert len(used) >= 2, "the work was not shared"
    for archive in used:
        for path in assert_valid_warcs(archive):
            assert worker_of(path.name, "news") == archive.name  # news-w1-<ts>-00001.warc.gz
    captured = responses(used)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute('SELECT url, warc_file, "offset" FROM captures').fetchall()
        crawls = conn.execute("SELECT state, crawl_no FROM frontier_crawls").fetchall()
    assert sorted(rows) == sorted(captured)  # every capture indexed with its worker's file and offset
    assert crawls == [("finished", 1)]
    reports = [json.loads((tmp_path / f"r{i}.json").read_text()) for i in range(3)]
    assert sum(r["crawl_began"] for r in reports) == 1 and {r["crawl_no"] for r in reports} == {1}
    assert sum(r["fetched"] for r in reports) == len(captured) and reports[0]["worker_id"] == "w0"
    print(f"three workers, 3 hosts: {len(captured)} captures in {elapsed:.1f}s")


def test_a_worker_hands_a_redirect_to_another_host_to_the_frontier(tmp_path: Path, pg_url: str) -> None:
    """The redirect's target goes through the shared frontier: that host's robots.txt first, and
    it takes the redirect's place in max_pages."""
    site = generate_site(n_articles=2)
    with SampleSiteServer(site, hostile=True) as server, SampleSiteServer(site) as other:
        article = site.articles[0].path
        config = write_config(tmp_path / "config.toml", [server.url + "/hostile/redirect?to=" + other.url + article],
                              max_depth=0, max_pages=1)
        (code, out, err), = finish([subprocess.Popen(worker_cmd(config, tmp_path / "w0", pg_url, "w0"),
                                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)])
        assert code == 0, err
        assert other.requests.paths() == ["/robots.txt", article]
    assert_valid_warcs(tmp_path / "w0")


def test_kill_9_worker_its_claims_taken_over_after_the_lease(tmp_path: Path, pg_url: str) -> None:
    lease = 3.0
    hostile = SampleSiteServer(generate_site("Hostile News", 3, 7), hostile=True)
    with hostile, running_servers(2, n_articles=3) as servers:
        hostile.slow_seconds = 120  # the victim's request hangs until it is killed
        everyone = [hostile, *servers]
        seeds = [hostile.url + "/", hostile.url + "/hostile/slow"] + [s.url + "/" for s in servers]
        config = write_config(tmp_path / "config.toml", seeds, lease=lease)
        archives = [tmp_path / f"w{i}" for i in range(3)]
        # One fetch thread: the victim holds the slow claim and nothing else in flight when killed.
        victim = subprocess.Popen(worker_cmd(config, archives[0], pg_url, "victim", "--workers", "1"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_until(lambda: hostile.count("/hostile/slow") == 1, timeout=60)
            others = [subprocess.Popen(worker_cmd(config, archive, pg_url, f"w{i + 1}"), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True) for i, archive in enumerate(archives[1:])]
            time.sleep(0.5)
            os.kill(victim.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            victim.communicate(timeout=30)
        finally:
            if victim.poll() is None:
                victim.kill()
        hostile.slow_seconds = 0.1  # answers quickly when another worker asks again
        assert wait_until(lambda: hostile.count("/hostile/slow") == 2, timeout=30)
        taken_over = time.monotonic() - killed_at
        results = finish(others)
        assert list(archives[0].glob("*.open")), "the killed worker left its WARC open"
        # A worker started later in the victim's directory recovers its file; the crawl is done.
        after = subprocess.run(worker_cmd(config, archives[0], pg_url, "restarted"), capture_output=True,
                               text=True, timeout=60)
        logs = {s.url: s.requests.paths() for s in everyone}
        wanted = {hostile.url + "/hostile/slow"} | {s.url + a.path for s in everyone for a in s.site.articles}
    for code, _out, err in results:
        assert code == 0, err
    assert after.returncode == 0 and "nothing to do" in after.stdout, after.stdout + after.stderr
    assert lease - 1 <= taken_over <= lease + 5, f"taken over {taken_over:.1f}s after the kill"
    for url, paths in logs.items():
        twice = [p for p, n in Counter(paths).items() if n > 1 and p != "/hostile/slow"]
        assert twice == [], f"{url}: fetched more than once: {twice}"
    captured = {uri for uri, _, _ in responses(archives)}
    assert wanted <= captured
    for archive in archives:
        assert_valid_warcs(archive)


def test_workers_config_section_is_validated(tmp_path: Path) -> None:
    from newsarchiver.config import load_config
    from newsarchiver.errors import ConfigError

    config = write_config(tmp_path / "config.toml", ["http://127.0.0.1:9/"], lease=0.5)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).endswith("workers.lease_seconds: expected a number >= 1, got 0.5")
    assert "config.toml:" in str(caught.value)  # file and line
    text = config.read_text().replace("lease_seconds = 0.5", "lease_secs = 5")
    config.write_text(text)
    with pytest.raises(ConfigError, match="did you mean 'lease_seconds'"):
        load_config(config)


def test_worker_without_a_postgresql_index_is_a_usage_error(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", ["http://127.0.0.1:9/"])
    proc = subprocess.run([sys.executable, "-m", "newsarchiver", "worker", "-c", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == ExitCode.USAGE
    assert len(proc.stderr.strip().splitlines()) == 1 and "PostgreSQL" in proc.stderr


def test_sigterm_stops_a_worker_and_gives_its_claims_back(tmp_path: Path, pg_url: str) -> None:
    with running_servers(1, n_articles=4) as servers:
        config = write_config(tmp_path / "config.toml", [servers[0].url + "/"])
        proc = subprocess.Popen(worker_cmd(config, tmp_path / "a", pg_url, "w"), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert wait_until(lambda: sum(p.startswith("/a/") for p in servers[0].requests.paths()) >= 1, timeout=60)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == ExitCode.INTERRUPTED, err
        assert "interrupted" in out and not list((tmp_path / "a").glob("*.open"))
        with psycopg.connect(pg_url, autocommit=True) as conn:
            states = dict(conn.execute("SELECT state, count(*) FROM frontier_urls GROUP BY state").fetchall())
        assert "claimed" not in states and states.get("queued", 0) > 0
        again = subprocess.run(worker_cmd(config, tmp_path / "b", pg_url, "w2"), capture_output=True, text=True,
                               timeout=120)
        assert again.returncode == 0, again.stderr
        paths = servers[0].requests.paths()
    assert [p for p, n in Counter(paths).items() if n > 1] == []
    assert_valid_warcs(tmp_path / "a")
    assert_valid_warcs(tmp_path / "b")


def test_workers_search_results_match_a_single_machine_sqlite_crawl(tmp_path: Path, pg_url: str) -> None:
    with running_servers(2, n_articles=4) as servers:
        seeds = [s.url + "/" for s in servers]
        config = write_config(tmp_path / "config.toml", seeds)
        procs = [subprocess.Popen(worker_cmd(config, tmp_path / f"w{i}", pg_url, f"w{i}"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(3)]
        for code, _out, err in finish(procs):
            assert code == 0, err
        single = subprocess.run([sys.executable, "-m", "newsarchiver", "run", "news", "-c", str(config),
                                 "--archive", str(tmp_path / "single"), "--index", "sqlite"],
                                capture_output=True, text=True, timeout=120)
        assert single.returncode == 0, single.stderr
        # A distinctive word of each article's headline.
        words = sorted({max(a.title.split(), key=len).strip(",.") for s in servers for a in s.site.articles})

    def hits(query: str, *store: str) -> list[tuple[str, str]]:
        out = subprocess.run([sys.executable, "-m", "newsarchiver", "search", query, "--format", "jsonl",
                              "--limit", "100", "-c", str(config), *store], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        return sorted((row["url"], row["title"]) for row in rows)

    query = " OR ".join(words)
    on_sqlite = hits(query, "--archive", str(tmp_path / "single"), "--index", "sqlite")
    assert len(on_sqlite) == 8
    assert hits(query, "--archive", str(tmp_path / "w0"), "--index", pg_url) == on_sqlite
    # Everything indexed (the empty query lists all articles), not only what the words find.
    everything = hits("", "--archive", str(tmp_path / "single"), "--index", "sqlite")
    assert len(everything) >= 8
    assert hits("", "--archive", str(tmp_path / "w0"), "--index", pg_url) == everything


def test_recovery_settles_what_a_dead_worker_wrote(tmp_path: Path, pg_url: str) -> None:
    """A worker killed between writing records and committing their outcome: a worker started in
    its directory finds the records in the recovered file and never fetches those URLs again."""
    with running_servers(1, n_articles=3) as servers:
        server = servers[0]
        config = write_config(tmp_path / "config.toml", [server.url + "/"])
        archive = tmp_path / "a"
        first = subprocess.run(worker_cmd(config, archive, pg_url, "dead"), capture_output=True, text=True,
                               timeout=120)
        assert first.returncode == 0, first.stderr
        # Make it look as if "dead" crashed after writing: its file open again, its URLs claimed.
        files = sorted(archive.glob("news-dead-*.warc.gz"))
        files[0].rename(files[0].with_name(files[0].name + ".open"))
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("UPDATE frontier_crawls SET state = 'running'")
            conn.execute("UPDATE frontier_urls SET state = 'claimed', worker = 'dead', "
                         "lease_until = clock_timestamp() + interval '1 hour' WHERE url LIKE '%/a/%'")
        server.requests.clear()
        again = subprocess.run(worker_cmd(config, archive, pg_url, "new"), capture_output=True, text=True,
                               timeout=120)
        assert again.returncode == 0, again.stderr
        assert "0 left" in again.stdout
        assert [p for p in server.requests.paths() if p.startswith("/a/")] == []
    assert_valid_warcs(archive)


@pytest.fixture(autouse=True)
def _no_stray_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config.toml of the repository picked up by accident
