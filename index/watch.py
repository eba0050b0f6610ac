"""`newsbot watch`: poll sources every so often and index what is new or changed.

One line per cycle (``new N / updated N / failed N``); a feed that is down is a warning
and a ``failed`` count, never the end of the watch. The index lock is taken only while a
cycle writes (index/ingest.py), so `newsbot ask` and `chat` read the store meanwhile and a
manual `newsbot index` can run between cycles. :meth:`Watcher.run` returns when ``stop`` is
set (SIGTERM, Ctrl-C); a cycle already writing finishes its write first, so the store is
left exactly as a finished run leaves it.

>>> parse_every("15m"), parse_every("90s"), parse_every("2h"), parse_every("0.5")
(900.0, 90.0, 7200.0, 0.5)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.core.errors import ConfigError, NewsbotError

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*$", re.IGNORECASE)
_UNIT = {None: 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_every(text: str | float) -> float:
    """Seconds from ``15m`` / ``90s`` / ``2h`` / ``30``; ConfigError names the bad value."""
    if isinstance(text, (int, float)):
        seconds = float(text)
    else:
        match = _EVERY.match(str(text))
        if not match:
            raise ConfigError(f"--every {text!r} is not a duration: use seconds or a number with s, m or h (15m)")
        seconds = float(match.group(1)) * _UNIT[(match.group(2) or "").lower() or None]
    if seconds <= 0:
        raise ConfigError(f"--every {text!r} must be more than zero")
    return seconds


class Watcher:
    """Polls ``sources`` with one embedder and one fetcher for its whole life."""

    def __init__(self, settings, sources: Sequence[str], *, embedder=None, fetcher=None,
                 emit: Callable[[str], None] = print, warn: Callable[[str], None] = print):
        self.settings, self.sources = settings, list(sources)
        self.embedder, self.fetcher, self.emit, self.warn = embedder, fetcher, emit, warn
        self.cycles = 0

    def cycle(self, stop: threading.Event | None = None):
        """One poll; returns the SourcesSummary (None when the cycle failed as a whole)."""
        from index.ingest import index_sources

        stop = stop or threading.Event()
        self.cycles += 1
        stamp = datetime.now().astimezone().strftime("%H:%M:%S")
        try:
            if self.embedder is None:
                from index.embedders import build_embedder

                self.embedder = build_embedder(self.settings)
            result = index_sources(self.settings, self.sources, embedder=self.embedder, prune=False,
                                   fetcher=self.fetcher, wait_s=5.0, should_stop=stop.is_set)
        except NewsbotError as err:  # the store is busy or unreachable: try again next cycle
            self.warn(f"warning: cycle {self.cycles}: {err}")
            self.emit(f"{stamp} new 0 / updated 0 / failed {len(self.sources)} (store not written)")
            return None
        for warning in result.warnings:
            self.warn(f"warning: {warning}")
        cut = " (stopping: what was not polled waits for the next run)" if stop.is_set() else ""
        self.emit(f"{stamp} {result.line()}{cut}")
        return result

    def run(self, every_s: float, stop: threading.Event, max_cycles: int | None = None) -> int:
        """Cycle until ``stop`` is set (or ``max_cycles``); returns the number of cycles run."""
        from index.fetch import Fetcher

        own = self.fetcher is None
        if own:
            self.fetcher = Fetcher.from_settings(self.settings)
        try:
            while not stop.is_set():
                self.cycle(stop)
                if max_cycles is not None and self.cycles >= max_cycles:
                    break
                stop.wait(every_s)
        finally:
            if own:
                self.fetcher.close()
                self.fetcher = None
        return self.cycles
