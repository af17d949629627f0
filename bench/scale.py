"""Scale benchmark (issue 7): search on PostgreSQL vs SQLite/tantivy, and 1, 2, 4 crawl workers.

    python bench/scale.py [--only search|workers|all] [--articles 100000] [--queries N]
                          [--pg-url URL] [--json FILE] [--keep]

Part A, search (`--only search`). The articles and queries are bench/search.py's (imported from
it: same seed, same Zipfian text model, so the tantivy figures compare with README's):
  load     N articles fed to the tantivy SearchIndex (the SQLite store's full text) and then, from
           the same seed again, to PgSearchIndex over a psycopg pool on a fresh schema made with
           search_pg.SCHEMA_STATEMENTS; commits every 500 documents (the catalogue's chunk).
           Load time is the stores' own (upsert + commit), the text generation is timed apart;
           PostgreSQL's is followed by VACUUM ANALYZE (timed apart too).
  size     tantivy: the index directory; PostgreSQL: pg_total_relation_size(search_docs) (heap,
           TOAST and every index), and the GIN index on the text alone.
  queries  bench/search.py's 50 (frequent and rare words, phrases, two-term AND, date filters)
           plus 20 of this file (prefixes, OR, a negation, site filters, newest/oldest sorts),
           each run --runs times per store, the two stores interleaved query by query; what is
           timed is SearchIndex.search / PgSearchIndex.search with limit 10: parse, match, count,
           10 hits with snippets, as a user waits for it. p50/p99 per store, per kind and overall.
  agree    the total each store reports for each query; differing queries are listed.
  plans    EXPLAIN of each query on PostgreSQL: queries whose plan does not use the GIN index
           search_docs_tsv are listed.

Part B, workers (`--only workers`): `newsarchiver worker` processes sharing one job's frontier in
PostgreSQL, crawling --hosts local sample sites (one process and port each, like bench/site.py,
pre-rendered ~75 KB article pages, --latency-ms before every response). The job is seeded with
each host's front page and sitemap.xml (recursive, no depth or page limit: the whole site), with
the politeness of bench/crawl.py's multi-host runs (delay 0, 2 connections per host, fetch threads
max(8, 2 x hosts)), robots.txt obeyed, extraction during the crawl. For N = 1, 2, 4: a fresh
schema, N workers started at once (own --archive directory and --worker-id each), wall time from
the first start to the last exit; responses = the catalogue's captures of type response/revisit,
articles = distinct article URLs archived with status 200 (read back from the WARCs). Every host
logs the requests it receives: a URL requested more than once in a run (across all workers) is
counted as a duplicate fetch (should be 0). CPU per run, as cores (CPU seconds / wall): machine-wide
(/proc/stat), split into the workers' process trees (wait4 of each worker, plus its extraction
processes reaped by this process as a child subreaper, as bench/crawl.py does), the site processes,
PostgreSQL's server processes (both sampled from /proc) and the rest (other work on the machine).
`--no-extract` runs the workers with extract.during_crawl = false instead.

Deterministic content; timings depend on the machine (printed: cores, load average).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from newsarchiver.search import SearchIndex
from newsarchiver.search_filters import SearchFilters

DEFAULT_PG = "postgresql://newsarchiver:newsarchiver@127.0.0.1:5432/newsarchiver_test"
COMMIT_EVERY = 500
JOB = "scale"


def _load_bench(name: str) -> Any:
    """bench/NAME.py as a module (by path: `site` is also a stdlib module's name)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


search_bench = _load_bench("search")
percentile = search_bench.percentile


def say(text: str) -> None:
    print(text, flush=True)


def load_text() -> str:
    load = os.getloadavg()
    return f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"


# --- PostgreSQL schemas -------------------------------------------------------------------------


def new_schema(base_url: str, prefix: str) -> tuple[str, str]:
    """(schema, URL whose search_path is that new, empty schema), as tests/conftest.py does."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base_url else "?"
    return schema, f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


def drop_schema(base_url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def sql_one(url: str, sql: str, params: list[Any] | None = None) -> Any:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


# --- Part A: loading ----------------------------------------------------------------------------


@dataclass
class Loaded:
    store: str
    articles: int
    load_s: float  # the store's upserts and commits
    gen_s: float  # generating the articles (not the store's)
    raw_bytes: int = 0
    samples: list[str] = field(default_factory=list)  # texts bench/search.py takes phrases from
    vacuum_s: float = 0.0
    size_bytes: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False  # PostgreSQL: --pg-max-load-s reached

    @property
    def rate(self) -> float:
        return self.articles / self.load_s if self.load_s else 0.0


def feed(index: Any, store: str, n: int, deadline: float | None = None) -> Loaded:
    """Generate bench/search.py's N articles (its seed, so both stores get the same) into `index`."""
    rng = random.Random(search_bench.SEED)
    corpus = search_bench.make_corpus(rng)
    result = Loaded(store, 0, 0.0, 0.0)
    started = time.perf_counter()
    for article_id in range(1, n + 1):
        t0 = time.perf_counter()
        doc = search_bench.make_article(corpus, rng, article_id)
        t1 = time.perf_counter()
        result.gen_s += t1 - t0
        result.raw_bytes += len(doc.title.encode()) + len(doc.text.encode())
        if article_id % max(1, n // 10) == 0:
            result.samples.append(doc.text)
        index.upsert(doc)
        if article_id % COMMIT_EVERY == 0:
            index.commit()
        result.load_s += time.perf_counter() - t1
        result.articles = article_id
        if article_id % 10_000 == 0:
            elapsed = time.perf_counter() - started
            print(f"  {store}: {article_id:,} articles, {elapsed:.0f} s ({result.rate:,.0f}/s in the store)",
                  file=sys.stderr, flush=True)
            if deadline is not None and time.monotonic() > deadline and article_id < n:
                result.stopped_early = True
                break
    t1 = time.perf_counter()
    index.commit()
    result.load_s += time.perf_counter() - t1
    return result


def load_tantivy(index_dir: Path, n: int) -> Loaded:
    shutil.rmtree(index_dir, ignore_errors=True)
    index = SearchIndex.open(index_dir)
    try:
        loaded = feed(index, "tantivy", n)
    finally:
        index.close()
    loaded.size_bytes, loaded.sizes = search_bench.dir_size(index_dir)
    return loaded


def open_pg_pool(url: str) -> Any:
    from psycopg_pool import ConnectionPool

    return ConnectionPool(url, min_size=1, max_size=2, open=True, timeout=60, name="bench-scale")


def create_search_tables(pool: Any) -> None:
    from newsarchiver.search_pg import SCHEMA_STATEMENTS

    with pool.connection() as conn:
        for statement in SCHEMA_STATEMENTS:
            conn.execute(statement)


def load_pg(pool: Any, url: str, n: int, max_seconds: float) -> Loaded:
    from newsarchiver.search_pg import PgSearchIndex

    create_search_tables(pool)
    loaded = feed(PgSearchIndex(pool), "postgresql", n, deadline=time.monotonic() + max_seconds)
    t0 = time.perf_counter()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE search_docs")
        conn.execute("VACUUM ANALYZE search_configs")
    loaded.vacuum_s = time.perf_counter() - t0
    loaded.sizes = pg_sizes(url)
    loaded.size_bytes = loaded.sizes["total"]
    return loaded


def pg_sizes(url: str) -> dict[str, int]:
    """search_docs: total (heap + TOAST + indexes), heap+TOAST, all indexes, the text's GIN index."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_total_relation_size('search_docs'), pg_table_size('search_docs'),"
            " pg_indexes_size('search_docs'), pg_relation_size('search_docs_tsv')").fetchone()
    assert row is not None
    return {"total": row[0], "table_and_toast": row[1], "indexes": row[2], "gin_tsv": row[3]}


# --- Part A: queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"

    @property
    def label(self) -> str:
        extra = [f"{k}={v}" for k, v in asdict(self.filters).items() if v]
        if self.sort != "relevance":
            extra.append(self.sort)
        return self.text + (f" [{', '.join(extra)}]" if extra else "")


def search_py_queries(corpus: Any, samples: list[str]) -> list[Query]:
    """bench/search.py's 50 queries, as it runs them (a year's date filter where it has one)."""
    out = []
    for q in search_bench.make_queries(corpus, samples, random.Random(search_bench.SEED + 1)):
        filters = SearchFilters(since=f"{q.year}-01-01", until=f"{q.year}-12-31") if q.year else SearchFilters()
        out.append(Query(q.kind, q.text, filters))
    return out


def extra_queries(corpus: Any) -> list[Query]:
    """Kinds bench/search.py lacks: prefixes, OR, negation, site filters, date sorts."""
    vocab, sites = corpus.vocabulary, corpus.sites
    rng = random.Random(search_bench.SEED + 2)
    out = [Query("prefix", w) for w in ("elect*", "gover*", "sanction*")]
    out += [Query("prefix", vocab[r][:4] + "*") for r in (2_000, 30_000)]
    out += [Query("OR", f"{a} OR {b}") for a, b in (("ceasefire", "truce"), ("referendum", "hostage"),
                                                      (vocab[rng.randint(20_000, 79_999)], vocab[rng.randint(20_000, 79_999)]))]
    out.append(Query("OR", f"(election OR vote) {vocab[rng.randint(500, 5_000)]}"))
    out.append(Query("negation", f"police -{vocab[rng.randint(50, 300)]}"))
    out += [Query("site filter", w, SearchFilters(site=s)) for w, s in
            (("government", sites[1]), ("ceasefire", sites[5]), (vocab[rng.randint(1_000, 10_000)], sites[0]))]
    out.append(Query("site filter", "", SearchFilters(site=sites[3]), sort="newest"))  # a site's listing
    for sort in ("newest", "oldest"):
        out += [Query(f"sort {sort}", w, sort=sort) for w in ("said", "referendum", vocab[rng.randint(500, 3_000)])]
    return out


def select(queries: list[Query], n: int | None) -> list[Query]:
    """The first n queries taking kinds round-robin (all of them when n is None)."""
    if n is None or n >= len(queries):
        return queries
    by_kind: dict[str, list[Query]] = {}
    for q in queries:
        by_kind.setdefault(q.kind, []).append(q)
    picked: list[Query] = []
    while len(picked) < n:
        for group in by_kind.values():
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return [q for q in queries if q in picked]


@dataclass
class Timed:
    query: Query
    ms: dict[str, list[float]]  # store -> runs
    totals: dict[str, int]
    error: dict[str, str] = field(default_factory=dict)


def time_queries(stores: dict[str, Any], queries: list[Query], runs: int) -> list[Timed]:
    """Each query `runs` times per store; stores alternate (which goes first flips every run)."""
    names = list(stores)
    results = []
    for q in queries:
        timed = Timed(q, {name: [] for name in names}, {})
        for run in range(runs):
            for name in (names if run % 2 == 0 else names[::-1]):
                t0 = time.perf_counter()
                try:
                    page = stores[name].search(q.text, q.filters, sort=q.sort, limit=10)
                except Exception as exc:  # noqa: BLE001 - report, go on with the other queries
                    timed.error[name] = f"{type(exc).__name__}: {exc}"
                    continue
                timed.ms[name].append((time.perf_counter() - t0) * 1000)
                timed.totals[name] = page.total
        results.append(timed)
    return results


def gin_check(pg_index: Any, queries: list[Query]) -> list[tuple[str, str]]:
    """(query, first plan lines) for each query with words whose plan does not use search_docs_tsv."""
    missing = []
    for q in queries:
        if not q.text.strip():
            continue
        plan = pg_index.explain(q.text, q.filters, sort=q.sort, limit=10)
        if "search_docs_tsv" not in plan:
            nodes = [line.strip(" ->") for line in plan.splitlines() if " Scan " in line][:3]
            missing.append((q.label, " | ".join(nodes) or "(no plan: no words left after stop words)"))
    return missing


def summarise(timed: list[Timed], stores: list[str]) -> dict[str, Any]:
    def stats(values: list[float]) -> dict[str, float]:
        return {"p50_ms": round(percentile(values, 50), 2), "p99_ms": round(percentile(values, 99), 2),
                "mean_ms": round(statistics.fmean(values), 2), "n": len(values)} if values else {}

    out: dict[str, Any] = {"overall": {}, "by_kind": {}}
    for store in stores:
        out["overall"][store] = stats([ms for t in timed for ms in t.ms[store]])
        base = [ms for t in timed if t.query.kind in SEARCH_PY_KINDS for ms in t.ms[store]]
        out.setdefault("search_py_mix", {})[store] = stats(base)
    for kind in dict.fromkeys(t.query.kind for t in timed):
        out["by_kind"][kind] = {store: stats([ms for t in timed if t.query.kind == kind for ms in t.ms[store]])
                                for store in stores}
    return out


SEARCH_PY_KINDS = ("frequent word", "rare word", "phrase", "two-term AND", "date filter")


def disagreements(timed: list[Timed], a: str, b: str) -> list[dict[str, Any]]:
    return [{"query": t.query.label, "kind": t.query.kind, a: t.totals.get(a), b: t.totals.get(b)}
            for t in timed if t.totals.get(a) != t.totals.get(b)]


def print_search_report(loads: dict[str, Loaded], timed: list[Timed], summary: dict[str, Any],
                        differ: list[dict[str, Any]], no_gin: list[tuple[str, str]]) -> None:
    tv, pg = loads["tantivy"], loads["postgresql"]
    say(f"\nper query (median of {len(timed[0].ms['tantivy']) if timed else 0} runs, ms; totals):")
    say(f"{'kind':<14} {'query':<44} {'tantivy':>8} {'pg':>8} {'pg/tv':>6} {'total tv':>9} {'total pg':>9}")
    for t in timed:
        tv_ms = statistics.median(t.ms["tantivy"]) if t.ms["tantivy"] else float("nan")
        pg_ms = statistics.median(t.ms["postgresql"]) if t.ms["postgresql"] else float("nan")
        flag = "" if t.totals.get("tantivy") == t.totals.get("postgresql") else "  <- differs"
        say(f"{t.query.kind:<14} {t.query.label[:44]:<44} {tv_ms:>8.2f} {pg_ms:>8.2f} {pg_ms / tv_ms:>6.1f} "
            f"{t.totals.get('tantivy', -1):>9} {t.totals.get('postgresql', -1):>9}{flag}")
        for store, error in t.error.items():
            say(f"    {store} error: {error}")
    say("\nsearch, by kind (p50 / p99 ms):")
    say(f"{'kind':<14} {'tantivy p50':>11} {'p99':>8} {'pg p50':>8} {'p99':>8} {'pg/tv p50':>9}")
    for kind, by_store in summary["by_kind"].items():
        a, b = by_store["tantivy"], by_store["postgresql"]
        if a and b:
            say(f"{kind:<14} {a['p50_ms']:>11.2f} {a['p99_ms']:>8.2f} {b['p50_ms']:>8.2f} {b['p99_ms']:>8.2f} "
                f"{b['p50_ms'] / a['p50_ms']:>9.1f}")
    say("")
    for label, key in (("bench/search.py's 50", "search_py_mix"), ("all queries", "overall")):
        a, b = summary[key]["tantivy"], summary[key]["postgresql"]
        if a and b:
            say(f"{label:<22} tantivy p50 {a['p50_ms']:7.2f} p99 {a['p99_ms']:8.2f} | postgresql p50 {b['p50_ms']:7.2f} "
                f"p99 {b['p99_ms']:8.2f} | pg/tantivy p50 {b['p50_ms'] / a['p50_ms']:.1f}x p99 {b['p99_ms'] / a['p99_ms']:.1f}x")
    say(f"\nload ({tv.articles:,} articles for tantivy, {pg.articles:,} for postgresql; raw text {tv.raw_bytes / 1e6:,.0f} MB):")
    say(f"  tantivy     {tv.load_s:7.1f} s  {tv.rate:7,.0f} articles/s   on disk {tv.size_bytes / 1e6:8,.1f} MB "
        f"= {tv.size_bytes / tv.raw_bytes:.2f}x the text")
    pg_note = "  STOPPED EARLY (--pg-max-load-s)" if pg.stopped_early else ""
    say(f"  postgresql  {pg.load_s:7.1f} s  {pg.rate:7,.0f} articles/s   on disk {pg.size_bytes / 1e6:8,.1f} MB "
        f"= {pg.size_bytes / max(1, pg.raw_bytes):.2f}x the text; + VACUUM ANALYZE {pg.vacuum_s:.1f} s{pg_note}")
    s = pg.sizes
    say(f"              search_docs: heap+TOAST {s['table_and_toast'] / 1e6:,.1f} MB, indexes {s['indexes'] / 1e6:,.1f} MB "
        f"(GIN on tsv {s['gin_tsv'] / 1e6:,.1f} MB)")
    say(f"  (generating the texts took another {tv.gen_s:.0f} s / {pg.gen_s:.0f} s, not counted)")
    if differ:
        say(f"\ntotals differ for {len(differ)} of {len(timed)} queries:")
        for d in differ:
            say(f"  {d['kind']:<14} {d['query'][:50]:<50} tantivy {d['tantivy']}  postgresql {d['postgresql']}")
    else:
        say(f"\ntotals agree for all {len(timed)} queries")
    if no_gin:
        say(f"\nplans not using the GIN index search_docs_tsv ({len(no_gin)}):")
        for label, plan in no_gin:
            say(f"  {label[:50]:<50} {plan[:150]}")
    else:
        say("every query with words uses the GIN index search_docs_tsv (EXPLAIN)")


def run_search(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    say(f"\n== search: {args.articles:,} articles, tantivy (SQLite store) vs PostgreSQL full text; {load_text()}")
    index_dir = workdir / "tantivy"
    say("loading tantivy ...")
    tv = load_tantivy(index_dir, args.articles)
    say(f"  {tv.load_s:.1f} s, {tv.rate:,.0f} articles/s")
    schema, url = new_schema(args.pg_url, "bench_search")
    say(f"loading PostgreSQL (schema {schema}) ...")
    pool = open_pg_pool(url)
    try:
        pg = load_pg(pool, url, args.articles, args.pg_max_load_s)
        say(f"  {pg.load_s:.1f} s, {pg.rate:,.0f} articles/s; VACUUM ANALYZE {pg.vacuum_s:.1f} s")
        if pg.articles < tv.articles:
            say(f"  PostgreSQL stopped at {pg.articles:,} articles: tantivy is rebuilt at that size for the queries")
            tv_full = tv
            tv = load_tantivy(index_dir, pg.articles)
            tv.gen_s, tv.load_s = tv_full.gen_s, tv_full.load_s  # report the full load rate
        from newsarchiver.search_pg import PgSearchIndex

        corpus = search_bench.make_corpus(random.Random(search_bench.SEED))
        queries = select(search_py_queries(corpus, tv.samples) + extra_queries(corpus), args.queries)
        stores = {"tantivy": SearchIndex.open(index_dir, readonly=True), "postgresql": PgSearchIndex(pool, readonly=True)}
        for store in stores.values():  # warm both (tantivy opens its segments, pg its caches)
            for q in queries:
                store.search(q.text, q.filters, sort=q.sort, limit=10)
        say(f"timing {len(queries)} queries x {args.runs} runs per store, interleaved ...")
        say(f"  {load_text()}")
        timed = time_queries(stores, queries, args.runs)
        say(f"  {load_text()}")
        no_gin = gin_check(stores["postgresql"], queries)
        stores["tantivy"].close()
    finally:
        pool.close()
        if not args.keep:
            drop_schema(args.pg_url, schema)
            shutil.rmtree(index_dir, ignore_errors=True)
        else:
            say(f"kept: schema {schema}, tantivy index {index_dir}")
    loads = {"tantivy": tv, "postgresql": pg}
    summary = summarise(timed, list(loads))
    differ = disagreements(timed, "tantivy", "postgresql")
    print_search_report(loads, timed, summary, differ, no_gin)
    return {
        "articles": {k: v.articles for k, v in loads.items()},
        "load": {k: {"seconds": round(v.load_s, 1), "articles_per_s": round(v.rate), "vacuum_analyze_s": round(v.vacuum_s, 1),
                     "size_bytes": v.size_bytes, "sizes": v.sizes, "raw_text_bytes": v.raw_bytes,
                     "stopped_early": v.stopped_early} for k, v in loads.items()},
        "summary": summary,
        "queries": [{"kind": t.query.kind, "query": t.query.label, "ms": t.ms, "totals": t.totals, "errors": t.error}
                    for t in timed],
        "totals_differ": differ,
        "plans_without_gin": no_gin,
    }


# --- Part B: the sites --------------------------------------------------------------------------


# --- Part B: the workers ------------------------------------------------------------------------


@dataclass
class Politeness:
    delay_seconds: float
    connections_per_host: int
    fetch_threads: int
    latency_ms: float
    hosts: int

    @property
    def ceiling(self) -> float:
        """Requests/s the politeness rules allow across all workers (latency alone, no CPU)."""
        per_host = self.connections_per_host / (self.latency_ms / 1000) if self.latency_ms else float("inf")
        if self.delay_seconds:
            per_host = min(per_host, 1 / self.delay_seconds)
        return per_host * self.hosts

    def describe(self) -> str:
        return (f"delay_seconds = {self.delay_seconds:g}, connections_per_host = {self.connections_per_host}, "
                f"{self.fetch_threads} fetch threads per worker, obey_robots = true, {self.hosts} hosts x "
                f"{self.latency_ms:g} ms: at most {self.ceiling:,.0f} requests/s across all workers")


def write_config(path: Path, index_url: str, sites: list[str], pol: Politeness, extract_workers: int,
                 extract: bool) -> None:
    def toml_list(values: list[str]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    path.write_text(f"""# bench/scale.py: one job over the local sample sites, crawled by `newsarchiver worker`s
archive_dir = "archive"
index = {json.dumps(index_url)}

[crawl]
delay_seconds = {pol.delay_seconds}
connections_per_host = {pol.connections_per_host}
workers = {pol.fetch_threads}
obey_robots = true

[extract]
during_crawl = {"true" if extract else "false"}
workers = {extract_workers}

[[jobs]]
name = "{JOB}"
seeds = {toml_list([u + "/" for u in sites])}
sitemaps = {toml_list([u + "/sitemap.xml" for u in sites])}
max_depth = 1000000
max_pages = 1000000
""", encoding="utf-8")


@dataclass
class WorkerRun:
    workers: int
    repeat: int
    wall_s: float
    exit_codes: list[int]
    captures: int  # the catalogue's response/revisit captures
    responses: int  # read back from the WARCs
    articles: int
    requests: int  # GETs the hosts received
    duplicate_urls: int  # URLs the hosts served more than once in this run
    duplicate_examples: list[str]
    cores_busy: float  # machine-wide
    cores: dict[str, float]  # of which: workers (with extraction), sites, postgresql, others
    worker_cpu_ms_per_response: float
    per_worker: list[int]  # responses in each worker's WARCs
    summaries: list[str]

    @property
    def pages_per_s(self) -> float:
        return self.articles / self.wall_s

    @property
    def responses_per_s(self) -> float:
        return self.captures / self.wall_s


def count_captures(url: str) -> int:
    return int(sql_one(url, "SELECT count(*) FROM captures WHERE record_type IN ('response', 'revisit')") or 0)


def run_workers(n: int, repeat: int, sites: Any, pol: Politeness, args: argparse.Namespace,
                workdir: Path) -> WorkerRun:
    crawl_bench = _load_bench("crawl")
    schema, url = new_schema(args.pg_url, f"bench_w{n}")
    run_dir = workdir / f"workers-{n}-{repeat}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    config = run_dir / "config.toml"
    write_config(config, url, sites.urls, pol, args.extract_workers, not args.no_extract)
    sites.clear()
    try:
        with CpuWatch(sites.pids) as watch:
            busy0, t0 = crawl_bench._system_busy_seconds(), time.monotonic()
            procs = [start_worker(k + 1, config, run_dir) for k in range(n)]
            codes, worker_cpu = wait_all(procs, t0 + args.worker_timeout)
            wall = time.monotonic() - t0
            worker_cpu += crawl_bench.reap_orphans(set(sites.pids))
            busy = crawl_bench._system_busy_seconds() - busy0
        cpu = {"workers": worker_cpu, "sites": watch.seconds(sites=True), "postgresql": watch.seconds(sites=False)}
        cpu["others"] = max(0.0, busy - sum(cpu.values()))
        captures = count_captures(url)
        counts = [crawl_bench.count_warcs(sorted((run_dir / f"archive-{k + 1}").glob("*.warc.gz"))) for k in range(n)]
        requests = sites.requests()
    finally:
        if not args.keep:
            drop_schema(args.pg_url, schema)
    repeated = {u: c for u, c in Counter(requests).items() if c > 1}
    articles = set().union(*(c.articles for c in counts))
    summaries = [last_line(run_dir / f"worker-{k + 1}.log") for k in range(n)]
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return WorkerRun(n, repeat, wall, codes, captures, sum(c.responses for c in counts), len(articles),
                     len(requests), len(repeated), sorted(repeated)[:5], busy / wall,
                     {k: round(v / wall, 2) for k, v in cpu.items()},
                     round(1000 * worker_cpu / max(1, captures), 1), [c.responses for c in counts], summaries)


def start_worker(k: int, config: Path, run_dir: Path) -> subprocess.Popen[bytes]:
    with open(run_dir / f"worker-{k}.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "newsarchiver", "worker", "-c", str(config), "--job", JOB,
             "--archive", str(run_dir / f"archive-{k}"), "--worker-id", f"w{k}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=run_dir, start_new_session=True)


def proc_cpu(pid: int) -> tuple[str, float] | None:
    """(command name, user+system CPU seconds) of a live process, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat.rsplit(")", 1)[1].split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuWatch:
    """CPU seconds the site processes and PostgreSQL's server processes use during a run.

    /proc is sampled every 0.5 s: a backend that exits (a worker's connection, at its end)
    loses at most its last half second. A process born during the run counts from zero.
    """

    def __init__(self, site_pids: list[int]) -> None:
        self.site_pids = set(site_pids)
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.started = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            found = proc_cpu(pid)
            if found is None or not (pid in self.site_pids or found[0].startswith("postgres")):
                continue
            if pid not in self.last:
                self.first[pid] = found[1] if not self.started else 0.0
            self.last[pid] = found

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> Self:
        self._sample()
        self.started = True
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def seconds(self, sites: bool) -> float:
        return sum(cpu - self.first[pid] for pid, (_, cpu) in self.last.items() if (pid in self.site_pids) == sites)


def wait_all(procs: list[subprocess.Popen[bytes]], deadline: float) -> tuple[list[int], float]:
    """Wait for every worker (killing them at the deadline): exit codes and their CPU seconds,
    from wait4, which includes the extraction processes each worker waited for itself."""
    codes: dict[int, int] = {}
    cpu = 0.0
    while len(codes) < len(procs):
        for proc in procs:
            if proc.pid in codes:
                continue
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                codes[proc.pid] = proc.returncode = os.waitstatus_to_exitcode(status)
                cpu += usage.ru_utime + usage.ru_stime
            elif time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.02)
    return [codes[p.pid] for p in procs], cpu


def last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("job ")]
    return lines[-1] if lines else (log.read_text(errors="replace").strip().splitlines() or ["(no output)"])[-1]


def print_workers_report(runs: list[WorkerRun], pol: Politeness, counts: list[int]) -> dict[str, Any]:
    by_n = {n: [r for r in runs if r.workers == n] for n in counts}
    med = {n: {"wall_s": statistics.median(r.wall_s for r in rs),
               "pages_per_s": statistics.median(r.pages_per_s for r in rs),
               "responses_per_s": statistics.median(r.responses_per_s for r in rs),
               "cores_busy": statistics.median(r.cores_busy for r in rs),
               "worker_cores": statistics.median(r.cores["workers"] for r in rs),
               "worker_cpu_ms_per_response": statistics.median(r.worker_cpu_ms_per_response for r in rs)}
           for n, rs in by_n.items() if rs}
    base = med.get(counts[0])
    say(f"\nworkers ({pol.describe()}):")
    say(f"{'N':>2} {'run':>3} {'wall s':>7} {'captures':>8} {'articles':>8} {'pages/s':>8} {'resp/s':>7} "
        f"{'x N=1':>6} {'dup URLs':>8} {'cores: all':>10} {'workers':>7} {'sites':>5} {'pg':>5} {'others':>6} "
        f"{'wCPU ms/resp':>12}  per-worker responses; exit codes")
    for r in runs:
        ratio = r.pages_per_s / base["pages_per_s"] if base else float("nan")
        say(f"{r.workers:>2} {r.repeat:>3} {r.wall_s:>7.1f} {r.captures:>8} {r.articles:>8} {r.pages_per_s:>8.1f} "
            f"{r.responses_per_s:>7.1f} {ratio:>6.2f} {r.duplicate_urls:>8} {r.cores_busy:>10.2f} "
            f"{r.cores['workers']:>7.2f} {r.cores['sites']:>5.2f} {r.cores['postgresql']:>5.2f} {r.cores['others']:>6.2f} "
            f"{r.worker_cpu_ms_per_response:>12.1f}  {r.per_worker}; {r.exit_codes}")
        if r.responses != r.captures:
            say(f"      note: the WARCs hold {r.responses} responses, the catalogue {r.captures}")
        if r.duplicate_examples:
            say(f"      fetched more than once: {', '.join(r.duplicate_examples)}")
    say(f"(pages = distinct article URLs archived with status 200; resp = the catalogue's captures; cores = CPU "
        f"used machine-wide / wall, split into the workers' process trees (extraction included), the site "
        f"processes, PostgreSQL's server processes and everything else; wCPU = the workers' CPU per response; "
        f"{os.cpu_count()} cores: 4 workers, each with its extraction processes, plus {pol.hosts} site processes "
        f"and PostgreSQL share them, so 4 workers are likely CPU-bound)")
    return {n: {k: round(v, 2) for k, v in m.items()} | {"ratio_pages_per_s_to_1": round(m["pages_per_s"] / base["pages_per_s"], 2) if base else None}
            for n, m in med.items()}


def run_worker_scaling(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    check = subprocess.run([sys.executable, "-m", "newsarchiver", "worker", "--help"],
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        say(f"`newsarchiver worker --help` failed (exit {check.returncode}): {check.stderr.strip()[:300]}")
        return {"error": "newsarchiver worker is not available"}
    crawl_bench = _load_bench("crawl")
    if not crawl_bench.become_subreaper():
        say("warning: cannot become a child subreaper: the workers' extraction CPU is not counted")
    pol = Politeness(args.delay, args.connections, max(8, args.connections * args.hosts), args.latency_ms, args.hosts)
    counts = [int(x) for x in args.workers.split(",")]
    say(f"\n== workers: {counts} x `newsarchiver worker`, {args.hosts} hosts x {args.site_articles} articles, "
        f"{args.latency_ms:g} ms latency; {load_text()}")
    extraction = ("none (extract.during_crawl = false)" if args.no_extract else
                  f"during the crawl, {args.extract_workers or 'one process per core'} per worker")
    say(f"politeness: {pol.describe()}; extraction: {extraction}")
    t0 = time.monotonic()
    runs: list[WorkerRun] = []
    site_bench = _load_bench("site")
    with site_bench.SiteProcesses(args.site_articles, args.page_kb, args.hosts, args.latency_ms) as sites:
        say(f"sites ready in {time.monotonic() - t0:.0f} s: {' '.join(sites.urls)}")
        for repeat in range(1, args.repeat + 1):
            for n in counts:
                run = run_workers(n, repeat, sites, pol, args, workdir)
                say(f"  N={n}: {run.wall_s:.1f} s, {run.captures} captures, {run.articles} articles, "
                    f"{run.duplicate_urls} URLs fetched twice, exit {run.exit_codes}; {load_text()}")
                for line in run.summaries:
                    say(f"    {line[:220]}")
                runs.append(run)
    medians = print_workers_report(runs, pol, counts)
    return {"politeness": asdict(pol) | {"ceiling_requests_per_s": round(pol.ceiling)},
            "extract_during_crawl": not args.no_extract,
            "runs": [asdict(r) | {"pages_per_s": round(r.pages_per_s, 2), "responses_per_s": round(r.responses_per_s, 2)}
                     for r in runs],
            "medians": medians}


# --- main ---------------------------------------------------------------------------------------


def print_final(results: dict[str, Any]) -> None:
    say("\n== summary")
    if "search" in results:
        s = results["search"]
        a, b = s["summary"]["overall"]["tantivy"], s["summary"]["overall"]["postgresql"]
        la, lb = s["load"]["tantivy"], s["load"]["postgresql"]
        say(f"search, {s['articles']['postgresql']:,} articles, {len(s['queries'])} queries:")
        say(f"  {'store':<11} {'p50 ms':>7} {'p99 ms':>8} {'load s':>7} {'art/s':>6} {'size MB':>8}")
        for name, st, ld in (("tantivy", a, la), ("postgresql", b, lb)):
            say(f"  {name:<11} {st['p50_ms']:>7.2f} {st['p99_ms']:>8.2f} {ld['seconds']:>7.0f} {ld['articles_per_s']:>6} "
                f"{ld['size_bytes'] / 1e6:>8.0f}")
        say(f"  pg/tantivy: p50 {b['p50_ms'] / a['p50_ms']:.1f}x, p99 {b['p99_ms'] / a['p99_ms']:.1f}x; "
            f"totals differ for {len(s['totals_differ'])} queries; {len(s['plans_without_gin'])} plans without the GIN index")
    if "workers" in results and "medians" in results["workers"]:
        w = results["workers"]
        say(f"workers ({w['politeness']['hosts']} hosts, {w['politeness']['latency_ms']:g} ms, "
            f"ceiling {w['politeness']['ceiling_requests_per_s']} req/s):")
        say(f"  {'N':>2} {'pages/s':>8} {'resp/s':>7} {'x N=1':>6} {'dup URLs':>8} {'cores busy':>10} "
            f"{'of which workers':>16} {'wCPU ms/resp':>12}")
        for n, m in w["medians"].items():
            dups = sum(r["duplicate_urls"] for r in w["runs"] if r["workers"] == n)
            say(f"  {n:>2} {m['pages_per_s']:>8.1f} {m['responses_per_s']:>7.1f} {m['ratio_pages_per_s_to_1'] or 0:>6.2f} "
                f"{dups:>8} {m['cores_busy']:>10.2f} {m['worker_cores']:>16.2f} {m['worker_cpu_ms_per_response']:>12.1f}")
    say(f"{os.cpu_count()} cores; {load_text()}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", choices=("search", "workers", "all"), default="all", help="which part (default all)")
    p.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL database; schemas are made and dropped in it")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p.add_argument("--keep", action="store_true", help="keep the schemas, the index and the workers' archives")
    p.add_argument("--dir", type=Path, default=None, help="work directory (default: a new one in /tmp)")
    a = p.add_argument_group("search")
    a.add_argument("--articles", type=int, default=100_000, help="articles (default 100,000)")
    a.add_argument("--queries", type=int, default=None, help="queries of the mix to time (default all 70)")
    a.add_argument("--runs", type=int, default=search_bench.RUNS_PER_QUERY,
                   help=f"runs per query and store (default {search_bench.RUNS_PER_QUERY}, as bench/search.py)")
    a.add_argument("--pg-max-load-s", type=float, default=900,
                   help="stop loading PostgreSQL after this long and report at the size reached (default 900)")
    b = p.add_argument_group("workers")
    b.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    b.add_argument("--hosts", type=int, default=3, help="sample sites (default 3, as bench/crawl.py)")
    b.add_argument("--site-articles", type=int, default=1000, help="articles per host (default 1000)")
    b.add_argument("--page-kb", type=int, default=75, help="article page size (default 75)")
    b.add_argument("--latency-ms", type=float, default=50, help="added before every response (default 50)")
    b.add_argument("--delay", type=float, default=0.0, help="crawl.delay_seconds (default 0, as bench/crawl.py)")
    b.add_argument("--connections", type=int, default=2,
                   help="crawl.connections_per_host (default 2, as bench/crawl.py's multi-host runs)")
    b.add_argument("--extract-workers", type=int, default=0, help="extraction processes per worker (default 0: one per core)")
    b.add_argument("--no-extract", action="store_true",
                   help="extract.during_crawl = false (default: extract during the crawl, as bench/crawl.py)")
    b.add_argument("--repeat", type=int, default=1, help="runs of each worker count (default 1)")
    b.add_argument("--worker-timeout", type=float, default=1800, help="seconds before workers are killed")
    args = p.parse_args(argv)

    os.environ["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="na-bench-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"# {' '.join([Path(sys.executable).name, 'bench/scale.py', *(argv if argv is not None else sys.argv[1:])])}")
    say(f"# {os.cpu_count()} cores; {load_text()}; PostgreSQL {sql_one(args.pg_url, 'SHOW server_version')}, "
        f"shared_buffers {sql_one(args.pg_url, 'SHOW shared_buffers')}")
    t0 = time.monotonic()
    results: dict[str, Any] = {"argv": sys.argv[1:], "cores": os.cpu_count()}
    try:
        if args.only in ("search", "all"):
            results["search"] = run_search(args, workdir)
        if args.only in ("workers", "all"):
            results["workers"] = run_worker_scaling(args, workdir)
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_final(results)
    say(f"# {time.monotonic() - t0:.0f} s in all")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
