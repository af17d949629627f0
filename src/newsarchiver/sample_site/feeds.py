"""Machine-readable entry points: robots.txt, RSS 2.0, Atom, sitemap index, sitemaps."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime
from itertools import islice
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from .site import Site

FEED_ITEMS = 20
NEWS_SITEMAP_ITEMS = 1000  # Google News sitemaps allow at most 1,000 URLs
SITEMAP_MAX_URLS = 50_000


def robots_txt(base: str, crawl_delay: float | None = None) -> str:
    delay = f"Crawl-delay: {crawl_delay:g}\n" if crawl_delay else ""
    return (f"# robots.txt for the sample news site\nUser-agent: *\n{delay}Disallow: /private/\n\n"
            f"Sitemap: {base}/sitemap.xml\n")


def rss(site: Site, base: str) -> str:
    items = []
    for a in site.latest(FEED_ITEMS):
        # Feed links carry tracking parameters (as FeedBurner-era feeds did); the guid does not.
        items.append(f"""<item>
<title>{escape(a.title)}</title>
<link>{escape(a.url(base))}?utm_source=rss&amp;utm_medium=feed</link>
<guid isPermaLink="true">{escape(a.url(base))}</guid>
<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>
<dc:creator>{escape(", ".join(a.authors))}</dc:creator>
<category>{escape(a.section.name)}</category>
<description>{escape(a.description)}</description>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{escape(site.host_label)}</title>
<link>{base}/</link>
<atom:link href="{base}/feed.xml" rel="self" type="application/rss+xml"/>
<description>Latest news from {escape(site.host_label)}</description>
<language>en</language>
{chr(10).join(items)}
</channel>
</rss>
"""


def atom(site: Site, base: str) -> str:
    latest = site.latest(FEED_ITEMS)
    updated = max((a.modified for a in latest), default=None)
    entries = []
    for a in latest:
        authors = "".join(f"<author><name>{escape(n)}</name></author>" for n in a.authors)
        entries.append(f"""<entry>
<title>{escape(a.title)}</title>
<link rel="alternate" type="text/html" href="{escape(a.url(base))}"/>
<id>{escape(a.url(base))}</id>
<published>{a.published.isoformat()}</published>
<updated>{a.modified.isoformat()}</updated>
{authors}
<category term="{escape(a.section.name)}"/>
<summary>{escape(a.description)}</summary>
</entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>{escape(site.host_label)}</title>
<id>{base}/</id>
<link rel="alternate" type="text/html" href="{base}/"/>
<link rel="self" type="application/atom+xml" href="{base}/atom.xml"/>
<updated>{updated.isoformat() if updated else "2005-11-14T00:00:00+00:00"}</updated>
{chr(10).join(entries)}
</feed>
"""


def sitemap_index(site: Site, base: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-articles.xml</loc></sitemap>
<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>
</sitemapindex>
"""


def sitemap_articles(site: Site, base: str) -> str:
    urls = [f"<url><loc>{base}/</loc><changefreq>hourly</changefreq></url>"]
    for i in islice(site.live_indexes(), SITEMAP_MAX_URLS - 1):
        a = site.current_head(i)
        if a is not None:
            urls.append(f"<url><loc>{escape(a.url(base))}</loc>"
                        f"<lastmod>{a.modified.isoformat()}</lastmod></url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(urls) + "\n</urlset>\n")


def sitemap_news(site: Site, base: str) -> str:
    urls = []
    for a in site.latest(NEWS_SITEMAP_ITEMS):
        urls.append(f"""<url><loc>{escape(a.url(base))}</loc>
<news:news><news:publication><news:name>{escape(site.host_label)}</news:name><news:language>en</news:language></news:publication>
<news:publication_date>{a.published.isoformat()}</news:publication_date>
<news:title>{escape(a.title)}</news:title><news:keywords>{escape(", ".join(a.tags))}</news:keywords></news:news></url>""")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + "\n".join(urls) + "\n</urlset>\n")


XML_ROUTES: dict[str, tuple[str, Callable[[Site, str], str]]] = {
    "/feed.xml": ("application/rss+xml; charset=utf-8", rss),
    "/atom.xml": ("application/atom+xml; charset=utf-8", atom),
    "/sitemap.xml": ("application/xml; charset=utf-8", sitemap_index),
    "/sitemap-articles.xml": ("application/xml; charset=utf-8", sitemap_articles),
    "/sitemap-news.xml": ("application/xml; charset=utf-8", sitemap_news),
}
