"""What the catalogue hands out: plain frozen rows, independent of the store behind them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional


class CaptureOutcome(NamedTuple):
    capture_id: int
    article_id: Optional[int]
    version_n: Optional[int]
    is_new_article: bool
    is_changed: bool  # an existing article got a new version
    is_removed: bool = False  # this capture (404/410, redirect to a front page) marked the article removed


class PreviousCapture(NamedTuple):
    """The latest successful capture of a URL, for revisit dedup and conditional requests.

    For a revisit, the location and date are the original response's, which is what a new
    revisit record must refer to (WARC-Refers-To-Target-URI/-Date).
    """

    payload_digest: str
    captured_at: str
    warc_file: str
    offset: int
    etag: Optional[str]
    last_modified: Optional[str]
    url: str = ""  # the original response's target URI
    record_id: str = ""


@dataclass(frozen=True)
class ArticleRecord:
    id: int
    url: str  # canonical URL as first seen
    url_key: str
    site: str
    first_captured_at: str
    last_captured_at: str
    removed_at: Optional[str]
    latest_version: int
    capture_count: int = 0


@dataclass(frozen=True)
class VersionRecord:
    article_id: int
    n: int
    text_hash: str
    title: str
    text: str
    authors: tuple[str, ...]
    published: Optional[str]
    updated: Optional[str]
    language: Optional[str]
    site_name: Optional[str]
    description: Optional[str]
    section: Optional[str]
    tags: tuple[str, ...]
    lead_image: Optional[str]
    word_count: int
    flags: tuple[str, ...]
    extractor: str
    captured_at: str
    capture_id: int

    @classmethod
    def from_row(cls, row: Any) -> "VersionRecord":
        return cls(
            article_id=row["article_id"], n=row["n"], text_hash=row["text_hash"], title=row["title"],
            text=row["text"], authors=tuple(json.loads(row["authors"])), published=row["published"],
            updated=row["updated"], language=row["language"], site_name=row["site_name"],
            description=row["description"], section=row["section"], tags=tuple(json.loads(row["tags"])),
            lead_image=row["lead_image"], word_count=row["word_count"], flags=tuple(json.loads(row["flags"])),
            extractor=row["extractor"], captured_at=row["captured_at"], capture_id=row["capture_id"],
        )


@dataclass(frozen=True)
class CaptureRecord:
    id: int
    url: str
    captured_at: str
    status: Optional[int]
    mime: str
    payload_digest: str
    warc_file: str
    offset: int
    length: int
    record_type: str
    record_id: Optional[str]
    refers_to_uri: Optional[str]
    refers_to_date: Optional[str]
    original_id: Optional[int]
    job: str
    run_id: Optional[int]
    truncated: Optional[str]
    article_id: Optional[int]
    version_n: Optional[int]
    etag: Optional[str]
    last_modified: Optional[str]

    @classmethod
    def from_row(cls, row: Any) -> "CaptureRecord":
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RunRecord:
    id: int
    job: str
    started_at: str
    finished_at: Optional[str]
    outcome: str
    counts: dict[str, int] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogueStats:
    warc_files: int
    warc_bytes: int  # on disk, WARC files in the archive directory
    captures: int
    revisits: int
    articles: int
    removed_articles: int
    versions: int
    sites: int
    runs: int
    index_bytes: int  # index.sqlite with its WAL
    search_bytes: int  # the full-text index directory
    unsynced_articles: int

    @property
    def disk_bytes(self) -> int:
        return self.warc_bytes + self.index_bytes + self.search_bytes
