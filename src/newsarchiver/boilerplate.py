"""Boilerplate layer 3: paragraphs learned from many pages of the same site.

A paragraph that recurs verbatim (after whitespace and Unicode normalisation) on at least
``min_pages`` distinct pages *and* on at least ``min_share`` of the site's articles is boilerplate:
a legal notice, a donation appeal, a "follow us" line that the generic rules did not know.
Pages are counted by identity (URL), so capturing one article ten times teaches nothing, and a
site with a single page learns nothing at all.

Pure logic: the learner is fed paragraph lists, the result is serialisable to JSON so the index
can store it, and applying it removes the learned paragraphs (never every paragraph of a page).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FORMAT_VERSION = 1


def paragraph_key(text: str) -> str:
    """The identity of a paragraph: NFC, whitespace collapsed; otherwise verbatim."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def site_key(url: str) -> str:
    """The site a page belongs to for learning: its host, lowercase, without a leading 'www.'."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@dataclass(frozen=True)
class LearnedBoilerplate:
    site: str
    paragraphs: dict[str, int]  # paragraph key -> number of pages it was seen on
    pages: int  # articles of the site the rules were learned from
    min_pages: int
    min_share: float

    def __contains__(self, paragraph: str) -> bool:
        return paragraph_key(paragraph) in self.paragraphs

    def __len__(self) -> int:
        return len(self.paragraphs)

    def apply(self, paragraphs: Sequence[str]) -> tuple[list[str], list[str]]:
        """(kept, dropped). A page made only of learned paragraphs is left whole: better to show
        a duplicate than to lose an article that was repeated across the site."""
        kept = [p for p in paragraphs if paragraph_key(p) not in self.paragraphs]
        if not kept:
            return list(paragraphs), []
        dropped = [p for p in paragraphs if paragraph_key(p) in self.paragraphs]
        return kept, dropped

    def to_dict(self) -> dict[str, object]:
        return {
            "format": FORMAT_VERSION,
            "site": self.site,
            "pages": self.pages,
            "min_pages": self.min_pages,
            "min_share": self.min_share,
            "paragraphs": [{"text": t, "pages": n} for t, n in sorted(self.paragraphs.items(), key=lambda i: -i[1])],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LearnedBoilerplate:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"learned boilerplate: unknown format {data.get('format')!r} (expected {FORMAT_VERSION})")
        items = data.get("paragraphs")
        if not isinstance(items, list):
            raise ValueError("learned boilerplate: 'paragraphs' must be a list")
        paragraphs = {paragraph_key(str(i["text"])): int(i["pages"]) for i in items if isinstance(i, dict)}
        return cls(
            site=str(data.get("site", "")),
            paragraphs=paragraphs,
            pages=int(data.get("pages", 0)),  # type: ignore[call-overload]
            min_pages=int(data.get("min_pages", 0)),  # type: ignore[call-overload]
            min_share=float(data.get("min_share", 0.0)),  # type: ignore[arg-type]
        )

    @classmethod
    def from_json(cls, text: str) -> LearnedBoilerplate:
        return cls.from_dict(json.loads(text))


@dataclass
class BoilerplateLearner:
    """Accumulates the paragraphs of one site's pages; ``learned()`` gives the current rules."""

    site: str
    min_pages: int = 3
    min_share: float = 0.3
    _seen_pages: set[str] = field(default_factory=set)
    _counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        if self.min_pages < 2:
            raise ValueError("min_pages must be at least 2: one page cannot tell boilerplate from content")
        if not 0 < self.min_share <= 1:
            raise ValueError("min_share must be in (0, 1]")

    @property
    def pages(self) -> int:
        return len(self._seen_pages)

    def add(self, page_id: str, paragraphs: Iterable[str]) -> None:
        """Count one page's paragraphs once each; a page already seen (a recapture) is ignored."""
        if page_id in self._seen_pages:
            return
        self._seen_pages.add(page_id)
        self._counts.update({paragraph_key(p) for p in paragraphs if p.strip()})

    def learned(self) -> LearnedBoilerplate:
        pages = self.pages
        needed = max(self.min_pages, self.min_share * pages)
        found = {text: n for text, n in self._counts.items() if n >= needed} if pages >= self.min_pages else {}
        return LearnedBoilerplate(self.site, found, pages, self.min_pages, self.min_share)


def learn_boilerplate(
    site: str, pages: Iterable[tuple[str, Sequence[str]]], *, min_pages: int = 3, min_share: float = 0.3
) -> LearnedBoilerplate:
    """Learn from (page_id, paragraphs) pairs of one site."""
    learner = BoilerplateLearner(site, min_pages, min_share)
    for page_id, paragraphs in pages:
        learner.add(page_id, paragraphs)
    return learner.learned()
