"""Is a payload HTML at all? By Content-Type first, then by its first bytes (servers mislabel)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

_HTML_TYPES = {"", "text/html", "application/xhtml+xml", "text/plain", "application/octet-stream",
               "application/x-unknown", "unknown/unknown", "text/x-server-parsed-html"}
_NAMED_TYPES = {
    "application/pdf": "PDF document",
    "application/json": "JSON",
    "application/ld+json": "JSON",
    "application/rss+xml": "RSS feed",
    "application/atom+xml": "Atom feed",
    "application/feed+json": "JSON feed",
    "text/xml": "XML",
    "application/xml": "XML",
    "text/css": "stylesheet",
    "application/javascript": "script",
    "text/javascript": "script",
}
_MAGIC = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG", "image (PNG)"),
    (b"\xff\xd8\xff", "image (JPEG)"),
    (b"GIF8", "image (GIF)"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"%!PS", "PostScript document"),
)
_XML_ROOT = re.compile(rb"<(rss|feed|urlset|sitemapindex|rdf:RDF|opml)\b", re.IGNORECASE)


def non_html_reason(mime: str, body: bytes, headers: Sequence[tuple[str, str]] = ()) -> str | None:
    """Why the payload is not an HTML page, or None when it may be one.

    Called on the archived payload (``headers`` given: only the Content-Type can be judged while
    a Content-Encoding is still applied) and again on the decoded body (``headers`` empty).
    """
    if mime and mime not in _HTML_TYPES:
        kind = _NAMED_TYPES.get(mime) or ("image" if mime.startswith("image/") else
                                          "audio/video" if mime.startswith(("audio/", "video/")) else mime)
        return f"not HTML: {kind} ({mime})"
    encoded = any(k.lower() == "content-encoding" and v.strip().lower() not in ("", "identity") for k, v in headers)
    if encoded:
        return None
    if not body.strip():
        return "not HTML: empty payload"
    return _sniff(body, mime)


def _sniff(body: bytes, mime: str) -> str | None:
    head = body[:2048]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return f"not HTML: {kind}"
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered or b"<head" in lowered:
        return None
    if _XML_ROOT.search(head):
        kind = _XML_ROOT.search(head).group(1).decode().lower()  # type: ignore[union-attr]
        return "not HTML: " + {"urlset": "sitemap", "sitemapindex": "sitemap index"}.get(kind, f"{kind} feed")
    if head[:1] in (b"{", b"["):
        return "not HTML: JSON"
    if mime == "text/plain" or b"<" not in head:
        return "not HTML: plain text"
    return None
