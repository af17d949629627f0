"""`newsarchiver search QUERY`: full-text search of the archive's articles.

With no index yet (nothing crawled or imported), a one-line note goes to stderr and the command
exits 0 with no hits: "no matches" is the truthful answer, and scripts piping `--format ids`
keep working. Query syntax errors exit 2 (UsageError) even then, so they surface at once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict

from newsarchiver.cli.common import add_config_options, add_filter_options, resolve_config
from newsarchiver.search import SORTS, SearchFilters, SearchHit, SearchPage
from newsarchiver.search_query import parse_query
from newsarchiver.stores import open_searcher

SNIPPET_INDENT = 9
_HELP_QUERY = ('words (all must match), "exact phrases", -excluded, OR, prefix*, (groups), title:word; '
               "put -- before a query that starts with -")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("search", help="search the archived articles",
                                   description="Search the archived articles (BM25, title weighted above body).")
    parser.add_argument("query", nargs="*", metavar="QUERY", help=_HELP_QUERY)
    add_filter_options(parser)
    parser.add_argument("--sort", choices=SORTS, default="relevance",
                        help="relevance (default), newest or oldest by published date")
    parser.add_argument("--limit", type=_positive, default=20, help="hits per page (default 20)")
    parser.add_argument("--offset", type=_non_negative, default=0, help="skip this many hits")
    parser.add_argument("--format", choices=("table", "jsonl", "ids"), default="table")
    add_config_options(parser)
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {text!r}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    parse_query(query)  # syntax errors first, even without an index
    config = resolve_config(args)
    filters = SearchFilters(site=args.site, author=args.author, lang=args.lang, job=args.job,
                            since=args.since, until=args.until,
                            captured_since=args.captured_since, captured_until=args.captured_until)
    searcher = open_searcher(config)
    if searcher is None:
        print(f"newsarchiver: no search index in {config.archive_dir} yet; "
              "`newsarchiver crawl` or `newsarchiver import WARC...` builds it", file=sys.stderr)
        return 0
    with searcher as index:
        page = index.search(query, filters, sort=args.sort, limit=args.limit, offset=args.offset)
    _print_page(page, args.format, args.offset)
    return 0


def _print_page(page: SearchPage, fmt: str, offset: int) -> None:
    out = sys.stdout
    if fmt == "ids":
        out.writelines(f"{hit.article_id}\n" for hit in page.hits)
    elif fmt == "jsonl":
        for hit in page.hits:
            out.write(json.dumps(asdict(hit), ensure_ascii=False) + "\n")
    else:
        bold = out.isatty() and not os.environ.get("NO_COLOR")
        width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
        for hit in page.hits:
            out.write(_table_rows(hit, bold, width))
        shown = f"{offset + 1}-{offset + len(page.hits)}" if page.hits else "none"
        more = f"; --offset {offset + len(page.hits)} for more" if offset + len(page.hits) < page.total else ""
        out.write(f"{page.total} matching article{'s' if page.total != 1 else ''} (showing {shown}{more})\n")
    out.flush()


def _table_rows(hit: SearchHit, bold: bool, width: int) -> str:
    date = (hit.published or hit.captured_at or "")[:10]
    site = _safe(hit.site)[:24]
    title = _safe(hit.title) or "(untitled)"
    start, end = ("\x1b[1m", "\x1b[0m") if bold else ("«", "»")
    lines = _wrap([(_safe(text), is_match) for text, is_match in hit.snippet_spans], width - SNIPPET_INDENT)
    snippet = "\n".join(" " * SNIPPET_INDENT + "".join(f"{start}{w}{end}" if m else w for w, m in line)
                        for line in lines)
    # Capture-quality flags travel with the article everywhere it is shown (paywall, consent_wall...).
    flags = f"  [{', '.join(_safe(f) for f in hit.flags)}]" if hit.flags else ""
    return f"{hit.article_id:>7}  {date:<10}  {site:<24}  {title}{flags}\n{snippet}\n"


def _wrap(spans: list[tuple[str, bool]], width: int) -> list[list[tuple[str, bool]]]:
    """Word-wrap marked text, keeping the marks (textwrap would count escape codes as width)."""
    lines: list[list[tuple[str, bool]]] = [[]]
    used = 0
    for text, is_match in spans:
        for word in text.split(" "):
            if not word:
                continue
            if used and used + 1 + len(word) > width:
                lines.append([])
                used = 0
            if used:
                lines[-1].append((" ", False))
                used += 1
            lines[-1].append((word, is_match))
            used += len(word)
    return [line for line in lines if line]


def _safe(text: str) -> str:
    """Archived text must not drive the terminal: control characters become spaces."""
    return "".join(" " if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) else ch for ch in text)
