"""One HTTP exchange at a time, kept exactly as transferred.

The fetcher never follows redirects itself (the crawler follows them hop by hop so that each hop
is archived and checked by the SSRF guard) and never decodes the body: the payload is stored as
the server sent it, Content-Encoding included. Chunked framing is removed by urllib3; the crawler
records that (`dechunked`) so the WARC writer can rename the Transfer-Encoding header.

Failures are data: `fetch()` returns a FetchResult with `error` set rather than raising, except
for BlockedError, which the SSRF guard raises before any connection is made.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Optional
from urllib.parse import urlsplit

import requests
import urllib3

from newsarchiver.config import CrawlSettings
from newsarchiver.errors import BlockedError
from newsarchiver.models import FetchResult, Headers, header_value
from newsarchiver.ssrf import AddressPolicy, GuardedAdapter

log = logging.getLogger(__name__)

READ_CHUNK = 64 * 1024
HTTP_VERSIONS = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}



def utc_now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Fetcher:
    """A thread-safe fetcher: one requests.Session per thread, pools sized per host.

    With an AddressPolicy every connection is checked by the SSRF guard against the address
    actually resolved and pinned to it (ssrf.GuardedAdapter); a refusal raises BlockedError.
    """

    def __init__(self, settings: CrawlSettings, policy: Optional[AddressPolicy] = None) -> None:
        self.settings = settings
        self.policy = policy
        self._local = threading.local()
        self.max_body_bytes = int(settings.max_body_mb * 1024 * 1024)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            size = self.settings.connections_per_host
            adapter: requests.adapters.HTTPAdapter
            if self.policy is not None:
                adapter = GuardedAdapter(self.policy, pool_connections=16, pool_maxsize=size, max_retries=0)
            else:
                adapter = requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=size, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.clear()
            # Proxies and .netrc from the environment would change what we archive; ignore them.
            session.trust_env = False
            self._local.session = session
        return session

    def request_headers(self, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate, br",
            "Accept-Language": "*",
        }
        headers.update(extra or {})
        return headers

    def fetch(self, url: str, extra_headers: Optional[dict[str, str]] = None) -> FetchResult:
        """One request, no redirects followed, no retries."""
        if not url.lower().startswith(("http://", "https://")):
            raise BlockedError(f"{url}: only http and https URLs are fetched")
        ip = None
        headers = self.request_headers(extra_headers)
        fetched_at = utc_now_iso()
        sent = _as_sent(url, headers)
        timeout = (self.settings.timeout_seconds, self.settings.timeout_seconds)
        try:
            resp = self._session().get(url, headers=headers, stream=True, allow_redirects=False, timeout=timeout)
        except requests.RequestException as exc:
            return FetchResult(url=url, method="GET", request_headers=sent, fetched_at=fetched_at,
                               ip_address=ip, error=_one_line(exc))
        try:
            return self._read_response(url, resp, sent, fetched_at, ip)
        finally:
            resp.close()

    def _read_response(self, url: str, resp: requests.Response, sent: Headers, fetched_at: str,
                       ip: Optional[str]) -> FetchResult:
        raw: urllib3.HTTPResponse = resp.raw
        received = _received_headers(raw)
        peer_ip = _peer_ip(raw) or ip
        body, truncated, error = self._read_body(raw)
        dechunked = "chunked" in (header_value(received, "Transfer-Encoding") or "").lower()
        return FetchResult(
            url=url, method="GET", request_headers=sent, fetched_at=fetched_at,
            status=raw.status, reason=raw.reason or "", http_version=HTTP_VERSIONS.get(raw.version, "HTTP/1.1"),
            headers=received, body=body, truncated=truncated, ip_address=peer_ip, dechunked=dechunked,
            error=error,
        )

    def _read_body(self, raw: urllib3.HTTPResponse) -> tuple[bytes, Optional[str], Optional[str]]:
        """Read the body as transferred, bounded in size and in total time."""
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.settings.max_fetch_seconds
        while True:
            if time.monotonic() > deadline:
                return b"".join(chunks), "time", None
            try:
                # read1 returns as soon as some bytes arrive, so a trickling server meets the deadline.
                chunk = raw.read1(READ_CHUNK, decode_content=False)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                # Lying Content-Length, reset connection, read timeout mid-body: keep what arrived.
                return b"".join(chunks), "disconnect", None if chunks else _one_line(exc)
            if not chunk:
                return b"".join(chunks), None, None
            if size + len(chunk) > self.max_body_bytes:
                chunks.append(chunk[: self.max_body_bytes - size])
                return b"".join(chunks), "length", None
            chunks.append(chunk)
            size += len(chunk)


def retry_after_seconds(result: FetchResult, now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = header_value(result.headers, "Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _as_sent(url: str, headers: dict[str, str]) -> Headers:
    """The request headers in the order http.client sends them: Host first."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    if parts.port and parts.port != default_port:
        host = f"{host}:{parts.port}"
    return (("Host", host),) + tuple(headers.items()) + (("Connection", "keep-alive"),)


def _received_headers(raw: urllib3.HTTPResponse) -> Headers:
    """Response headers in the order and case received, repeated names kept."""
    original = getattr(raw, "_original_response", None)
    if original is not None and getattr(original, "msg", None) is not None:
        return tuple((k, v) for k, v in original.msg.items())
    return tuple(raw.headers.items())


def _peer_ip(raw: urllib3.HTTPResponse) -> Optional[str]:
    checked = getattr(raw.connection, "checked_ip", None)
    if checked:
        return str(checked)
    try:
        sock = raw.connection.sock  # type: ignore[union-attr]
        return str(sock.getpeername()[0])
    except (AttributeError, OSError, TypeError):
        return None


def _one_line(exc: BaseException) -> str:
    """A short, single-line description of a requests/urllib3 exception."""
    text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text[:300]
