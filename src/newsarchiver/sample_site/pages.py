"""HTML for the sample site: page chrome modelled on an RFE/RL article page, and the pages.

The chrome (skip links, "Breaking News" ticker, navigation, related box, legal notice, footer) is
the boilerplate an extractor must drop; `Padding` adds more of it (menus, inline CSS and scripts)
when a site is generated with `page_kb`, as real 75 KB news pages carry.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from . import text

if TYPE_CHECKING:
    from .site import ArticleHead, ArticleInfo, Site

STATIC_PAGES = {
    "/p/about.html": ("About Us", "We are a sample news organisation covering Central Asia, "
                      "Russia and the regional economy."),
    "/p/contact.html": ("Contact", "Write to the newsroom at newsroom@sample.invalid."),
    "/p/privacy.html": ("Privacy Policy", "We keep server logs for thirty days."),
    "/p/undesirable-notice.html": ("About The Undesirable Organization Designation",
                                   text.LEGAL_NOTICE[0] + " " + text.LEGAL_NOTICE[1]),
}
PRIVATE_PATH = "/private/drafts.html"  # disallowed by robots.txt, linked from the front page


def e(s: str) -> str:
    return escape(s, quote=True)


def display_date(a: ArticleHead) -> str:
    return f"{a.published:%B} {a.published.day}, {a.published:%Y %H:%M} GMT"


def _head(site: Site, base: str, title: str, canonical: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<link rel="canonical" href="{e(canonical)}">
<link rel="alternate" type="application/rss+xml" title="{e(site.host_label)} RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="{e(site.host_label)} Atom" href="/atom.xml">
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" type="image/png" href="/static/logo.png">
<meta property="og:site_name" content="{e(site.host_label)}">
{extra}<!--HEAD-PADDING-->
</head>
"""


def _chrome_top(site: Site, base: str) -> str:
    nav = "".join(f'<li><a href="{s.path}">{e(s.name)}</a></li>' for s in site.sections)
    latest = site.latest(2)
    ticker = "".join(
        f'<li><a href="{a.path}?utm_source=ticker&amp;utm_medium=web">{e(a.title)}</a></li>'
        for a in latest
    )
    return f"""<div class="skip-links" id="skip">
<span class="skip-title">Accessibility links</span>
<a class="skip" href="#content">Skip to main content</a>
<a class="skip" href="#navigation">Skip to main Navigation</a>
<a class="skip" href="#search">Skip to Search</a>
</div>
<header class="site-header">
<a class="logo" href="/"><img src="/static/logo.png" alt="{e(site.host_label)}" width="120" height="40"></a>
<nav id="navigation" class="top-nav"><ul><li><a href="/">Home</a></li>{nav}<li><a href="/feed.xml">RSS</a></li></ul></nav>
<form id="search" class="search" action="/search" method="get"><input type="text" name="q" placeholder="Search"><button type="submit">Search</button></form>
<!--BODY-PADDING-->
</header>
<div class="ticker" role="complementary"><span class="ticker-label">Breaking News</span><ul>{ticker}</ul></div>
"""


def _chrome_bottom(site: Site) -> str:
    notice = "".join(f"<p>{e(p)}</p>" for p in text.LEGAL_NOTICE)
    return f"""<div class="legal-notice" role="note">{notice}
<p>To find out more, <a href="/p/undesirable-notice.html">click here</a>.</p></div>
<footer class="site-footer">
<ul class="footer-links"><li><a href="/p/about.html">About Us</a></li><li><a href="/p/contact.html">Contact</a></li><li><a href="/p/privacy.html">Privacy Policy</a></li><li><a href="/sitemap.xml">Sitemap</a></li></ul>
<p class="copyright">&copy; 2005 {e(site.host_label)}. All rights reserved.</p>
</footer>
<script src="/static/site.js" defer></script>
</body>
</html>
"""


def _finish(site: Site, page: str) -> str:
    """Insert padding (when the site has page_kb) where real sites keep their heavy chrome."""
    head, body = site.pad("", "", len(page.encode()))
    return page.replace("<!--HEAD-PADDING-->", head, 1).replace("<!--BODY-PADDING-->", body, 1)


def article_page(site: Site, a: ArticleInfo, base: str) -> str:
    url = a.url(base)
    image = f"{base}/static/photo.png"
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
        "description": a.description, "datePublished": a.published.isoformat(),
        "dateModified": a.modified.isoformat(), "inLanguage": a.language,
        "articleSection": a.section.name, "keywords": ", ".join(a.tags), "image": [image],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "publisher": {"@type": "Organization", "name": site.host_label,
                      "logo": {"@type": "ImageObject", "url": f"{base}/static/logo.png"}},
    }
    meta = "\n".join([
        f'<meta name="description" content="{e(a.description)}">',
        f'<meta name="author" content="{e(", ".join(a.authors))}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{e(a.title)}">',
        f'<meta property="og:url" content="{e(url)}">',
        f'<meta property="og:image" content="{e(image)}">',
        f'<meta property="og:description" content="{e(a.description)}">',
        f'<meta property="article:published_time" content="{a.published.isoformat()}">',
        f'<meta property="article:modified_time" content="{a.modified.isoformat()}">',
        f'<meta property="article:section" content="{e(a.section.name)}">',
        *(f'<meta property="article:tag" content="{e(t)}">' for t in a.tags),
        # "</" is escaped so the JSON can never close the script element early.
        '<script type="application/ld+json">'
        + json.dumps(ld, ensure_ascii=False).replace("</", "<\\/") + "</script>",
    ]) + "\n"
    byline = " and ".join(f'<span class="author" itemprop="author">{e(n)}</span>'
                          for n in a.authors)
    body_parts = []
    for k, p in enumerate(a.paragraphs):
        if k == a.subheading_at:
            body_parts.append(f'<h2 class="subheading">{e(a.subheading)}</h2>')
        if k == 0 and " -- " in p:
            dateline, rest = p.split(" -- ", 1)
            body_parts.append(f'<p><span class="dateline">{e(dateline)} --</span> {e(rest)}</p>')
        else:
            body_parts.append(f"<p>{e(p)}</p>")
    t = a.topic
    related = f"""<aside class="related-box">
<h3 class="box-title">{e(t.heading)}</h3>
<div class="media-block"><a href="{t.path}"><img src="/static/photo.png" alt="" width="80" height="60"><h4>{e(t.heading)}</h4></a>
<p class="blurb">{e(t.blurb)}</p></div>
<div class="media-block"><a href="{t.timeline_path}"><img src="/static/photo.png" alt="" width="80" height="60"></a>
<p><a href="{t.timeline_path}">{e(t.timeline_text)}</a></p></div>
</aside>"""
    more = [m for m in site.latest(6) if m.index != a.index][:5]
    more_items = "".join(
        # Some links carry tracking parameters or fragments, as on real pages.
        f'<li><a href="{m.path}{("?utm_source=related&amp;utm_medium=web", "#comments", "")[j % 3]}">'
        f"{e(m.title)}</a></li>"
        for j, m in enumerate(more)
    )
    comments = ""
    if a.comments:
        items = "".join(f'<div class="comment"><p class="comment-author">{e(who)}</p>'
                        f"<p>{e(said)}</p></div>" for who, said in a.comments)
        comments = f'<section id="comments" class="comments"><h2>Comments</h2>{items}</section>'
    q_url, q_title = quote(url, safe=""), quote(a.title, safe="")
    share = (f'<div class="share"><a href="https://www.facebook.com/sharer/sharer.php?u={q_url}">'
             f'Share on Facebook</a> <a href="mailto:?subject={q_title}&amp;body={q_url}">'
             f'Email</a> <a href="javascript:window.print()">Print</a></div>')
    tags = "".join(f'<li class="tag">{e(tag)}</li>' for tag in a.tags)
    page = (
        _head(site, base, f"{a.title} - {site.host_label}", url, meta)
        + '<body class="article-page">\n' + _chrome_top(site, base)
        + f"""<main id="content">
<article class="article">
<header class="article-header">
<a class="category" href="{a.section.path}">{e(a.section.name)}</a>
<h1 class="title">{e(a.title)}</h1>
<div class="byline">By {byline}</div>
<time class="published" datetime="{a.published.isoformat()}">{display_date(a)}</time>
</header>
<figure class="lead-image"><img src="/static/photo.png" alt="{e(a.caption)}" width="640" height="360"><figcaption>{e(a.caption)}</figcaption></figure>
<div class="article-body" id="article-content">
{chr(10).join(body_parts)}
</div>
{share}
<ul class="tags">{tags}</ul>
</article>
{related}
<section class="more-from"><h3>More from {e(site.host_label)}</h3><ul>{more_items}</ul></section>
{comments}
</main>
""" + _chrome_bottom(site))
    return _finish(site, page)


def _page(site: Site, base: str, title: str, path: str, main: str, body_class: str,
          extra_head: str = "") -> str:
    page = (_head(site, base, title, base + path, extra_head)
            + f'<body class="{body_class}">\n' + _chrome_top(site, base)
            + f'<main id="content">\n{main}\n</main>\n' + _chrome_bottom(site))
    return _finish(site, page)


def _article_list(items: list[ArticleHead], tracked: bool = False) -> str:
    lis = []
    for j, a in enumerate(items):
        # Every fourth front-page link carries tracking parameters and a fragment.
        href = f"{a.path}?utm_source=x&amp;utm_campaign=front#top" if tracked and j % 4 == 1 else a.path
        lis.append(f'<li class="teaser"><a href="{href}"><h3>{e(a.title)}</h3></a>'
                   f'<p>{e(a.description)}</p><time datetime="{a.published.isoformat()}">'
                   f"{display_date(a)}</time></li>")
    return f'<ul class="article-list">{"".join(lis)}</ul>'


def front_page(site: Site, base: str) -> str:
    from .site import FRONT_PAGE_ARTICLES

    sections = "".join(f'<li><a href="{s.path}">{e(s.name)}</a></li>' for s in site.sections)
    main = (f"<h1>{e(site.host_label)}</h1>\n"
            f'<nav class="sections"><ul>{sections}</ul></nav>\n'
            + _article_list(site.latest(FRONT_PAGE_ARTICLES), tracked=True)
            + f'\n<p class="staff"><a href="{PRIVATE_PATH}">Staff drafts</a></p>')
    return _page(site, base, f"{site.host_label} - News", "/", main, "front-page",
                 f'<meta name="description" content="Latest news from {e(site.host_label)}">\n')


def listing_page(site: Site, base: str, title: str, path: str, items: list[ArticleHead],
                 page: int, more: bool, blurb: str = "") -> str:
    pager = []
    if page > 1:
        prev = path if page == 2 else f"{path}page/{page - 1}/"
        pager.append(f'<a rel="prev" href="{prev}">Newer</a>')
    if more:
        pager.append(f'<a rel="next" href="{path}page/{page + 1}/">Older</a>')
    intro = f'<p class="intro">{e(blurb)}</p>' if blurb else ""
    main = (f"<h1>{e(title)}</h1>{intro}\n" + _article_list(items)
            + f'\n<nav class="pager">{" ".join(pager)}</nav>')
    full_path = path if page == 1 else f"{path}page/{page}/"
    return _page(site, base, f"{title} - {site.host_label}", full_path, main, "section-page")


def static_page(site: Site, base: str, path: str) -> str:
    if path == PRIVATE_PATH:
        title, body = "Staff Drafts", "Unpublished drafts. This page must never be archived."
    else:
        title, body = STATIC_PAGES[path]
    return _page(site, base, f"{title} - {site.host_label}", path,
                 f"<h1>{e(title)}</h1>\n<p>{e(body)}</p>", "static-page")


def not_found_page(site: Site, base: str, gone: bool = False) -> str:
    msg = "This article has been removed." if gone else "The page you requested was not found."
    return _page(site, base, f"Page Not Found - {site.host_label}", "/404.html",
                 f"<h1>Page Not Found</h1>\n<p>{msg}</p>", "error-page")


class Padding:
    """Realistic filler chrome (inline CSS, analytics scripts, mega-menus), built once per site.

    Fragments are about 0.5-1.5 KB each and identical on every page, like real chrome; a page
    takes as many as fit its budget, half in <head> and half in the header.
    """

    def __init__(self, host_label: str, max_bytes: int) -> None:
        self.host_label = host_label
        self._head: list[str] = []
        self._body: list[str] = []
        self._head_ends: list[int] = []  # cumulative byte lengths, for bisect
        self._body_ends: list[int] = []
        # Built up front: pages are rendered from many threads and must not race on growth.
        self._grow(max_bytes)

    def _grow(self, size: int) -> None:
        from .site import SECTIONS, TOPICS

        links = [s.path for s in SECTIONS] + [t.path for t in TOPICS] + list(STATIC_PAGES)
        while not self._head_ends or self._head_ends[-1] < size:
            k = len(self._head)
            if k % 2 == 0:
                rules = "".join(
                    f".mega-menu .col-{k}-{j} a{{color:#{(k * 97 + j * 31) % 0xFFFFFF:06x};"
                    f"padding:{j % 9}px {k % 7}px;font-weight:{400 + 100 * (j % 4)}}}"
                    for j in range(12))
                frag = f"<style>{rules}</style>\n"
            else:
                cfg = {"property": self.host_label, "slot": f"ad-{k}", "sizes": [[300, 250],
                       [728, 90]], "targeting": {"section": SECTIONS[k % 3].slug, "k": k},
                       "lazy": True, "refresh_seconds": 30 + k % 60,
                       "consent": {"gdpr": True, "vendors": list(range(k % 11, k % 11 + 12))}}
                frag = ("<script>window.dataLayer=window.dataLayer||[];"
                        f"window.dataLayer.push({json.dumps(cfg)});</script>\n")
            self._head.append(frag)
            self._head_ends.append((self._head_ends[-1] if self._head_ends else 0) + len(frag))
        while not self._body_ends or self._body_ends[-1] < size:
            k = len(self._body)
            items = "".join(
                f'<li><a href="{links[(k + j) % len(links)]}#m{k}-{j}">'
                f"{e(text.title_case(text.TOPICS[(k * 7 + j) % len(text.TOPICS)]))}</a></li>"
                for j in range(10))
            frag = (f'<nav class="mega-menu col-{k}" aria-hidden="true"><h5>'
                    f"{e(text.CITIES[k % len(text.CITIES)])}</h5><ul>{items}</ul></nav>\n")
            self._body.append(frag)
            self._body_ends.append((self._body_ends[-1] if self._body_ends else 0) + len(frag))

    def fill(self, head: str, body: str, budget: int) -> tuple[str, str]:
        if budget <= 0:
            return head, body
        half = budget // 2  # fragments are ASCII, so characters == bytes
        nh = bisect_right(self._head_ends, half)
        nb = bisect_right(self._body_ends, budget - (self._head_ends[nh - 1] if nh else 0))
        return head + "".join(self._head[:nh]), body + "".join(self._body[:nb])
