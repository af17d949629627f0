"""The command line: the only place that prints, exits, reads env vars or configures logging.

Each subcommand lives in its own module under newsarchiver.cli with a `register(subparsers)`
function that adds its parser and sets `handler` (a function taking the parsed args and
returning an exit code). Library errors become one line on stderr and a documented exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Optional, Sequence

from newsarchiver import __version__
from newsarchiver.errors import ExitCode, NewsArchiverError

# One module per command (or group of close commands); order is the order of `--help`.
COMMAND_MODULES = [
    "demo",
    "crawl",
    "extract",
    "jobs",
    "worker",
    "search",
    "reading",
    "serve",
    "export",
    "importing",
    "migrate",
    "stats",
    "check_config",
    "verify",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own errors: one line and the usage exit code, like ours.
        self.exit(ExitCode.USAGE, f"newsarchiver: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsarchiver", description="Archive news sites into WARC files and read them offline.")
    parser.add_argument("--version", action="version", version=f"newsarchiver {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"newsarchiver.cli.{name}")
        module.register(subparsers)
    return parser


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    if os.environ.get("NEWSARCHIVER_DEBUG"):
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return ExitCode.USAGE
    _configure_logging(args.verbose, args.quiet)
    try:
        return int(args.handler(args))
    except NewsArchiverError as exc:
        print(f"newsarchiver: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("newsarchiver: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # `newsarchiver search ... | head`: the reader went away; not an error of ours.
        sys.stderr.close()
        return int(ExitCode.OK)
