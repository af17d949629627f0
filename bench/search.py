"""Benchmark the full-text index against a brute-force scan of the same texts.

    python bench/search.py [--n 100000] [--dir /tmp/na-bench] [--keep]

Builds a search index of N generated articles (400-1200 words each, Zipfian vocabulary so a few
words are everywhere and most are rare, titles, sites, dates), then prints: build time, index
size on disk relative to the raw text, query latency p50/p99 of SearchIndex.search (parse,
search, hits and snippets: what a user waits for) over a fixed set of 50 queries, and the same
queries as a brute-force scan of a text dump with ripgrep (or grep if rg is missing), with the
ratios. Goals at 100,000 articles on 2 cores: p50 <= 5 ms, p99 <= 50 ms, index <= 1.2x the text.
Deterministic: the same N gives the same articles and queries.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsarchiver.search import SearchDoc, SearchFilters, SearchIndex  # noqa: E402

SEED = 20240501
VOCABULARY_SIZE = 80_000
COMMON = ("the of and to in a is that for on was with he it as said by at from his an be has are have "
          "but were not this which they had its who their been will after more also one new would year "
          "two she first than people about over last other into government up all out when").split()
NEWS = ("election president minister police court parliament military economy report security war "
        "protest health climate border vote official trade energy budget ceasefire journalist opposition "
        "sanctions inflation refugees hospital earthquake investigation corruption referendum coalition "
        "pipeline vaccine drought tariff embassy verdict hostage airstrike prosecutor summit").split()
RUNS_PER_QUERY = 5
TABLE_SLOTS = 1 << 22


@dataclass
class Corpus:
    vocabulary: list[str]
    table: list[str]  # words repeated in proportion to their Zipf weight: uniform picks from it are Zipfian
    sites: list[str]


def make_corpus(rng: random.Random) -> Corpus:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    seen = set(COMMON) | set(NEWS)
    wanted = VOCABULARY_SIZE - len(seen)
    pseudo: list[str] = []
    while len(pseudo) < wanted:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) + rng.choice(("", "n", "s", "r", "t"))
        if word not in seen:
            seen.add(word)
            pseudo.append(word)
    vocabulary = list(COMMON)
    # News words spread over ranks ~80-3000, so some are frequent and some rare.
    slots = sorted(rng.sample(range(len(COMMON) + 10, 3000), len(NEWS)))
    words = iter(pseudo)
    news = dict(zip(slots, NEWS))
    while len(vocabulary) < VOCABULARY_SIZE:
        vocabulary.append(news.get(len(vocabulary)) or next(words, None) or f"w{len(vocabulary)}")
    weights = [1.0 / (rank + 2.7) ** 1.05 for rank in range(len(vocabulary))]  # Zipf-Mandelbrot
    # A quantile table makes sampling a uniform pick (5x faster than bisecting cumulative
    # weights); at 2^22 slots even the rarest word has a few.
    table: list[str] = []
    total = sum(weights)
    for word, cumulative in zip(vocabulary, itertools.accumulate(weights)):
        table.extend([word] * (round(cumulative / total * TABLE_SLOTS) - len(table)))
    sites = [f"{name}.example" for name in ("daily", "herald", "tribune", "gazette", "observer", "courier",
                                             "times", "post", "chronicle", "monitor", "record", "dispatch")]
    return Corpus(vocabulary, table, sites)


def make_article(corpus: Corpus, rng: random.Random, article_id: int) -> SearchDoc:
    words = rng.choices(corpus.table, k=rng.randint(400, 1200))
    sentences = []
    i = 0
    while i < len(words):
        n = rng.randint(8, 25)
        chunk = words[i:i + n]
        sentences.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
        i += n
    paragraphs = [" ".join(sentences[j:j + 5]) for j in range(0, len(sentences), 5)]
    title_words = [corpus.vocabulary[rng.randint(60, 20_000)] for _ in range(rng.randint(5, 11))]
    published = datetime(2015, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 10 * 365 * 86400))
    captured = published + timedelta(hours=rng.randint(1, 400))
    site = corpus.sites[min(int(rng.paretovariate(1.2)) - 1, len(corpus.sites) - 1)]
    return SearchDoc(
        article_id=article_id, version_n=1, title=" ".join(title_words).capitalize(),
        text="\n\n".join(paragraphs), url=f"https://{site}/news/{article_id}",
        canonical_url=f"https://{site}/news/{article_id}", site=site,
        authors=[f"{rng.choice(corpus.vocabulary[3000:4000]).capitalize()} Writer"], language="en",
        published=published.isoformat(), captured_at=captured.isoformat(), first_captured_at=captured.isoformat(),
        jobs=["daily"], flags=[],
    )


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    text: str  # our query syntax
    grep: list[str]  # words (all must appear as whole words) or, for phrases, one string
    phrase: bool = False
    year: int | None = None  # published in this year


def make_queries(corpus: Corpus, sample_texts: list[str], rng: random.Random) -> list[BenchQuery]:
    vocab = corpus.vocabulary
    queries: list[BenchQuery] = []
    frequent = ["said", "government", "people", "the", "year"] + [vocab[r] for r in (60, 120, 250, 400, 700)]
    queries += [BenchQuery("frequent word", w, [w]) for w in frequent]
    rare = [vocab[rng.randint(20_000, VOCABULARY_SIZE - 1)] for _ in range(7)] + ["ceasefire", "referendum", "hostage"]
    queries += [BenchQuery("rare word", w, [w]) for w in rare]
    for text in sample_texts[:10]:
        words = text.replace(".", "").lower().split()
        start = rng.randint(0, len(words) - 4)
        phrase = " ".join(words[start:start + rng.choice((2, 3))])
        queries.append(BenchQuery("phrase", f'"{phrase}"', [phrase], phrase=True))
    pairs = [(vocab[rng.randint(50, 500)], vocab[rng.randint(500, 5000)]) for _ in range(5)]
    pairs += [(vocab[rng.randint(0, 50)], vocab[rng.randint(10_000, 40_000)]) for _ in range(5)]
    queries += [BenchQuery("two-term AND", f"{a} {b}", [a, b]) for a, b in pairs]
    for i in range(10):
        word = vocab[rng.choice((10, 80, 300, 1500, 6000))] if i % 2 else NEWS[i]
        queries.append(BenchQuery("date filter", word, [word], year=2016 + i))
    return queries


def build(index_dir: Path, n: int, commit_every: int) -> tuple[float, float, int, list[str], Corpus, Path]:
    rng = random.Random(SEED)
    corpus = make_corpus(rng)
    dump = index_dir.parent / (index_dir.name + ".txt")
    raw_bytes = 0
    gen_seconds = 0.0
    samples: list[str] = []
    started = time.perf_counter()
    index = SearchIndex.open(index_dir)
    with dump.open("w", encoding="utf-8") as out:
        for article_id in range(1, n + 1):
            t0 = time.perf_counter()
            doc = make_article(corpus, rng, article_id)
            gen_seconds += time.perf_counter() - t0
            raw_bytes += len(doc.title.encode()) + len(doc.text.encode())
            out.write(f"{(doc.published or '')[:10]}\t{doc.title} {doc.text.replace(chr(10), ' ')}\n")
            if article_id % max(1, n // 10) == 0:
                samples.append(doc.text)
            index.upsert(doc)
            if article_id % commit_every == 0:
                index.commit()
            if article_id % 10_000 == 0:
                print(f"  {article_id:,} articles, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    index.commit()
    index.close()
    total = time.perf_counter() - started
    return total - gen_seconds, gen_seconds, raw_bytes, samples, corpus, dump


def dir_size(path: Path) -> tuple[int, dict[str, int]]:
    by_kind: dict[str, int] = {}
    for file in path.iterdir():
        if file.is_file():
            kind = file.suffix or file.name
            by_kind[kind] = by_kind.get(kind, 0) + file.stat().st_size
    return sum(by_kind.values()), by_kind


def time_index(index: SearchIndex, queries: list[BenchQuery]) -> tuple[list[float], list[int]]:
    samples, totals = [], []
    for query in queries:
        filters = SearchFilters(since=f"{query.year}-01-01", until=f"{query.year}-12-31") if query.year else SearchFilters()
        for _ in range(RUNS_PER_QUERY):
            t0 = time.perf_counter()
            page = index.search(query.text, filters, limit=10)
            samples.append((time.perf_counter() - t0) * 1000)
        totals.append(page.total)
    return samples, totals


def scan_command(query: BenchQuery, dump: Path, tool: str) -> str:
    """A shell pipeline counting the dump's lines (articles) that match like the query."""
    def match(pattern: str, first: bool) -> str:
        source = f" {dump}" if first else ""
        if tool == "rg":
            return f"rg -i -w -F -e {_quote(pattern)}{source}"
        return f"grep -i -w -F -e {_quote(pattern)}{source}"
    stages = []
    if query.year:
        stages.append(f"{'rg' if tool == 'rg' else 'grep'} -e '^{query.year}-' {dump}")
    for word in query.grep:
        stages.append(match(word, first=not stages))
    counter = "rg -c ''" if tool == "rg" else "grep -c ''"
    return " | ".join(stages) + f" | {counter}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def time_scan(queries: list[BenchQuery], dump: Path, tool: str) -> tuple[list[float], list[int]]:
    samples, counts = [], []
    subprocess.run(f"cat {dump} > /dev/null", shell=True, check=True)  # page cache, as the index has
    for query in queries:
        command = scan_command(query, dump, tool)
        t0 = time.perf_counter()
        out = subprocess.run(command, shell=True, capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin"})
        samples.append((time.perf_counter() - t0) * 1000)
        counts.append(int(out.stdout.strip() or 0))
    return samples, counts


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    parser.add_argument("--dir", type=Path, default=None, help="where to build (default /tmp/na-bench-search-N)")
    parser.add_argument("--commit-every", type=int, default=500, help="documents per commit (the catalogue's chunk)")
    parser.add_argument("--keep", action="store_true", help="keep the index and the text dump")
    parser.add_argument("--query-only", action="store_true", help="time the queries on an index kept by --keep")
    args = parser.parse_args()
    index_dir = args.dir or Path(f"/tmp/na-bench-search-{args.n}")
    meta_file = index_dir.parent / (index_dir.name + ".json")
    dump = index_dir.parent / (index_dir.name + ".txt")
    if args.query_only:
        # Re-time the queries on a kept index (e.g. when the machine is quieter).
        meta = json.loads(meta_file.read_text())
        raw_bytes, samples = meta["raw_bytes"], meta["samples"]
        corpus = make_corpus(random.Random(SEED))
        print(f"index of {meta['n']:,} articles in {index_dir}, built in {meta['build_s']:.1f} s")
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        print(f"building an index of {args.n:,} articles in {index_dir} ...", flush=True)
        build_s, gen_s, raw_bytes, samples, corpus, dump = build(index_dir, args.n, args.commit_every)
        meta_file.write_text(json.dumps({"n": args.n, "build_s": build_s, "gen_s": gen_s,
                                         "raw_bytes": raw_bytes, "samples": samples}))
        print(f"build: {build_s:.1f} s ({args.n / build_s:,.0f} articles/s; "
              f"generating the texts took another {gen_s:.1f} s)")
    size, by_kind = dir_size(index_dir)
    print(f"raw text: {raw_bytes / 1e6:,.1f} MB; index: {size / 1e6:,.1f} MB = {size / raw_bytes:.2f}x the text")
    print("  " + ", ".join(f"{kind} {bytes_ / 1e6:,.1f} MB" for kind, bytes_ in sorted(by_kind.items(), key=lambda kv: -kv[1])
                           if bytes_ >= 50_000))

    queries = make_queries(corpus, samples, random.Random(SEED + 1))
    index = SearchIndex.open(index_dir, readonly=True)
    index_ms, totals = time_index(index, queries)
    tool = "rg" if shutil.which("rg") else "grep"
    scan_ms, counts = time_scan(queries, dump, tool)

    print(f"\n{len(queries)} queries x {RUNS_PER_QUERY} runs (limit 10, count, hits and snippets) vs {tool} over the text dump:")
    print(f"{'kind':<14} {'query':<34} {'index ms':>9} {'matches':>8} {tool + ' ms':>9} {tool + ' lines':>10}")
    for i, query in enumerate(queries):
        runs = index_ms[i * RUNS_PER_QUERY:(i + 1) * RUNS_PER_QUERY]
        label = query.text + (f" [{query.year}]" if query.year else "")
        print(f"{query.kind:<14} {label[:34]:<34} {statistics.median(runs):>9.2f} {totals[i]:>8} {scan_ms[i]:>9.0f} {counts[i]:>10}")
    p50, p99 = percentile(index_ms, 50), percentile(index_ms, 99)
    s50, s99 = percentile(scan_ms, 50), percentile(scan_ms, 99)
    print(f"\nload average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"index: p50 {p50:.2f} ms, p99 {p99:.2f} ms   (goal p50 <= 5, p99 <= 50)")
    print(f"{tool}:  p50 {s50:.0f} ms, p99 {s99:.0f} ms")
    print(f"ratio: the index is {s50 / p50:,.0f}x faster at p50, {s99 / p99:,.0f}x at p99; "
          f"size {size / raw_bytes:.2f}x the text (goal <= 1.2)")
    print("(match counts differ where the index stems: 'elections' also finds 'election')")
    if not args.keep and not args.query_only:
        shutil.rmtree(index_dir, ignore_errors=True)
        dump.unlink(missing_ok=True)
        meta_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
