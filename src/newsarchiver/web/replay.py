"""`/original/<timestamp>/<url>`: an archived response, served from its WARC record only.

The record is found through `lookup` (index.cdxj, else the catalogue), read with warcread, its
content-encoding undone here, and HTML and CSS rewritten so that what they embed is asked of the
reader again (`rewrite`). Whatever is not archived is a 404: nothing is ever fetched live.

The archived response is untrusted. It is served with a Content-Security-Policy that forbids any
script and any request beyond the reader's own origin, and that sandboxes the document (an opaque
origin: it cannot read the reader's pages or cookies) even when opened outside the reader's
iframe. Only a short allow-list of archived headers is replayed: no Set-Cookie, CSP, HSTS,
Refresh, Link preloads, Clear-Site-Data, reporting endpoints or hop-by-hop headers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urljoin, urlsplit

from newsarchiver.decode import (
    PayloadError,
    decode_content_encoding,
    decode_text,
    parse_content_type,
)
from newsarchiver.errors import NewsArchiverError
from newsarchiver.models import header_value
from newsarchiver.warcread import WarcEntry, read_entry_at
from newsarchiver.web.lookup import CaptureLocator, Location, timestamp14
from newsarchiver.web.rewrite import replay_url, rewrite_css, rewrite_html

log = logging.getLogger(__name__)

REPLAY_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
              "media-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; sandbox")
_REPLAYED_HEADERS = ("content-language", "last-modified")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)
_TIMESTAMP = re.compile(r"^(\d{1,14})/(.+)$", re.DOTALL)
MAX_REPLAY_BYTES = 64 * 1024 * 1024


@dataclass
class Replayed:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def parse_replay_path(rest: str) -> tuple[str, str] | None:
    """'20240501100000/https://example.com/x?y' -> (timestamp, url); None when malformed."""
    match = _TIMESTAMP.match(rest)
    if not match:
        return None
    timestamp, url = match.group(1).ljust(14, "0"), match.group(2)
    # Some clients collapse "//" in paths: "https:/example.com" means "https://example.com".
    url = re.sub(r"^(https?):/+", r"\1://", url, flags=re.IGNORECASE)
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).netloc:
        return None
    return timestamp, url


class Replayer:
    def __init__(self, locator: CaptureLocator) -> None:
        self.locator = locator

    def replay(self, url: str, timestamp: str) -> Replayed | None:
        """The archived response for url near timestamp, ready to send; None when not archived."""
        location = self.locator.find(url, timestamp)
        if location is None:
            return None
        entry = self._read(location)
        if entry is None:
            return None
        if entry.rec_type == "revisit":
            entry = self._original_of(entry)
            if entry is None:
                return None
        return self._response(entry, location)

    def _read(self, location: Location) -> WarcEntry | None:
        try:
            return read_entry_at(location.path, location.offset, max_payload_bytes=MAX_REPLAY_BYTES)
        except (NewsArchiverError, OSError) as exc:
            log.warning("cannot read %s at %d: %s", location.path.name, location.offset, exc)
            return None

    def _original_of(self, revisit: WarcEntry) -> WarcEntry | None:
        """A revisit holds no payload: the response it refers to does."""
        uri, date = revisit.refers_to_target_uri or revisit.url, revisit.refers_to_date
        if not uri:
            return None
        original = self.locator.find_exact(uri, timestamp14(date)) if date else None
        if original is None:
            original = self.locator.find(uri, timestamp14(date or revisit.date or ""))
        if original is None or original.is_revisit:
            return None
        entry = self._read(original)
        return entry if entry is not None and entry.rec_type != "revisit" else None

    def _response(self, entry: WarcEntry, location: Location) -> Replayed:
        status = entry.http_status if entry.http_status and 200 <= entry.http_status < 600 else 200
        headers = self._headers(entry, location.timestamp)
        base_url = entry.url or location.url
        if status in _REDIRECTS:
            target = header_value(entry.http_headers, "location")
            if target:
                # The redirect is replayed into the archive, where the next hop was captured too.
                headers.append(("Location", replay_url(urljoin(base_url, target.strip()), location.timestamp)))
            return Replayed(status, headers + [("Content-Type", "text/plain; charset=utf-8")], b"")
        try:
            body = decode_content_encoding(entry.payload, entry.http_headers, MAX_REPLAY_BYTES)
        except PayloadError as exc:
            message = f"The archived response cannot be decoded: {exc}\n".encode()
            return Replayed(502, headers + [("Content-Type", "text/plain; charset=utf-8")], message)
        content_type = parse_content_type(entry.http_headers)
        mime = content_type.mime or "application/octet-stream"
        if mime in _HTML_TYPES or mime == "text/css":
            text, _ = decode_text(body, content_type.charset)
            if mime == "text/css":
                text = rewrite_css(text, base_url, location.timestamp)
            else:
                text = rewrite_html(text, base_url, location.timestamp)
            # Served as UTF-8: the HTTP charset outranks any <meta charset> left in the page.
            body, mime = text.encode("utf-8"), ("text/css" if mime == "text/css" else "text/html")
            headers.append(("Content-Type", f"{mime}; charset=utf-8"))
        else:
            headers.append(("Content-Type", _header_safe(header_value(entry.http_headers, "content-type") or mime)))
        return Replayed(status, headers, body)

    def _headers(self, entry: WarcEntry, timestamp: str) -> list[tuple[str, str]]:
        headers = [("Content-Security-Policy", REPLAY_CSP)]
        for name in _REPLAYED_HEADERS:
            value = header_value(entry.http_headers, name)
            if value and _header_safe(value) == value:
                headers.append((name.title(), value))
        try:
            moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            headers.append(("Memento-Datetime", format_datetime(moment, usegmt=True)))
        except ValueError:
            pass
        return headers


def _header_safe(value: str) -> str:
    """An archived header value fit to send again: printable latin-1, no line breaks."""
    cleaned = "".join(ch for ch in value if 32 <= ord(ch) < 127)
    return cleaned or "application/octet-stream"
