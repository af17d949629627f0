"""Frozen dataclasses passed between the stages: fetch -> archive -> extract -> index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

Headers = tuple[tuple[str, str], ...]  # in the order received; repeated names kept


def header_value(headers: Headers, name: str) -> Optional[str]:
    """First value of a header, case-insensitive, or None."""
    lname = name.lower()
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


@dataclass(frozen=True)
class FetchResult:
    """One HTTP exchange (one hop), exactly as sent and received."""

    url: str
    method: str
    request_headers: Headers  # as sent, in order, incl. Host
    fetched_at: str  # UTC ISO-8601 with 'Z', when the request was sent
    status: Optional[int] = None  # None when no response arrived (then error is set)
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: Headers = ()  # response headers as received
    body: bytes = b""  # payload as transferred: content-encoding kept, chunking removed
    truncated: Optional[str] = None  # WARC-Truncated reason: "length", "time", "disconnect"
    ip_address: Optional[str] = None
    dechunked: bool = False
    error: Optional[str] = None  # one line when the fetch failed

    @property
    def ok(self) -> bool:
        return self.status is not None and self.error is None


@dataclass(frozen=True)
class Capture:
    """Where a response (or revisit) record lives in the archive."""

    url: str
    captured_at: str  # UTC ISO-8601 'Z' (WARC-Date)
    status: Optional[int]
    mime: str
    payload_digest: str  # "sha1:BASE32"
    warc_file: str  # file name relative to the archive directory
    offset: int
    length: int  # compressed length of the record in the file
    record_type: str = "response"  # or "revisit"
    record_id: str = ""
    refers_to_uri: Optional[str] = None  # for revisits
    refers_to_date: Optional[str] = None
    job: str = ""
    truncated: Optional[str] = None


@dataclass(frozen=True)
class Article:
    """The clean text and metadata of one captured article page."""

    url: str  # the captured URL
    canonical_url: str  # normalised identity (canonical link, else the URL)
    title: str
    text: str
    authors: tuple[str, ...] = ()
    published: Optional[str] = None  # ISO-8601 date or datetime as found
    updated: Optional[str] = None
    site_name: Optional[str] = None
    language: Optional[str] = None  # BCP 47 primary tag, e.g. "en", "ru", "uz"
    description: Optional[str] = None
    section: Optional[str] = None
    tags: tuple[str, ...] = ()
    lead_image: Optional[str] = None
    word_count: int = 0
    text_hash: str = ""  # sha256 hex of the normalised text, for change detection
    flags: tuple[str, ...] = ()  # "paywall", "consent_wall", "bot_challenge", "js_required"
    extractor: str = ""  # "newsarchiver/<version> trafilatura/<version>"


@dataclass(frozen=True)
class ExtractResult:
    article: Optional[Article]
    reason: Optional[str] = None  # why the page is not an article, when article is None


@dataclass
class RunReport:
    """Counts of one crawl or job run (mutable while the run goes on)."""

    job: str
    started_at: str
    finished_at: Optional[str] = None
    discovered: int = 0
    fetched: int = 0
    archived: int = 0
    revisits: int = 0
    not_modified: int = 0
    new_articles: int = 0
    changed_articles: int = 0
    removed_articles: int = 0
    failures: int = 0
    extraction_errors: int = 0  # pages whose extraction crashed (kept as captures, not articles)
    extraction_pending: int = 0  # pages archived with extraction deferred (--no-extract)
    blocked: int = 0  # refused by the SSRF guard or the scheme filter
    robots_excluded: int = 0  # not fetched because robots.txt disallows them (not a failure)
    warc_files: list[str] = field(default_factory=list)
    failed_urls: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    interrupted: bool = False

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return asdict(self)
