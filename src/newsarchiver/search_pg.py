"""Full-text search on PostgreSQL: the contract of search.SearchIndex, in table `search_docs`.

One row per article (its latest version), fed by the catalogue like the tantivy index: `upsert`
and `delete` are buffered and `commit` writes them in one transaction. The table is created by
the catalogue's migration from SCHEMA_STATEMENTS, never here; the pool is the catalogue's.

Text: each row's tsvector is `setweight(to_tsvector(cfg, title), 'A') || setweight(...body, 'B')`
with `cfg` the configuration of the article's language (kept in `ts_config`; 'simple' for CJK
and unknown languages). The words are cut in Python first (search_pg_query): normalisation,
ASCII folding and CJK bigrams as the tantivy index does them, so both engines agree on words.

Queries: parsed by search_query (same language, same errors), then the tsquery text built from
quoted tokens goes to `to_tsquery(cfg, %s)` once per configuration present (one round trip), and
the resulting constants are matched as `(ts_config = 'english' AND tsv @@ '...') OR ...`: each
arm is a bitmap scan of the GIN index. Relevance is ts_rank_cd, weight A = TITLE_BOOST x B.

Snippets: ts_headline marks the words PostgreSQL matched (stems included) in the prepared text
of the stored body head; the marks are mapped back to the original text and laid out by
search_snippet.make_snippet, so hits look like the tantivy ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from newsarchiver.errors import IndexStoreError
from newsarchiver.search import SearchDoc, SearchHit, SearchPage, check_paging
from newsarchiver.search_analysis import normalize, profile_for_language
from newsarchiver.search_filters import SearchFilters
from newsarchiver.search_pg_query import (
    FRAGMENTS,
    START,
    STOP,
    cjk_words,
    clean,
    document_row,
    filter_sql,
    headline_marks,
    highlight_text,
    prepare_with_spans,
    tsquery_text,
)
from newsarchiver.search_query import TITLE_BOOST, Node, parse_query, positive_leaves
from newsarchiver.search_snippet import (
    MAX_ANALYZED_CHARS,
    Highlighter,
    make_snippet,
    marked,
)

__all__ = ["SCHEMA_STATEMENTS", "PgSearchIndex"]

SCHEMA_STATEMENTS: list[str] = [
    """CREATE TABLE IF NOT EXISTS search_docs (
        article_id BIGINT PRIMARY KEY,
        version_n INTEGER NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,                      -- the text's first MAX_ANALYZED_CHARS, for snippets
        url TEXT NOT NULL,
        site TEXT COLLATE "C" NOT NULL,
        site_keys TEXT[] COLLATE "C" NOT NULL,   -- search_filters.site_keys
        authors TEXT[] NOT NULL,
        author_tsv TSVECTOR NOT NULL,            -- names AUTHOR_GAP positions apart
        language TEXT COLLATE "C",
        lang TEXT COLLATE "C" NOT NULL,          -- primary subtag, '' when unknown
        jobs TEXT[] COLLATE "C" NOT NULL,
        flags TEXT[] COLLATE "C" NOT NULL,
        published TEXT COLLATE "C",
        captured_at TEXT COLLATE "C" NOT NULL,
        published_ts BIGINT,
        captured_ts BIGINT,
        first_captured_ts BIGINT,
        sort_ts BIGINT NOT NULL,                 -- published, else first capture, else capture
        ts_config TEXT COLLATE "C" NOT NULL,
        tsv TSVECTOR NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS search_docs_tsv ON search_docs USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS search_docs_author ON search_docs USING GIN (author_tsv)",
    "CREATE INDEX IF NOT EXISTS search_docs_site ON search_docs USING GIN (site_keys)",
    "CREATE INDEX IF NOT EXISTS search_docs_jobs ON search_docs USING GIN (jobs)",
    "CREATE INDEX IF NOT EXISTS search_docs_lang ON search_docs (lang, sort_ts)",
    "CREATE INDEX IF NOT EXISTS search_docs_sort ON search_docs (sort_ts, article_id)",
    "CREATE INDEX IF NOT EXISTS search_docs_published ON search_docs (published_ts)",
    "CREATE INDEX IF NOT EXISTS search_docs_captured ON search_docs (captured_ts)",
    "CREATE INDEX IF NOT EXISTS search_docs_first_captured ON search_docs (first_captured_ts)",
    # The configurations rows use, for the per-configuration arms of a query. A table rather than an
    # index on search_docs.ts_config, which the planner would AND into every text search.
    'CREATE TABLE IF NOT EXISTS search_configs (ts_config TEXT COLLATE "C" PRIMARY KEY)',
    # PostgreSQL's language configurations drop stop words; the tantivy index keeps every word, so
    # "the referendum" or "who" would answer differently on the two stores. Each snowball
    # configuration gets a copy here, newsarchiver_<language>, whose stemmer has no stop word list.
    """DO $$
    DECLARE
        lang TEXT;
    BEGIN
        FOR lang IN
            SELECT c.cfgname FROM pg_catalog.pg_ts_config c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace AND n.nspname = 'pg_catalog'
            JOIN pg_catalog.pg_ts_dict d ON d.dictname = c.cfgname || '_stem' AND d.dictnamespace = n.oid
        LOOP
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config
                           WHERE cfgname = 'newsarchiver_' || lang AND cfgnamespace = current_schema()::regnamespace) THEN
                EXECUTE format('CREATE TEXT SEARCH DICTIONARY %I (TEMPLATE = snowball, Language = %s)',
                               'newsarchiver_' || lang || '_stem', lang);
                EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = pg_catalog.%I)', 'newsarchiver_' || lang, lang);
                EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING REPLACE pg_catalog.%I WITH %I',
                               'newsarchiver_' || lang, lang || '_stem', 'newsarchiver_' || lang || '_stem');
            END IF;
        END LOOP;
    END $$""",
]

RANK_WEIGHTS = [0.1, 0.2, 0.4, 0.4 * TITLE_BOOST]  # D, C, B (body), A (title)
CONFIG_CACHE_SECONDS = 30.0  # another writer's first article in a new language shows up this late
HEADLINE_OPTIONS = (f"StartSel={START}, StopSel={STOP}, FragmentDelimiter={FRAGMENTS}, "
                    "MaxFragments=3, MaxWords=30, MinWords=10, ShortWord=0")
_COLUMNS = ("article_id", "version_n", "title", "body", "url", "site", "site_keys", "authors", "author_tsv",
            "language", "lang", "jobs", "flags", "published", "captured_at", "published_ts", "captured_ts",
            "first_captured_ts", "sort_ts", "ts_config")
_CONFIG = "%(ts_config)s::text::regconfig"  # ::text first: the parameter is also a text column
_UPSERT = (
    f"INSERT INTO search_docs ({', '.join(_COLUMNS)}, tsv) VALUES ("
    + ", ".join(f"%({name})s" for name in _COLUMNS).replace("%(author_tsv)s", "%(author_tsv)s::tsvector")
    + f", setweight(to_tsvector({_CONFIG}, %(title_words)s), 'A')"
    + f" || setweight(to_tsvector({_CONFIG}, %(body_words)s), 'B'))"
    + f" ON CONFLICT (article_id) DO UPDATE SET ({', '.join(_COLUMNS[1:])}, tsv) = "
    + f"({', '.join(f'EXCLUDED.{name}' for name in _COLUMNS[1:])}, EXCLUDED.tsv)")
_ORDERS = {"relevance": "{p}score DESC, {p}article_id", "newest": "{p}sort_ts DESC, {p}article_id DESC",
           "oldest": "{p}sort_ts, {p}article_id"}
_HIT_COLUMNS = "d.version_n, d.title, d.url, d.site, d.authors, d.language, d.published, d.captured_at, d.flags"

Queries = dict[str, tuple[str, str]]  # configuration -> (tsquery to match, tsquery of words to mark)


@dataclass(frozen=True)
class _Plan:
    sql: str  # the page: article_id, score, total, _HIT_COLUMNS, ts_config, body
    params: list[Any]
    where: str
    where_params: list[Any]
    queries: Queries
    cjk_words: set[str] = field(default_factory=set)


class PgSearchIndex:
    """The search index in PostgreSQL; `pool` belongs to the caller (close() leaves it open)."""

    created = False  # the catalogue's migration creates the table, and with it nothing to re-feed

    def __init__(self, pool: ConnectionPool, *, readonly: bool = False) -> None:
        self._pool = pool
        self.readonly = readonly
        self._pending: dict[int, SearchDoc | None] = {}  # article_id -> new document, None: delete
        self._clear = False
        self._available: frozenset[str] | None = None  # pg_ts_config names
        self._present: tuple[float, list[str]] | None = None  # (when, configurations rows use)

    def close(self) -> None:
        """Drop changes not committed (as SearchIndex does); the pool stays open."""
        self._pending, self._clear = {}, False

    def __enter__(self) -> PgSearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def upsert(self, doc: SearchDoc) -> None:
        self._require_writer()
        self._pending[doc.article_id] = doc

    def delete(self, article_id: int) -> None:
        self._require_writer()
        self._pending[article_id] = None

    def clear(self) -> None:
        """Delete every document (takes effect at commit)."""
        self._require_writer()
        self._pending, self._clear = {}, True

    def commit(self) -> None:
        """Write the buffered changes in one transaction. On failure they are dropped: the
        catalogue's rows stay unsynced and it sends them again."""
        self._require_writer()
        pending, clear = self._pending, self._clear
        self._pending, self._clear = {}, False
        if not pending and not clear:
            return
        with self._connection() as conn, conn.cursor() as cur:
            if clear:
                cur.execute("DELETE FROM search_docs")  # not TRUNCATE: readers are not blocked
                cur.execute("DELETE FROM search_configs")
            gone = [article_id for article_id, doc in pending.items() if doc is None]
            if gone:
                cur.execute("DELETE FROM search_docs WHERE article_id = ANY(%s)", [gone])
            available = self._configs_available(conn)
            rows = [document_row(doc, available, MAX_ANALYZED_CHARS) for doc in pending.values() if doc is not None]
            if rows:
                cur.executemany(_UPSERT, rows)
                cur.execute("INSERT INTO search_configs SELECT DISTINCT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                            [[row["ts_config"] for row in rows]])
        self._present = None  # a new language may have arrived

    def _require_writer(self) -> None:
        if self.readonly:
            raise IndexStoreError("the search index (PostgreSQL) is open read-only")

    # -- reading ---------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._connection() as conn:
            row = conn.execute("SELECT count(*) FROM search_docs").fetchone()
        return int(row[0]) if row else 0

    def search(self, query: str, filters: SearchFilters = SearchFilters(), *, sort: str = "relevance",
               limit: int = 20, offset: int = 0) -> SearchPage:
        """One page of hits. An empty query lists everything the filters let through, newest first.

        Raises UsageError (one line) for bad syntax, filters, sort or paging, IndexStoreError
        (one line) when PostgreSQL fails; never anything else for any query text.
        """
        node, where = _check(query, filters, sort, limit, offset)
        with self._connection() as conn:
            plan = self._plan(conn, node, where, sort, limit, offset)
            if plan is None:
                return SearchPage(0, [])
            rows = conn.execute(plan.sql, plan.params, prepare=False).fetchall()
            total = int(rows[0][2]) if rows else self._count(conn, plan, offset)
            marks = self._headlines(conn, rows, plan)
        scored = sort == "relevance" and node is not None
        return SearchPage(total, [_to_hit(row, found, scored) for row, found in zip(rows, marks)])

    def explain(self, query: str, filters: SearchFilters = SearchFilters(), *, sort: str = "relevance",
                limit: int = 20, offset: int = 0) -> str:
        """PostgreSQL's plan for a search's page query, to check which indexes it uses."""
        node, where = _check(query, filters, sort, limit, offset)
        with self._connection() as conn:
            plan = self._plan(conn, node, where, sort, limit, offset)
            rows = conn.execute("EXPLAIN " + plan.sql, plan.params, prepare=False).fetchall() if plan else []
        return "\n".join(str(row[0]) for row in rows)

    def _plan(self, conn: psycopg.Connection[Any], node: Node | None, where: tuple[list[str], list[Any]],
              sort: str, limit: int, offset: int) -> _Plan | None:
        """The page query, or None when no configuration leaves a word to look for."""
        conditions, params = where
        queries: Queries = {}
        if node is None:
            sort = "newest" if sort == "relevance" else sort  # nothing to rank by
        else:
            queries = self._compile(conn, tsquery_text(node), highlight_text(positive_leaves(node)))
            if not queries:
                return None
            arms, arm_params = _match_sql(queries)
            conditions, params = [arms, *conditions], [*arm_params, *params]
        where_sql = " AND ".join(conditions) or "TRUE"
        score, score_params = _rank_sql(queries) if sort == "relevance" else ("0::float4", [])
        order = _ORDERS[sort]
        # With words to match, the total needs every match anyway, so walking the date index and
        # testing each row (what the planner picks when it underestimates a rare word) never stops
        # early: `sort_ts + 0` keeps the index out of it, leaving GIN scan + top-N sort (1.4 s -> ms).
        inner = order.format(p="").replace("sort_ts", "(sort_ts + 0)") if node is not None else order.format(p="")
        sql = (f"WITH page AS MATERIALIZED (SELECT article_id, {score} AS score, sort_ts,"
               f" count(*) OVER () AS total FROM search_docs WHERE {where_sql}"
               f" ORDER BY {inner} LIMIT %s OFFSET %s)"
               f" SELECT p.article_id, p.score, p.total, {_HIT_COLUMNS}, d.ts_config, d.body"
               f" FROM page p JOIN search_docs d USING (article_id) ORDER BY {order.format(p='p.')}")
        return _Plan(sql, [*score_params, *params, limit, offset], where_sql, params, queries, cjk_words(node))

    def _compile(self, conn: psycopg.Connection[Any], match: str, highlight: str) -> Queries:
        """Per configuration present, the tsqueries PostgreSQL makes of the text (stemmed, stop
        words removed); a configuration whose query came out empty is left out."""
        configs = self._configs_present(conn)
        light = "to_tsquery(c::regconfig, %s)::text" if highlight else "%s"
        rows = conn.execute(f"SELECT c, to_tsquery(c::regconfig, %s)::text, {light} FROM unnest(%s::text[]) AS c",
                            [match, highlight, configs], prepare=False).fetchall()
        return {config: (tsquery, light_query) for config, tsquery, light_query in rows if tsquery}

    @staticmethod
    def _count(conn: psycopg.Connection[Any], plan: _Plan, offset: int) -> int:
        """The total when the page came back empty: an offset past the end still learns it."""
        if offset == 0:
            return 0
        row = conn.execute(f"SELECT count(*) FROM search_docs WHERE {plan.where}", plan.where_params,
                           prepare=False).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _headlines(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]],
                   plan: _Plan) -> list[list[tuple[int, int, str]]]:
        """For each row, the (start, end, key) of the words to mark in its normalised body head."""
        marks: list[list[tuple[int, int, str]]] = [[] for _ in rows]
        wanted = [i for i, row in enumerate(rows) if plan.queries.get(row[-2], ("", ""))[1] and row[-1]]
        if not wanted:
            return marks
        prepared = {i: prepare_with_spans(_display(rows[i][-1])) for i in wanted}
        found = conn.execute(
            "SELECT ts_headline(c::regconfig, t, q::tsquery, %s)"
            " FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS x(c, t, q, n) ORDER BY n",
            [HEADLINE_OPTIONS, [rows[i][-2] for i in wanted], [prepared[i][0] for i in wanted],
             [plan.queries[rows[i][-2]][1] for i in wanted]], prepare=False).fetchall()
        for i, (headline,) in zip(wanted, found):
            marks[i] = headline_marks(headline, *prepared[i], plan.cjk_words)
        return marks

    # -- configurations and connections ----------------------------------------------------

    def _configs_available(self, conn: psycopg.Connection[Any]) -> frozenset[str]:
        if self._available is None:
            rows = conn.execute("SELECT cfgname FROM pg_catalog.pg_ts_config "
                                "WHERE pg_catalog.pg_ts_config_is_visible(oid)").fetchall()
            self._available = frozenset(str(row[0]) for row in rows)
        return self._available

    def _configs_present(self, conn: psycopg.Connection[Any]) -> list[str]:
        """The configurations rows use (or used: deletes leave them, an arm that finds nothing)."""
        now = time.monotonic()
        if self._present is None or now - self._present[0] > CONFIG_CACHE_SECONDS:
            rows = conn.execute("SELECT ts_config FROM search_configs ORDER BY ts_config").fetchall()
            self._present = (now, [str(row[0]) for row in rows])
        return self._present[1]

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection() as conn:  # commits on a clean exit, rolls back otherwise
                yield conn
        except psycopg.Error as exc:  # PoolTimeout is one too
            raise IndexStoreError(f"search index (PostgreSQL): {_one_line(exc)}") from exc


def _check(query: str, filters: SearchFilters, sort: str, limit: int,
           offset: int) -> tuple[Node | None, tuple[list[str], list[Any]]]:
    """Everything the user gave, checked before touching the database (UsageError as tantivy's)."""
    check_paging(sort, limit, offset)
    # Lone surrogates (undecodable command-line bytes) would fail the analyzer and the driver;
    # NUL becomes the space normalize() would make it.
    node = parse_query(clean(query.replace("\x00", " ")))
    cleaned = {name: clean(value) for name, value in asdict(filters).items() if isinstance(value, str)}
    return node, filter_sql(replace(filters, **cleaned))


def _match_sql(queries: Queries) -> tuple[str, list[Any]]:
    """One arm per distinct tsquery (configurations often stem a word alike), each a GIN scan."""
    configs: dict[str, list[str]] = {}
    for config, (match, _) in queries.items():
        configs.setdefault(match, []).append(config)
    arms = " OR ".join("(ts_config = ANY(%s::text[]) AND tsv @@ %s::tsquery)" for _ in configs)
    return f"({arms})", [value for match, names in configs.items() for value in (names, match)]


def _rank_sql(queries: Queries) -> tuple[str, list[Any]]:
    if len(queries) == 1:
        return "ts_rank_cd(%s::float4[], tsv, %s::tsquery)", [RANK_WEIGHTS, *(q for q, _ in queries.values())]
    cases = " ".join("WHEN %s THEN %s::tsquery" for _ in queries)
    params = [value for config, (match, _) in queries.items() for value in (config, match)]
    return f"ts_rank_cd(%s::float4[], tsv, CASE ts_config {cases} END)", [RANK_WEIGHTS, *params]


@dataclass
class _Marked(Highlighter):
    """Marks found by ts_headline, handed to make_snippet for the tantivy path's layout."""

    found: list[tuple[int, int, str]] = field(default_factory=list)

    def matches(self, text: str, profile: str) -> list[tuple[int, int, str]]:
        return self.found


def _to_hit(row: tuple[Any, ...], marks: list[tuple[int, int, str]], scored: bool) -> SearchHit:
    (article_id, score, _, version_n, title, url, site, authors, language, published, captured_at, flags,
     _, body) = row
    spans = make_snippet(_display(body), _Marked(found=marks) if marks else None, profile_for_language(language))
    return SearchHit(article_id=article_id, version_n=version_n, title=title, url=url, site=site,
                     authors=list(authors), language=language, published=published, captured_at=captured_at,
                     flags=list(flags), score=float(score) if scored else 0.0, snippet=marked(spans),
                     snippet_spans=spans)


def _display(body: str) -> str:
    """The text snippets are cut from: normalised twice, so make_snippet's normalize() keeps offsets."""
    return normalize(normalize(body))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
