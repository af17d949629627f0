"""Archived payload bytes -> Article (or None with a reason). Pure: no network, no files.

    payload --decode.py--> text --lxml--> tree --metadata.py--> PageMeta
                                           |
                      layer 1 (rules.drop_generic) + layer 2 (site CSS selectors)
                                           |
                          trafilatura (comments off) --> paragraphs
                                           |
          layer 1 lines + layer 2 line patterns + layer 3 learned paragraphs (boilerplate.py)
                                           |
                  quality.py: error page? listing? flags --> Article

Text format: paragraphs separated by one blank line; the headline is the title, not text.
Photo captions are not text (they describe images), except on galleries, where they are the story.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import trafilatura
from lxml import etree, html

from newsarchiver import __version__
from newsarchiver.boilerplate import LearnedBoilerplate
from newsarchiver.config import SiteRules
from newsarchiver.decode import (
    MAX_DECODED_BYTES,
    PayloadError,
    decode_content_encoding,
    decode_text,
    parse_content_type,
)
from newsarchiver.metadata import PageMeta, fallback_date, read_metadata
from newsarchiver.models import Article, ExtractResult
from newsarchiver.quality import (
    PageStats,
    count_words,
    detect_flags,
    error_reason,
    listing_reason,
    page_stats,
)
from newsarchiver.rules import (
    drop_generic,
    drop_generic_lines,
    drop_lines,
    drop_marked,
    flatten_layout_tables,
    mark_live_blog,
    mark_selectors,
    normalise_line,
    prepare_figures,
    site_line_patterns,
    unwrap_times,
)
from newsarchiver.sniff import non_html_reason

LOGGER = logging.getLogger(__name__)
EXTRACTOR = f"newsarchiver/{__version__} trafilatura/{trafilatura.__version__}"

_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_INVISIBLE = ("script", "style", "template", "noscript", "link")


@dataclass
class Explanation:
    """What each boilerplate layer dropped, for `newsarchiver extract --explain`."""

    generic: list[str] = field(default_factory=list)
    site: list[str] = field(default_factory=list)
    learned: list[str] = field(default_factory=list)
    codec: str = ""
    gallery: bool = False


def extract_article(
    payload: bytes,
    url: str,
    headers: Sequence[tuple[str, str]] = (),
    *,
    site_rules: SiteRules | None = None,
    learned: LearnedBoilerplate | None = None,
    status: int | None = None,
) -> ExtractResult:
    """The article in an archived HTTP response body, or None with the reason it is not one.

    ``payload`` is the body as archived (Content-Encoding still applied), ``headers`` the
    response headers; ``status``, when given, turns 4xx/5xx responses into error pages.
    """
    return explain_extraction(payload, url, headers, site_rules=site_rules, learned=learned, status=status,
                              explain=False)[0]


def explain_extraction(
    payload: bytes,
    url: str,
    headers: Sequence[tuple[str, str]] = (),
    *,
    site_rules: SiteRules | None = None,
    learned: LearnedBoilerplate | None = None,
    status: int | None = None,
    explain: bool = True,
) -> tuple[ExtractResult, Explanation]:
    """Like extract_article, plus what each boilerplate layer dropped."""
    why = Explanation()
    content_type = parse_content_type(headers)
    reason = non_html_reason(content_type.mime, payload, headers)
    if reason:
        return ExtractResult(None, reason), why
    try:
        body = decode_content_encoding(payload, headers, MAX_DECODED_BYTES)
    except PayloadError as exc:
        return ExtractResult(None, f"undecodable payload: {exc}"), why
    reason = non_html_reason(content_type.mime, body, ())
    if reason:
        return ExtractResult(None, reason), why
    text, why.codec = decode_text(body, content_type.charset)
    if site_rules and site_rules.drop_selectors:
        text = mark_selectors(text, site_rules.drop_selectors)
    tree = _parse(text)
    if tree is None:
        return ExtractResult(None, "not an article: no HTML content"), why
    return _extract_from_tree(tree, text, url, site_rules, learned, status, why, explain), why


def _parse(text: str) -> html.HtmlElement | None:
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        return None
    try:
        tree = html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return tree if tree.find("body") is not None or len(tree) else None


def _extract_from_tree(
    tree: html.HtmlElement,
    raw_html: str,
    url: str,
    site_rules: SiteRules | None,
    learned: LearnedBoilerplate | None,
    status: int | None,
    why: Explanation,
    explain: bool,
) -> ExtractResult:
    meta = read_metadata(tree, url)
    noscript = " ".join(el.text_content() for el in tree.iter("noscript"))
    etree.strip_elements(tree, *_INVISIBLE, with_tail=False)
    stats = page_stats(tree, noscript)

    why.gallery = prepare_figures(tree)
    unwrap_times(tree)
    flatten_layout_tables(tree)
    if "liveblogposting" in meta.jsonld_types:
        mark_live_blog(tree)
    why.site = drop_marked(tree) if site_rules and site_rules.drop_selectors else []
    why.generic = drop_generic(tree, explain=explain)
    try:
        lines = _trafilatura_lines(tree, url)
    except Exception as exc:  # third-party code on hostile input: a failed page is data, not a crash
        LOGGER.warning("trafilatura failed on %s", url, exc_info=True)
        return ExtractResult(None, f"extraction failed: {type(exc).__name__}: {exc}"[:200])

    lines, dropped = drop_generic_lines(lines, meta.title, meta.authors)
    why.generic += dropped
    lines, dropped = drop_lines(lines, site_line_patterns(site_rules))
    why.site += dropped
    if learned is not None:
        lines, why.learned = learned.apply(lines)

    text = "\n\n".join(lines)
    words = count_words(text)
    reason = error_reason(meta, status, words)
    if reason:
        return ExtractResult(None, reason)
    flags = detect_flags(url, raw_html, meta, stats, text, words)
    if not flags:
        reason = listing_reason(meta, stats, lines, words)
        if reason:
            return ExtractResult(None, reason)
        if not lines:
            return ExtractResult(None, "not an article: no article text found")
        article = _article(url, meta, tree, text, words, flags)
        # The fallback date is not a signal: htmldate finds dates in any listing's teasers.
        if not (meta.declares_article or meta.published or meta.authors or stats.teasers == 1):
            # Front pages, section fronts with few links, "About us", contact and policy pages:
            # archived as captures, but a news article says when it was published or by whom.
            return ExtractResult(None, "not an article: no publication date, byline or article markup")
        return ExtractResult(article)
    elif not lines:
        text = _as_found(stats)
        words = count_words(text)
    return ExtractResult(_article(url, meta, tree, text, words, flags))


def _trafilatura_lines(tree: html.HtmlElement, url: str) -> list[str]:
    body = tree.find("body")
    if body is None or len(body.text_content().strip()) < 40:
        # nothing left once the chrome is gone (a wall, a challenge, an app shell): trafilatura
        # would run all its fallbacks on an empty page, at several times the usual cost
        return []
    document = trafilatura.bare_extraction(tree, url=url, include_comments=False, with_metadata=False)
    if document is None or isinstance(document, dict) or document.body is None:
        return []
    return [line for line in (normalise_line(p) for p in _paragraphs(document.body)) if line]


_CONTAINERS = {"div", "section", "article", "main", "body", "doc"}


def _paragraphs(body: etree._Element) -> list[str]:
    """trafilatura's output tree -> paragraphs; list items and table rows become their own.

    The main extractor returns flat blocks; its fallbacks (readability, justext) can return nested
    <div>s, which are walked into rather than flattened into one paragraph.
    """
    out: list[str] = []
    for child in body:
        if child.tag == "list":
            out.extend(_text(item) for item in child.iter("item"))
        elif child.tag == "table":
            out.extend(" | ".join(_text(cell) for cell in row.iter("cell")) for row in child.iter("row"))
        elif child.tag in _CONTAINERS and len(child):
            out.append(child.text or "")
            out.extend(_paragraphs(child))
        else:
            out.append(_text(child))
        if child.tail and child.tail.strip() and body.tag in _CONTAINERS:
            out.append(child.tail)
    return out


def _text(el: etree._Element) -> str:
    parts = [el.text or ""]
    for child in el:
        parts.append(" " if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _as_found(stats: PageStats) -> str:
    """A flagged page's text when nothing article-like survived: what the visitor saw."""
    lines = [" ".join(line.split()) for line in (stats.visible_text + "\n" + stats.noscript_text).splitlines()]
    return "\n\n".join(line for line in lines if line)


def _article(url: str, meta: PageMeta, tree: html.HtmlElement, text: str, words: int,
             flags: tuple[str, ...]) -> Article:
    published = meta.published
    if published is None and not flags:
        published = fallback_date(tree, url)
    return Article(
        url=url,
        canonical_url=meta.canonical_url or url,
        title=meta.title,
        text=unicodedata.normalize("NFC", text),
        authors=tuple(meta.authors),
        published=published,
        updated=meta.updated,
        site_name=meta.site_name,
        language=meta.language,
        description=meta.description,
        section=meta.section,
        tags=tuple(meta.tags),
        lead_image=meta.lead_image,
        word_count=words,
        text_hash=text_hash(text),
        flags=flags,
        extractor=EXTRACTOR,
    )


def text_hash(text: str) -> str:
    """sha256 of the text, NFC-normalised with every whitespace run collapsed to one space."""
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def apply_learned(article: Article, learned: LearnedBoilerplate) -> tuple[Article, list[str]]:
    """Layer 3 on an already extracted article (the CLI's second pass over a WARC)."""
    kept, dropped = learned.apply(article.text.split("\n\n"))
    if not dropped:
        return article, []
    text = "\n\n".join(kept)
    return replace(article, text=text, word_count=count_words(text), text_hash=text_hash(text)), dropped
