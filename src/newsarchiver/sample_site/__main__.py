"""Run sample sites in their own process (so benchmarks do not share a GIL with the server).

    python -m newsarchiver.sample_site --articles 5000 --page-kb 75 --servers 4

Prints one base URL per line, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import sys
import threading

from .server import SampleSiteServer, start_servers, stop_servers
from .site import generate_site


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m newsarchiver.sample_site", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=12)
    p.add_argument("--page-kb", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--servers", type=int, default=1, help="several sites, one per port")
    p.add_argument("--distinct-addresses", action="store_true",
                   help="put the servers on 127.0.0.1, 127.0.0.2, ...")
    p.add_argument("--port", type=int, default=0, help="with a single server only")
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--hostile", action="store_true", help="serve /hostile/ routes")
    args = p.parse_args(argv)
    if args.servers == 1:
        site = generate_site("Sample News", args.articles, args.seed, args.page_kb)
        servers = [SampleSiteServer(site, port=args.port, latency_ms=args.latency_ms,
                                    hostile=args.hostile).start()]
    else:
        servers = start_servers(args.servers, n_articles=args.articles, page_kb=args.page_kb,
                                latency_ms=args.latency_ms, seed=args.seed,
                                distinct_addresses=args.distinct_addresses)
    for s in servers:
        print(s.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_servers(servers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
