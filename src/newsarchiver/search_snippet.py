"""Snippets: the passage of an article's text that best shows why it matched, words marked.

tantivy's SnippetGenerator only knows plain term queries on one field; ours span a profile's
stemmed field, prefixes and CJK bigrams. So the text is re-analysed here with the article's own
analyzer (the same one that indexed it, so "elections" is marked when the query said "election"),
CJK query strings are found as substrings, and the window with the most distinct query words wins.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newsarchiver.search_analysis import (
    PLAIN_PROFILE,
    analyze_terms,
    analyzer,
    normalize,
    prefix_stem,
    split_cjk,
)
from newsarchiver.search_query import Leaf

SNIPPET_CHARS = 220
MAX_ANALYZED_CHARS = 30_000  # matches further into very long texts are not shown
MAX_MATCHES = 300
MAX_CANDIDATES = 60  # per typed word, when looking for the best passage
CHUNK_CHARS = 1500  # analysed at a time; a phrase across a chunk edge is not marked

Span = tuple[str, bool]  # (text, is_match)


# One thing to mark: (offset from the first word, term, is_prefix) for each word, in order.
Pattern = tuple[tuple[int, str, bool], ...]


@dataclass
class Highlighter:
    """What to mark in texts of one profile, derived from the query's positive words.

    A phrase is marked only where its words stand together, as the search matched it.
    """

    by_first_term: dict[str, list[Pattern]] = field(default_factory=dict)
    prefixes: list[str] = field(default_factory=list)  # single-word prefix queries
    cjk: set[str] = field(default_factory=set)
    surface: tuple[str, ...] = ()  # how the typed words may start in a text, to skip analysis

    @classmethod
    def for_profile(cls, leaves: list[Leaf], profile: str) -> Highlighter:
        result = cls()
        for leaf in leaves:
            result.cjk.update(piece for piece, is_cjk in split_cjk(normalize(leaf.text)) if is_cjk)
            terms = [term for term in analyze_terms(leaf.text, profile) if not term.cjk]
            if not terms:
                continue
            if len(terms) < len(analyze_terms(leaf.text, profile)):  # mixed scripts: word by word
                for term in terms:
                    result.by_first_term.setdefault(term.text, []).append(((0, term.text, False),))
                continue
            first = terms[0].position
            pattern = [(term.position - first, term.text, False) for term in terms]
            if leaf.prefix:
                pattern[-1] = (pattern[-1][0], prefix_stem(leaf.text, profile), True)
            if len(pattern) == 1 and pattern[0][2]:
                result.prefixes.append(pattern[0][1])
            else:
                result.by_first_term.setdefault(pattern[0][1], []).append(tuple(pattern))
        result.prefixes = [prefix for prefix in result.prefixes if prefix]
        literals = {_surface(leaf.text, profile) for leaf in leaves}
        literals |= {_unfolded_surface(leaf.text) for leaf in leaves}
        result.surface = tuple(sorted(literals - {""}))
        return result

    def keys(self) -> set[str]:
        return ({_key(p) for patterns in self.by_first_term.values() for p in patterns}
                | {prefix + "*" for prefix in self.prefixes} | self.cjk)

    def matches(self, text: str, profile: str) -> list[tuple[int, int, str]]:
        """(start, end, key) of matches in text, in order of start.

        Tokenizing a whole article costs ~0.1 ms per 1,000 characters in tantivy-py, more than
        the search itself for ten hits. So str.find first spots where the typed words could
        start, and only the best such passage is analysed. When that finds nothing (accents, a stem
        unlike the typed word), the text is analysed a chunk at a time until every word is seen.
        """
        found: list[tuple[int, int, str]] = []
        for needle in self.cjk:
            start = text.find(needle)
            while start >= 0 and len(found) < MAX_MATCHES:
                found.append((start, start + len(needle), needle))
                start = text.find(needle, start + len(needle))
        if not (self.by_first_term or self.prefixes):
            return sorted(found)
        candidates = self._candidates(text)
        if candidates:
            lo, hi = _around(text, _best_window(sorted(found + candidates)))
            exact = self._chunk_matches(text[lo:hi], lo, profile)
            if exact:
                return sorted(found + exact)
        elif text.isascii():
            # In ASCII text a word that stems like a typed word starts with its surface form, so
            # no candidate means the body has no match (typically a hit on the title alone).
            return sorted(found)
        wanted = self.keys()
        for offset, chunk in _chunks(text):
            found.extend(self._chunk_matches(chunk, offset, profile))
            if len(found) >= MAX_MATCHES or wanted <= {key for _, _, key in found}:
                break
        return sorted(found)

    def _candidates(self, text: str) -> list[tuple[int, int, str]]:
        """Word starts equal to a typed word's surface form (str.find: much faster than re)."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lowercased
            return []
        found = []
        for literal in self.surface:
            start = lowered.find(literal)
            count = 0
            while start >= 0 and count < MAX_CANDIDATES:
                if start == 0 or not lowered[start - 1].isalnum():
                    found.append((start, start + len(literal), literal))
                    count += 1
                start = lowered.find(literal, start + 1)
        return found

    def _chunk_matches(self, chunk: str, offset: int, profile: str) -> list[tuple[int, int, str]]:
        text_analyzer = analyzer(profile)
        words = text_analyzer.analyze(chunk)  # plain strings: far cheaper than Token objects
        prefixes = tuple(self.prefixes)
        hit_indexes = [i for i, word in enumerate(words)
                       if word in self.by_first_term or (prefixes and word.startswith(prefixes))]
        if not hit_indexes:
            return []
        tokens = text_analyzer.pre_tokenize(chunk).tokens  # same filters: same order as words
        at: dict[int, Any] | None = None
        found = []
        for i in hit_indexes:
            token, word = tokens[i], words[i]
            start = offset + token.char_offset_from
            for prefix in prefixes:
                if word.startswith(prefix):
                    found.append((start, offset + token.char_offset_to, prefix + "*"))
            for pattern in self.by_first_term.get(word, ()):
                if len(pattern) == 1:
                    found.append((start, offset + token.char_offset_to, _key(pattern)))
                    continue
                at = at if at is not None else {t.position: t for t in tokens}
                end = _match_rest(pattern, token.position, at)
                if end is not None:
                    found.append((start, offset + end, _key(pattern)))
        return found


def _surface(text: str, profile: str) -> str:
    """The start of the first typed word as it likely appears in a text: 'elections' -> 'elect'."""
    words = [term for term in analyze_terms(text, PLAIN_PROFILE) if not term.cjk]
    if not words:
        return ""
    plain = words[0].text
    stem = next((t.text for t in analyze_terms(text, profile) if not t.cjk), plain)
    common = 0
    while common < min(len(plain), len(stem)) and plain[common] == stem[common]:
        common += 1
    return plain[:max(common, min(3, len(plain)))]


def _unfolded_surface(text: str) -> str:
    """The first typed word lowercased but with its accents: 'Élections' -> 'élect'."""
    word = next((piece for piece in re.split(r"\W+", normalize(text).lower()) if piece), "")
    return word[:max(3, len(word) - 3)] if not word.isascii() else ""


def _around(text: str, start: int) -> tuple[int, int]:
    """A stretch of text around a window start, cut at spaces, to analyse exactly."""
    lo = max(0, start - 30)
    hi = min(len(text), start + SNIPPET_CHARS + 30)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < start else lo
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > start else hi
    return lo, hi


def _key(pattern: Pattern) -> str:
    return " ".join(term for _, term, _ in pattern)


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of about CHUNK_CHARS each, cut at spaces."""
    pieces = []
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):
            space = text.rfind(" ", start + CHUNK_CHARS // 2, end)
            end = space if space > 0 else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _match_rest(pattern: Pattern, position: int, at: dict[int, Any]) -> int | None:
    """End offset of the pattern's last word if the words after the first follow; else None."""
    end = None
    for offset, term, is_prefix in pattern:
        token = at.get(position + offset)
        if token is None or not (token.text.startswith(term) if is_prefix else token.text == term):
            return None
        end = token.char_offset_to
    return end


def make_snippet(text: str, highlighter: Highlighter | None, profile: str) -> list[Span]:
    """A window of about SNIPPET_CHARS characters as spans; the text's start if nothing matched."""
    text = normalize(text[:MAX_ANALYZED_CHARS])
    found = highlighter.matches(text, profile) if highlighter else []
    start, end = _snap(text, _best_window(found))
    spans: list[Span] = []
    if start > 0:
        spans.append(("…", False))
    cursor = start
    for m_start, m_end, _ in found:
        if m_start < cursor or m_end > end:
            continue
        if m_start > cursor:
            spans.append((_squeeze(text[cursor:m_start]), False))
        spans.append((_squeeze(text[m_start:m_end]), True))
        cursor = m_end
    if cursor < end:
        spans.append((_squeeze(text[cursor:end]), False))
    if end < len(text):
        spans.append(("…", False))
    if spans and not spans[0][1]:
        spans[0] = (spans[0][0].lstrip(), False)
    last = len(spans) - (2 if end < len(text) else 1)
    if last >= 0 and not spans[last][1]:
        spans[last] = (spans[last][0].rstrip(), False)
    return [span for span in spans if span[0]]


_WHITESPACE = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    """Paragraph breaks and runs of spaces become one space: a snippet is one line."""
    return _WHITESPACE.sub(" ", text)


def _best_window(found: list[tuple[int, int, str]]) -> int:
    """Start offset of the window holding the most distinct query words (then most matches)."""
    lead = SNIPPET_CHARS // 5  # some context before the first match
    best, best_score = 0, (0, 0)
    inside: Counter[str] = Counter()
    j = 0
    for i, (m_start, _, key) in enumerate(found):
        j = max(j, i)
        while j < len(found) and found[j][1] <= m_start + SNIPPET_CHARS - lead:
            inside[found[j][2]] += 1
            j += 1
        score = (len(inside), j - i)
        if score > best_score:
            best, best_score = max(0, m_start - lead), score
        if inside[key] > 0:  # slide: the window's first match leaves it
            inside[key] -= 1
            if not inside[key]:
                del inside[key]
    return best


def _snap(text: str, start: int) -> tuple[int, int]:
    """Move the window edges to word boundaries so no word is cut."""
    start = max(0, min(start, len(text) - SNIPPET_CHARS))  # near the end: show a full window
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + SNIPPET_CHARS // 2 else end
    return start, end


def marked(spans: list[Span], left: str = "«", right: str = "»") -> str:
    return "".join(f"{left}{text}{right}" if is_match else text for text, is_match in spans)
