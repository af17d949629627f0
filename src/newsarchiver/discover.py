"""Finding URLs to crawl: links in pages, RSS/Atom feeds, XML sitemaps. Pure: bytes in, URLs out.

Nothing here fetches. Every returned URL is ``normalize_url``-normalised, absolute http(s),
deduplicated with its first-seen order kept; scope is the caller's business (``urls.Scope``).

Decisions:

- ``rel="nofollow"`` (on links or in ``<meta name="robots">``) is not honoured: it is a hint
  about search ranking, not about access, and archive crawlers (Heritrix, Browsertrix) ignore
  it too. Access is robots.txt's job.
- feedparser is handed a byte stream, never a string: given bytes or a str it may treat them as
  a file name or URL and read the local disk or the network on its own.
- Sitemaps: gzip is recognised by its magic bytes (servers label it every which way); at most
  ``MAX_SITEMAP_BYTES`` of XML are parsed, uncompressed (the sitemaps.org limit is 50 MB), and
  at most ``MAX_SITEMAP_URLS`` URLs taken; lxml parses in recovery mode with entities, DTDs and
  network access off, so broken or hostile XML gives what can be read and nothing else.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zlib
from dataclasses import dataclass, field
from typing import Literal, Optional
from urllib.parse import urlsplit

import feedparser
from lxml import etree

from newsarchiver.decode import meta_charset, normalise_charset, sniff_bom
from newsarchiver.urls import normalize_url

MAX_HTML_BYTES = 10 * 1024 * 1024
MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_URLS = 50_000

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/xml",
        "text/xml",
    }
)

PageKind = Literal["html", "feed", "sitemap", "robots", "other"]


# --- HTML --------------------------------------------------------------------------------------

_parsers = threading.local()  # lxml parsers must not be shared between threads


def _html_parser() -> etree.HTMLParser:
    parser = getattr(_parsers, "html", None)
    if parser is None:
        parser = _parsers.html = etree.HTMLParser(recover=True, no_network=True, remove_comments=True,
                                                  remove_pis=True)
    return parser


def _decode_html(body: bytes, encoding: Optional[str]) -> str:
    """Cheap decoding for link extraction: BOM, the caller's hint, <meta>, UTF-8, windows-1252.

    No statistical detection: it is slow and only matters for non-ASCII characters in URLs of
    undeclared legacy pages, which are rare (hrefs are usually percent-encoded already).
    """
    bom = sniff_bom(body)
    if bom:
        return body[bom[1]:].decode(bom[0], "replace")
    for codec in (normalise_charset(encoding), meta_charset(body)):
        if codec:
            try:
                return body.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _html_root(body: bytes | str, encoding: Optional[str]) -> Optional[etree._Element]:
    text = body if isinstance(body, str) else _decode_html(body[:MAX_HTML_BYTES], encoding)
    # lxml refuses a str that starts with an encoding declaration (XHTML pages have one).
    text = _XML_DECLARATION.sub("", text[:MAX_HTML_BYTES], count=1)
    if not text.strip():
        return None
    try:
        return etree.fromstring(text, _html_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _is_feed_link(element: etree._Element) -> bool:
    rels = (element.get("rel") or "").lower().split()
    mime = (element.get("type") or "").split(";")[0].strip().lower()
    return "alternate" in rels and mime in FEED_TYPES


@dataclass(frozen=True)
class PageLinks:
    links: list[str]  # a/area hrefs and feed links: pages to follow
    feeds: list[str]  # rel=alternate RSS/Atom/JSON feeds
    assets: list[str]  # images, stylesheets and icons the page needs to replay as captured


def scan_page(body: bytes | str, base_url: str, encoding: Optional[str] = None, *,
              want_links: bool = True, want_assets: bool = True) -> PageLinks:
    """Every URL a crawler wants from an HTML page, resolved and normalised, in one parse.

    Normalising is most of the cost on pages with big menus, so a crawler at its depth limit
    asks only for assets (want_links=False)."""
    root = _html_root(body, encoding)
    if root is None:
        return PageLinks([], [], [])
    base: Optional[str] = None
    raw: list[tuple[str, str]] = []  # (href, "link" | "feed" | "asset")
    for element in root.iter("a", "area", "link", "base", "img"):
        if element.tag == "img":
            src = element.get("src") or _first_srcset(element.get("srcset"))
            if src:
                raw.append((src, "asset"))
            continue
        href = element.get("href")
        if not href:
            continue
        if element.tag == "base":
            if base is None:  # only the first <base href> counts (HTML spec)
                base = href
        elif element.tag != "link":
            raw.append((href, "link"))
        elif _is_feed_link(element):
            raw.append((href, "feed"))
        elif set((element.get("rel") or "").lower().split()) & {"stylesheet", "icon", "shortcut"}:
            raw.append((href, "asset"))
    document_base = (normalize_url(base, base_url) if base else None) or base_url
    found: dict[str, dict[str, None]] = {"link": {}, "feed": {}, "asset": {}}
    wanted = {"link": want_links, "feed": want_links, "asset": want_assets}
    for href, kind in raw:
        if not wanted[kind]:
            continue
        url = normalize_url(href, document_base)  # javascript:, mailto:, tel:, data: -> None
        if url is None:
            continue
        found[kind][url] = None
        if kind == "feed":
            found["link"][url] = None
    return PageLinks(list(found["link"]), list(found["feed"]), list(found["asset"]))


def _first_srcset(srcset: Optional[str]) -> Optional[str]:
    if not srcset:
        return None
    first = srcset.split(",")[0].strip().split()
    return first[0] if first else None


def _scan_html(body: bytes | str, base_url: str, encoding: Optional[str]) -> tuple[list[str], list[str]]:
    """(all followable links incl. feeds, feed links only), resolved and normalised."""
    page = scan_page(body, base_url, encoding)
    return page.links, page.feeds


def links_from_html(body: bytes | str, base_url: str, encoding: Optional[str] = None) -> list[str]:
    """Links to follow from an HTML page: ``a``/``area`` hrefs and ``rel=alternate`` feeds.

    ``base_url`` is the URL the page was fetched from (after redirects); a ``<base href>`` in
    the page overrides it. ``encoding`` is the HTTP charset, if any.
    """
    return _scan_html(body, base_url, encoding)[0]


def feed_links(body: bytes | str, base_url: str, encoding: Optional[str] = None) -> list[str]:
    """RSS/Atom/JSON feeds an HTML page announces with ``<link rel="alternate" type=...>``."""
    return _scan_html(body, base_url, encoding)[1]


# --- feeds -------------------------------------------------------------------------------------


def parse_feed(body: bytes, base_url: str) -> list[str]:
    """Entry links of an RSS 0.9x/1.0/2.0, Atom or JSON feed, in feed order."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _json_feed(body[:MAX_FEED_BYTES], base_url)
    parsed = feedparser.parse(
        io.BytesIO(body[:MAX_FEED_BYTES]),  # a stream: see the module docstring
        response_headers={"content-location": base_url},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    found: dict[str, None] = {}
    for entry in parsed.get("entries", []):
        url = _entry_url(entry, base_url)
        if url:
            found[url] = None
    return list(found)


def _json_feed(body: bytes, base_url: str) -> list[str]:
    """JSON Feed 1.0/1.1 (jsonfeed.org): feedparser 6.0 does not read it."""
    try:
        data = json.loads(body.decode("utf-8-sig", "replace"))
    except ValueError:
        return []
    items = data.get("items") if isinstance(data, dict) else None
    found: dict[str, None] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        for key in ("url", "external_url"):
            value = item.get(key)
            url = normalize_url(value, base_url) if isinstance(value, str) and value.strip() else None
            if url:
                found[url] = None
                break
    return list(found)


def _entry_url(entry: feedparser.FeedParserDict, base_url: str) -> Optional[str]:
    # FeedBurner rewrites links to its redirector and keeps the article's own URL here.
    candidates = [entry.get("feedburner_origlink"), entry.get("link")]
    candidates += [link.get("href") for link in entry.get("links", []) if link.get("rel", "alternate") == "alternate"]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            url = normalize_url(candidate, base_url)
            if url:
                return url
    # An RSS guid or Atom id is often the permalink, but only trust it when absolute: a relative
    # one ("12345") is an opaque identifier, not a path.
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip().lower().startswith(("http://", "https://")):
        return normalize_url(guid)
    return None


# --- sitemaps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewsEntry:
    """A ``<news:news>`` block of a Google News sitemap."""

    url: str
    title: Optional[str] = None
    publication_date: Optional[str] = None  # W3C datetime as given, e.g. "2024-05-01T10:00:00Z"
    publication_name: Optional[str] = None
    language: Optional[str] = None


@dataclass(frozen=True)
class SitemapResult:
    urls: list[str] = field(default_factory=list)  # page URLs (<urlset>, text sitemaps, feeds)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps (<sitemapindex>)
    news: list[NewsEntry] = field(default_factory=list)
    lastmod: dict[str, str] = field(default_factory=dict)  # url -> <lastmod> as given
    truncated: bool = False  # a size or count cap was hit, or the gzip stream was damaged


_XML_PARSER_OPTIONS = dict(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                           remove_comments=True, remove_pis=True, huge_tree=False)


def _xml_parser() -> etree.XMLParser:
    parser = getattr(_parsers, "xml", None)
    if parser is None:
        parser = _parsers.xml = etree.XMLParser(**_XML_PARSER_OPTIONS)
    return parser


def gunzip_capped(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Decompress (possibly multi-member) gzip up to ``limit`` bytes: (data, truncated)."""
    out: list[bytes] = []
    size = 0
    while data and size <= limit:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = inflater.decompress(data, limit + 1 - size)
        except zlib.error:
            return b"".join(out), True
        out.append(chunk)
        size += len(chunk)
        if inflater.unconsumed_tail:  # stopped by the cap, not by the end of the stream
            break
        if not inflater.eof:
            return b"".join(out), True  # cut-off download
        data = inflater.unused_data.lstrip(b"\x00")  # padding, then maybe another gzip member
        if data[:2] != b"\x1f\x8b":
            break  # trailing garbage after a complete stream: keep what we have
    joined = b"".join(out)
    return joined[:limit], size > limit


def parse_sitemap(body: bytes, base_url: str) -> SitemapResult:
    """URLs of an XML sitemap, sitemap index, Google News sitemap, text sitemap or RSS/Atom feed."""
    truncated = False
    if body[:2] == b"\x1f\x8b":
        body, truncated = gunzip_capped(body, MAX_SITEMAP_BYTES)
    elif len(body) > MAX_SITEMAP_BYTES:
        body, truncated = body[:MAX_SITEMAP_BYTES], True
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return _text_sitemap(body, base_url, truncated)
    if _root_name(head) in ("rss", "feed", "rdf"):
        return SitemapResult(urls=parse_feed(body, base_url), truncated=truncated)
    try:
        root = etree.fromstring(body, _xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return SitemapResult(truncated=truncated)
    return _xml_sitemap(root, base_url, truncated)


def _local(tag: object) -> str:
    """Element name without namespace or prefix (broken sitemaps get namespaces wrong)."""
    if not isinstance(tag, str):
        return ""  # comments, entities
    return tag.rpartition("}")[2].rpartition(":")[2].lower()


def _child_text(element: etree._Element, name: str) -> Optional[str]:
    for child in element:
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _xml_sitemap(root: etree._Element, base_url: str, truncated: bool) -> SitemapResult:
    urls: dict[str, None] = {}
    sitemaps: dict[str, None] = {}
    news: list[NewsEntry] = []
    lastmod: dict[str, str] = {}
    for element in root.iter():
        kind = _local(element.tag)
        if kind not in ("url", "sitemap"):
            continue
        # Only a direct <loc> child: <image:loc> and <video:...> nest deeper and are not pages.
        loc = _child_text(element, "loc")
        url = normalize_url(loc, base_url) if loc else None
        if url is None:
            continue
        if len(urls) + len(sitemaps) >= MAX_SITEMAP_URLS:
            truncated = True
            break
        (urls if kind == "url" else sitemaps)[url] = None
        modified = _child_text(element, "lastmod")
        if modified:
            lastmod[url] = modified
        if kind == "url":
            entry = _news_entry(element, url)
            if entry:
                news.append(entry)
    return SitemapResult(list(urls), list(sitemaps), news, lastmod, truncated)


def _news_entry(url_element: etree._Element, url: str) -> Optional[NewsEntry]:
    for child in url_element:
        if _local(child.tag) != "news":
            continue
        publication = next((c for c in child if _local(c.tag) == "publication"), None)
        return NewsEntry(
            url=url,
            title=_child_text(child, "title"),
            publication_date=_child_text(child, "publication_date"),
            publication_name=_child_text(publication, "name") if publication is not None else None,
            language=_child_text(publication, "language") if publication is not None else None,
        )
    return None


def _text_sitemap(body: bytes, base_url: str, truncated: bool) -> SitemapResult:
    """sitemaps.org text format: one absolute URL per line, UTF-8."""
    urls: dict[str, None] = {}
    for line in body.decode("utf-8", "replace").splitlines():
        # No base: an error page served instead would otherwise turn every line into a URL.
        line = line.strip()
        url = normalize_url(line) if line.lower().startswith(("http://", "https://")) else None
        if url:
            if len(urls) >= MAX_SITEMAP_URLS:
                truncated = True
                break
            urls[url] = None
    return SitemapResult(urls=list(urls), truncated=truncated)


# --- classification ----------------------------------------------------------------------------

_ROOT_ELEMENT = re.compile(
    # one whitespace character per repetition: "(?:\s+)*" backtracks exponentially on failure
    rb"^(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<([A-Za-z][\w:.-]*)", re.DOTALL | re.IGNORECASE
)
_FEED_MIMES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"})
_HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})
_XML_MIMES = frozenset({"text/xml", "application/xml"})
_GZIP_MIMES = frozenset({"application/gzip", "application/x-gzip", "application/octet-stream"})


def _root_name(head: bytes) -> str:
    """The first element's name, lowercased and without prefix, skipping prolog and comments."""
    match = _ROOT_ELEMENT.match(head.lstrip(b"\xef\xbb\xbf"))
    return match.group(1).decode("ascii").rpartition(":")[2].lower() if match else ""


def classify(content_type: Optional[str], url: str, body_head: bytes) -> PageKind:
    """What a response is, to pick its parser. ``body_head``: the first KiB or so, decoded.

    The body's first element wins over the Content-Type, because servers mislabel feeds and
    sitemaps (``text/html`` RSS, ``application/octet-stream`` sitemaps) far more often than
    they send XML that is something else.
    """
    path = urlsplit(url).path.lower()
    mime = (content_type or "").split(";")[0].strip().lower()
    if path == "/robots.txt":
        return "robots"
    root = _root_name(body_head[:4096])
    if root in ("rss", "feed", "rdf"):
        return "feed"
    if root in ("urlset", "sitemapindex"):
        return "sitemap"
    if root == "html":
        return "html"
    if body_head[:2] == b"\x1f\x8b" and (path.endswith(".xml.gz") or "sitemap" in path) and (
        not mime or mime in _GZIP_MIMES or mime in _XML_MIMES
    ):
        return "sitemap"
    if mime in _FEED_MIMES or (mime.endswith("json") and b"jsonfeed.org" in body_head[:4096]):
        return "feed"
    if mime in _HTML_MIMES:
        return "html"
    if not mime and (root or body_head.lstrip()[:1] == b"<"):
        return "html"  # an unlabelled markup page: browsers sniff it as HTML too
    if mime == "text/plain" and "sitemap" in path and path.endswith(".txt"):
        return "sitemap"
    return "other"
