"""`newsarchiver verify [WARC...]`: check WARC files; one line per file, one per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.errors import ExitCode, UsageError
from newsarchiver.verify import verify_warc

# What counts as an archive file when no file is named; `.open` ones are included so that a file
# left unclosed by a crash is reported rather than overlooked.
_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="check WARC files: structure, truncation, digests, request/response pairs",
        description="Check WARC files (default: every WARC in the archive directory, including "
                    "unclosed .open ones). Exit 0 if all are sound, 5 otherwise.")
    parser.add_argument("warcs", nargs="*", metavar="WARC", help="WARC/ARC files to check")
    add_config_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.warcs] or _archive_files(resolve_config(args).archive_dir)
    if not paths:
        print("no WARC files to verify", file=sys.stderr)
        return ExitCode.OK
    all_ok = True
    for path in paths:
        report = verify_warc(path)
        for warning in report.warnings:
            print(f"WARN {path}: {warning}")
        if report.ok:
            print(f"OK {path} ({report.records} records)")
        else:
            all_ok = False
            for problem in report.problems:
                print(f"FAIL {path}: {problem}")
        sys.stdout.flush()
    return ExitCode.OK if all_ok else ExitCode.WARC_FORMAT


def _archive_files(archive_dir: Path) -> list[Path]:
    if not archive_dir.is_dir():
        raise UsageError(f"{archive_dir}: archive directory not found; pass --archive DIR or WARC files")
    return sorted(path for path in archive_dir.rglob("*")
                  if path.is_file() and path.name.removesuffix(".open").endswith(_SUFFIXES))
