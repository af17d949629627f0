"""Options and helpers shared by the subcommands: -c/--config, --archive and --index."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from newsarchiver.config import Config, default_config, load_config
from newsarchiver.db import is_postgresql_url
from newsarchiver.errors import UsageError

DEFAULT_CONFIG = "config.toml"


def add_config_options(parser: argparse.ArgumentParser, archive: bool = True) -> None:
    parser.add_argument("-c", "--config", metavar="FILE", default=None,
                        help=f"config file (default: ./{DEFAULT_CONFIG} if present)")
    if archive:
        parser.add_argument("--archive", metavar="DIR", default=None,
                            help="archive directory holding the WARC files and the index "
                                 "(default: the config's archive_dir, warcs/)")
        parser.add_argument("--index", metavar="URL", default=None,
                            help="the index: 'sqlite' (in the archive directory) or a postgresql:// URL "
                                 "(default: the config's index)")


def resolve_config(args: argparse.Namespace) -> Config:
    """The config named by -c, else ./config.toml if present, else the defaults; --archive and --index win."""
    if args.config:
        config = load_config(args.config)
    elif Path(DEFAULT_CONFIG).is_file():
        config = load_config(DEFAULT_CONFIG)
    else:
        config = default_config()
    archive = getattr(args, "archive", None)
    if archive:
        config = replace(config, archive_dir=Path(archive).resolve())
    index = getattr(args, "index", None)
    if index:
        if not (index == "sqlite" or is_postgresql_url(index)):
            raise UsageError(f"--index: expected 'sqlite' or a postgresql:// URL, got {index!r}")
        config = replace(config, index=index)
    return config


def add_filter_options(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """The article filters `search`, `export` and the reader share."""
    filters = parser.add_argument_group("filters")
    filters.add_argument("--site", help="host or site name; a host also matches its subdomains")
    filters.add_argument("--author", help="words of an author's name")
    filters.add_argument("--lang", help="language, e.g. en, ru, uz")
    filters.add_argument("--job", help="name of the job that captured it")
    for flag, what in (("--since", "published on or after"), ("--until", "published on or before"),
                       ("--captured-since", "last captured on or after"),
                       ("--captured-until", "first captured on or before")):
        filters.add_argument(flag, metavar="DATE", help=f"{what} DATE (YYYY-MM-DD, YYYY-MM, or an age like 7d, 12h)")
    return filters
