"""Article metadata from a parsed page: <meta> tags, JSON-LD, <time>, <html lang>, links.

Read from the raw tree before any cleaning (cleaning removes bylines and <time> elements).
Each field takes the first source that has it, most explicit first; htmldate (via trafilatura)
is asked for a date only when the page states none, since it is the slow part.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "report", "scholarlyarticle", "techarticle", "photograph", "imagegallery",
    "mediagallery", "videoobject",
}
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "website", "sitenavigationelement"}


@dataclass
class PageMeta:
    """Everything the page says about itself, before the text is extracted."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str = ""
    lead_image: str | None = None
    og_type: str | None = None
    jsonld_types: set[str] = field(default_factory=set)
    free_access: bool | None = None  # JSON-LD isAccessibleForFree
    h1: list[str] = field(default_factory=list)
    html_title: str = ""

    @property
    def declares_article(self) -> bool:
        return (self.og_type or "").startswith("article") or bool(self.jsonld_types & ARTICLE_TYPES)


def read_metadata(tree: html.HtmlElement, url: str) -> PageMeta:
    metas = _meta_tags(tree)
    ld = list(_jsonld_objects(tree))
    article_ld = next((o for o in ld if _types(o) & ARTICLE_TYPES), {})
    base = _base_url(tree, url)
    meta = PageMeta()
    meta.jsonld_types = {t for o in ld for t in _types(o)}
    meta.og_type = metas.get("og:type", "").lower() or None
    meta.site_name = _first(metas.get("og:site_name"), _name(article_ld.get("publisher")),
                            _publisher_from_graph(ld), metas.get("application-name"))
    meta.h1 = [_clean(h.text_content()) for h in tree.iter("h1")][:5]
    title_el = tree.find(".//title")
    meta.html_title = _clean(title_el.text_content()) if title_el is not None else ""
    meta.title = _pick_title(meta, metas, article_ld)
    meta.authors = _authors(tree, metas, article_ld)
    meta.published = _first_date(article_ld.get("datePublished"), metas.get("article:published_time"),
                                  metas.get("og:published_time"), metas.get("datepublished"),
                                  metas.get("pubdate"), metas.get("publishdate"), metas.get("publish-date"),
                                  metas.get("parsely-pub-date"), metas.get("sailthru.date"), metas.get("date"),
                                  metas.get("dc.date"), metas.get("dcterms.created"), metas.get("dc.date.issued"),
                                  _time_element(tree, "published"))
    meta.updated = _first_date(article_ld.get("dateModified"), metas.get("article:modified_time"),
                               metas.get("og:updated_time"), metas.get("datemodified"),
                               metas.get("dcterms.modified"), _time_element(tree, "updated"))
    meta.language = _language(tree, metas, article_ld)
    meta.description = _first(metas.get("og:description"), metas.get("description"),
                              _str(article_ld.get("description")))
    meta.section = _first(metas.get("article:section"), _first_str(article_ld.get("articleSection")),
                          metas.get("parsely-section"), metas.get("section"))
    meta.tags = _tags(metas, article_ld)
    meta.canonical_url = _canonical(tree, metas, base, url, article_ld)
    meta.lead_image = _absolute(base, _first(metas.get("og:image"), metas.get("twitter:image"),
                                             _image(article_ld.get("image"))))
    free = article_ld.get("isAccessibleForFree")
    if free is not None:
        meta.free_access = str(free).strip().lower() not in ("false", "0", "no")
    return meta


# --- sources -----------------------------------------------------------------------------------


def _meta_tags(tree: html.HtmlElement) -> dict[str, str]:
    """name/property/itemprop -> content; the first occurrence wins, except article:tag (all kept)."""
    out: dict[str, str] = {}
    tags: list[str] = []
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").strip()
        content = el.get("content")
        if not key or content is None:
            continue
        key = key.lower()
        content = _clean(content)
        if key == "article:tag":
            tags.append(content)
        elif content and key not in out:
            out[key] = content
    if tags:
        out["article:tag"] = "\x1f".join(tags)
    return out


def _jsonld_objects(tree: html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        raw = script.text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _flatten(main)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {v.lower() for v in values if isinstance(v, str)}


def _str(value: Any) -> str | None:
    return _clean(value) if isinstance(value, str) and value.strip() else None


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return _str(value)


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _str(value.get("name"))
    return _str(value)


def _publisher_from_graph(ld: list[dict[str, Any]]) -> str | None:
    for obj in ld:
        if _types(obj) & {"newsmediaorganization", "organization"} and _str(obj.get("name")):
            return _str(obj.get("name"))
    return None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _clean(text: str) -> str:
    return " ".join(text.split())


# --- fields ------------------------------------------------------------------------------------

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»)\s+")


def _pick_title(meta: PageMeta, metas: dict[str, str], article_ld: dict[str, Any]) -> str:
    candidates = [c for c in (_str(article_ld.get("headline")), metas.get("og:title"), metas.get("twitter:title"),
                              meta.html_title) if c]
    # the visible headline wins when the page's own metadata agrees it is the headline
    for h1 in meta.h1:
        if h1 and any(_same_headline(h1, c, meta.site_name) for c in candidates):
            return h1
    for candidate in candidates:
        stripped = _strip_site_suffix(candidate, meta.site_name)
        if stripped:
            return stripped
    return meta.h1[0] if meta.h1 else ""


def _same_headline(h1: str, candidate: str, site_name: str | None) -> bool:
    # a logo in an <h1> ("RFE/RL") must not pass for the headline: require most of the title
    stripped = _strip_site_suffix(candidate, site_name).casefold()
    return h1.casefold() in candidate.casefold() and len(h1) >= 0.6 * len(stripped)


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        last, first = parts[-1].casefold(), parts[0].casefold()
        if site_name and site_name.casefold() in (last, first):
            parts = parts[:-1] if site_name.casefold() == last else parts[1:]
        elif len(parts[-1]) <= 30 and len(parts[-1]) < len(" ".join(parts[:-1])) / 2:
            parts = parts[:-1]  # a short trailing part is almost always the site's name
    return " - ".join(parts).strip()


_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|автор[ыи]?:?|muallif:?)\s+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\bи\b|&)\s*", re.IGNORECASE)


def _authors(tree: html.HtmlElement, metas: dict[str, str], article_ld: dict[str, Any]) -> list[str]:
    found: list[str] = []
    ld_author = article_ld.get("author")
    for item in ld_author if isinstance(ld_author, list) else [ld_author]:
        name = _name(item)
        if name:
            found.append(name)
    if not found:
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "byl", "dc.creator"):
            value = metas.get(key)
            if value and not value.startswith("http"):
                found.extend(_split_authors(value))
                break
    if not found:
        found = _byline_authors(tree)
    return _dedupe(a for a in found if 1 < len(a) < 80)  # Chinese names can be two characters


def _split_authors(value: str) -> list[str]:
    value = _BYLINE_PREFIX.sub("", value.strip())
    return [v.strip() for v in _AUTHOR_SPLIT.split(value) if v.strip()]


_BYLINE_CLASSES = ("byline__name", "byline-name", "author-name", "author__name", "authorname")
_BYLINE_TOKENS = {"author", "byline"}  # whole class tokens, or the end of one: "story__author"


def _byline_authors(tree: html.HtmlElement) -> list[str]:
    names: list[str] = []
    # attribute values come out of one C-level xpath; matching them in Python is much cheaper than
    # an xpath predicate of contains() calls evaluated on every element
    for value in tree.xpath("//body//@itemprop | //body//@rel | //body//@class"):
        low = value.lower()
        if value.attrname in ("itemprop", "rel"):
            hit = low == "author"
        else:
            hit = any(c in low for c in _BYLINE_CLASSES) or any(
                t in _BYLINE_TOKENS or t.endswith(("__author", "-author", "_author")) for t in low.split())
        if not hit:
            continue
        el = value.getparent()
        name_el = el.find(".//*[@itemprop='name']")
        text = _clean((name_el if name_el is not None else el).text_content())
        if text and len(text) < 80:
            names.extend(_split_authors(text))
    return names


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


_TEASER_CLASS = re.compile(r"teaser|card|promo|related|item|story-list", re.I)


def _in_teaser(el: html.HtmlElement) -> bool:
    """A <time> in a list item or a teaser card dates another article, not this page."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("li", "aside", "nav"):
            return True
        if _TEASER_CLASS.search(ancestor.get("class") or ""):
            return True
        if ancestor.tag in ("article", "main", "body"):
            return False
    return False


def _time_element(tree: html.HtmlElement, kind: str) -> str | None:
    """The datetime of a <time> (or itemprop) element marking the publication or the update."""
    wanted = "datepublished" if kind == "published" else "datemodified"
    for value in tree.xpath("//body//@itemprop"):
        if value.lower() == wanted:
            el = value.getparent()
            if el.get("datetime") or el.get("content"):
                return el.get("datetime") or el.get("content")
    fallback = None
    for el in tree.iter("time"):
        value = el.get("datetime")
        if not value:
            continue
        updated = "updat" in (el.get("class") or "") or "modif" in (el.get("class") or "")
        if kind == "updated":
            if updated:
                return value
        elif el.get("pubdate") is not None:
            return value
        elif not updated and fallback is None:
            zone = next(el.iterancestors("article", "main"), None)
            # The first <time> of the article is its date line; a zone with many is a listing.
            if zone is not None and len(zone.xpath(".//time[@datetime]")) <= 3 and not _in_teaser(el):
                fallback = value
    return fallback


def _first_date(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value.strip():
            iso = iso_date(value)
            if iso:
                return iso
    return None


def iso_date(value: str) -> str | None:
    """A date or datetime string in any common form -> ISO-8601 ('2005-11-14' or with time and offset)."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", value) else value)
        return parsed.isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()  # RFC 2822, e.g. "Mon, 14 Nov 2005 10:00:00 GMT"
    except (TypeError, ValueError, IndexError):
        pass
    match = re.match(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$", value) or None
    if match:
        y, m, d = (int(g) for g in match.groups())
        return f"{y:04d}-{m:02d}-{d:02d}"
    match = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", value)
    if match:
        d, m, y = (int(g) for g in match.groups())
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def fallback_date(tree: html.HtmlElement, url: str) -> str | None:
    """Ask htmldate (trafilatura's date finder) when the page states no date itself."""
    try:
        from htmldate import find_date

        return find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises a range of errors on odd pages; a missing date is fine
        return None


def _language(tree: html.HtmlElement, metas: dict[str, str], article_ld: dict[str, Any]) -> str | None:
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  metas.get("content-language"), metas.get("language"), metas.get("dc.language"),
                  _first_str(article_ld.get("inLanguage")), metas.get("og:locale")]
    for value in candidates:
        if value:
            primary = re.split(r"[-_,;\s]", value.strip())[0].lower()
            if re.fullmatch(r"[a-z]{2,3}", primary):
                return primary
    return None


def _tags(metas: dict[str, str], article_ld: dict[str, Any]) -> list[str]:
    if metas.get("article:tag"):
        values = metas["article:tag"].split("\x1f")
    elif metas.get("news_keywords") or metas.get("keywords"):
        values = (metas.get("news_keywords") or metas["keywords"]).split(",")
    else:
        keywords = article_ld.get("keywords")
        values = keywords if isinstance(keywords, list) else (keywords or "").split(",")
    return _dedupe(v.strip() for v in values if isinstance(v, str) and v.strip())


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return _str(value)


def _base_url(tree: html.HtmlElement, url: str) -> str:
    base = tree.find(".//base[@href]")
    return urljoin(url, base.get("href")) if base is not None else url


def _absolute(base: str, link: str | None) -> str | None:
    if not link:
        return None
    resolved = urljoin(base, link.strip())
    return resolved if urlsplit(resolved).scheme in ("http", "https") else None


def _canonical(tree: html.HtmlElement, metas: dict[str, str], base: str, url: str, article_ld: dict[str, Any]) -> str:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            resolved = _absolute(base, link.get("href"))
            if resolved:
                return resolved
    page = article_ld.get("mainEntityOfPage")
    ld_url = _str(page.get("@id") or page.get("url")) if isinstance(page, dict) else _str(page)
    return (_absolute(base, metas.get("og:url")) or _absolute(base, _str(article_ld.get("url")))
            or _absolute(base, ld_url) or url)
