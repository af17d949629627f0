"""`newsarchiver demo`: serve the bundled sample news site on 127.0.0.1, crawl it, show the result.

Needs no network beyond loopback; it is the README's first command and shows the whole pipeline:
discovery from robots.txt, sitemaps, feeds and links; WARC files; extraction; the index.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

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
    print(f"archive: {config.archive_dir}")
    print("next: newsarchiver verify   |   newsarchiver search accord   |   newsarchiver stats")
    return code
