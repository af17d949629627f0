"""Word-by-word differences between two versions of an article's text. Pure functions.

Tokens are words (runs of non-space) and paragraph breaks, compared with difflib; the result reads
like `wdiff`: `[-removed words-]{+added words+}`, with long unchanged stretches shortened to `...`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\n+|[^\s]+")
PARAGRAPH = "\n"

RED, GREEN, RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"


@dataclass(frozen=True)
class Change:
    op: str  # "equal", "delete", "insert" or "replace"
    old: tuple[str, ...]
    new: tuple[str, ...]


def tokens(text: str) -> list[str]:
    return [PARAGRAPH if tok.startswith("\n") else tok for tok in _TOKEN.findall(text)]


def word_diff(old: str, new: str) -> list[Change]:
    a, b = tokens(old), tokens(new)
    # autojunk off: frequent words ("the") are exactly what a reader wants aligned.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changes = [Change(op, tuple(a[i1:i2]), tuple(b[j1:j2])) for op, i1, i2, j1, j2 in matcher.get_opcodes()]
    return _absorb_islands(changes)


def _absorb_islands(changes: list[Change], island: int = 2) -> list[Change]:
    """Fold a word or two left unchanged between two changes into one change.

    A rewritten sentence shares a stray "the" or "agreement" with the old one; shown as kept, it
    chops the change into fragments no reader can follow (the cleanup diff-match-patch does).
    """
    out: list[Change] = []
    for change in changes:
        out.append(change)
        while (len(out) >= 3 and out[-1].op != "equal" and out[-3].op != "equal" and out[-2].op == "equal"
               and len(out[-2].old) <= island and PARAGRAPH not in out[-2].old):
            first, middle, last = out[-3:]
            del out[-3:]
            out.append(Change("replace", first.old + middle.old + last.old, first.new + middle.new + last.new))
    return out


def counts(changes: list[Change]) -> tuple[int, int]:
    """(words added, words removed); paragraph breaks do not count."""
    added = sum(1 for c in changes if c.op != "equal" for t in c.new if t != PARAGRAPH)
    removed = sum(1 for c in changes if c.op != "equal" for t in c.old if t != PARAGRAPH)
    return added, removed


def join_words(words: tuple[str, ...] | list[str]) -> str:
    out = ""
    for word in words:
        if word == PARAGRAPH:
            out = out.rstrip(" ") + "\n\n"
        else:
            out += word if not out or out.endswith("\n") else " " + word
    return out


def render(changes: list[Change], *, color: bool = False, context: int = 12) -> str:
    """The changed text with markers; `context` words are kept around each change (-1: all)."""
    def removed(words: tuple[str, ...]) -> str:
        text = "[-" + join_words(words).strip() + "-]"
        return f"{RED}{text}{RESET}" if color else text

    def added(words: tuple[str, ...]) -> str:
        text = "{+" + join_words(words).strip() + "+}"
        return f"{GREEN}{text}{RESET}" if color else text

    pieces: list[str] = []
    last = len(changes) - 1
    for i, change in enumerate(changes):
        if change.op == "equal":
            words = list(change.old)
            if context >= 0:
                head = words[:context] if i > 0 else []
                tail = words[-context:] if i < last and context else []
                if len(words) > len(head) + len(tail):
                    words = head + ["..."] + tail if (head or tail) else ["..."]
            pieces.append(join_words(words))
            continue
        pieces.append((removed(change.old) if change.old else "") + (added(change.new) if change.new else ""))
    text = ""
    for piece in pieces:
        if not piece:
            continue
        text += piece if not text or text.endswith("\n") or piece.startswith("\n") else " " + piece
    return text.strip() + "\n"


def as_json(changes: list[Change]) -> list[dict[str, object]]:
    return [{"op": c.op, "old": join_words(c.old), "new": join_words(c.new)} for c in changes]
