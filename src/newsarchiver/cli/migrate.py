"""`newsarchiver migrate --to postgresql://...`: move the archive's SQLite index to PostgreSQL."""

from __future__ import annotations

import argparse

from newsarchiver.cli.common import add_config_options, resolve_config


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy the SQLite index into PostgreSQL (or rebuild it there from the WARCs)")
    add_config_options(parser)
    parser.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:port/database")
    parser.add_argument("--from-warcs", action="store_true",
                        help="rebuild from the WARC files instead of copying index.sqlite")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from newsarchiver.migrate import migrate_index

    config = resolve_config(args)

    def show(table: str, rows: int) -> None:
        print(f"  {table}: {rows} rows copied", flush=True)

    report = migrate_index(config, args.to, from_warcs=args.from_warcs, progress=show)
    counts = ", ".join(f"{table} {n}" for table, n in report.rows.items())
    print(f"migrated to {report.target}: {counts}; {report.search_documents} search documents")
    print('use it with `--index URL` or `index = "postgresql://..."` in config.toml')
    return 0
