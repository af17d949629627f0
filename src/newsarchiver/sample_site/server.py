"""A threaded HTTP/1.1 server for a sample site, with a request log and conditional requests.

It is built so it is never the bottleneck of a benchmark: keep-alive, TCP_NODELAY, and every
ordinary response written with a single sendall. Stopping it also closes idle keep-alive
connections and wakes sleeping or streaming handlers, so `stop()` returns promptly.
"""

from __future__ import annotations

import contextlib
import http
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from . import feeds, hostile
from .site import Response, Site, generate_site

log = logging.getLogger(__name__)

# robots.txt variants, chosen with `server.robots_mode`; the comment says what RFC 9309 implies.
ROBOTS_MODES = (
    "normal",        # Disallow: /private/ + Sitemap line
    "crawl-delay",   # as normal, plus Crawl-delay: 2
    "disallow-all",  # Disallow: /
    "missing",       # 404: everything allowed
    "401",           # 401: must be treated as "allow all" (RFC 9309 2.3.1.3)
    "403",           # 403: likewise allow all
    "500",           # 500: must be treated as "disallow all" (RFC 9309 2.3.1.4)
    "garbage",       # 200 with non-UTF-8 bytes around the normal rules
    "to-private",    # 302 to http://10.0.0.1/robots.txt: refused by the SSRF guard, so unreachable
)


class RequestRecord(NamedTuple):
    method: str
    path: str  # the request target as sent: path and query string
    headers: Message  # case-insensitive: record.headers["User-Agent"]
    at: float = 0.0  # time.monotonic() when the request arrived (politeness tests measure gaps)


class RequestLog:
    """Every request the server received, in arrival order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.records())

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests had exactly this target (path plus query, if given)."""
        return sum(1 for r in self.records()
                   if r.path == path and (method is None or r.method == method))

    def paths(self) -> list[str]:
        return [r.path for r in self.records()]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms stalls on small responses
    server_version = "SampleNews/1.0"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are dropped after this
    server: _HTTPServer

    @property
    def owner(self) -> SampleSiteServer:
        return self.server.owner

    # --- plumbing ------------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.owner._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        log.debug("%s %s", self.address_string(), format % args)

    def head_bytes(self, status: int, headers: dict[str, str]) -> bytes:
        reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
        lines = [f"HTTP/1.1 {status} {reason}", f"Date: {formatdate(usegmt=True)}",
                 f"Server: {self.server_version}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
             close: bool = False) -> None:
        """Send a whole response (head and body) with one sendall."""
        headers = dict(headers or {})
        if status not in (204, 304):
            headers.setdefault("Content-Length", str(len(body)))
        if close:
            headers["Connection"] = "close"
            self.close_connection = True
        send_body = self.command != "HEAD" and status not in (204, 304)
        self._done_answering()
        self.connection.sendall(self.head_bytes(status, headers) + (body if send_body else b""))

    def send_head(self, status: int, headers: dict[str, str]) -> None:
        """Only the status line and headers; the caller streams the body itself."""
        self.connection.sendall(self.head_bytes(status, headers))

    # --- requests ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.owner
        with owner._lock:
            owner.in_flight += 1
            owner.most_in_flight = max(owner.most_in_flight, owner.in_flight)
        self._in_flight = True
        try:
            self._answer()
        finally:
            self._done_answering()

    def _done_answering(self) -> None:
        # Called before the last sendall of a response: once the client has read it all, the
        # request is no longer counted, whichever of the two threads runs first.
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            with self.owner._lock:
                self.owner.in_flight -= 1

    def _answer(self) -> None:
        owner = self.owner
        owner.requests.append(RequestRecord(self.command, self.path, self.headers, time.monotonic()))
        if owner.latency_ms:
            owner.stopping.wait(owner.latency_ms / 1000)
        parts = urlsplit(self.path)
        path = parts.path or "/"
        if path == "/hostile" or path.startswith("/hostile/"):
            if owner.hostile:
                hostile.handle(self, path, parse_qs(parts.query))
                return
            resp = owner.site.render("/404", owner.url)  # hostile routes are off
        elif path == "/robots.txt":
            resp = owner.robots_response()
        else:
            resp = owner.site.render(path, owner.url)
        if resp.status == 200 and self._not_modified(resp):
            keep = ("ETag", "Last-Modified", "Cache-Control")
            self.send(304, headers={k: v for k, v in resp.headers.items() if k in keep})
            return
        self.send(resp.status, resp.body, resp.headers)

    def _not_modified(self, resp: Response) -> bool:
        etag = resp.headers.get("ETag")
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return etag is not None and ("*" in tags or etag in tags)
        last_modified = resp.headers.get("Last-Modified")
        ims = self.headers.get("If-Modified-Since")
        if last_modified and ims:
            try:
                return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: SampleSiteServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is routine here (timeouts, hostile routes).
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class SampleSiteServer:
    """Serves a `Site` on a loopback port; a context manager. Hostile routes when hostile=True.

    Tunables (plain attributes, change them at any time):
      robots_mode   one of ROBOTS_MODES ("normal")
      robots_moved_to  a URL: robots.txt answers 301 to it, whatever the mode (None)
      slow_seconds  how long /hostile/slow sleeps (5.0; ?seconds=N overrides per request)
      huge_mb       size of /hostile/huge (30)
      bomb_mb       inflated size of /hostile/gzip-bomb (1024)
      latency_ms    added before every response (0)
    """

    def __init__(self, site: Site | None = None, host: str = "127.0.0.1", port: int = 0,
                 latency_ms: float = 0, hostile: bool = False) -> None:
        self.site = site if site is not None else generate_site()
        self.host = host
        self._requested_port = port
        self.latency_ms = latency_ms
        self.hostile = hostile
        self.robots_mode = "normal"
        self.robots_moved_to: str | None = None
        self.slow_seconds = 5.0
        self.huge_mb = 30
        self.bomb_mb = 1024
        self.requests = RequestLog()
        self.stopping = threading.Event()  # wakes sleeping and streaming handlers on stop()
        self.peer: SampleSiteServer | None = None  # same site on 127.0.0.2 (hostile servers)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._hits: dict[str, int] = {}  # per-target counters for /hostile/flaky
        self._active_streams = 0
        self.in_flight = 0  # requests being answered now
        self.most_in_flight = 0  # the most ever answered at once (politeness tests)

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SampleSiteServer:
        if self._httpd is not None:
            return self
        self.stopping.clear()
        httpd = _HTTPServer((self.host, self._requested_port), Handler)
        httpd.owner = self
        self._httpd = httpd
        # A short poll interval makes shutdown() return quickly.
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sample-site-{self.port}", daemon=True)
        self._thread.start()
        if self.hostile and self.host == "127.0.0.1":
            try:  # a second loopback address, for the cross-host redirect route
                self.peer = SampleSiteServer(self.site, host="127.0.0.2").start()
            except OSError:
                self.peer = None
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # idle keep-alive connections would otherwise linger
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.peer is not None:
            self.peer.stop()
            self.peer = None

    def __enter__(self) -> SampleSiteServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the sample site server is not running; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:41234"""
        return f"http://{self.host}:{self.port}"

    # --- runtime state -----------------------------------------------------------------------------

    def count(self, path: str, method: str | None = None) -> int:
        return self.requests.count(path, method)

    def edit_article(self, index: int, version: int | None = None) -> Any:
        return self.site.edit_article(index, version)

    def remove_article(self, index: int, status: int = 410) -> None:
        self.site.remove_article(index, status)

    def restore_article(self, index: int) -> None:
        self.site.restore_article(index)

    @property
    def active_streams(self) -> int:
        """Handlers currently streaming an endless or huge body."""
        with self._lock:
            return self._active_streams

    def _stream_started(self, delta: int) -> None:
        with self._lock:
            self._active_streams += delta

    def hit(self, key: str) -> int:
        """Count one request for `key`; returns how many came before it."""
        with self._lock:
            n = self._hits.get(key, 0)
            self._hits[key] = n + 1
            return n

    def reset_counters(self) -> None:
        with self._lock:
            self._hits.clear()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def robots_response(self) -> Response:
        mode = self.robots_mode
        plain = {"Content-Type": "text/plain; charset=utf-8"}
        if self.robots_moved_to:
            return Response(301, b"moved\n", {**plain, "Location": self.robots_moved_to})
        if mode == "normal":
            return Response(200, feeds.robots_txt(self.url).encode(), plain)
        if mode == "crawl-delay":
            return Response(200, feeds.robots_txt(self.url, crawl_delay=2).encode(), plain)
        if mode == "disallow-all":
            return Response(200, b"User-agent: *\nDisallow: /\n", plain)
        if mode in ("missing", "401", "403", "500"):
            status = 404 if mode == "missing" else int(mode)
            return Response(status, f"{status} {http.HTTPStatus(status).phrase}\n".encode(), plain)
        if mode == "garbage":
            # Latin-1 and stray bytes that are not UTF-8, around rules a robust parser still reads.
            body = (b"\xff\xfe# R\xe9gles pour les robots \x80\x81\x82\n\x00\xc3\x28 junk\n"
                    + feeds.robots_txt(self.url).encode() + b"\x9f\x92\x96 \xe9t\xe9\n")
            return Response(200, body, {"Content-Type": "text/plain"})
        if mode == "to-private":
            return Response(302, b"moved\n", {**plain, "Location": "http://10.0.0.1/robots.txt"})
        raise ValueError(f"robots_mode must be one of {', '.join(ROBOTS_MODES)}, got {mode!r}")


def start_servers(n: int, *, n_articles: int = 12, page_kb: int | None = None,
                  latency_ms: float = 0, seed: int = 0, distinct_addresses: bool = False,
                  ) -> list[SampleSiteServer]:
    """Start `n` servers, each with its own site ("Sample News 1", ...; seeds seed..seed+n-1).

    With distinct_addresses they listen on 127.0.0.1, 127.0.0.2, ... (Linux routes all of
    127/8 to loopback), otherwise all on 127.0.0.1 with different ports. Stop them with
    stop_servers(), or use running_servers() as a context manager.
    """
    servers: list[SampleSiteServer] = []
    try:
        for k in range(n):
            host = f"127.0.{k // 250}.{k % 250 + 1}" if distinct_addresses else "127.0.0.1"
            site = generate_site(f"Sample News {k + 1}", n_articles, seed + k, page_kb)
            servers.append(SampleSiteServer(site, host=host, latency_ms=latency_ms).start())
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: list[SampleSiteServer]) -> None:
    for s in servers:
        s.stop()


@contextlib.contextmanager
def running_servers(n: int, **kwargs: Any) -> Iterator[list[SampleSiteServer]]:
    servers = start_servers(n, **kwargs)
    try:
        yield servers
    finally:
        stop_servers(servers)


def wait_until(predicate: Any, timeout: float = 5.0) -> bool:
    """Poll `predicate()` until true or `timeout` seconds pass (for tests on server state)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
