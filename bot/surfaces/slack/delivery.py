"""Delivery details of the Slack bot: ids, de-duplication of retried events, the posted
answers kept for feedback, and throttled progress updates of a streaming answer."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from bot.core.records import Answer


def new_id() -> str:
    return uuid.uuid4().hex[:10]


class SeenKeys:
    """Remembers the last ``limit`` keys: ``first(key)`` is True only the first time."""

    def __init__(self, limit: int = 20000):
        self._keys: OrderedDict[Any, None] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def first(self, key) -> bool:
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            while len(self._keys) > self._limit:
                self._keys.popitem(last=False)
            return True


@dataclass(frozen=True)
class Posted:
    """An answer shown in Slack, kept so a 👍/👎 click can record what was answered."""

    answer: Answer
    channel: str


class Throttled:
    """Calls ``update(text_so_far)`` as verified pieces arrive, at most once per ``interval``
    seconds; pieces in between are shown by the next call (or by the final answer)."""

    def __init__(self, update: Callable[[str], None], interval: float = 1.0, clock=time.monotonic):
        self.update, self.interval, self.clock = update, interval, clock
        self.text = ""
        self.last = clock()  # a quick answer goes straight to its final form, no progress edit
        self.stopped = False

    def __call__(self, piece: str) -> None:
        self.text += piece
        now = self.clock()
        if not self.stopped and now - self.last >= self.interval:
            self.last = now
            self.update(self.text)
