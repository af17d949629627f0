"""What changed in the archive in a period: one summary per edit or removal. Pure.

An edit is a new version of an article (its normalised text or its headline changed); it is
described by the words added and removed (textdiff's word diff) and the headline change. A
removal is an article that answered 200 before and later 404/410 or a redirect to a front page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Optional

from newsarchiver.index_jobs import RemovalRow, VersionChangeRow
from newsarchiver.textdiff import counts, word_diff


@dataclass(frozen=True)
class ChangeSummary:
    kind: str  # "edited" or "removed"
    at: str  # UTC ISO-8601: when the new version or the removal was first captured
    article_id: int
    url: str
    title: str  # the headline now (for a removal: the last one archived)
    version: Optional[int] = None  # the new version number, for an edit
    words_added: int = 0
    words_removed: int = 0
    old_title: Optional[str] = None  # set when the headline changed
    status: Optional[int] = None  # for a removal: 404, 410 or the redirect's 30x

    @property
    def headline_changed(self) -> bool:
        return self.old_title is not None

    def line(self) -> str:
        """One line for `newsarchiver changes`."""
        when = self.at[:16].replace("T", " ")
        if self.kind == "removed":
            how = f"HTTP {self.status}" if self.status else "gone"
            return f"{when}  removed  #{self.article_id} ({how}, removed {self.at[:10]}) {self.title!r}  {self.url}"
        parts = [f"v{(self.version or 2) - 1}->v{self.version}", f"+{self.words_added} -{self.words_removed} words"]
        if self.headline_changed:
            parts.append(f"headline {self.old_title!r} -> {self.title!r}")
        else:
            parts.append(repr(self.title))
        return f"{when}  edited   #{self.article_id} {', '.join(parts)}  {self.url}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["headline_changed"] = self.headline_changed
        return data


def summarize_edit(row: VersionChangeRow) -> ChangeSummary:
    added, removed = counts(word_diff(row.old_text, row.new_text))
    headline_changed = " ".join(row.old_title.split()) != " ".join(row.new_title.split())
    return ChangeSummary(kind="edited", at=row.captured_at, article_id=row.article_id, url=row.url,
                         title=row.new_title, version=row.n, words_added=added, words_removed=removed,
                         old_title=row.old_title if headline_changed else None)


def summarize_removal(row: RemovalRow) -> ChangeSummary:
    return ChangeSummary(kind="removed", at=row.removed_at, article_id=row.article_id, url=row.url,
                         title=row.title, status=row.status)


def summarize(edits: Iterable[VersionChangeRow], removals: Iterable[RemovalRow]) -> list[ChangeSummary]:
    """Every change, oldest first."""
    out = [summarize_edit(r) for r in edits] + [summarize_removal(r) for r in removals]
    return sorted(out, key=lambda c: (c.at, c.article_id, c.version or 0))
