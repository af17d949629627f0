"""The full-text index over article versions: tantivy in `<archive>/search`, derived and rebuildable.

One document per article (its latest version): `upsert` replaces by article_id. The catalogue
(index.py) feeds it and stays the record; tantivy commits are atomic, so after a crash the index
is a consistent earlier state that the catalogue catches up. `SearchIndex.created` tells it when
an open started an empty index (none yet, or an old format replaced) and everything needs feeding.

Filters and dates: search_filters. Query language: search_query. Snippets: search_snippet.

Ranking is BM25 over title and body, the title boosted (search_query.TITLE_BOOST). Text analysis
(stemming per language, CJK bigrams, Unicode normalisation) is described in search_analysis.

Storage: the body is indexed with positions (phrases) but not stored as a text field; the
metadata and the full text go into one zlib-compressed stored blob per document, from which hits
and snippets are built without touching the catalogue. Per-document zlib stores about a fifth
smaller than tantivy's LZ4 doc store would (measured: 0.53x vs 0.65x of the text), which keeps
the whole index near 1x the raw text (bench/search.py).

Concurrency: one writer (tantivy's lock file; a second one gets LockedError), with a bounded
indexing heap. Read-only opens take no lock, never block the writer, and reload on its commits.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from newsarchiver.errors import IndexStoreError, LockedError, UsageError
from newsarchiver.search_analysis import (
    PLAIN_PROFILE,
    PROFILES,
    prepare_for_index,
    primary_language,
    profile_for_language,
    register_tokenizers,
    tokenizer_name,
)
from newsarchiver.search_filters import SearchFilters, filter_queries, parse_timestamp, site_keys
from newsarchiver.search_query import Leaf, Node, QueryCompiler, parse_query, positive_leaves
from newsarchiver.search_snippet import Highlighter, Span, make_snippet, marked

log = logging.getLogger(__name__)

FORMAT_VERSION = 1  # bump when the schema or the analysis changes: writers then rebuild
FORMAT_FILE = "newsarchiver-search.json"
WRITER_HEAP_BYTES = 64_000_000
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
SORTS = ("relevance", "newest", "oldest")

__all__ = ["SearchDoc", "SearchFilters", "SearchHit", "SearchPage", "SearchIndex", "SORTS", "index_exists"]


@dataclass(frozen=True)
class SearchDoc:
    article_id: int
    version_n: int
    title: str
    text: str
    url: str
    canonical_url: str
    site: str
    authors: list[str]
    language: str | None
    published: str | None  # ISO date or date-time
    captured_at: str  # ISO, the latest capture
    first_captured_at: str = ""  # ISO; "" means the same as captured_at
    jobs: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    version_n: int
    title: str
    url: str
    site: str
    authors: list[str]
    language: str | None
    published: str | None
    captured_at: str
    flags: list[str]
    score: float  # BM25 (title boosted) when sorted by relevance, else 0.0
    snippet: str  # matched words between « and »
    snippet_spans: list[tuple[str, bool]]  # the same as (text, is_match) pieces, for HTML/ANSI


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[SearchHit]


def _build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("article_id", stored=True, indexed=True, fast=True)
    for profile in PROFILES:
        builder.add_text_field(f"title_{profile}", tokenizer_name=tokenizer_name(profile))
        builder.add_text_field(f"body_{profile}", tokenizer_name=tokenizer_name(profile))
    builder.add_text_field("profile", tokenizer_name="raw")
    builder.add_text_field("site", tokenizer_name="raw")
    builder.add_text_field("lang", tokenizer_name="raw")
    builder.add_text_field("job", tokenizer_name="raw")
    builder.add_text_field("author", tokenizer_name=tokenizer_name(PLAIN_PROFILE))
    for name in ("published_ts", "captured_ts", "first_captured_ts", "sort_ts"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_bytes_field("stored", stored=True)
    return builder.build()


SCHEMA = _build_schema()


class SearchIndex:
    """The tantivy index of one archive. Use `SearchIndex.open(archive_dir / "search")`."""

    def __init__(self, path: Path, index: tantivy.Index, writer: tantivy.IndexWriter | None,
                 created: bool = False) -> None:
        self.path = path
        # True when this open made a new, empty index (none was there, or its format was old):
        # the catalogue must then re-feed every article.
        self.created = created
        self._index = index
        self._writer = writer
        self._seen_meta = _meta_stamp(path)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> SearchIndex:
        path = Path(path)
        if readonly:
            return cls._open_readonly(path)
        return cls._open_writer(path)

    @classmethod
    def _open_readonly(cls, path: Path) -> SearchIndex:
        if not index_exists(path):
            raise IndexStoreError(f"{path}: no search index yet; `newsarchiver crawl` or `newsarchiver import` builds it")
        version = _format_version(path)
        if version != FORMAT_VERSION:
            raise IndexStoreError(f"{path}: search index format {version}, this version needs {FORMAT_VERSION}; "
                                  "rebuild it with `newsarchiver reindex`")
        try:
            index = tantivy.Index.open(str(path))
            register_tokenizers(index)
            index.config_reader(reload_policy="commit")
        except (OSError, ValueError) as exc:
            raise IndexStoreError(f"{path}: cannot open the search index: {_one_line(exc)}") from exc
        return cls(path, index, None)

    @classmethod
    def _open_writer(cls, path: Path) -> SearchIndex:
        created = not index_exists(path)
        if not created and _format_version(path) != FORMAT_VERSION:
            # Derived data in an old format: start afresh (`created` tells the catalogue to re-feed).
            log.warning("%s: search index format changed; rebuilding it empty", path)
            shutil.rmtree(path)
            created = True
        try:
            path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            register_tokenizers(index)
        except (OSError, ValueError) as exc:
            raise IndexStoreError(f"{path}: cannot open the search index: {_one_line(exc)}") from exc
        try:
            threads = max(1, min(os.cpu_count() or 1, 2))
            writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=threads)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise LockedError(f"{path}: the search index is being written by another process; "
                                  "wait for it to finish") from exc
            raise IndexStoreError(f"{path}: cannot write the search index: {_one_line(exc)}") from exc
        (path / FORMAT_FILE).write_text(json.dumps({"format": FORMAT_VERSION}) + "\n", encoding="utf-8")
        return cls(path, index, writer, created=created)

    def close(self) -> None:
        """Release the writer lock; changes not committed are dropped.

        Waits for background segment merges, so they are not abandoned half-written (that
        leaves garbage files until the next writer collects them).
        """
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.wait_merging_threads()
            except ValueError as exc:
                log.warning("%s: search index merge did not finish: %s", self.path, _one_line(exc))

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def upsert(self, doc: SearchDoc) -> None:
        writer = self._require_writer()
        writer.delete_documents_by_term("article_id", doc.article_id)
        writer.add_document(_to_document(doc))

    def delete(self, article_id: int) -> None:
        self._require_writer().delete_documents_by_term("article_id", article_id)

    def clear(self) -> None:
        """Delete every document (takes effect at commit)."""
        self._require_writer().delete_all_documents()

    def commit(self) -> None:
        try:
            self._require_writer().commit()
        except ValueError as exc:
            raise IndexStoreError(f"{self.path}: search index commit failed: {_one_line(exc)}") from exc
        self._index.reload()  # our own searches see the commit at once

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise IndexStoreError(f"{self.path}: the search index is open read-only (or closed)")
        return self._writer

    # -- reading ---------------------------------------------------------------------------

    def doc_count(self) -> int:
        return int(self._searcher().num_docs)

    def _searcher(self) -> tantivy.Searcher:
        if self._writer is None:
            # Read-only: tantivy reloads on the writer's commits after a short delay; a stat of
            # meta.json makes a commit visible to the very next search.
            stamp = _meta_stamp(self.path)
            if stamp != self._seen_meta:
                self._seen_meta = stamp
                self._index.reload()
        return self._index.searcher()

    def search(self, query: str, filters: SearchFilters = SearchFilters(), *, sort: str = "relevance",
               limit: int = 20, offset: int = 0) -> SearchPage:
        """One page of hits. An empty query lists everything the filters let through, newest first.

        Raises UsageError (one line) for bad syntax, filters, sort or paging; never anything else
        for any query text.
        """
        check_paging(sort, limit, offset)
        node = parse_query(query)
        filter_clauses = filter_queries(filters, SCHEMA)  # validated before touching the index
        searcher = self._searcher()
        # Only the profiles (languages) present: the query then has two fields per language.
        profiles = [p for p in PROFILES if searcher.doc_freq("profile", p) > 0]
        if not profiles:
            return SearchPage(0, [])
        if node is None:
            text_query = tantivy.Query.all_query()
            sort = "newest" if sort == "relevance" else sort  # nothing to rank by
        else:
            text_query = _compile(node, searcher, profiles)
        full_query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, q) for q in [text_query, *filter_clauses]]) if filter_clauses else text_query
        if sort == "relevance":
            result = searcher.search(full_query, limit, count=True, offset=offset)
        else:
            order = tantivy.Order.Desc if sort == "newest" else tantivy.Order.Asc
            result = searcher.search(full_query, limit, count=True, order_by_field="sort_ts",
                                     offset=offset, order=order)
        hits = self._hits(searcher, result.hits, positive_leaves(node), scored=sort == "relevance")
        return SearchPage(total=int(getattr(result, "count", None) or 0), hits=hits)

    @staticmethod
    def _hits(searcher: tantivy.Searcher, found: list[tuple[Any, tantivy.DocAddress]], leaves: list[Leaf],
              *, scored: bool) -> list[SearchHit]:
        highlighters: dict[str, Highlighter] = {}  # one per language among the hits
        hits = []
        for value, address in found:
            document = searcher.doc(address)
            stored = _load_stored(document)
            profile = profile_for_language(stored.get("language"))
            if profile not in highlighters:
                highlighters[profile] = Highlighter.for_profile(leaves, profile)
            spans = make_snippet(stored["text"], highlighters[profile], profile)
            hits.append(_to_hit(_article_id(document), stored, float(value) if scored else 0.0, spans))
        return hits


def index_exists(path: Path) -> bool:
    """Whether a search index has been created at path."""
    return (Path(path) / "meta.json").is_file()


def _meta_stamp(path: Path) -> int:
    try:
        return (path / "meta.json").stat().st_mtime_ns
    except OSError:
        return 0


def _format_version(path: Path) -> int | None:
    try:
        return int(json.loads((path / FORMAT_FILE).read_text(encoding="utf-8"))["format"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def check_paging(sort: str, limit: int, offset: int) -> None:
    if sort not in SORTS:
        raise UsageError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise UsageError(f"offset must be between 0 and {MAX_OFFSET}, got {offset}")


def _compile(node: Node, searcher: tantivy.Searcher, profiles: list[str]) -> tantivy.Query:
    try:
        return QueryCompiler(SCHEMA, searcher, profiles).compile(node)
    except ValueError as exc:  # tantivy refused a query we built: report, don't crash
        raise UsageError(f"cannot run this query: {_one_line(exc)}") from exc


# -- documents -------------------------------------------------------------------------------

_STORED_KEYS = ("version_n", "title", "url", "site", "authors", "language", "published", "captured_at", "flags")


def _to_document(doc: SearchDoc) -> tantivy.Document:
    profile = profile_for_language(doc.language)
    document = tantivy.Document()
    document.add_integer("article_id", doc.article_id)
    document.add_text(f"title_{profile}", prepare_for_index(doc.title))
    document.add_text(f"body_{profile}", prepare_for_index(doc.text))
    document.add_text("profile", profile)
    for key in site_keys(doc.site, doc.url, doc.canonical_url):
        document.add_text("site", key)
    if doc.language:
        document.add_text("lang", primary_language(doc.language))
    for job in doc.jobs:
        document.add_text("job", job)
    for author in doc.authors:
        document.add_text("author", prepare_for_index(author))
    published = parse_timestamp(doc.published)
    captured = parse_timestamp(doc.captured_at)
    first = parse_timestamp(doc.first_captured_at) or captured
    for name, value in (("published_ts", published), ("captured_ts", captured), ("first_captured_ts", first)):
        if value is not None:
            document.add_integer(name, value)
    document.add_integer("sort_ts", next((v for v in (published, first, captured) if v is not None), 0))
    stored: dict[str, Any] = {key: getattr(doc, key) for key in _STORED_KEYS}
    stored["text"] = doc.text
    document.add_bytes("stored", zlib.compress(json.dumps(stored, ensure_ascii=False).encode("utf-8"), 6))
    return document


def _load_stored(document: tantivy.Document) -> dict[str, Any]:
    blob = document.get_first("stored")
    if not isinstance(blob, bytes):
        raise IndexStoreError("search index document without its stored fields; rebuild with `newsarchiver reindex`")
    data: dict[str, Any] = json.loads(zlib.decompress(blob))
    return data


def _article_id(document: tantivy.Document) -> int:
    value = document.get_first("article_id")
    return int(value) if value is not None else 0


def _to_hit(article_id: int, stored: dict[str, Any], score: float, spans: list[Span]) -> SearchHit:
    return SearchHit(
        article_id=article_id,
        version_n=stored["version_n"], title=stored["title"], url=stored["url"], site=stored["site"],
        authors=list(stored["authors"]), language=stored["language"], published=stored["published"],
        captured_at=stored["captured_at"], flags=list(stored["flags"]), score=score,
        snippet=marked(spans), snippet_spans=spans,
    )
