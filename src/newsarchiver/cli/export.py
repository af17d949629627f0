"""`newsarchiver export [QUERY] [filters] --format jsonl|md|html|epub|wacz --output PATH`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator

from newsarchiver.cli.common import add_config_options, add_filter_options, resolve_config
from newsarchiver.config import Config
from newsarchiver.errors import UsageError
from newsarchiver.export import EXPORT_FORMATS, ArticleView

SEARCH_PAGE = 1000  # the search index's largest page
MAX_SEARCH_HITS = 100_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="export articles as JSON Lines, Markdown, HTML, EPUB or WACZ",
        description="Export the articles matching QUERY and the filters (all articles when none is given). "
                    "jsonl, epub and wacz write one file (jsonl: '-' for standard output); md and html write "
                    "one file per article into the directory PATH, with an index page.")
    parser.add_argument("query", nargs="*", metavar="QUERY", help="search query, as for `newsarchiver search`")
    parser.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    parser.add_argument("--output", "-o", required=True, metavar="PATH", help="output file or directory")
    filters = add_filter_options(parser)
    filters.add_argument("--id", dest="ids", type=int, action="append", default=None, metavar="ID",
                         help="this article (repeatable)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many articles")
    parser.add_argument("--title", default="newsarchiver export", help="title of the EPUB or WACZ")
    add_config_options(parser)
    parser.set_defaults(handler=run)


def _uses_search(args: argparse.Namespace) -> bool:
    return bool(args.query) or any(getattr(args, name) for name in (
        "site", "author", "lang", "job", "since", "until", "captured_since", "captured_until"))


def _search_ids(config: Config, args: argparse.Namespace) -> list[int]:
    from newsarchiver.errors import IndexStoreError
    from newsarchiver.search import SearchFilters
    from newsarchiver.search_query import parse_query
    from newsarchiver.stores import open_searcher

    query = " ".join(args.query)
    parse_query(query)  # a syntax error is a usage error even without an index
    filters = SearchFilters(site=args.site, author=args.author, lang=args.lang, job=args.job, since=args.since,
                            until=args.until, captured_since=args.captured_since, captured_until=args.captured_until)
    wanted = min(args.limit or MAX_SEARCH_HITS, MAX_SEARCH_HITS)
    ids: list[int] = []
    hint = "queries and filters need the search index; export by --id without one"
    try:
        index = open_searcher(config)
    except IndexStoreError as exc:
        raise UsageError(f"{exc} ({hint})") from exc
    if index is None:
        raise UsageError(f"{config.archive_dir / 'search'}: no search index yet ({hint})")
    with index:
        while len(ids) < wanted:
            page = index.search(query, filters, sort="oldest" if not query else "relevance",
                                limit=min(SEARCH_PAGE, wanted - len(ids)), offset=len(ids))
            ids += [hit.article_id for hit in page.hits]
            if len(page.hits) == 0 or len(ids) >= page.total:
                break
    if args.ids:
        chosen = set(args.ids)
        ids = [i for i in ids if i in chosen]
    return ids


def _views(catalogue: Any, ids: list[int]) -> Iterator[ArticleView]:
    for article_id in ids:
        article = catalogue.article(article_id)
        view = ArticleView.load(catalogue, article, None) if article is not None else None
        if view is not None:
            yield view


def run(args: argparse.Namespace) -> int:
    from newsarchiver.stores import open_catalogue

    config = resolve_config(args)
    output = Path(args.output)
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit: expected a number of at least 1")
    with open_catalogue(config, readonly=True) as catalogue:
        if _uses_search(args):
            ids = _search_ids(config, args)
        else:
            ids = catalogue.find_articles(ids=args.ids, limit=args.limit)
        if args.ids:
            missing = sorted(set(args.ids) - set(catalogue.find_articles(ids=args.ids)))
            if missing:
                raise UsageError(f"no article {missing[0]} in {config.archive_dir}")
        count = _write(catalogue, ids, args.format, output, args.title)
    if str(output) != "-":
        print(f"exported {count} article{'s' if count != 1 else ''} to {output}", file=sys.stderr)
    return 0


def _write(catalogue: Any, ids: list[int], fmt: str, output: Path, title: str) -> int:
    from newsarchiver.errors import ArchiveError

    if fmt == "jsonl":
        from newsarchiver.export import write_jsonl

        if str(output) == "-":
            return write_jsonl(_views(catalogue, ids), sys.stdout)
        try:
            with open(output, "w", encoding="utf-8") as out:
                return write_jsonl(_views(catalogue, ids), out)
        except OSError as exc:
            raise ArchiveError(f"{output}: cannot write: {exc.strerror}") from exc
    if fmt in ("md", "html"):
        from newsarchiver.export import write_files

        if output.exists() and not output.is_dir():
            raise UsageError(f"{output}: --format {fmt} writes a directory, and this is a file")
        return len(write_files(_views(catalogue, ids), output, fmt)) - 1  # minus the index page
    if fmt == "epub":
        from newsarchiver.epub import write_epub

        return write_epub(_views(catalogue, ids), output, title)
    from newsarchiver.wacz import write_wacz

    result = write_wacz(catalogue, _views(catalogue, ids), output, title)
    if result.skipped_records:
        print(f"newsarchiver: {result.skipped_records} records could not be copied alone "
              "(whole-file gzip or ARC) and are not in the WACZ", file=sys.stderr)
    return result.pages
