"""Serve benchmark copies of the sample news site, one process per host (own GIL, own core).

    python bench/site.py --articles 3000 --page-kb 75 --hosts 3 --latency-ms 50

prints one base URL per line (http://127.0.0.1:PORT) and serves until Ctrl-C. A host process
answers `log` on its stdin with the GET targets it received (one JSON line) and `clear` with `ok`,
so a benchmark can check which URLs were fetched (SiteProcesses.requests). Each host is a
`newsarchiver.sample_site.SampleSiteServer` (HTTP/1.1 keep-alive, TCP_NODELAY, one sendall per
response) over its own site ("Sample News k", seed k). For benchmarks the article pages are
rendered once before the URLs are printed and kept in an unbounded cache (the library caches 512
pages per site), so every run of an interleaved benchmark sees the same, static-file-like server.

`bench/crawl.py` loads `SiteProcesses` from this file (by path: `site` is a stdlib name).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def serve_one(k: int, n_articles: int, page_kb: int, latency_ms: float, prerender: bool) -> None:
    """One host in this process: print its base URL on stdout, serve until SIGTERM or Ctrl-C."""
    from newsarchiver.sample_site import SampleSiteServer, generate_site

    site = generate_site(f"Sample News {k + 1}", n_articles, k, page_kb)
    site._article_page = lru_cache(maxsize=None)(site._render_article_page)  # type: ignore[method-assign]
    server = SampleSiteServer(site, latency_ms=0).start()
    if prerender:
        for i in range(n_articles):
            site._article_page(i, 0, server.url)
        for path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"):
            site.render(path, server.url)  # warms the per-article head cache
    server.latency_ms = latency_ms
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def answer(command: str) -> None:
        if command == "log":  # the GET targets received since the last `clear`, as one JSON line
            paths = [r.path for r in server.requests.records() if r.method == "GET"]
            os.write(1, (json.dumps(paths) + "\n").encode())
        elif command == "clear":
            server.requests.clear()
            os.write(1, b"ok\n")

    def parent_commands() -> None:  # our stdin is a pipe from the parent: commands, then EOF = it is gone
        pending = b""
        while chunk := os.read(0, 4096):  # unbuffered: no lock left held at interpreter shutdown
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                answer(line.decode().strip())
        stop.set()

    threading.Thread(target=parent_commands, daemon=True).start()
    print(server.url, flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    server.stop()


class SiteProcesses:
    """`hosts` sample sites, each served by its own process (`site.py --one K`); a context manager.

    `.urls` are the base URLs, `.pids` the server processes (for CPU accounting by the caller).
    """

    def __init__(self, n_articles: int = 3000, page_kb: int = 75, hosts: int = 1,
                 latency_ms: float = 0, prerender: bool = True) -> None:
        self.n_articles, self.page_kb, self.latency_ms, self.prerender = n_articles, page_kb, latency_ms, prerender
        self.hosts = hosts
        self.procs: list[subprocess.Popen[str]] = []
        self.urls: list[str] = []

    def start(self) -> SiteProcesses:
        for k in range(self.hosts):
            cmd = [sys.executable, str(Path(__file__).resolve()), "--one", str(k),
                   "--articles", str(self.n_articles), "--page-kb", str(self.page_kb),
                   "--latency-ms", str(self.latency_ms)]
            if not self.prerender:
                cmd.append("--no-prerender")
            # Own session: a Ctrl-C in the terminal reaches the benchmark, which stops us.
            self.procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                               text=True, start_new_session=True))
        try:
            for proc in self.procs:
                line = proc.stdout.readline().strip() if proc.stdout else ""
                if not line.startswith("http://"):
                    raise RuntimeError(f"bench/site.py --one did not start (exit {proc.poll()})")
                self.urls.append(line)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def _ask(self, proc: subprocess.Popen[str], command: str) -> str:
        assert proc.stdin and proc.stdout
        proc.stdin.write(command + "\n")
        proc.stdin.flush()
        return proc.stdout.readline()

    def requests(self) -> list[str]:
        """Every GET each host received since clear(), as full URLs."""
        return [url + path for url, proc in zip(self.urls, self.procs) for path in json.loads(self._ask(proc, "log"))]

    def clear(self) -> None:
        for proc in self.procs:
            self._ask(proc, "clear")

    def cpu_seconds(self) -> float:
        """User+system CPU used so far by the server processes (from /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=3000, help="articles per host (default 3000)")
    p.add_argument("--page-kb", type=int, default=75, help="article page size in KB (default 75)")
    p.add_argument("--hosts", type=int, default=1, help="sites, one process and port each (default 1)")
    p.add_argument("--latency-ms", type=float, default=0, help="added before every response (default 0)")
    p.add_argument("--no-prerender", action="store_true", help="render pages on request instead")
    p.add_argument("--one", type=int, default=None, metavar="K", help=argparse.SUPPRESS)  # child mode
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the site processes on kill too
    if args.one is not None:
        serve_one(args.one, args.articles, args.page_kb, args.latency_ms, not args.no_prerender)
        return 0
    t0 = time.monotonic()
    with SiteProcesses(args.articles, args.page_kb, args.hosts, args.latency_ms,
                       prerender=not args.no_prerender) as sites:
        print(f"# {args.hosts} host(s), {args.articles} articles each, ready in "
              f"{time.monotonic() - t0:.1f}s; Ctrl-C to stop", file=sys.stderr)
        for url in sites.urls:
            print(url, flush=True)
        try:
            while sites.alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
