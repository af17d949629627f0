"""Boilerplate layers 1 and 2: generic rules and per-site rules (config.toml ``[[sites]]``).

Layer 1 (generic) runs on the parsed tree before trafilatura -- skip links, tickers, share bars,
cookie notices, newsletter boxes, related-content boxes, legal notices, chosen by tag, role,
aria-label and class/id tokens, plus short elements whose whole text is a known chrome phrase --
and on the extracted lines after it (read-more links, photo credits, bylines, bare dates).
Layer 2 marks the site's CSS selectors in the HTML, drops the marked elements just before
trafilatura (after metadata and capture-quality checks have seen the whole page), and drops the
site's line patterns after extraction. The tree is also reshaped for trafilatura: layout tables
become <div>s, <time> elements give up their words to the text, gallery captions are kept, and
a live blog's entry container is named as the article body.

Every function returns what it dropped, so `newsarchiver extract --explain` can show it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from lxml import etree, html

from newsarchiver.config import SiteRules

# elements that never hold article prose
_DROP_TAGS = ("nav", "footer", "aside", "form", "button", "select", "dialog", "menu", "iframe", "svg",
              "canvas", "object", "embed", "input", "label", "textarea")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog",
               "menu", "menubar", "toolbar", "tablist"}
# class/id words (a class token split on '-' and '_') that name chrome, not content; set lookups
# keep layer 1 cheap on pages with thousands of elements
_CHROME_WORDS = frozenset("""
skip skiplink skiplinks breaking ticker marquee share shares sharing sharebar sharedaddy addthis sharethis social
cookie cookies consent gdpr cmp onetrust didomi newsletter newsletters signup subscribe subscription paywall regwall
related relatedposts recommended recommendations recirc outbrain taboola trending popular mostread promo promos
advert adverts advertisement ads adslot dfp sponsored sponsor breadcrumb breadcrumbs pagination pager authorbox
authorbio disclaimer notice print toolbar modal popup overlay comment comments commentlist disqus tags taglist
screenreader""".split())
_CHROME_COMPOUNDS = frozenset("""
most-read author-box author-bio about-author about-the-author sr-only visually-hidden screen-reader-text ad-slot
ad-container ad-wrapper tag-list wp-block-buttons twitter-tweet instagram-media tiktok-embed fb-post reddit-card
bluesky-embed mastodon-embed""".split())
_CHROME_ARIA = re.compile(r"share|social|related|breaking|cookie|consent|newsletter|advert|breadcrumb", re.IGNORECASE)
# never removed whatever their class says: they hold (or are) the article
_PROTECTED_TAGS = {"html", "body", "main", "article"}
# class/id fragments of the article's own container: such an element stays whatever else its class says
_CONTENT_FRAGMENTS = ("article-body", "articlebody", "article__body", "article-content", "article__content",
                      "entry-content", "post-content", "post-body", "story-body", "story-content", "main-content",
                      "body-text", "article-text", "field--name-body", "field-body")
_PROSE_CHARS = 150  # a paragraph at least this long is prose...
_PROSE_GUARD = 3  # ...and an element holding this many of them is content, whatever its class

CHROME_PHRASES = frozenset(
    """accessibility links|skip to content|skip to main content|skip to navigation|skip to main navigation|
skip to search|breaking news|breaking|advertisement|advertising|sponsored|sponsored content|share|share this|
share this article|share this story|share on facebook|share on twitter|share on x|share via email|tweet|
email|print|copy link|read more|read next|related|related articles|related stories|related content|
more stories|most read|most popular|trending|trending now|recommended|you may also like|also read|see also|
follow us|sign up|subscribe|comments|leave a comment|show comments|back to top|top stories|latest news|
loading...|loading|listen to this article|реклама|читайте также|поделиться|по теме|новости по теме|
werbung|anzeige|teilen|lesen sie auch|mehr zum thema|publicité|partager|lire aussi|à lire aussi|
sur le même sujet|reklama|ulashish|shuningdek o'qing|улашиш|реклама|إعلان|شارك|اقرأ أيضا|اقرأ أيضاً|
广告|分享|相关新闻|延伸阅读|相关阅读""".replace("\n", "").split("|")
)
_INLINE_TAGS = {"a", "span", "strong", "b", "em", "i", "small", "u"}
_PHRASE_TAGS = {"p", "div", "span", "li", "h2", "h3", "h4", "h5", "h6", "strong", "a", "em", "b"}


def _norm(text: str) -> str:
    return " ".join(text.split()).strip(" :·|»›>").casefold()


def _is_prose_container(el: html.HtmlElement) -> bool:
    long_paragraphs = 0
    for p in el.iter("p"):
        if len(p.text_content()) >= _PROSE_CHARS:
            long_paragraphs += 1
            if long_paragraphs >= _PROSE_GUARD:
                return True
    return False


def _is_content_box(el: html.HtmlElement) -> bool:
    value = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return any(fragment in value for fragment in _CONTENT_FRAGMENTS) if len(value) > 1 else False


def _chrome_reason(el: html.HtmlElement) -> str | None:
    tag = el.tag
    if tag in _DROP_TAGS:
        # ASP.NET WebForms wraps the whole page in one <form>: only a small form is chrome
        if tag == "form" and len(el.text_content()) > 500:
            return None
        return f"<{tag}>"
    role = el.get("role")
    if role and role.lower() in _DROP_ROLES:
        return f"role={role}"
    aria = el.get("aria-label")
    if aria and _CHROME_ARIA.search(aria):
        return f"aria-label={aria!r}"
    for attr in ("class", "id"):
        value = el.get(attr)
        if value:
            for token in value.split():
                if _is_chrome_token(token):
                    return f"{attr}={token}"
    return None


def _is_chrome_token(token: str) -> bool:
    parts = token.lower().replace("_", "-").split("-")
    if any(part in _CHROME_WORDS for part in parts):
        return True
    return len(parts) > 1 and any("-".join(parts[i:i + n]) in _CHROME_COMPOUNDS
                                  for n in (2, 3) for i in range(len(parts) - n + 1))


def drop_generic(tree: html.HtmlElement, *, explain: bool = False) -> list[str]:
    """Layer 1 on the tree, in place. Returns the dropped texts (with why) when explain is set."""
    dropped: list[str] = []
    doomed: list[tuple[html.HtmlElement, str]] = []
    stack = [tree]
    while stack:
        el = stack.pop()
        reason = None
        if el.tag not in _PROTECTED_TAGS:
            reason = _chrome_reason(el) or _phrase_reason(el)
        # the guards are dearer than the tests, so they run only on candidates
        if (reason is not None and el.get("itemprop") != "articleBody" and not _is_content_box(el)
                and not _is_prose_container(el)):
            doomed.append((el, reason))
            continue  # its descendants go with it
        stack.extend(child for child in reversed(el) if isinstance(child.tag, str))
    for el, reason in doomed:
        if explain:
            text = " ".join(el.text_content().split())
            if text:
                dropped.append(f"{reason}: {text}")
        _remove(el)
    return dropped


def _phrase_reason(el: html.HtmlElement) -> str | None:
    if el.tag not in _PHRASE_TAGS or len(el.text or "") > 60:
        return None
    if any(child.tag not in _INLINE_TAGS for child in el):
        return None
    text = el.text_content()
    if len(text) > 60:
        return None
    if _norm(text) in CHROME_PHRASES:
        return "phrase"
    return None


def _remove(el: html.HtmlElement) -> None:
    """Remove an element but keep its tail text (it belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def prepare_figures(tree: html.HtmlElement) -> bool:
    """Captions are not article text, except in a gallery, where they are the story.

    A gallery: at least four captioned figures and no more prose paragraphs than captions. There
    the figures become plain blocks so trafilatura keeps the captions (it drops <figure>).
    Returns whether the page was treated as a gallery.
    """
    captions = tree.xpath("//figure[figcaption]")
    if len(captions) < 4:
        return False
    prose = tree.xpath("//p[not(ancestor::figure)][string-length(normalize-space()) > 80]")
    if len(prose) > len(captions):
        return False
    for figure in captions:
        figure.tag = "div"
        for caption in figure.iter("figcaption"):
            caption.tag = "p"
            for credit in caption.xpath(".//*[contains(@class, 'credit') or contains(@class, 'copyright')]"):
                _remove(credit)  # the photographer's credit is not part of the caption's story
    return True


_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def flatten_layout_tables(tree: html.HtmlElement) -> int:
    """Old sites lay pages out in tables; trafilatura would read them as data tables and run the
    navigation, the article and the sidebar together row by row. A table whose cells hold
    headings, paragraphs, nested tables or long text is layout: it becomes plain <div>s."""
    count = 0
    for table in list(tree.iter("table")):
        if table.getparent() is None or table.tag != "table":
            continue  # already flattened as part of an outer layout table
        if table.xpath(".//td//*[self::p or self::h1 or self::h2 or self::h3 or self::div or self::table "
                       "or self::ul or self::br]") or any(len(td.text_content()) > 400 for td in table.iter("td")):
            for el in table.iter(*_TABLE_PARTS):
                el.tag = "div"
            count += 1
    return count


def unwrap_times(tree: html.HtmlElement) -> None:
    """Keep the words of <time> elements: trafilatura deletes them, which cuts "on 14 February"
    out of a sentence and the clock time off a live-blog entry."""
    etree.strip_tags(tree, "time")


def mark_live_blog(tree: html.HtmlElement) -> bool:
    """On a live blog, point trafilatura at the container of the entries.

    Without a recognised article container trafilatura falls back to collecting paragraphs and
    loses each entry's heading. The container: the element with the most children that each hold
    a heading or a paragraph (at least three).
    """
    best, best_count = None, 2
    for el in tree.iter("div", "section", "ol", "ul", "main"):
        count = sum(1 for child in el if isinstance(child.tag, str) and child.find(".//p") is not None)
        if count > best_count:
            best, best_count = el, count
    if best is None:
        return False
    best.set("class", f"{best.get('class', '')} article-body".strip())
    return True


# --- layer 2: site rules -----------------------------------------------------------------------


_MARK = "data-newsarchiver-drop"


def mark_selectors(text: str, selectors: Sequence[str]) -> str:
    """Mark the elements matching the site's CSS selectors in the HTML text.

    CSS is matched with soupsieve on a BeautifulSoup tree (what config.py validates against), at
    the cost of one extra parse paid only on sites that have selectors. The elements are marked,
    not removed, so metadata and capture-quality checks still see the whole page; they go with
    ``drop_marked`` just before trafilatura runs.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    for selector in selectors:
        for node in soup.select(selector):
            node[_MARK] = selector
    return str(soup)


def drop_marked(tree: html.HtmlElement) -> list[str]:
    dropped = []
    for el in tree.xpath(f"//*[@{_MARK}]"):
        if el.getparent() is None:
            continue
        words = " ".join(el.text_content().split())
        if words:
            dropped.append(f"{el.get(_MARK)}: {words}")
        _remove(el)
    return dropped


def compile_line_patterns(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def drop_lines(lines: list[str], patterns: Sequence[re.Pattern[str]]) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    dropped: list[str] = []
    for line in lines:
        (dropped if any(p.search(line) for p in patterns) else kept).append(line)
    return kept, dropped


def site_line_patterns(rules: SiteRules | None) -> list[re.Pattern[str]]:
    return compile_line_patterns(rules.drop_line_patterns) if rules else []


# --- layer 1, after extraction: lines ------------------------------------------------------------

_READ_MORE = re.compile(
    r"^(?:to find out more|for more (?:information|details)|read more|read next|continue reading|click here|"
    r"see also|also read|read also|related|more on this|more:|lesen sie auch|mehr zum thema|lire aussi|"
    r"à lire aussi|читайте также|по теме|اقرأ أيضا|延伸阅读|相关阅读)\b",
    re.IGNORECASE,
)
_LABELLED_LINK = re.compile(r"^(?:read more|related|see also|also read|read also|more)\s*:", re.IGNORECASE)
_CREDIT = re.compile(r"^\(?(?:photo|photos|image|picture|foto|fotos|фото|credit|source: getty)\s*(?::|/|by\b)",
                     re.IGNORECASE)
_AGENCY_CREDIT = re.compile(r"^\((?:AFP|AP|Reuters|Getty Images|EPA|RFE/RL|TASS|ТАСС|Xinhua)\)$", re.IGNORECASE)
_MONTHS = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec januar februar märz mai juni juli oktober dezember
janvier février mars avril juin juillet août septembre octobre novembre décembre
января февраля марта апреля мая июня июля августа сентября октября ноября декабря""".split()
_DATE_WORDS = set(_MONTHS) | set("""
published updated posted last modified am pm utc gmt est cet msk at on by the of
mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday""".split())
_BYLINE = re.compile(r"^(?:by|par|von|por|di|door|av|автор|muallif)\b", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^(?:source|sources|источник|quelle|fuente|fonte|manba|المصدر|来源)\s*[:：]",
                          re.IGNORECASE)
_STAFF_SIGNATURES = frozenset(
    ["redacción", "redaktion", "rédaction", "redazione", "staff", "staff report", "редакция", "tahririyat", "编辑部"]
)


def is_date_line(line: str) -> bool:
    if len(line) > 60 or not re.search(r"\d", line):
        return False
    words = re.findall(r"[^\W\d_]+", line.casefold())
    return all(w in _DATE_WORDS for w in words)


def drop_generic_lines(lines: list[str], title: str, authors: Sequence[str]) -> tuple[list[str], list[str]]:
    """Layer 1 after extraction: chrome lines that survived into the text."""
    kept, dropped = [], []
    title_key = _norm(title) if title else None
    author_keys = {_norm(a) for a in authors}
    for i, line in enumerate(lines):
        key = _norm(line)
        edge = i < 3 or i >= len(lines) - 2  # bylines and datelines sit at the top or the bottom
        reason = None
        if title_key and key == title_key and i <= 2:
            reason = "headline"
        elif key in CHROME_PHRASES:
            reason = "phrase"
        elif _is_read_more(line):
            reason = "read-more link"
        elif len(line) < 120 and (_CREDIT.match(line) or _AGENCY_CREDIT.match(line)):
            reason = "photo credit"
        elif edge and _is_byline(line, key, author_keys):
            reason = "byline"
        elif i >= len(lines) - 2 and len(line) < 60 and _SOURCE_LINE.match(line):
            reason = "source line"
        elif len(line) < 20 and not re.search(r"[^\W\d_]", line):
            reason = "no words"
        elif edge and is_date_line(line):
            reason = "date"
        if reason:
            dropped.append(f"{reason}: {line}")
        else:
            kept.append(line)
    return kept, dropped


def _is_read_more(line: str) -> bool:
    if _LABELLED_LINK.match(line):
        return len(line) < 200  # "READ MORE: <headline of another story>"
    # "To find out more, click here." but not "For more information, call the library on 555 0101."
    return bool(_READ_MORE.match(line)) and len(line) < 80 and (
        "click here" in line.casefold() or len(line.split()) <= 4)


def _is_byline(line: str, key: str, author_keys: set[str]) -> bool:
    if key in author_keys or key in _STAFF_SIGNATURES:
        return True
    if len(line) >= 100 or not _names_author(key, author_keys):
        return False
    # "By Jane Doe", "Photographs by Jane Doe", "Jane Doe in London", "Par Claire Dubois, le 14 ..."
    return len(line.split()) <= 8 or bool(_BYLINE.match(line))


def _names_author(key: str, author_keys: set[str]) -> bool:
    return any(a and a in key for a in author_keys)


def normalise_line(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))
