"""`newsbot watch [--every 15m] SOURCES...`: keep the index fresh from feeds and pages.

    newsbot watch https://example.org/rss.xml https://example.org/atom.xml
    newsbot watch --every 5m --sources sources.txt

Prints one line per cycle (``12:00:00 new 3 / updated 1 / failed 0``); stops cleanly on
Ctrl-C or SIGTERM (a write in progress is finished first; a second Ctrl-C aborts at once,
and the next run repairs the store).
"""

from __future__ import annotations

import signal
import sys
import threading


def add_arguments(parser) -> None:
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="feed or page URLs, files or folders")
    parser.add_argument("--sources", dest="sources_file", metavar="FILE",
                        help="a file listing sources, one URL or path a line (# comments)")
    parser.add_argument("--every", dest="watch_every", metavar="DURATION",
                        help="time between polls: seconds, or 30s / 15m / 1h (default 15m, $NEWSBOT_WATCH_EVERY)")
    parser.add_argument("--cycles", type=int, metavar="N", help="stop after N cycles (default: run until stopped)")


def run(args, settings) -> int:
    from bot.core.errors import InputError
    from index.ingest import read_sources_file
    from index.watch import Watcher, parse_every

    every = parse_every(settings.watch_every)
    sources = list(args.sources) + (read_sources_file(args.sources_file) if args.sources_file else [])
    if not sources:
        raise InputError("watch needs sources: give feed or page URLs, or --sources FILE")
    stop = threading.Event()

    def on_signal(signum, frame):
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        print(f"watching {len(sources)} source{'s' * (len(sources) != 1)} every {settings.watch_every} "
              f"into {settings.chroma_url or settings.store} (Ctrl-C to stop)", flush=True)
        watcher = Watcher(settings, sources, emit=lambda line: print(line, flush=True),
                          warn=lambda line: print(line, file=sys.stderr, flush=True))
        cycles = watcher.run(every, stop, args.cycles)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    print(f"stopped after {cycles} cycle{'s' * (cycles != 1)}", flush=True)
    return 0
