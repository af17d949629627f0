"""The search query language: parsed here into a small tree, then compiled to tantivy queries.

    election fraud          both words (AND is the default; an explicit AND is allowed)
    "exact phrase"          the words next to each other, in order (“…”, «…» work too)
    -word  -"a phrase"      exclude (NOT word works too)
    kyiv OR kiev            either; OR binds tighter than the implied AND, so
                            `kyiv OR kiev attack` means (kyiv OR kiev) AND attack
    elect*                  prefix (at least 2 characters before the *)
    (a OR b) -c             parentheses group
    title:word  title:"a b" only in titles

We never hand user text to tantivy's own query parser: any input either parses (stray quotes,
parentheses and operators are forgiven) or raises UsageError with one line. Other `name:value`
forms are plain text ("foo:bar" is the phrase "foo bar"), as are punctuation and symbols.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Iterator, Union

import tantivy

from newsarchiver.errors import UsageError
from newsarchiver.search_analysis import (
    PLAIN_PROFILE,
    Term,
    analyze_terms,
    normalize,
    prefix_stem,
)

MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 50
MAX_DEPTH = 20
MIN_PREFIX_CHARS = 2
MAX_PREFIX_TERMS = 20_000  # bounds the work of a very short prefix in a huge index
TITLE_BOOST = 2.5  # title matches count 2.5x a body match of the same BM25 score



@dataclass(frozen=True)
class Leaf:
    text: str
    prefix: bool = False
    title_only: bool = False


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


Node = Union[Leaf, Not, And, Or]

# Lexer tokens: (kind, text, title_only); kinds: WORD PHRASE OR AND NOT ( )
_Token = tuple[str, str, bool]
_OPERATORS = {"OR": "OR", "|": "OR", "||": "OR", "AND": "AND", "&&": "AND", "NOT": "NOT"}
_WORD_END = set(' \t\n\r\f\v()"')


def _lex(text: str) -> Iterator[_Token]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            yield (ch, ch, False)
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end  # an unclosed quote runs to the end
            yield ("PHRASE", text[i + 1:end], False)
            i = end + 1
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace():
            yield ("NOT", "-", False)
            i += 1
        else:
            j = i
            while j < n and text[j] not in _WORD_END:
                j += 1
            word = text[i:j]
            i = j
            if word in _OPERATORS:
                yield (_OPERATORS[word], word, False)
            elif word.lower() == "title:" and i < n and text[i] == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                yield ("PHRASE", text[i + 1:end], True)
                i = end + 1
            elif word.lower().startswith("title:") and len(word) > 6:
                yield ("WORD", word[6:], True)
            else:
                yield ("WORD", word, False)


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.leaves = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def sequence(self, depth: int) -> Node | None:
        """Items joined by the implied AND; OR joins its two neighbours."""
        items: list[Node] = []
        pending_or = False
        while (token := self.peek()) is not None:
            kind = token[0]
            if kind == ")":
                self.pos += 1
                if depth > 0:
                    break
                continue  # a stray closing parenthesis
            if kind in ("AND", "OR"):
                self.pos += 1
                pending_or = pending_or or (kind == "OR" and bool(items))
                continue
            node = self.unary(depth)
            if node is None:
                continue
            if pending_or:
                previous = items.pop()
                left = previous.children if isinstance(previous, Or) else (previous,)
                items.append(Or((*left, node)))
            else:
                items.append(node)
            pending_or = False
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, depth: int) -> Node | None:
        negations = 0
        while (token := self.peek()) is not None and token[0] == "NOT":
            negations += 1
            self.pos += 1
        node = self.primary(depth)
        if node is None or negations % 2 == 0:
            return node
        return Not(node)

    def primary(self, depth: int) -> Node | None:
        token = self.peek()
        if token is None or token[0] in ("AND", "OR", ")"):
            return None  # an operator without an operand: the caller skips it
        self.pos += 1
        kind, text, title_only = token
        if kind == "(":
            if depth >= MAX_DEPTH:
                raise UsageError(f"query nests parentheses deeper than {MAX_DEPTH} levels")
            return self.sequence(depth + 1)
        return self.leaf(text, phrase=kind == "PHRASE", title_only=title_only)

    def leaf(self, text: str, *, phrase: bool, title_only: bool) -> Leaf | None:
        prefix = not phrase and text.endswith("*")
        core = text.rstrip("*") if prefix else text
        terms = analyze_terms(core, PLAIN_PROFILE)
        if not terms:
            return None  # only punctuation or symbols: nothing to look up
        if prefix and not terms[-1].cjk and len(terms[-1].text) < MIN_PREFIX_CHARS:
            raise UsageError(f"prefix {text!r} is too short: give at least {MIN_PREFIX_CHARS} characters before *")
        self.leaves += len(terms)
        if self.leaves > MAX_QUERY_TERMS:
            raise UsageError(f"query has too many search terms (the limit is {MAX_QUERY_TERMS})")
        return Leaf(core, prefix=prefix and not terms[-1].cjk, title_only=title_only)


# Typographic quotes (as phones and word processors type them) delimit phrases too.
_QUOTES = str.maketrans({ch: '"' for ch in "“”„‟«»〝〞＂"})


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_query(text: str) -> str:
    # Lone surrogates are what Python makes of non-UTF-8 bytes on the command line: not text.
    return " ".join(normalize(_SURROGATES.sub(" ", text)).translate(_QUOTES).split())


def parse_query(text: str) -> Node | None:
    """Parse user input. None means an empty query (list everything matching the filters)."""
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    cleaned = clean_query(text)
    if not cleaned:
        return None
    node = _Parser(list(_lex(cleaned))).sequence(0)
    if node is None:
        shown = cleaned if len(cleaned) <= 40 else cleaned[:40] + "..."
        raise UsageError(f"nothing to search for in {shown!r}: use words, \"phrases\", -exclusions, OR, prefix*")
    return node


def positive_leaves(node: Node | None, negated: bool = False) -> list[Leaf]:
    """The leaves a matching document contains (for snippet highlighting)."""
    if node is None:
        return []
    if isinstance(node, Leaf):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_leaves(node.child, not negated)
    return [leaf for child in node.children for leaf in positive_leaves(child, negated)]


class QueryCompiler:
    """Turns a parsed tree into a tantivy Query over the profiles present in the index."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher, profiles: list[str]) -> None:
        self.schema = schema
        self.searcher = searcher  # prefixes are expanded against its term dictionary
        self.profiles = profiles

    def compile(self, node: Node) -> tantivy.Query:
        if isinstance(node, Leaf):
            return self.leaf(node)
        if isinstance(node, Not):
            return _all_but(self.compile(node.child))
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self.compile(child)) for child in node.children])
        must = [self.compile(child) for child in node.children if not isinstance(child, Not)]
        must_not = [self.compile(child.child) for child in node.children if isinstance(child, Not)]
        if not must:
            must = [tantivy.Query.all_query()]  # "-foo" alone: everything without foo
        clauses = [(tantivy.Occur.Must, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
        return tantivy.Query.boolean_query(clauses)

    def leaf(self, leaf: Leaf) -> tantivy.Query:
        # Title and body fields of every profile; a document only has one profile's fields, so
        # the scores that add up are its own title and body.
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for profile in self.profiles:
            for kind in ("title", "body"):
                if kind == "body" and leaf.title_only:
                    continue
                query = self.field_query(f"{kind}_{profile}", leaf, profile)
                if query is None:
                    continue
                if kind == "title":
                    query = tantivy.Query.boost_query(query, TITLE_BOOST)
                clauses.append((tantivy.Occur.Should, query))
        if not clauses:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query(clauses)

    def field_query(self, field: str, leaf: Leaf, profile: str) -> tantivy.Query | None:
        terms = list(analyze_terms(leaf.text, profile))
        if not terms:
            return None
        if leaf.prefix:
            return self._prefix_query(field, terms, prefix_stem(leaf.text, profile))
        if len(terms) == 1:
            return self._single(field, terms[0])
        return tantivy.Query.phrase_query(self.schema, field, _offsets(terms))

    def _single(self, field: str, term: Term) -> tantivy.Query | None:
        if term.single_cjk_char:
            # One CJK character: any bigram starting with it, or a run's trailing unigram.
            return self._expand_prefix(field, term.text)
        return tantivy.Query.term_query(self.schema, field, term.text)

    def _prefix_query(self, field: str, terms: list[Term], prefix: str) -> tantivy.Query | None:
        if len(prefix) < MIN_PREFIX_CHARS:
            return None
        if len(terms) == 1:
            return self._expand_prefix(field, prefix)
        # tantivy expands a phrase's last word to its first 50 terms: fine inside a phrase.
        words = _offsets(terms[:-1])
        words.append((terms[-1].position - terms[0].position, prefix))
        return tantivy.Query.phrase_prefix_query(self.schema, field, words)

    def _expand_prefix(self, field: str, prefix: str) -> tantivy.Query | None:
        """Every term starting with prefix, as a constant-score term set.

        Cheaper than a regex query (whose automaton costs ~0.5 ms to build per field) and,
        unlike a one-word phrase_prefix_query, not cut off after 50 terms.
        """
        terms = self.searcher.terms_with_prefix(field, prefix, limit=MAX_PREFIX_TERMS)
        if not terms:
            return None
        return tantivy.Query.term_set_query(self.schema, field, [text for text, _ in terms])


def _offsets(terms: list[Term]) -> list[str | tuple[int, str]]:
    first = terms[0].position
    return [(term.position - first, term.text) for term in terms]


def _all_but(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                        (tantivy.Occur.MustNot, query)])
