"""Extraction quality on tests/golden: newsarchiver vs plain trafilatura.extract (default settings).

Scores follow the Zyte article-extraction-benchmark (evaluate.py): tokens are ``\\w+`` runs (plus,
here, one token per CJK character, since ``\\w+`` would make a Chinese sentence one token);
true/false positives and false negatives come from multiset overlap, normalised per page, and the
mean precision and recall over pages give F1. Zyte compares 4-token shingles; both the plain
token level (n=1) and the shingle level (n=4) are printed.

Pages that are not articles (section front, error page) expect empty text: an extractor that
returns text for them loses precision there. Prints, never asserts.

    python bench/extract_quality.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

import trafilatura

from newsarchiver.extract import extract_article

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|\w+")

Counts = tuple[float, float, float]  # tp, fp, fn, normalised to sum to 1


def shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def match(true: str, pred: str, n: int) -> Counts:
    t, p = shingles(true, n), shingles(pred, n)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def summary(counts: list[Counts]) -> tuple[float, float, float]:
    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def f1(c: Counts) -> float:
    p, r = precision(*c), recall(*c)
    return 2 * p * r / (p + r) if p + r else 0.0


def load_pages() -> list[tuple[str, bytes, dict, str]]:
    pages = []
    for meta_path in sorted(GOLDEN.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        text = meta_path.with_suffix(".txt").read_text(encoding="utf-8").strip()
        pages.append((meta_path.stem, meta_path.with_suffix(".html").read_bytes(), meta, text))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print both extractions of pages below F1 0.95")
    args = parser.parse_args()
    pages = load_pages()
    results: dict[str, dict[int, list[Counts]]] = {"newsarchiver": {1: [], 4: []}, "trafilatura": {1: [], 4: []}}
    print(f"{len(pages)} golden pages; per-page token F1 (n=1) and shingle F1 (n=4)\n")
    print(f"{'page':38} {'ours n=1':>9} {'traf n=1':>9} {'ours n=4':>9} {'traf n=4':>9}")
    for slug, payload, meta, expected in pages:
        headers = [tuple(h) for h in meta.get("headers", [])]
        article = extract_article(payload, meta["url"], headers).article
        ours = article.text if article else ""
        plain = trafilatura.extract(payload, url=meta["url"]) or ""
        row = []
        for n in (1, 4):
            for name, got in (("newsarchiver", ours), ("trafilatura", plain)):
                counts = match(expected, got, n)
                results[name][n].append(counts)
                row.append(f1(counts) if (counts[0] + counts[1] + counts[2]) else 1.0)
        print(f"{slug:38} {row[0]:9.3f} {row[1]:9.3f} {row[2]:9.3f} {row[3]:9.3f}")
        if args.verbose and min(row[0], row[2]) < 0.95:
            print(f"--- expected\n{expected}\n--- newsarchiver\n{ours}\n--- trafilatura\n{plain}\n")
    print()
    for n in (1, 4):
        for name in ("newsarchiver", "trafilatura"):
            p, r, f = summary(results[name][n])
            print(f"{name:13} n={n}  precision={p:.3f}  recall={r:.3f}  F1={f:.3f}")
    print("\nplain trafilatura = trafilatura.extract(payload) with its defaults (comments included)")


if __name__ == "__main__":
    sys.exit(main())
