"""`newsarchiver import WARC...` and `newsarchiver reindex`: build the index from WARC files."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.config import Config
from newsarchiver.errors import UsageError
from newsarchiver.ingest import FileResult, ImportReport


def register(subparsers: argparse._SubParsersAction) -> None:
    imp = subparsers.add_parser(
        "import", help="index WARC/ARC files from any tool (copied into the archive directory)",
        description="Index WARC or ARC files written by any tool (wget, Heritrix, browsertrix-crawler, "
                    "warcprox...). Each file is copied into ARCHIVE/imported/ so that `reindex` can rebuild "
                    "the index from the archive directory alone. Importing a file again adds nothing.")
    imp.add_argument("warcs", nargs="*", metavar="WARC", help="WARC or ARC file (.warc, .warc.gz, .arc, .arc.gz)")
    imp.add_argument("--pending", action="store_true",
                     help="the archive's own WARC files not indexed yet (after `crawl --no-extract`)")
    imp.add_argument("--job", default=None, help="job name for these captures (default: the warcinfo isPartOf)")
    _add_common(imp)
    imp.set_defaults(handler=run_import)

    rei = subparsers.add_parser(
        "reindex", help="rebuild the index and search from the WARC files in the archive directory",
        description="Rebuild the catalogue and the full-text index from every WARC in the archive directory. "
                    "The new index replaces the old one only when complete. Stop running crawls first.")
    _add_common(rei)
    rei.set_defaults(handler=run_reindex)


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)
    parser.add_argument("--extract-workers", type=int, default=None, metavar="N",
                        help="extraction processes (default: the config's, 0 = one per core)")


def _config(args: argparse.Namespace) -> Config:
    config = resolve_config(args)
    if args.extract_workers is not None:
        if args.extract_workers < 0:
            raise UsageError("--extract-workers: expected 0 (one per core) or more")
        config = replace(config, extract=replace(config.extract, workers=args.extract_workers))
    return config


def _print_file(_path: str, result: FileResult) -> None:
    if result.status == "imported":
        print(f"imported {result.path}: {result.records} records, {result.captures_added} captures indexed, "
              f"{result.new_articles} new articles, {result.changed_articles} changed", flush=True)
    elif result.status == "skipped":
        print(f"skipped {result.path}: {result.message}", flush=True)
    else:
        # The records before the damage are indexed: say so next to the one-line error.
        print(f"newsarchiver: error: {result.message}", file=sys.stderr, flush=True)
        if result.captures_added:
            print(f"  ({result.captures_added} captures before the damage were indexed)", file=sys.stderr)


def _summary(report: ImportReport) -> int:
    files = len(report.files)
    print(f"{files} file{'s' if files != 1 else ''}: {report.total('captures_added')} captures indexed, "
          f"{report.total('new_articles')} new articles, {report.total('changed_articles')} changed, "
          f"{len(report.errors)} with errors")
    return int(report.exit_code)


def run_import(args: argparse.Namespace) -> int:
    from newsarchiver.ingest import import_warcs
    from newsarchiver.stores import open_catalogue

    config = _config(args)
    if bool(args.warcs) == args.pending:
        raise UsageError("import: give WARC files or --pending (not both)")
    with open_catalogue(config) as catalogue:
        files = args.warcs or _pending(catalogue, config.archive_dir)
        if not files:
            print("nothing pending: every WARC file in the archive is indexed")
            return 0
        report = import_warcs(catalogue, files, config, job=args.job, progress=_print_file)
    _update_replay_index(config.archive_dir, report)
    return _summary(report)


def _pending(catalogue: Any, archive_dir: Path) -> list[Path]:
    from newsarchiver.ingest import archive_warcs

    return [path for path in archive_warcs(archive_dir)
            if not catalogue.warc_file_known(path.relative_to(archive_dir).as_posix(), path.stat().st_size)]


def _update_replay_index(archive_dir: Path, report: Any) -> None:
    """Keep index.cdxj (what pywb and the reader's replay use) in step with the indexed files."""
    from newsarchiver.cdxj import update_cdxj
    from newsarchiver.errors import ArchiveError

    files = [archive_dir / r.name for r in report.files if r.status == "imported" and r.name]
    if not files:
        return
    try:
        update_cdxj(archive_dir, files)
    except ArchiveError as exc:  # WarcFormatError included: the file was reported above already
        print(f"newsarchiver: warning: index.cdxj not updated: {exc}", file=sys.stderr)


def run_reindex(args: argparse.Namespace) -> int:
    from newsarchiver.ingest import reindex

    config = _config(args)
    report = reindex(config.archive_dir, config, progress=_print_file)
    _update_replay_index(config.archive_dir, report)
    return _summary(report)
