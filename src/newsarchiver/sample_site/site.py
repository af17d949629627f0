"""The sample site's data model and URL routing: a lazily generated news site.

Nothing is prebuilt: `Site.article(i)` generates article i on demand (cached), and listings,
feeds and sitemaps are rendered per request from index arithmetic, so a site of 10,000 articles
costs nothing until its pages are asked for.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from itertools import islice
from typing import Any, overload

from . import assets, feeds, pages, text

ARTICLES_PER_PAGE = 20  # section and topic listings
FRONT_PAGE_ARTICLES = 30


@dataclass(frozen=True)
class Section:
    slug: str
    name: str

    @property
    def path(self) -> str:
        return f"/section/{self.slug}/"


@dataclass(frozen=True)
class Topic:
    """A related-content box ("Aftermath Of Andijon") and its dedicated pages."""

    slug: str
    heading: str
    blurb: str
    timeline_text: str

    @property
    def path(self) -> str:
        return f"/special/{self.slug}/"

    @property
    def timeline_path(self) -> str:
        return f"/special/{self.slug}/timeline.html"


SECTIONS = (
    Section("central-asia", "Central Asia"),  # index 0: article 0 (the seed) lives here
    Section("russia", "Russia"),
    Section("economy", "Economy"),
)

TOPICS = (
    Topic(
        "aftermath-of-andijon",
        "Aftermath Of Andijon",
        "A dedicated webpage bringing together all of RFE/RL's coverage of the events in Andijon, "
        "Uzbekistan, in May 2005 and their continuing repercussions.",
        "An annotated timeline of the Andijon events and their repercussions.",
    ),
    Topic("energy-politics", "Energy Politics", "Our coverage of pipelines, prices and power in "
          "the region.", "A timeline of the region's gas and oil disputes."),
    Topic("elections-watch", "Elections Watch", "Reports and analysis from the region's election "
          "campaigns.", "Key dates of the election season."),
    Topic("migrant-workers", "Migrant Workers", "Stories of the millions who leave home to work "
          "abroad.", "How migration rules have changed since 1991."),
    Topic("press-freedom", "Press Freedom", "Journalists, censors and the laws that bind them.",
          "A timeline of media laws in the region."),
    Topic("water-and-power", "Water And Power", "Rivers, dams and the politics of sharing them.",
          "A timeline of the region's water disputes."),
)


@dataclass(frozen=True, kw_only=True)
class ArticleHead:
    """One version of one article as listings, feeds and sitemaps show it (cheap to make)."""

    index: int
    version: int  # 0 = as first published; n = after the n-th edit
    path: str  # e.g. /a/2005/11/14/russia-uzbekistan-to-sign-new-accord.html
    title: str
    authors: tuple[str, ...]
    published: datetime  # timezone-aware, UTC
    modified: datetime
    section: Section
    topic: Topic
    tags: tuple[str, ...]
    description: str  # the first paragraph without its dateline
    caption: str  # lead image caption (not part of the expected text)
    site_name: str
    language: str = "en"

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


@dataclass(frozen=True, kw_only=True)
class ArticleInfo(ArticleHead):
    """One version of one article: what its page shows and what extraction should find."""

    paragraphs: tuple[str, ...]  # body paragraphs; the first starts with the dateline
    subheading: str
    subheading_at: int  # the subheading comes before paragraphs[subheading_at]
    comments: tuple[tuple[str, str], ...]  # reader comments (not part of the expected text)

    @property
    def blocks(self) -> tuple[str, ...]:
        """The article's text blocks in page order: paragraphs with the subheading in place."""
        p = self.paragraphs
        return p[: self.subheading_at] + (self.subheading,) + p[self.subheading_at :]

    @property
    def expected_text(self) -> str:
        """The clean article text, one block per line (trafilatura's plain-text layout)."""
        return "\n".join(self.blocks)

    @property
    def expected_metadata(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "date": self.published.date().isoformat(),
            "published": self.published.isoformat(),
            "modified": self.modified.isoformat(),
            "language": self.language,
            "section": self.section.name,
            "tags": list(self.tags),
            "description": self.description,
            "site_name": self.site_name,
            "path": self.path,
        }


@dataclass
class Response:
    """What the server sends: status, headers (Content-Type included) and body."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class ArticleList(Sequence[ArticleInfo]):
    """site.articles: the original version of every article, generated on access."""

    def __init__(self, site: Site) -> None:
        self._site = site

    def __len__(self) -> int:
        return self._site.n_articles

    @overload
    def __getitem__(self, i: int) -> ArticleInfo: ...
    @overload
    def __getitem__(self, i: slice) -> list[ArticleInfo]: ...
    def __getitem__(self, i: int | slice) -> ArticleInfo | list[ArticleInfo]:
        if isinstance(i, slice):
            return [self._site.article(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._site.article(i)


_ARTICLE_PATH = re.compile(r"^/a/\d{4}/\d{2}/\d{2}/[a-z0-9-]+\.html$")
_INDEX_SUFFIX = re.compile(r"-(\d+)\.html$")


class Site:
    """A deterministic news site. Runtime state (edits, removals) lives here, behind a lock.

    site.articles[i]        ArticleInfo of the original version (text and expected metadata)
    site.article(i, v)      article i after v edits;  site.head(i, v): listings' cheap subset
    site.current(i)         what is served now (None when removed)
    site.edit_article(i) / remove_article(i, 410) / restore_article(i)
    site.render(path, base_url) -> Response
    """

    def __init__(
        self, host_label: str = "Sample News", n_articles: int = 12, seed: int = 0,
        page_kb: int | None = None,
    ) -> None:
        if n_articles < 1:
            raise ValueError("n_articles must be at least 1 (article 0 is the seed story)")
        self.host_label = host_label
        self.n_articles = n_articles
        self.seed = seed
        self.page_kb = page_kb
        self.sections = SECTIONS
        self.topics = TOPICS
        self.articles = ArticleList(self)
        self._lock = threading.Lock()
        self._versions: dict[int, int] = {}
        self._removed: dict[int, int] = {}  # index -> 404 or 410
        self._padding = pages.Padding(host_label, page_kb * 1024) if page_kb else None
        # Per-instance caches, so two sites never share entries.
        self.head = lru_cache(maxsize=65536)(self._make_head)
        self.article = lru_cache(maxsize=2048)(self._make_article)
        self._article_page = lru_cache(maxsize=512)(self._render_article_page)

    # --- articles and their versions ---------------------------------------------------------

    def _make_head(self, index: int, version: int = 0) -> ArticleHead:
        """Headline, byline, dates and description of article `index` after `version` edits."""
        if not 0 <= index < self.n_articles:
            raise IndexError(index)
        when = text.published_at(index)
        if index == 0:
            head = text.HeadText(title=text.SEED_TITLE, authors=text.SEED_AUTHORS,
                                 first_paragraph=text.SEED_PARAGRAPHS[0], tags=text.SEED_TAGS,
                                 caption=text.SEED_CAPTION)
            modified = text.SEED_MODIFIED
        else:
            head = text.generate_head(self.seed, index, when, self.host_label)
            modified = when + timedelta(minutes=23)
        title = head.title
        if version:  # every edit changes the headline and the modified time
            title += " (Updated)" if version == 1 else f" (Updated {version}x)"
            modified = when + timedelta(days=version, minutes=7)
        return ArticleHead(
            index=index, version=version, path=self._path_for(index, when, head.title),
            title=title, authors=head.authors, published=when, modified=modified,
            section=SECTIONS[index % len(SECTIONS)], topic=TOPICS[index % len(TOPICS)],
            tags=head.tags, description=head.first_paragraph.split(" -- ", 1)[-1],
            caption=head.caption, site_name=self.host_label,
        )

    def _make_article(self, index: int, version: int = 0) -> ArticleInfo:
        """Article `index`, text included, as it reads after `version` edits."""
        head = self.head(index, version)
        if index == 0:
            paras, sub, sub_at = text.SEED_PARAGRAPHS, text.SEED_SUBHEADING, text.SEED_SUBHEADING_AT
            comments: tuple[tuple[str, str], ...] = ()
        else:
            body = text.generate_body(self.seed, index)
            paras = (text.generate_head(self.seed, index, head.published, self.host_label)
                     .first_paragraph,) + body.paragraphs
            sub, sub_at, comments = body.subheading, len(paras) // 2, body.comments
        edited = list(paras)
        for v in range(1, version + 1):
            # Each edit appends a sentence to one paragraph (never the first, so the dateline
            # and description stay put).
            k = 1 + (v - 1) % (len(edited) - 1)
            edited[k] = f"{edited[k]} {text.edit_sentence(self.seed, index, v)}"
        fields = {f: getattr(head, f) for f in ArticleHead.__dataclass_fields__}
        return ArticleInfo(**fields, paragraphs=tuple(edited), subheading=sub,
                           subheading_at=sub_at, comments=comments)

    @staticmethod
    def _path_for(index: int, when: datetime, title: str) -> str:
        slug = text.slugify(title)
        # Generated headlines can repeat, so generated slugs end with the index (like "-1234").
        tail = "" if index == 0 else f"-{index}"
        return f"/a/{when:%Y/%m/%d}/{slug}{tail}.html"

    def article_index(self, path: str) -> int | None:
        """The index of the article at `path` (query and fragment already removed), or None."""
        if not _ARTICLE_PATH.match(path):
            return None
        m = _INDEX_SUFFIX.search(path)
        index = int(m.group(1)) if m else 0
        if index >= self.n_articles or self.head(index).path != path:
            return None  # the seed's path has no suffix; anything else must match exactly
        return index

    def version_of(self, index: int) -> int:
        return self._versions.get(index, 0)

    def current(self, index: int) -> ArticleInfo | None:
        """The article as the site serves it now, or None if removed."""
        if index in self._removed:
            return None
        return self.article(index, self.version_of(index))

    def current_head(self, index: int) -> ArticleHead | None:
        if index in self._removed:
            return None
        return self.head(index, self.version_of(index))

    def edit_article(self, index: int, version: int | None = None) -> ArticleInfo:
        """Publish an edited version (the next one by default); returns what is now served."""
        self.head(index)  # validates the index
        with self._lock:
            self._versions[index] = self.version_of(index) + 1 if version is None else version
            return self.article(index, self._versions[index])

    def remove_article(self, index: int, status: int = 410) -> None:
        if status not in (404, 410):
            raise ValueError("a removed article answers 404 or 410")
        self.head(index)
        with self._lock:
            self._removed[index] = status

    def restore_article(self, index: int) -> None:
        with self._lock:
            self._removed.pop(index, None)

    def live_indexes(self, start: int | None = None, step: int = 1) -> Iterator[int]:
        """Indexes of articles not removed, newest first, from `start` down by `step`."""
        first = self.n_articles - 1 if start is None else start
        return (i for i in range(first, -1, -step) if i not in self._removed)

    def latest(self, n: int) -> list[ArticleHead]:
        return [a for i in islice(self.live_indexes(), n) if (a := self.current_head(i))]

    def section_indexes(self, section: Section) -> Iterator[int]:
        k = SECTIONS.index(section)
        step = len(SECTIONS)
        last = self.n_articles - 1
        start = last - ((last - k) % step)  # the newest index in this section
        return self.live_indexes(start, step) if start >= 0 else iter(())

    def topic_indexes(self, topic: Topic) -> Iterator[int]:
        k = TOPICS.index(topic)
        step = len(TOPICS)
        last = self.n_articles - 1
        start = last - ((last - k) % step)
        return self.live_indexes(start, step) if start >= 0 else iter(())

    # --- routing -------------------------------------------------------------------------------

    def render(self, path: str, base_url: str) -> Response:
        """The response for `path` (no query string) on this site, 404 page included."""
        base_url = base_url.rstrip("/")
        index = self.article_index(path)
        if index is not None:
            return self._article_response(index, base_url)
        if path in ("/", "/index.html"):
            return _html(pages.front_page(self, base_url))
        if path in assets.STATIC:
            content_type, body = assets.STATIC[path]
            return Response(200, body, {"Content-Type": content_type,
                                        "Cache-Control": "max-age=86400"})
        if path in pages.STATIC_PAGES or path == "/private/drafts.html":
            return _html(pages.static_page(self, base_url, path))
        if path == "/robots.txt":
            return Response(200, feeds.robots_txt(base_url).encode(),
                            {"Content-Type": "text/plain; charset=utf-8"})
        if path in feeds.XML_ROUTES:
            content_type, render = feeds.XML_ROUTES[path]
            return Response(200, render(self, base_url).encode(),
                            {"Content-Type": content_type})
        listing = self._listing(path, base_url)
        if listing is not None:
            return listing
        return _html(pages.not_found_page(self, base_url), status=404)

    def _article_response(self, index: int, base_url: str) -> Response:
        status = self._removed.get(index)
        if status is not None:
            return _html(pages.not_found_page(self, base_url, gone=status == 410), status=status)
        version = self.version_of(index)
        body = self._article_page(index, version, base_url)
        info = self.head(index, version)
        # The ETag changes with the version; Last-Modified is the article's modified time.
        return _html(body, headers={
            "ETag": f'"a{index}-v{version}-{zlib.crc32(body):08x}"',
            "Last-Modified": format_datetime(info.modified, usegmt=True),
            "Cache-Control": "max-age=60",
        })

    def _render_article_page(self, index: int, version: int, base_url: str) -> bytes:
        return pages.article_page(self, self.article(index, version), base_url).encode()

    def pad(self, head: str, body: str, size_now: int) -> tuple[str, str]:
        """Padding (head part, body part) to bring a page of `size_now` bytes to page_kb."""
        if self._padding is None or self.page_kb is None:
            return head, body
        return self._padding.fill(head, body, self.page_kb * 1024 - size_now)

    def _listing(self, path: str, base_url: str) -> Response | None:
        m = re.fullmatch(r"/section/([a-z-]+)/(?:page/(\d+)/)?", path)
        if m:
            section = next((s for s in SECTIONS if s.slug == m.group(1)), None)
            if section is None:
                return None
            page = int(m.group(2) or 1)
            idx = list(islice(self.section_indexes(section), (page - 1) * ARTICLES_PER_PAGE,
                              page * ARTICLES_PER_PAGE + 1))
            if page > 1 and not idx:
                return None
            more = len(idx) > ARTICLES_PER_PAGE
            items = [a for i in idx[:ARTICLES_PER_PAGE] if (a := self.current_head(i))]
            return _html(pages.listing_page(self, base_url, section.name, section.path, items,
                                            page, more))
        m = re.fullmatch(r"/special/([a-z-]+)/(timeline\.html)?", path)
        if m:
            topic = next((t for t in TOPICS if t.slug == m.group(1)), None)
            if topic is None:
                return None
            items = [a for i in islice(self.topic_indexes(topic), ARTICLES_PER_PAGE)
                     if (a := self.current_head(i))]
            title = topic.timeline_text if m.group(2) else topic.heading
            return _html(pages.listing_page(self, base_url, title, path, items, 1, False,
                                            blurb=topic.blurb))
        return None


def _html(page: str | bytes, status: int = 200, headers: dict[str, str] | None = None,
          ) -> Response:
    body = page.encode() if isinstance(page, str) else page
    return Response(status, body, {"Content-Type": "text/html; charset=utf-8", **(headers or {})})


def generate_site(
    host_label: str = "Sample News", n_articles: int = 12, seed: int = 0,
    page_kb: int | None = None,
) -> Site:
    """A sample news site; article 0 is the RFE/RL seed story. Pages are generated on request."""
    return Site(host_label=host_label, n_articles=n_articles, seed=seed, page_kb=page_kb)
