"""`newsarchiver demo`: serve the bundled sample news site on 127.0.0.1, crawl it, show the result.

Needs no network beyond loopback; it is the README's first command and shows the whole pipeline:
discovery from robots.txt, sitemaps, feeds and links; WARC files; extraction; the index.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from newsarchiver.cli.common import add_config_options, resolve_config


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="crawl a bundled sample news site served on 127.0.0.1")
    add_config_options(parser)
    parser.add_argument("--articles", type=int, default=12, help="articles on the sample site (default 12)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from newsarchiver.cli.crawl import execute
    from newsarchiver.config import Job
    from newsarchiver.sample_site import SampleSiteServer, generate_site

    config = resolve_config(args)
    # The sample site is ours and local: no politeness delay needed.
    config = replace(config, crawl=replace(config.crawl, delay_seconds=0.0, connections_per_host=2))
    site = generate_site(n_articles=max(1, args.articles))
    with SampleSiteServer(site) as server:
        print(f"serving the sample news site at {server.url}")
        job = Job(name="demo", seeds=(server.url,), feeds=(server.url + "/feed.xml",),
                  max_depth=2, max_pages=max(50, 4 * args.articles))
        code = execute(config, job, None)
    _print_articles(config.archive_dir)
    archive = "" if config.archive_dir == Path("warcs").resolve() else f" --archive {config.archive_dir}"
    print(f"\nnext: newsarchiver verify{archive}   |   newsarchiver search{archive} accord   |   "
          f"newsarchiver show{archive} 1")
    return code


def _print_articles(archive_dir: Path, limit: int = 20) -> None:
    from newsarchiver.index import Catalogue

    with Catalogue.open(archive_dir, readonly=True) as catalogue:  # the demo is the embedded default
        ids = catalogue.find_articles()
        print(f"\n{len(ids)} articles in {archive_dir}:")
        for article_id in ids[:limit]:
            version = catalogue.version(article_id)
            title = version.title if version else "?"
            print(f"  [{article_id}] {title[:70]}")
        if len(ids) > limit:
            print(f"  ... and {len(ids) - limit} more")
