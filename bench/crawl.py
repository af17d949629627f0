"""Crawl a local news site with newsarchiver, GNU wget and a minimal crawler, interleaved.

    python bench/crawl.py [--scenario server,latency,sitemap,cpu] [--articles 1000] [--hosts 3]
                          [--repeat 2] [--json FILE] [--keep DIR]

Sites: bench/site.py, one process per host (sample_site server: HTTP/1.1 keep-alive, TCP_NODELAY,
one sendall per response, article pages pre-rendered), ~75 KB article pages with full chrome.
Every crawler runs as a child process and each run is measured the same way:
  wall          from spawn to exit (interpreter start-up and closing the WARC included)
  CPU           user+sys from wait4() of the crawler, plus every process it left behind
                (the bench is a child subreaper, so newsarchiver's forkserver and extraction
                workers are reaped and counted here: "all" = main process + those)
  responses     response/revisit records in the WARCs it wrote, read back with warcio
  articles      distinct article URLs (/a/YYYY/MM/DD/*.html) archived with status 200
  server CPU    of the site processes during the run (from /proc), as a share of one core
  others        CPU used by processes that are neither the crawler nor the site (other work on
                the machine), in cores: when it is high, rates are noisy, CPU ms are not.
Scenarios (runs interleaved within a scenario: A, B, C, A, B, C, ...):
  server   ceiling of one site process: a raw-socket keep-alive GET loop, 1 and 4 connections.
  latency  50 ms per response, 1 host, recursive from the front page. newsarchiver
           --connections 4 (8 fetch threads, the default: a connection takes the next URL while
           its thread compresses the last response) vs wget (one connection) vs minimal (4
           threads). Goal >= 3x wget resp/s.
  sitemap  0 ms, --hosts hosts. newsarchiver `crawl .../sitemap.xml --max-depth 0` against the
           issue's baseline, `wget --recursive` from each front page (wget has no sitemap
           support); goal >= 1x its articles/s. Also against `wget -i LIST` of the sitemaps' URLs
           ("wget-list", built before timing), which fetches only what the sitemap crawl fetches:
           a stricter reference, reported beside the goal (see the note printed with the table).
  cpu      same site and runs as sitemap (shared when both are chosen): CPU ms per archived
           response vs bench/minimal_crawler.py. Goal <= 1.25x. newsarchiver cannot turn
           extraction off from the CLI, so it is reported with extraction ("all") and for its
           main process alone (fetch, WARC, frontier, SQLite index; extraction excluded).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WGET = shutil.which("wget") or "/usr/bin/wget"
ARTICLE_PATH = re.compile(r"^/a/\d{4}/\d{2}/\d{2}/[a-z0-9-]+\.html$")
ALL_SCENARIOS = ("server", "latency", "sitemap", "cpu")


def _load_site_module():  # bench/site.py: "site" is also a stdlib module, so load it by path
    spec = importlib.util.spec_from_file_location("bench_site", BENCH / "site.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- measuring a child process ------------------------------------------------------------------


def become_subreaper() -> bool:
    """Orphans of our children (newsarchiver's forkserver, ...) are reparented to us, so their
    CPU can be collected with wait4 instead of being lost to init."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children_of_me() -> list[int]:
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            found.append(int(entry))
    return found


def _system_busy_seconds() -> float:
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    wall: float
    cpu_main: float  # the crawler process (and children it reaped itself)
    cpu_left_behind: float  # orphans reaped by us: newsarchiver's extraction forkserver + workers
    server_cpu: float
    others_cpu: float  # everything else on the machine during the run
    exit_code: int

    @property
    def cpu_all(self) -> float:
        return self.cpu_main + self.cpu_left_behind


def run_measured(cmd: list[str], cwd: Path, log: Path, sites, keep_pids: set[int],
                 timeout: float) -> Measured:
    busy0, server0 = _system_busy_seconds(), sites.cpu_seconds()
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = t0 + timeout
    status, usage = 0, None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.01)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu_main = usage.ru_utime + usage.ru_stime
    left = reap_orphans(keep_pids)
    server = sites.cpu_seconds() - server0
    others = _system_busy_seconds() - busy0 - cpu_main - left - server
    return Measured(wall, cpu_main, left, server, max(0.0, others), proc.returncode)


def reap_orphans(keep_pids: set[int]) -> float:
    """CPU seconds of the processes a crawler left to us (we are a child subreaper): its extraction
    forkserver and pool processes, which exit once their parent is gone (EOF on its alive pipe)."""
    cpu = 0.0
    deadline = time.monotonic() + 30
    while True:
        orphans = [p for p in _children_of_me() if p not in keep_pids]
        if not orphans:
            return cpu
        for pid in orphans:
            try:
                done, _status, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if done:
                cpu += usage.ru_utime + usage.ru_stime
            elif time.monotonic() > deadline:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


# --- reading the WARCs back ---------------------------------------------------------------------


@dataclass
class WarcCount:
    responses: int = 0
    revisits: int = 0
    status_200: int = 0
    articles: set[str] = field(default_factory=set)  # host:port/path
    urls: set[str] = field(default_factory=set)
    conversions: int = 0
    bytes: int = 0


def count_warcs(paths: list[Path]) -> WarcCount:
    from warcio.archiveiterator import ArchiveIterator

    c = WarcCount()
    for path in paths:
        c.bytes += path.stat().st_size
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                kind = rec.rec_type
                if kind == "conversion":
                    c.conversions += 1
                if kind not in ("response", "revisit"):
                    continue
                c.responses += 1
                c.revisits += kind == "revisit"
                url = rec.rec_headers.get_header("WARC-Target-URI") or ""
                c.urls.add(url)
                status = rec.http_headers.get_statuscode() if rec.http_headers else None
                if status == "200":
                    c.status_200 += 1
                    parts = urlsplit(url)
                    if ARTICLE_PATH.match(parts.path):
                        c.articles.add(parts.netloc + parts.path)
    return c


# --- the crawlers -------------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    command: Callable[[Path], list[str]]  # run directory -> argv
    warcs: Callable[[Path], list[Path]]  # run directory -> WARC files written


NO_EXTRACT = False  # set from --no-extract


def newsarchiver_tool(seeds: list[str], connections: int, workers: int, max_depth: int,
                      extract_workers: int | None) -> Tool:
    def command(d: Path) -> list[str]:
        cmd = [sys.executable, "-m", "newsarchiver", "crawl", *seeds, "--archive", str(d / "archive"),
               "--delay", "0", "--connections", str(connections), "--workers", str(workers),
               "--max-pages", "1000000", "--max-depth", str(max_depth)]
        if extract_workers is not None:
            cmd += ["--extract-workers", str(extract_workers)]
        if NO_EXTRACT:
            cmd += ["--no-extract"]  # archive only, as wget and the minimal crawler do
        return cmd

    return Tool("newsarchiver", command, lambda d: sorted((d / "archive").glob("*.warc.gz")))


def wget_recursive_tool(seeds: list[str]) -> Tool:
    def command(d: Path) -> list[str]:
        # utm_* links are the same pages with tracking parameters: newsarchiver and the minimal
        # crawler normalise them away, so wget is told to skip them, or it would fetch dozens of
        # copies of each page and lose the comparison for a reason unrelated to speed.
        return [WGET, "--recursive", "--level=inf", "--wait=0", "--no-verbose", "--delete-after",
                f"--warc-file={d / 'wget'}", "--reject-regex=[?&]utm_", "--directory-prefix",
                str(d / "files"), *seeds]

    return Tool("wget", command, lambda d: [d / "wget.warc.gz"])


def wget_list_tool(url_file: Path) -> Tool:
    def command(d: Path) -> list[str]:
        return [WGET, "--input-file", str(url_file), "--wait=0", "--no-verbose", "--delete-after",
                f"--warc-file={d / 'wget'}", "--directory-prefix", str(d / "files")]

    return Tool("wget-list", command, lambda d: [d / "wget.warc.gz"])


def minimal_tool(seeds: list[str], connections: int) -> Tool:
    def command(d: Path) -> list[str]:
        return [sys.executable, str(BENCH / "minimal_crawler.py"), *seeds, "--warc",
                str(d / "minimal.warc.gz"), "--connections", str(connections)]

    return Tool("minimal", command, lambda d: [d / "minimal.warc.gz"])


# --- scenario plumbing --------------------------------------------------------------------------


@dataclass
class Run:
    scenario: str
    tool: str
    repeat: int
    wall_s: float
    responses: int
    articles: int
    status_200: int
    conversions: int
    warc_mb: float
    cpu_main_s: float
    cpu_all_s: float
    server_cpu_s: float
    others_cores: float
    exit_code: int

    @property
    def responses_per_s(self) -> float:
        return self.responses / self.wall_s

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall_s

    @property
    def cpu_ms_per_response(self) -> float:
        return 1000 * self.cpu_all_s / max(1, self.responses)

    @property
    def cpu_main_ms_per_response(self) -> float:
        return 1000 * self.cpu_main_s / max(1, self.responses)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.runs: list[Run] = []
        self.notes: list[str] = []
        self.checks: list[str] = []
        self.server: dict[str, object] = {}
        self.workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="na-bench-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.site_module = _load_site_module()

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def interleave(self, scenario: str, tools: list[Tool], sites) -> dict[str, WarcCount]:
        keep = set(sites.pids)
        last: dict[str, WarcCount] = {}
        for r in range(1, self.args.repeat + 1):
            for tool in tools:
                d = self.workdir / f"{scenario}-{tool.name}-{r}"
                shutil.rmtree(d, ignore_errors=True)
                d.mkdir(parents=True)
                cmd = tool.command(d)
                if r == 1:
                    self.say(f"  $ {' '.join(cmd)}")
                m = run_measured(cmd, d, d / "log.txt", sites, keep, self.args.timeout)
                warcs = [p for p in tool.warcs(d) if p.exists()]
                count = count_warcs(warcs)
                last[tool.name] = count
                run = Run(scenario, tool.name, r, round(m.wall, 3), count.responses, len(count.articles),
                          count.status_200, count.conversions, round(count.bytes / 1e6, 1),
                          round(m.cpu_main, 3), round(m.cpu_all, 3), round(m.server_cpu, 3),
                          round(m.others_cpu / m.wall, 2), m.exit_code)
                self.runs.append(run)
                self.say(f"  [{scenario} {r}/{self.args.repeat}] {tool.name:12} {run.wall_s:7.1f}s "
                         f"{run.responses:5} resp {run.articles:5} art {run.responses_per_s:7.1f} resp/s "
                         f"{run.cpu_ms_per_response:6.2f} CPU ms/resp (main {run.cpu_main_ms_per_response:.2f}) "
                         f"server {100 * run.server_cpu_s / run.wall_s:3.0f}% others {run.others_cores:.2f} cores "
                         f"exit {run.exit_code}")
                if m.exit_code != 0:
                    self.say(f"    exit {m.exit_code}; log: {d / 'log.txt'}")
                if not self.args.keep:
                    shutil.rmtree(d, ignore_errors=True)
        return last

    def compare_sets(self, scenario: str, counts: dict[str, WarcCount]) -> None:
        for tool in counts:
            codes = [r.exit_code for r in self.runs if r.scenario == scenario and r.tool == tool]
            if any(codes):
                self.checks.append(f"{scenario}: {tool} exit codes {codes} (see its log.txt with --keep)")
        names = list(counts)
        base = counts[names[0]].articles
        for other in names[1:]:
            o = counts[other].articles
            same = "same" if o == base else f"DIFFERENT ({len(base - o)} only in {names[0]}, {len(o - base)} only in {other})"
            self.checks.append(f"{scenario}: article set {names[0]} vs {other}: {same} ({len(base)} vs {len(o)})")
            a_paths = {urlsplit(u).path for u in counts[names[0]].urls}
            o_paths = {urlsplit(u).path for u in counts[other].urls}
            for who, vs, extra in ((names[0], other, a_paths - o_paths), (other, names[0], o_paths - a_paths)):
                if extra:
                    shown = ", ".join(sorted(extra)[:5]) + (" ..." if len(extra) > 5 else "")
                    self.checks.append(f"{scenario}:   paths only {who} fetched (vs {vs}): {len(extra)}: {shown}")

    # --- scenarios ----------------------------------------------------------------------------

    def scenario_server(self) -> None:
        a = self.args
        self.say(f"server: ceiling of one site process, {a.articles} articles, 0 ms")
        with self.site_module.SiteProcesses(a.articles, a.page_kb, 1, 0) as sites:
            paths = [urlsplit(u).path for u in sitemap_urls(sites.urls[0])[3:]]
            pfile = self.workdir / "server-paths.txt"
            pfile.write_text("\n".join(paths) + "\n")
            for conns in (1, 4):
                cpu0 = sites.cpu_seconds()
                t0 = time.monotonic()
                procs = [subprocess.Popen([sys.executable, __file__, "--load-client", sites.urls[0],
                                           "--seconds", str(a.server_seconds), "--paths", str(pfile),
                                           "--offset", str(k * 97)], stdout=subprocess.PIPE, text=True)
                         for k in range(conns)]
                outs = [json.loads(p.communicate()[0]) for p in procs]
                wall = time.monotonic() - t0
                rps = sum(o["requests"] for o in outs) / a.server_seconds
                mbps = sum(o["bytes"] for o in outs) / a.server_seconds / 1e6
                busy = 100 * (sites.cpu_seconds() - cpu0) / wall
                self.server[f"{conns}_connections"] = {"responses_per_s": round(rps), "MB_per_s": round(mbps, 1),
                                                       "server_cpu_percent": round(busy)}
                self.say(f"  {conns} keep-alive connection(s): {rps:.0f} responses/s, {mbps:.0f} MB/s, "
                         f"server process {busy:.0f}% CPU")

    def scenario_latency(self) -> None:
        a = self.args
        self.say(f"latency: {a.latency_ms:g} ms, 1 host, {a.articles} articles, recursive from the front page")
        with self.site_module.SiteProcesses(a.articles, a.page_kb, 1, a.latency_ms) as sites:
            front = [sites.urls[0] + "/"]
            tools = [newsarchiver_tool(front, a.connections, max(2 * a.connections, 8), 1_000_000, a.extract_workers),
                     wget_recursive_tool(front)]
            if not a.no_minimal:
                tools.append(minimal_tool(front, a.connections))
            counts = self.interleave("latency", tools, sites)
            self.compare_sets("latency", counts)

    def scenario_sitemap(self, with_wget: bool, with_minimal: bool) -> None:
        a = self.args
        name = "sitemap" if with_wget else "cpu"
        self.say(f"{name}: 0 ms, {a.hosts} hosts x {a.articles} articles, seeded from the sitemaps")
        with self.site_module.SiteProcesses(a.articles, a.page_kb, a.hosts, 0) as sites:
            sitemaps = [u + "/sitemap.xml" for u in sites.urls]
            url_file = self.workdir / "sitemap-urls.txt"
            listed = [line for u in sites.urls for line in sitemap_urls(u)]
            url_file.write_text("\n".join(listed) + "\n")
            conns = a.sitemap_connections
            tools = [newsarchiver_tool(sitemaps, conns, max(8, conns * a.hosts), 0, a.extract_workers)]
            if with_wget:
                tools.append(wget_recursive_tool([u + "/" for u in sites.urls]))
                tools.append(wget_list_tool(url_file))
            if with_minimal:
                tools.append(minimal_tool(sitemaps, conns * a.hosts))
            counts = self.interleave(name, tools, sites)
            self.compare_sets(name, counts)
            if with_wget:
                self.notes.append(
                    "sitemap: wget has no sitemap support. The goal is against the issue's baseline, "
                    "`wget --recursive` from each host's front page, which also fetches the listing pages "
                    "a sitemap crawl does not need, and parses every page for links. 'wget-list' gets "
                    "`wget -i LIST` where LIST holds, per host, sitemap.xml, its two child sitemaps and every "
                    "article URL they name (built by the bench before timing): it fetches the same responses "
                    "as newsarchiver (which also fetches robots.txt) and parses nothing, so it is the "
                    "stricter reference.")

    # --- report -------------------------------------------------------------------------------

    def summary(self) -> dict[str, dict[str, dict[str, float]]]:
        out: dict[str, dict[str, dict[str, float]]] = {}
        for scen in dict.fromkeys(r.scenario for r in self.runs):
            out[scen] = {}
            for tool in dict.fromkeys(r.tool for r in self.runs if r.scenario == scen):
                rs = [r for r in self.runs if r.scenario == scen and r.tool == tool]
                out[scen][tool] = _medians(rs)
        return out

    def print_table(self, summary: dict[str, dict[str, dict[str, float]]]) -> dict[str, object]:
        goals: dict[str, object] = {}
        print()
        print("scenario  tool          resp  art   wall s  resp/s  art/s  CPUms/resp(all|main)  srv%  others")
        for scen, tools in summary.items():
            for tool, s in tools.items():
                print(f"{scen:9} {tool:12} {s['responses']:5.0f} {s['articles']:5.0f} {s['wall_s']:7.1f} "
                      f"{s['responses_per_s']:7.1f} {s['articles_per_s']:6.1f}  {s['cpu_ms_per_response']:8.2f} | "
                      f"{s['cpu_main_ms_per_response']:6.2f}    {s['server_cpu_percent']:4.0f}  "
                      f"{s['others_cores']:4.2f}")
        print("(medians over --repeat runs; 'others' = cores used by unrelated processes during a run)")
        if self.server:
            print("server ceiling (one site process, 75 KB pages): " + ", ".join(
                f"{k.replace('_', ' ')}: {v['responses_per_s']} resp/s ({v['server_cpu_percent']}% CPU)"  # type: ignore[index]
                for k, v in self.server.items()))
        print()

        def ratio(scen: str, a: str, b: str, key: str) -> float | None:
            try:
                return summary[scen][a][key] / summary[scen][b][key]
            except (KeyError, ZeroDivisionError):
                return None

        lines = []

        def compare(scen: str, tool: str, peer: str, key: str, what: str, note: str,
                    goal_key: str | None = None, goal: float | None = None) -> None:
            """One printed ratio of tool to peer; with a goal, also recorded and judged."""
            r = ratio(scen, tool, peer, key)
            if r is None:
                return
            if goal is not None:
                note = f"goal >= {goal:g}x: {'MET' if r >= goal else 'NOT MET'}"
            if goal_key:
                goals[goal_key] = round(r, 2)
            label = scen if goal is not None else ""  # a scenario's lines start with its goal
            lines.append(f"{label:8} {tool}/{peer} {what:{36 - len(tool) - len(peer)}} = {r:.2f}x   ({note})")

        compare("latency", "newsarchiver", "wget", "responses_per_s", "responses/s", "",
                "latency_responses_per_s_vs_wget", 3)
        compare("latency", "minimal", "wget", "responses_per_s", "responses/s", "reference")
        compare("sitemap", "newsarchiver", "wget", "articles_per_s", "articles/s", "",
                "sitemap_articles_per_s_vs_wget", 1)
        compare("sitemap", "newsarchiver", "wget", "cpu_ms_per_response", "CPU ms/resp", "reference")
        compare("sitemap", "minimal", "wget", "articles_per_s", "articles/s", "reference")
        compare("sitemap", "wget-list", "wget", "articles_per_s", "articles/s", "reference")
        compare("sitemap", "newsarchiver", "wget-list", "articles_per_s", "articles/s", "stricter reference",
                "sitemap_articles_per_s_vs_wget_list")
        for scen in ("cpu", "sitemap"):
            r = ratio(scen, "newsarchiver", "minimal", "cpu_ms_per_response")
            if r is None:
                continue
            main = summary[scen]["newsarchiver"]["cpu_main_ms_per_response"] / summary[scen]["minimal"]["cpu_ms_per_response"]
            goals["cpu_ms_per_response_vs_minimal"] = round(r, 2)
            goals["cpu_main_ms_per_response_vs_minimal"] = round(main, 2)
            what = "archiving only (--no-extract)" if NO_EXTRACT else "incl. extraction"
            lines.append(f"cpu      newsarchiver/minimal CPU ms/resp = {r:.2f}x {what} (goal <= 1.25x: "
                         f"{'MET' if r <= 1.25 else 'NOT MET'}); main process only {main:.2f}x "
                         f"({'MET' if main <= 1.25 else 'NOT MET'})")
            break
        for line in lines + self.checks:
            print(line)
        for note in self.notes:
            print("note: " + note)
        return goals


def _medians(rs: list[Run]) -> dict[str, float]:
    def med(f: Callable[[Run], float]) -> float:
        return round(statistics.median(f(r) for r in rs), 2)

    return {
        "runs": len(rs), "responses": med(lambda r: r.responses), "articles": med(lambda r: r.articles),
        "wall_s": med(lambda r: r.wall_s), "responses_per_s": med(lambda r: r.responses_per_s),
        "articles_per_s": med(lambda r: r.articles_per_s),
        "cpu_ms_per_response": med(lambda r: r.cpu_ms_per_response),
        "cpu_main_ms_per_response": med(lambda r: r.cpu_main_ms_per_response),
        "server_cpu_percent": med(lambda r: 100 * r.server_cpu_s / r.wall_s),
        "others_cores": med(lambda r: r.others_cores),
    }


def sitemap_urls(base: str) -> list[str]:
    """sitemap.xml, the sitemaps it names, then every distinct page URL they list (in order)."""
    def get(url: str) -> bytes:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.read()

    index = base + "/sitemap.xml"
    children = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", get(index))
    maps = [c.decode() for c in children]
    pages: dict[str, None] = {}
    for m in maps:
        for loc in re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", get(m)):
            pages.setdefault(loc.decode().replace("&amp;", "&"), None)
    return [index, *maps, *pages]


def load_client(args: argparse.Namespace) -> int:
    """--load-client: one keep-alive connection GETting article paths in a loop for --seconds."""
    paths = Path(args.paths).read_text().split()
    parts = urlsplit(args.load_client)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = nbytes = 0
    buf = b""
    t_end = time.monotonic() + args.seconds
    while time.monotonic() < t_end:
        path = paths[(n + args.offset) % len(paths)]
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        while b"\r\n\r\n" not in buf:
            buf += sock.recv(262144)
        head, buf = buf.split(b"\r\n\r\n", 1)
        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
        length = int(m.group(1)) if m else 0
        while len(buf) < length:
            buf += sock.recv(262144)
        buf = buf[length:]
        n += 1
        nbytes += length
    sock.close()
    print(json.dumps({"requests": n, "bytes": nbytes}))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default=",".join(ALL_SCENARIOS),
                   help=f"comma-separated, from {', '.join(ALL_SCENARIOS)} (default: all)")
    p.add_argument("--articles", type=int, default=1000, help="articles per host (default 1000)")
    p.add_argument("--hosts", type=int, default=3, help="hosts for sitemap/cpu (default 3)")
    p.add_argument("--page-kb", type=int, default=75, help="article page size (default 75)")
    p.add_argument("--repeat", type=int, default=2, help="interleaved runs per tool (default 2)")
    p.add_argument("--latency-ms", type=float, default=50, help="latency scenario delay (default 50)")
    p.add_argument("--connections", type=int, default=4, help="newsarchiver connections per host, latency (default 4)")
    p.add_argument("--sitemap-connections", type=int, default=2,
                   help="newsarchiver connections per host, sitemap/cpu (default 2; minimal gets hosts x this threads)")
    p.add_argument("--extract-workers", type=int, default=None, help="passed to newsarchiver (default: its own)")
    p.add_argument("--no-extract", action="store_true",
                   help="newsarchiver only archives (extraction later with `import --pending`), like its peers")
    p.add_argument("--no-minimal", action="store_true", help="skip the minimal crawler in the latency scenario")
    p.add_argument("--server-seconds", type=float, default=3, help="server ceiling test length (default 3)")
    p.add_argument("--timeout", type=float, default=900, help="per crawler run, seconds (default 900)")
    p.add_argument("--json", metavar="FILE", help="write runs, medians and ratios as JSON")
    p.add_argument("--keep", metavar="DIR", help="keep the WARCs and logs of every run in DIR")
    p.add_argument("--load-client", help=argparse.SUPPRESS)
    p.add_argument("--paths", help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, default=3, help=argparse.SUPPRESS)
    p.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.load_client:
        return load_client(args)
    global NO_EXTRACT
    NO_EXTRACT = args.no_extract
    chosen = [s.strip() for s in args.scenario.split(",") if s.strip()]
    unknown = set(chosen) - set(ALL_SCENARIOS)
    if unknown:
        p.error(f"--scenario: unknown {', '.join(sorted(unknown))}; choose from {', '.join(ALL_SCENARIOS)}")
    if not become_subreaper():
        print("warning: cannot become a child subreaper: extraction CPU of newsarchiver is not counted",
              file=sys.stderr)
    env_src = str(ROOT / "src")
    os.environ["PYTHONPATH"] = env_src + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    bench = Bench(args)
    load0 = os.getloadavg()
    t0 = time.monotonic()
    print(f"# {' '.join([Path(sys.executable).name, 'bench/crawl.py', *(argv if argv is not None else sys.argv[1:])])}")
    print(f"# {os.cpu_count()} cores, load average {load0[0]:.1f} at start; {subprocess.run([WGET, '--version'], capture_output=True, text=True, check=False).stdout.splitlines()[0]}")
    try:
        if "server" in chosen:
            bench.scenario_server()
        if "latency" in chosen:
            bench.scenario_latency()
        if "sitemap" in chosen or "cpu" in chosen:
            bench.scenario_sitemap(with_wget="sitemap" in chosen, with_minimal="cpu" in chosen)
    finally:
        if not args.keep:
            shutil.rmtree(bench.workdir, ignore_errors=True)
    summary = bench.summary()
    goals = bench.print_table(summary)
    print(f"# {time.monotonic() - t0:.0f}s in all; load average {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "argv": sys.argv[1:], "cores": os.cpu_count(), "runs": [asdict(r) for r in bench.runs],
            "server_ceiling": bench.server, "summary": summary, "ratios": goals,
            "checks": bench.checks, "notes": bench.notes}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
