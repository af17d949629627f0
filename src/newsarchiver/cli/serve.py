"""`newsarchiver serve`: the offline reader on http://127.0.0.1:8765/ (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
import sys

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.db import is_postgresql_url


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="read the archive in a web browser (local, offline, read-only)",
        description="Serve a local, read-only web reader over the archive: search, articles, versions and "
                    "their differences, and the archived pages as captured. Nothing is fetched from the live web.")
    add_config_options(parser)
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=None, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow listening on a non-loopback address: anyone who can reach it can read the archive")
    parser.set_defaults(handler=run)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from newsarchiver.web import DEFAULT_HOST, DEFAULT_PORT, ReaderServer
    from newsarchiver.web.server import is_loopback

    config = resolve_config(args)
    host = args.host or DEFAULT_HOST
    port = DEFAULT_PORT if args.port is None else args.port
    server = ReaderServer(config.archive_dir, host, port, allow_remote=args.allow_remote,
                          index_url=config.index if is_postgresql_url(config.index) else None)
    if not is_loopback(server.host):
        print(f"newsarchiver: warning: listening on {server.host}: anyone who can reach this machine on port "
              f"{server.port} can read the archive (no login, no TLS)", file=sys.stderr)
    print(f"newsarchiver reader for {config.archive_dir} at {server.url}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    return 0
