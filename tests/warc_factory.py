"""Builds real WARC files with warcio for the index, ingest and reading tests: HTML article pages
as a news site serves them, revisits, 404s and deliberately damaged files."""

from __future__ import annotations

import hashlib
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_WORDS = ("government minister parliament election council budget reform agreement treaty border "
          "economy inflation report official statement protest court ruling energy pipeline trade "
          "region capital province security talks delegation summit president villagers farmers "
          "water river harvest school teachers hospital doctors railway bridge market prices").split()

FOOTER = "Copyright Example News. All rights reserved. Support independent journalism: donate today."


def paragraphs_for(seed: str, count: int = 6) -> list[str]:
    """Deterministic, distinct, sentence-like paragraphs (40-60 words each)."""
    out = []
    for i in range(count):
        digest = hashlib.sha256(f"{seed}:{i}".encode()).digest()
        words = [_WORDS[b % len(_WORDS)] for b in digest + hashlib.sha256(digest).digest()][: 40 + digest[0] % 20]
        words[0] = words[0].capitalize()
        out.append(" ".join(words) + ".")
    return out


def article_html(title: str, paragraphs: list[str], *, canonical: str, author: str = "Jane Doe",
                 published: str = "2024-05-01T08:00:00Z", lang: str = "en") -> bytes:
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(title)} | Example News</title>
<link rel="canonical" href="{e(canonical)}">
<meta property="og:title" content="{e(title)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Example News">
<meta name="author" content="{e(author)}">
<meta property="article:published_time" content="{published}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav></header>
<main><article>
<h1>{e(title)}</h1>
<p class="byline">By {e(author)}</p>
{body}
</article></main>
<footer><p>{FOOTER}</p></footer>
</body></html>""".encode("utf-8")


@dataclass
class WarcBuilder:
    """Appends records to one gzip-per-record WARC file in memory; `save` writes it."""

    buffer: io.BytesIO = field(default_factory=io.BytesIO)
    job: Optional[str] = None

    def __post_init__(self) -> None:
        self.writer = WARCWriter(self.buffer, gzip=True)
        info = {"software": "test-crawler/1.0", "format": "WARC File Format 1.1"}
        if self.job:
            info["isPartOf"] = self.job
        self.writer.write_record(self.writer.create_warcinfo_record("test.warc.gz", info))

    def response(self, url: str, body: bytes, date: str, *, status: str = "200 OK",
                 content_type: str = "text/html; charset=utf-8", extra: Optional[list[tuple[str, str]]] = None) -> None:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))] + (extra or [])
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                warc_headers_dict={"WARC-Date": date})
        self.writer.write_record(record)

    def page(self, url: str, title: str, paragraphs: list[str], date: str, *, canonical: Optional[str] = None,
             **kw: str) -> None:
        self.response(url, article_html(title, paragraphs, canonical=canonical or url, **kw), date)

    def revisit(self, url: str, original_url: str, original_date: str, digest: str, date: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(url, digest, original_url, original_date, http_headers=http)
        record.rec_headers.replace_header("WARC-Date", date)
        self.writer.write_record(record)

    def data(self) -> bytes:
        return self.buffer.getvalue()

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data())
        return path


def sha1_b32(data: bytes) -> str:
    import base64

    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()
