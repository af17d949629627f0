"""robots.txt as RFC 9309 says, parsed by protego from bytes our own fetcher fetched.

What the fetch outcome means (RFC 9309 section 2.3.1):

==========================  ===================================================================
2xx                         parse the body (UTF-8; invalid bytes replaced, never a crash)
3xx (redirects exhausted)   "unavailable": allow all (the fetcher follows up to 5 hops first)
4xx, incl. 401 and 403      "unavailable": allow all (``urllib.robotparser`` wrongly disallows)
429                         disallow all, like 5xx: the server says it is overloaded, and the
                            RFC lets crawlers be more careful; Google does the same
5xx, or no response         "unreachable": disallow all, until a later fetch succeeds
==========================  ===================================================================

Only the first 500 KiB are parsed (the RFC's minimum), cut at a line end so no rule is half
read. Groups are matched on our product token ``newsarchiver`` (case-insensitive), falling back
to ``*``; ``/robots.txt`` itself is always allowed. Caching (24 h max per the RFC) belongs to
the frontier.
"""

from __future__ import annotations

import math
import zlib
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from newsarchiver.urls import normalize_url

USER_AGENT_TOKEN = "newsarchiver"
MAX_ROBOTS_BYTES = 500 * 1024


def robots_url(url: str) -> str:
    """The robots.txt URL governing ``url`` (same scheme, host and port)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def product_token(user_agent: str) -> str:
    """``newsarchiver/0.1 (+https://...)`` -> ``newsarchiver``: the token robots.txt groups name."""
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0].lower()
    return token or USER_AGENT_TOKEN


class RobotsPolicy:
    """The rules of one host's robots.txt for one user agent."""

    def __init__(self, parser: Optional[Protego], *, allow_all: bool = False, user_agent: str = USER_AGENT_TOKEN,
                 source: str = "", base_url: Optional[str] = None) -> None:
        self._parser = parser
        self._base_url = base_url
        self._allow_all = allow_all
        self._token = product_token(user_agent)
        self.source = source  # why these rules: "parsed", "status 404", "unreachable", ...

    @classmethod
    def allowing_all(cls, source: str = "allow all") -> RobotsPolicy:
        return cls(None, allow_all=True, source=source)

    @classmethod
    def disallowing_all(cls, source: str = "disallow all") -> RobotsPolicy:
        return cls(None, allow_all=False, source=source)

    @classmethod
    def from_response(cls, status: Optional[int], body: bytes, user_agent: str = USER_AGENT_TOKEN,
                      url: Optional[str] = None) -> RobotsPolicy:
        """Rules from a robots.txt fetch: ``status`` None means no response at all.

        ``body`` is the payload with any Content-Encoding already removed (a gzip body is
        tolerated). ``url``, when given, resolves relative Sitemap lines.
        """
        if status is None:
            return cls.disallowing_all("unreachable")
        if status == 429 or status >= 500:
            return cls.disallowing_all(f"status {status}")
        if not 200 <= status < 300:
            return cls.allowing_all(f"status {status}")
        parser = Protego.parse(_robots_text(body))
        return cls(parser, user_agent=user_agent, source="parsed", base_url=url)

    def allowed(self, url: str) -> bool:
        if self._parser is None:
            return self._allow_all or urlsplit(url).path == "/robots.txt"
        return bool(self._parser.can_fetch(url, self._token))

    def crawl_delay(self) -> Optional[float]:
        """The Crawl-delay for our group in seconds, or None (capping it is the frontier's call)."""
        if self._parser is None:
            return None
        delay = self._parser.crawl_delay(self._token)
        if delay is None or not math.isfinite(delay) or delay < 0:
            return None
        return float(delay)

    def sitemaps(self) -> list[str]:
        """Sitemap URLs named in the file, normalised, duplicates dropped, order kept."""
        if self._parser is None:
            return []
        found: list[str] = []
        for raw in self._parser.sitemaps:
            url = normalize_url(raw, self._base_url)
            if url and url not in found:
                found.append(url)
        return found

    def __repr__(self) -> str:
        return f"RobotsPolicy({self.source})"


def _robots_text(body: bytes) -> str:
    if body[:2] == b"\x1f\x8b":  # a server that gzips robots.txt without saying so
        body = _gunzip_prefix(body, MAX_ROBOTS_BYTES)
    if len(body) > MAX_ROBOTS_BYTES:
        cut = body.rfind(b"\n", 0, MAX_ROBOTS_BYTES)
        body = body[: cut if cut > 0 else MAX_ROBOTS_BYTES]
    return body.decode("utf-8", errors="replace").lstrip("\ufeff")


def _gunzip_prefix(data: bytes, limit: int) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit + 1)
    except zlib.error:
        return b""
