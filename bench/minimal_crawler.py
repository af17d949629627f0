"""A minimal archiving crawler: the CPU and throughput baseline for bench/crawl.py.

    python bench/minimal_crawler.py URL... --warc OUT.warc.gz [--connections 4] [--max-depth N]

requests (one Session per thread, payload read as transferred) + a ThreadPoolExecutor + warcio's
WARCWriter with gzip (warcio's fixed level 9), request and response records per URL. No
extraction, no index, no robots.txt, no retries, no frontier persistence, no politeness delay.

Seeds whose path contains "sitemap" and ends in .xml are read as sitemaps (an index is followed;
the pages it lists are fetched, no links followed: --max-depth does not apply); any other seed is
a page crawled recursively on its own host: <a href> links, fragments and utm_* parameters
dropped, up to --max-depth (default unlimited). Prints one JSON line with the counts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from io import BytesIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HREF = re.compile(rb"""<a\s[^>]*?href\s*=\s*["']([^"'#]*)""", re.IGNORECASE)
LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>")
UA = "minimal-crawler/1.0 (newsarchiver benchmark baseline)"


def normalize(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.startswith("utm_")])
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", query, ""))


def is_sitemap(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return "sitemap" in path and path.endswith(".xml")


class MinimalCrawler:
    def __init__(self, warc_path: str, connections: int, max_depth: int) -> None:
        self.out = open(warc_path, "wb")  # noqa: SIM115 (closed by close())
        self.writer = WARCWriter(self.out, gzip=True)
        self.lock = threading.Lock()
        self.local = threading.local()
        self.connections = connections
        self.max_depth = max_depth
        self.seen: set[str] = set()
        self.responses = 0
        self.failures = 0

    def session(self) -> requests.Session:
        s = getattr(self.local, "s", None)
        if s is None:
            s = self.local.s = requests.Session()
            s.trust_env = False
            s.headers = {"User-Agent": UA, "Accept": "*/*"}  # type: ignore[assignment]
        return s

    def fetch(self, url: str) -> tuple[str, int, bytes]:
        """GET url, archive request + response, return (url, status, body)."""
        resp = self.session().get(url, stream=True, allow_redirects=False, timeout=30)
        try:
            raw = resp.raw
            body = raw.read(decode_content=False)
            status_line = f"{raw.status} {raw.reason}"
            headers = list(raw.headers.items())
            req_headers = list(resp.request.headers.items())
        finally:
            resp.close()
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        http_resp = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
        http_req = StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc)] + req_headers,
                                    is_http_request=True)
        w = self.writer
        response = w.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http_resp)
        request = w.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=http_req)
        # Same linking as wget and newsarchiver: the request points at its response.
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        with self.lock:
            w.write_record(response)
            w.write_record(request)
            self.responses += 1
        return url, raw.status, body

    def crawl(self, seeds: list[str]) -> None:
        with ThreadPoolExecutor(max_workers=self.connections) as pool:
            pending: dict[Future[tuple[str, int, bytes]], tuple[str, int]] = {}

            def submit(url: str | None, depth: int) -> None:
                if url is None or url in self.seen:
                    return
                self.seen.add(url)
                pending[pool.submit(self.fetch, url)] = (url, depth)

            for seed in seeds:
                submit(normalize(seed), 0)
            while pending:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in done:
                    url, depth = pending.pop(future)
                    try:
                        final_url, status, body = future.result()
                    except requests.RequestException as exc:
                        self.failures += 1
                        print(f"failed: {url}: {exc}", file=sys.stderr)
                        continue
                    if status != 200:
                        continue
                    if is_sitemap(final_url):
                        for loc in LOC.findall(body):
                            submit(normalize(loc.decode()), -1)  # sitemap entries: no link following
                    elif depth >= 0 and depth < self.max_depth:
                        host = urlsplit(final_url).netloc
                        for href in HREF.findall(body):
                            link = normalize(urljoin(final_url, href.decode("utf-8", "replace")))
                            if link and urlsplit(link).netloc == host:
                                submit(link, depth + 1)

    def close(self) -> None:
        self.out.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--warc", required=True, help="output file (.warc.gz)")
    p.add_argument("--connections", type=int, default=4, help="fetch threads (default 4)")
    p.add_argument("--max-depth", type=int, default=10**9, help="link depth for page seeds")
    args = p.parse_args(argv)
    t0 = time.monotonic()
    crawler = MinimalCrawler(args.warc, args.connections, args.max_depth)
    try:
        crawler.crawl(args.urls)
    finally:
        crawler.close()
    print(json.dumps({"responses": crawler.responses, "failures": crawler.failures,
                      "seconds": round(time.monotonic() - t0, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
