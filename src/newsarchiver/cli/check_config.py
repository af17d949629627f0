"""`newsarchiver check-config`: print the resolved config or the first error."""

from __future__ import annotations

import argparse
import json

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.config import config_as_dict


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check-config", help="validate config.toml and print the resolved config")
    add_config_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = resolve_config(args)
    print(json.dumps(config_as_dict(config), indent=2, ensure_ascii=False))
    print(f"# {config.path or 'built-in defaults'}: OK", flush=True)
    return 0
