"""`newsarchiver show`, `history` and `diff`: read a stored article, its captures and its changes."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import Any, Optional

from newsarchiver.cli.common import add_config_options, resolve_config
from newsarchiver.errors import UsageError
from newsarchiver.export import FORMATS, ArticleView, render
from newsarchiver.index_records import ArticleRecord


def register(subparsers: argparse._SubParsersAction) -> None:
    show = subparsers.add_parser("show", help="print a stored article (latest version unless --version)")
    _add_ref(show)
    show.add_argument("--format", choices=FORMATS, default="txt", help="output format (default: txt)")
    show.add_argument("--version", type=int, default=None, metavar="N", help="version number (default: latest)")
    show.set_defaults(handler=run_show)

    history = subparsers.add_parser("history", help="every capture and version of an article")
    _add_ref(history)
    history.add_argument("--json", action="store_true", help="output JSON")
    history.set_defaults(handler=run_history)

    diff = subparsers.add_parser("diff", help="what changed in an article's text between two versions, word by word")
    _add_ref(diff)
    diff.add_argument("--from", dest="from_n", type=int, default=None, metavar="N",
                      help="older version (default: the one before --to)")
    diff.add_argument("--to", dest="to_n", type=int, default=None, metavar="M", help="newer version (default: latest)")
    diff.add_argument("--json", action="store_true", help="output JSON")
    diff.add_argument("--context", type=int, default=12, metavar="WORDS",
                      help="unchanged words kept around each change; -1 shows the whole text (default 12)")
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour the changes (default: when writing to a terminal)")
    diff.set_defaults(handler=run_diff)


def _add_ref(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="ID|URL", help="article ID (see search) or any URL it was captured at")
    add_config_options(parser)


def open_catalogue(args: argparse.Namespace) -> Any:
    from newsarchiver.stores import open_catalogue

    return open_catalogue(resolve_config(args), readonly=True)


def find_article(catalogue: Any, ref: str) -> ArticleRecord:
    article: Optional[ArticleRecord] = catalogue.article(ref)
    if article is None:
        raise UsageError(f"no article {ref!r} in {catalogue.archive_dir} (give an ID from `search` or a captured URL)")
    return article


def _view(catalogue: Any, article: ArticleRecord, n: Optional[int]) -> ArticleView:
    view = ArticleView.load(catalogue, article, n)
    if view is None:
        raise UsageError(f"article {article.id} has no version {n} (versions 1 to {article.latest_version})")
    return view


def run_show(args: argparse.Namespace) -> int:
    with open_catalogue(args) as catalogue:
        view = _view(catalogue, find_article(catalogue, args.ref), args.version)
    width = min(shutil.get_terminal_size().columns, 100) if sys.stdout.isatty() else 0
    sys.stdout.write(render(view, args.format, width))
    return 0


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MiB"


def run_history(args: argparse.Namespace) -> int:
    with open_catalogue(args) as catalogue:
        article = find_article(catalogue, args.ref)
        versions = catalogue.versions(article.id)
        captures = catalogue.captures_of(article.id)
    if args.json:
        data = {
            "id": article.id, "url": article.url, "site": article.site, "removed_at": article.removed_at,
            "versions": [{"n": v.n, "captured_at": v.captured_at, "title": v.title, "word_count": v.word_count,
                          "flags": list(v.flags),
                          "text_hash": v.text_hash, "capture_id": v.capture_id} for v in versions],
            "captures": [{"id": c.id, "url": c.url, "captured_at": c.captured_at, "status": c.status,
                          "record_type": c.record_type, "version": c.version_n, "length": c.length,
                          "warc_file": c.warc_file, "offset": c.offset, "job": c.job} for c in captures],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    title = versions[-1].title if versions else "(no text)"
    print(f"Article {article.id}: {title}")
    print(f"{article.url}  ({article.site})")
    if article.removed_at:
        print(f"Removed: {article.removed_at}")
    print(f"\nVersions ({len(versions)}):")
    previous = None
    for v in versions:
        note = ""
        if previous is not None:
            from newsarchiver.textdiff import counts, word_diff

            added, removed = counts(word_diff(previous.text, v.text))
            note = f"  +{added} -{removed} words" + ("  headline changed" if v.title != previous.title else "")
        if v.flags:
            note += f"  [{', '.join(v.flags)}]"  # a paywall teaser or consent wall, not the article
        print(f"  v{v.n:<3} {v.captured_at}  {v.word_count:>6} words{note}")
        if previous is None or v.title != previous.title:
            print(f"        {v.title}")
        previous = v
    print(f"\nCaptures ({len(captures)}):")
    for c in captures:
        version = f"v{c.version_n}" if c.version_n else "-"
        kind = c.record_type if c.status is None else f"{c.status} {c.record_type}"
        job = f"  job {c.job}" if c.job else ""
        print(f"  {c.captured_at}  {kind:<13} {version:<5} {_size(c.length):>10}  {c.warc_file}@{c.offset}{job}")
    return 0


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def run_diff(args: argparse.Namespace) -> int:
    from newsarchiver.textdiff import as_json, counts, render as render_diff, word_diff

    with open_catalogue(args) as catalogue:
        article = find_article(catalogue, args.ref)
        to_n = args.to_n if args.to_n is not None else article.latest_version
        from_n = args.from_n if args.from_n is not None else to_n - 1
        if article.latest_version < 2 and args.from_n is None:
            raise UsageError(f"article {article.id} has only one version: nothing to compare "
                             "(see `newsarchiver history`)")
        old, new = _view(catalogue, article, from_n), _view(catalogue, article, to_n)
    changes = word_diff(old.version.text, new.version.text)
    added, removed = counts(changes)
    if args.json:
        print(json.dumps({
            "id": article.id, "url": article.url, "from": from_n, "to": to_n,
            "from_captured_at": old.version.captured_at, "to_captured_at": new.version.captured_at,
            "title_from": old.version.title, "title_to": new.version.title,
            "words_added": added, "words_removed": removed, "changes": as_json(changes),
        }, ensure_ascii=False, indent=2))
        return 0
    color = _use_color(args.color)
    print(f"Article {article.id}: version {from_n} ({old.version.captured_at}) -> "
          f"version {to_n} ({new.version.captured_at}): +{added} -{removed} words")
    if old.version.title != new.version.title:
        print("Headline: " + render_diff(word_diff(old.version.title, new.version.title), color=color, context=-1)
              .rstrip("\n"))
    print()
    sys.stdout.write(render_diff(changes, color=color, context=args.context))
    return 0
