"""Text preparation and query translation for the PostgreSQL full-text index (search_pg).

PostgreSQL stems and indexes, but the words it sees are cut here in Python, by the same tantivy
analyzer the tantivy index uses (search_analysis): normalised (NFKC...), split on anything not a
letter or digit, lowercased, ASCII-folded, CJK runs rewritten as overlapping bigrams plus the
run's last character. The prepared text is the tokens joined by single spaces, so PostgreSQL's
parser finds exactly these words, one position each, and its language configuration only stems
them (and drops its stop words). Folding comes before stemming here (tantivy folds after), so
"élection" and "election" meet in every configuration, and a query word goes through the same
steps as a document word.

Snippets: ts_headline marks words in the prepared text of a body; headline_marks maps them
back to the original text through the words' spans (prepare_with_spans).

Queries: the tree from search_query.parse_query becomes tsquery text built from quoted tokens and
fixed operators only (`&`, `|`, `!`, `<N>`, `:*`, `:A`); user text never reaches tsquery syntax
or SQL unquoted. search_pg passes it to `to_tsquery(config, %s)` once per configuration, which
stems each operand and removes stop words. Phrase distances come from analyze_terms' positions,
which count dropped over-long tokens and CJK trailing characters exactly as the prepared document
text does (over-long tokens keep their position as an unsearchable placeholder).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import tantivy

from newsarchiver.errors import UsageError
from newsarchiver.search import SearchDoc
from newsarchiver.search_analysis import (
    CJK_RUN,
    MAX_TOKEN_CHARS,
    PLAIN_PROFILE,
    Term,
    analyze_terms,
    normalize,
    primary_language,
    split_cjk,
)
from newsarchiver.search_filters import (
    SearchFilters,
    normalize_site,
    parse_date_bound,
    parse_timestamp,
    site_keys,
)
from newsarchiver.search_query import And, Leaf, Node, Not, positive_leaves

# ISO 639-1 -> a text search configuration PostgreSQL ships (used only if pg_ts_config has it).
LANGUAGE_CONFIGS: dict[str, str] = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
PLAIN_CONFIG = "simple"  # CJK, unknown and unlisted languages: lowercase only, no stop words
# Stands in for a token over MAX_TOKEN_CHARS (which queries drop), keeping its position. Made of
# "ﬀ", which normalize() turns into "ff" in every text and query: no query word or prefix meets it.
LONG_TOKEN = "\ufb00" * 4
AUTHOR_GAP = 50  # positions between two authors: a name phrase never runs across them
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
TITLE_BYTES, BODY_BYTES = 100_000, 900_000  # together under the 1 MB a tsvector may hold


def config_for_language(language: str | None, available: frozenset[str]) -> str:
    """Our copy without stop words (search_pg.SCHEMA_STATEMENTS), else PostgreSQL's, else simple."""
    config = LANGUAGE_CONFIGS.get(primary_language(language))
    if config is None:
        return PLAIN_CONFIG
    for name in (f"newsarchiver_{config}", config):
        if name in available:
            return name
    return PLAIN_CONFIG


# -- documents ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _doc_analyzer() -> tantivy.TextAnalyzer:
    # search_analysis' plain analyzer without remove_long: we place LONG_TOKEN instead, so the
    # positions after a long token stay where analyze_terms expects them.
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())


def _word(token: str) -> str:
    return token if len(token) <= MAX_TOKEN_CHARS else LONG_TOKEN


def prepare_text(text: str, max_bytes: int) -> str:
    """Text -> the words for to_tsvector, cut before max_bytes of tsvector (its limit is 1 MB)."""
    words: list[str] = []
    budget = max_bytes
    for segment, is_cjk in split_cjk(normalize(text)):
        tokens = _cjk_tokens(segment) if is_cjk else _doc_analyzer().analyze(segment)
        for token in tokens:
            word = _word(token)
            budget -= len(word.encode("utf-8")) + 10  # lexeme, entry, position: an upper bound
            if budget < 0:
                return " ".join(words)
            words.append(word)
    return " ".join(words)


def prepare_with_spans(text: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """Normalised text -> (prepared text, start of each word in it, each word's span in text).

    For snippets: the words ts_headline marks in the prepared text are mapped back to text.
    """
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for segment, is_cjk in split_cjk(text):
        if is_cjk:
            for i, token in enumerate(_cjk_tokens(segment)):
                words.append(token)
                spans.append((offset + i, offset + i + len(token)))
        else:
            for tok in _doc_analyzer().pre_tokenize(segment).tokens:
                words.append(_word(tok.text))
                spans.append((offset + tok.char_offset_from, offset + tok.char_offset_to))
        offset += len(segment)
    starts, at = [], 0
    for word in words:
        starts.append(at)
        at += len(word) + 1
    return " ".join(words), starts, spans


def document_row(doc: SearchDoc, available: frozenset[str], body_chars: int) -> dict[str, Any]:
    """A SearchDoc as search_docs parameters (title_words/body_words feed to_tsvector)."""
    published = parse_timestamp(doc.published)
    captured = parse_timestamp(doc.captured_at)
    first = parse_timestamp(doc.first_captured_at) or captured
    return {
        "article_id": doc.article_id, "version_n": doc.version_n, "title": clean(doc.title),
        "body": clean(doc.text[:body_chars]), "url": clean(doc.url), "site": clean(doc.site),
        "site_keys": sorted(clean(key) for key in site_keys(doc.site, doc.url, doc.canonical_url)),
        "authors": [clean(a) for a in doc.authors], "author_tsv": author_tsvector([clean(a) for a in doc.authors]),
        "language": clean(doc.language) if doc.language else None, "lang": clean(primary_language(doc.language)),
        "jobs": [clean(job) for job in doc.jobs], "flags": [clean(flag) for flag in doc.flags],
        "published": clean(doc.published) if doc.published else None, "captured_at": clean(doc.captured_at),
        "published_ts": published, "captured_ts": captured, "first_captured_ts": first,
        "sort_ts": next((v for v in (published, first, captured) if v is not None), 0),
        "ts_config": config_for_language(doc.language, available),
        "title_words": prepare_text(clean(doc.title), TITLE_BYTES),
        "body_words": prepare_text(clean(doc.text), BODY_BYTES),
    }


def clean(text: str) -> str:
    """NUL and lone surrogates as U+FFFD: PostgreSQL text holds neither (one would fail the batch),
    and the replacement still separates words as normalize()'s space for NUL does."""
    text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def _cjk_tokens(run: str) -> list[str]:
    """A CJK run as search_analysis.prepare_for_index writes it: bigrams, then the last character."""
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]


START, STOP, FRAGMENTS = "\x02", "\x03", "\x1e"  # ts_headline markers: normalize() blanks them in texts
_MARKERS = re.compile(f"([{START}{STOP}])")


def headline_marks(headline: str, prepared: str, starts: list[int], spans: list[tuple[int, int]],
                   cjk_words: set[str]) -> list[tuple[int, int, str]]:
    """ts_headline's marked words (in prepared text) -> (start, end, key) in the original text.

    Fragments are found back in the prepared text by str.find; a repeated passage may be placed
    at an earlier copy of itself, which holds the same words, so the marks are still matches.
    A bigram marked for a one-character query ('民':*) is cut to that character, as tantivy's.
    """
    found: list[tuple[int, int, str]] = []
    cursor = 0
    for fragment in headline.split(FRAGMENTS):
        plain = _MARKERS.sub("", fragment)
        at = prepared.find(plain, cursor) if plain else -1
        at = prepared.find(plain) if at < 0 and plain else at
        if at < 0:
            continue
        cursor = at + len(plain)
        position = begin = at
        for piece in _MARKERS.split(fragment):
            if piece == START:
                begin = position
            elif piece == STOP:
                if position > begin:
                    found.append(_span(prepared[begin:position], begin, position, starts, spans, cjk_words))
            else:
                position += len(piece)
    return _merge(sorted(set(found)))


def _span(key: str, begin: int, end: int, starts: list[int], spans: list[tuple[int, int]],
          cjk_words: set[str]) -> tuple[int, int, str]:
    first = bisect.bisect_right(starts, begin) - 1
    last = bisect.bisect_left(starts, end) - 1
    if len(key) == 2 and CJK_RUN.fullmatch(key) and not any(key in word for word in cjk_words):
        return spans[first][0], spans[first][0] + 1, key
    return spans[first][0], spans[last][1], key


def _merge(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping marks (a CJK word's bigrams) become one."""
    merged: list[tuple[int, int, str]] = []
    for start, end, key in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, key))
    return merged


def cjk_words(node: Node | None) -> set[str]:
    """The CJK runs a query looks for (their bigrams are marked whole)."""
    return {piece for leaf in positive_leaves(node) for piece, cjk in split_cjk(normalize(leaf.text)) if cjk}


# -- queries -----------------------------------------------------------------------------------

def quote(lexeme: str) -> str:
    """A tsquery/tsvector operand: quoted, so no character in it is an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(node: Node, *, weights: bool = True) -> str:
    """The tree as to_tsquery input; `weights=False` ignores title: (for highlighting)."""
    if isinstance(node, Leaf):
        return leaf_text(node, weights=weights)
    if isinstance(node, Not):
        return "!" + _grouped(node.child, weights)
    joiner = " & " if isinstance(node, And) else " | "
    return joiner.join(_grouped(child, weights) for child in node.children)


def _grouped(node: Node, weights: bool) -> str:
    text = tsquery_text(node, weights=weights)
    # `!` binds tighter than every other operator: one operand or a negation needs no parentheses.
    bare = isinstance(node, Not) or (isinstance(node, Leaf) and len(analyze_terms(node.text, PLAIN_PROFILE)) == 1)
    return text if bare else f"( {text} )"


def leaf_text(leaf: Leaf, *, weights: bool = True) -> str:
    terms = analyze_terms(leaf.text, PLAIN_PROFILE)
    weight = "A" if weights and leaf.title_only else ""
    # One CJK character: any bigram starting with it, or a run's last character (as tantivy).
    prefix_single = len(terms) == 1 and terms[0].single_cjk_char
    last_prefix = leaf.prefix or prefix_single
    suffixes = [weight] * (len(terms) - 1) + [("*" if last_prefix else "") + weight]
    return phrase_text(terms, suffixes)


def phrase_text(terms: Sequence[Term], suffixes: Sequence[str] | None = None) -> str:
    """Terms as operands joined by their distances ('a' <-> 'b' <2> 'c')."""
    parts: list[str] = []
    for i, term in enumerate(terms):
        if i:
            distance = term.position - terms[i - 1].position
            parts.append("<->" if distance == 1 else f"<{distance}>")
        suffix = suffixes[i] if suffixes else ""
        parts.append(quote(term.text) + (f":{suffix}" if suffix else ""))
    return " ".join(parts)


def highlight_text(leaves: Sequence[Leaf]) -> str:
    """The positive words of a query, any of them (ts_headline would mark excluded words too)."""
    return " | ".join(f"( {leaf_text(leaf, weights=False)} )" for leaf in leaves)


# -- authors and filters -----------------------------------------------------------------------

def author_tsvector(authors: Sequence[str]) -> str:
    """Authors' names as tsvector text, AUTHOR_GAP positions apart (the tantivy author field)."""
    parts: list[str] = []
    base = 1
    for author in authors:
        terms = analyze_terms(author, PLAIN_PROFILE)
        for term in terms:
            parts.append(f"{quote(term.text)}:{min(base + term.position, MAX_POSITION)}")
        if terms:
            base += terms[-1].position + AUTHOR_GAP
    return " ".join(parts)


def filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """SearchFilters -> (SQL conditions, their parameters); the checks of search_filters.filter_queries."""
    conditions: list[str] = []
    params: list[Any] = []
    keywords = (("site", filters.site, normalize_site, "site_keys @> ARRAY[%s]::text[]"),
                ("lang", filters.lang, primary_language, "lang = %s"),
                ("job", filters.job, lambda value: (value or "").strip(), "jobs @> ARRAY[%s]::text[]"))
    for name, given, normalise, condition in keywords:
        if not given or not given.strip():
            continue  # blank (e.g. an empty form field): no filter
        value = normalise(given)
        if not value:
            raise UsageError(f"{name} filter {given!r} names no {name}")
        conditions.append(condition)
        params.append(value)
    if filters.author and filters.author.strip():
        terms = analyze_terms(filters.author, PLAIN_PROFILE)
        if not terms:
            raise UsageError(f"author filter {filters.author!r} has no letters or digits")
        conditions.append("author_tsv @@ %s::tsquery")
        params.append(phrase_text(terms))
    now = datetime.now(timezone.utc)
    bounds = (("published_ts >= %s", "since", filters.since, False),
              ("published_ts <= %s", "until", filters.until, True),
              ("captured_ts >= %s", "captured_since", filters.captured_since, False),
              ("first_captured_ts <= %s", "captured_until", filters.captured_until, True))
    for condition, name, given, is_upper in bounds:
        if given and given.strip():
            params.append(parse_date_bound(given, name=name, end=is_upper, now=now))
            conditions.append(condition)
    return conditions, params
