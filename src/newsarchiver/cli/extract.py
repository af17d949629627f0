"""`newsarchiver extract WARC...` (articles of any WARC, no index) and `boilerplate SITE`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.errors import ArchiveError, ExitCode, UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    extract = subparsers.add_parser("extract", help="extract the articles of WARC/ARC files (no index needed)")
    extract.add_argument("warcs", nargs="+", metavar="WARC", help="WARC or ARC files (gzip or not)")
    extract.add_argument("--format", default="jsonl", choices=["jsonl", "txt", "md", "json", "html"],
                         help="jsonl to stdout (default), or one file per article with --output")
    extract.add_argument("--output", metavar="DIR", help="write one file per article into DIR")
    extract.add_argument("--workers", type=int, default=0, help="extraction processes (default: the cores)")
    add_config_options(extract, archive=False)
    extract.set_defaults(handler=run_extract)

    boilerplate = subparsers.add_parser("boilerplate", help="show the boilerplate learned for a site")
    boilerplate.add_argument("site", metavar="SITE", help="host name, e.g. www.rferl.org")
    add_config_options(boilerplate)
    boilerplate.set_defaults(handler=run_boilerplate)


def run_extract(args: argparse.Namespace) -> int:
    from newsarchiver.export import safe_filename, safe_path
    from newsarchiver.offline import article_record, extract_warcs, render_article

    config = resolve_config(args)
    paths = [Path(p) for p in args.warcs]
    for path in paths:
        if not path.is_file():
            raise ArchiveError(f"{path}: no such file")
    if args.workers < 0:
        raise UsageError("--workers: expected 0 (one per core) or more")
    if args.format != "jsonl" and not args.output:
        raise UsageError(f"--format {args.format} writes one file per article: add --output DIR")
    report = extract_warcs(paths, config, args.workers)

    if args.output:
        out = Path(args.output)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"{out}: cannot create the output directory: {exc.strerror}") from exc
        ext = "txt" if args.format == "txt" else args.format
        for number, item in enumerate(report.articles, start=1):
            path = safe_path(out, safe_filename(number, item.article.title, ext))
            if args.format == "jsonl":
                text = json.dumps(article_record(item), ensure_ascii=False) + "\n"
            else:
                text = render_article(item, args.format)
            path.write_text(text, encoding="utf-8")
        print(f"{len(report.articles)} articles written to {out}", file=sys.stderr)
    else:
        for item in report.articles:
            sys.stdout.write(json.dumps(article_record(item), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    dropped = {site: len(learned) for site, learned in report.learned.items() if len(learned)}
    summary = (f"{report.pages} pages, {len(report.articles)} articles, {report.not_articles} not articles, "
               f"{report.duplicates} repeated captures")
    if dropped:
        summary += "; learned boilerplate: " + ", ".join(f"{s} ({n} paragraphs)" for s, n in dropped.items())
    print(summary, file=sys.stderr)
    for damage in report.damage:
        print(f"newsarchiver: error: {damage}", file=sys.stderr)
    return int(ExitCode.WARC_FORMAT) if report.damage else 0


def run_boilerplate(args: argparse.Namespace) -> int:
    from newsarchiver.stores import index_exists, open_catalogue

    config = resolve_config(args)
    if not index_exists(config):
        raise UsageError(f"{config.archive_dir}: no index yet; crawl or import WARC files first")
    with open_catalogue(config, readonly=True) as catalogue:
        learned = catalogue.learned_boilerplate(args.site)
    if learned is None or not len(learned):
        print(f"{args.site}: no boilerplate learned (needs the same paragraph on at least "
              f"{config.extract.boilerplate_min_pages} pages and {config.extract.boilerplate_min_share:.0%} "
              "of the site's articles)")
        return 0
    print(f"{learned.site}: {len(learned)} paragraphs learned from {learned.pages} articles "
          f"(min {learned.min_pages} pages, {learned.min_share:.0%} of articles)")
    for paragraph, pages in sorted(learned.paragraphs.items(), key=lambda kv: -kv[1]):
        print(f"  [{pages} pages] {paragraph[:150]}")
    return 0
