"""What kind of capture a page is: capture-quality flags, error pages, listing pages.

Flags mark a capture that is not the article a reader would have seen:

- ``paywall``: a teaser cut short by a subscription prompt;
- ``consent_wall``: a cookie/GDPR page instead of the article;
- ``bot_challenge``: a "checking your browser" page served with 200;
- ``js_required``: an "enable JavaScript" shell with no content.

A flagged page is still returned as an Article (text as found) so the index shows the capture
flagged instead of silently indexing it or silently dropping it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html

from newsarchiver.metadata import LISTING_TYPES, PageMeta

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_WORD = re.compile(r"\w+")


def count_words(text: str) -> int:
    """Words, counting each CJK character as one (Chinese and Japanese do not space words)."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(_WORD.findall(text))
    return cjk + len(_WORD.findall(_CJK.sub(" ", text)))


@dataclass(frozen=True)
class PageStats:
    """Measured on the raw tree (scripts removed), before any boilerplate is dropped."""

    visible_text: str
    main_text: str  # the text of <article>/<main> when the page has one, else visible_text
    noscript_text: str
    links: int
    link_chars: int
    text_chars: int
    teasers: int  # <article> elements: a listing has many, an article page one or two
    paywall_marker: bool


_PAYWALL_CLASSES = ("paywall", "pay-wall", "regwall", "reg-wall", "subscriber-only", "subscribers-only",
                    "premium-wall", "meter-wall", "article-locked", "locked-content", "piano-offer", "tp-modal")


def page_stats(tree: html.HtmlElement, noscript_text: str) -> PageStats:
    body = tree.find("body")
    root = body if body is not None else tree
    visible = root.text_content()
    zones = tree.xpath("//article | //main")
    main = " ".join(z.text_content() for z in zones[:3]) if zones else visible
    links = int(root.xpath("count(.//a[@href])"))
    link_chars = sum(len(t.strip()) for t in root.xpath(".//a[@href]//text()", smart_strings=False))
    marker = _has_paywall_box(tree)
    teasers = sum(1 for z in zones if z.tag == "article")
    return PageStats(visible, main, noscript_text, links, link_chars, len(visible.strip()), teasers, marker)


def _has_paywall_box(tree: html.HtmlElement) -> bool:
    # one C-level xpath for the attribute values, substring tests in Python: 30x faster than
    # an xpath of contains() calls on this page size
    for value in tree.xpath("//@class | //@id"):
        low = value.lower()
        if any(c in low for c in _PAYWALL_CLASSES) and count_words(value.getparent().text_content()) >= 3:
            return True
    return False


# --- flags -------------------------------------------------------------------------------------

_PAYWALL_PHRASES = re.compile(
    r"subscribe (now )?to (continue|keep) reading|to (continue|keep) reading,? (please )?(subscribe|log in|sign in)|"
    r"already a subscriber|this (article|story|content) is (only )?(available|reserved|exclusive) (to|for) "
    r"(subscribers|members)|subscribers only|for subscribers|unlock this (article|story)|"
    r"become a (subscriber|member) to (read|continue)|jetzt (weiterlesen|abonnieren)|weiterlesen mit|"
    r"für abonnenten|réservé aux abonnés|réservée aux abonnés|только (для )?подписчик|оформите подписку",
    re.IGNORECASE,
)
_CONSENT_TERMS = re.compile(
    r"\b(cookies?|consent|our partners|legitimate interests?|accept all|reject all|"
    r"manage (options|preferences|settings|cookies)|personali[sz]ed (ads|advertising|content)|"
    r"privacy settings|alle akzeptieren|zustimmen|einwilligung|tout accepter|consentement|"
    r"nos partenaires|согласие|файлы cookie|принять все)\b",
    re.IGNORECASE,
)
_CONSENT_HOSTS = re.compile(r"^https?://(consent\.(google|youtube|yahoo)\.|guce\.|[^/]*\bconsent\.)", re.IGNORECASE)
# case-sensitive on purpose: these are identifiers in markup and scripts, and case-folding a
# 200 KB page would cost more than the rest of the flag checks together
_CHALLENGE_MARKERS = re.compile(
    r"cf-browser-verification|challenge-form|cf_chl_opt|/cdn-cgi/challenge-platform|cf-challenge|"
    r"captcha-delivery\.com|px-captcha|DDoS-Guard|ddos-guard|_Incapsula_Resource|sucuri_cloudproxy|aws-waf-token"
)
_CHALLENGE_PHRASES = re.compile(
    r"checking (if the site connection is secure|your browser)|verify(ing)? (that )?you are (a )?human|"
    r"enable javascript and cookies to continue|please complete the security check|press (and|&) hold|"
    r"ddos protection by|are you a robot|just a moment\.\.\.|please wait while we verify",
    re.IGNORECASE,
)
_JS_PHRASES = re.compile(
    r"(enable|turn on|activate|allow) javascript|javascript (is )?(required|disabled|must be enabled|is turned off)|"
    r"requires javascript|javascript aktivieren|activer javascript|включите javascript|javascript-ni yoqing",
    re.IGNORECASE,
)


def _consent_terms(text: str) -> set[str]:
    return {m.group(0).lower() for m in _CONSENT_TERMS.finditer(text)}


def detect_flags(url: str, raw_html: str, meta: PageMeta, stats: PageStats, text: str, words: int) -> tuple[str, ...]:
    flags: list[str] = []
    if _is_paywalled(meta, stats, words):
        flags.append("paywall")
    if _is_consent_wall(url, stats, text, words):
        flags.append("consent_wall")
    if words < 100 and (
        _CHALLENGE_PHRASES.search(meta.html_title)
        or _CHALLENGE_PHRASES.search(stats.visible_text[:5000])
        or _CHALLENGE_MARKERS.search(raw_html[:200_000])  # last: the dearest test
    ):
        flags.append("bot_challenge")
    # a challenge page asks for JavaScript too: one flag says it
    if words < 40 and "bot_challenge" not in flags and (
        _JS_PHRASES.search(stats.noscript_text) or _JS_PHRASES.search(stats.visible_text[:5000])
    ):
        flags.append("js_required")
    return tuple(flags)


_PAYWALL_GATE = ("subscri", "abonn", "подпис", "unlock", "become a member")


def _is_paywalled(meta: PageMeta, stats: PageStats, words: int) -> bool:
    if stats.paywall_marker or (meta.free_access is False and words < 300):
        return True
    low = stats.main_text.lower()  # substring gates first: the regex is the slow part
    return any(g in low for g in _PAYWALL_GATE) and bool(_PAYWALL_PHRASES.search(low))


_CONSENT_GATE = ("cookie", "consent", "our partners", "zustimm", "einwillig", "akzeptier", "согласи", "принять")


def _is_consent_wall(url: str, stats: PageStats, text: str, words: int) -> bool:
    if _CONSENT_HOSTS.match(url):
        return True
    if words >= 40:
        low = text.lower()
        if not any(g in low for g in _CONSENT_GATE) or len(_consent_terms(low)) < 2:
            return False  # the article text itself is not about consent: a banner at most
    return len(_consent_terms(stats.visible_text[:20000])) >= 2


# --- not an article ----------------------------------------------------------------------------

_ERROR_TITLE = re.compile(
    r"\b(404|410|page not found|not found|error 404|page (does not|doesn't) exist|no longer available|"
    r"internal server error|service unavailable|bad gateway|страница не найдена|seite nicht gefunden|"
    r"page introuvable|página no encontrada|sahifa topilmadi|الصفحة غير موجودة|页面不存在|找不到页面)\b",
    re.IGNORECASE,
)


def error_reason(meta: PageMeta, status: int | None, words: int) -> str | None:
    if status is not None and status >= 400:
        return f"error page: HTTP {status}"
    if status is not None and 300 <= status < 400:
        return f"not an article: HTTP {status} redirect"
    for title in (meta.html_title, *meta.h1[:1]):
        if title and _ERROR_TITLE.search(title) and words < 150:
            return f"error page: {title[:80]!r}"
    return None


def listing_reason(meta: PageMeta, stats: PageStats, paragraphs: list[str], words: int) -> str | None:
    """Section fronts and other listings: many links, little prose, and no claim to be an article."""
    if meta.declares_article:
        return None
    longest = max((count_words(p) for p in paragraphs), default=0)
    link_share = stats.link_chars / stats.text_chars if stats.text_chars else 0.0
    declared_listing = bool(meta.jsonld_types & (LISTING_TYPES - {"website"}))
    link_dense = (stats.links >= 25 and link_share >= 0.45) or stats.teasers >= 5
    if (declared_listing or link_dense) and (longest < 60 or words < 150):
        return f"not an article: listing page ({stats.links} links, {stats.teasers} teasers, {words} words of prose)"
    return None
