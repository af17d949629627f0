"""`newsarchiver stats`: what the archive holds and what it costs on disk."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from newsarchiver.cli.common import add_config_options, resolve_config


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="files, captures, articles, versions, sites and disk used")
    add_config_options(parser)
    parser.add_argument("--json", action="store_true", help="output JSON")
    parser.set_defaults(handler=run)


def human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def run(args: argparse.Namespace) -> int:
    from newsarchiver.stores import open_catalogue

    config = resolve_config(args)
    with open_catalogue(config, readonly=True) as catalogue:
        stats = catalogue.stats()
    if args.json:
        print(json.dumps({**asdict(stats), "disk_bytes": stats.disk_bytes, "archive_dir": str(config.archive_dir)},
                         indent=2))
        return 0
    rows = [
        ("Archive", str(config.archive_dir)),
        ("WARC files", f"{stats.warc_files:,}"),
        ("Captures", f"{stats.captures:,} ({stats.revisits:,} revisits)"),
        ("Articles", f"{stats.articles:,} ({stats.removed_articles:,} removed)"),
        ("Versions", f"{stats.versions:,}"),
        ("Sites", f"{stats.sites:,}"),
        ("Runs", f"{stats.runs:,}"),
        ("Disk used", f"{human(stats.disk_bytes)} (WARC {human(stats.warc_bytes)}, index {human(stats.index_bytes)}, "
                      f"search {human(stats.search_bytes)})"),
    ]
    if stats.unsynced_articles:
        rows.append(("Search lag", f"{stats.unsynced_articles:,} articles not yet in search (caught up on next write)"))
    width = max(len(key) for key, _ in rows) + 1
    for key, value in rows:
        print(f"{key + ':':<{width}} {value}")
    return 0
