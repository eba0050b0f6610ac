"""Sentence vectors kept between questions: a follow-up about the same story embeds only what is new.

The evidence scorer embeds the question and every candidate sentence of its passages (~44 a
question on whole news articles), and that is most of a warm answer's time. A chat follow-up
or a Slack thread about the same story gets mostly the same passages, so the same sentences:
their vectors are kept here, the last ``size`` texts used, least recently used dropped first.
A vector is the one the embedder gave (stored as 8-byte floats: exact), so an answer is the
same cached or not; the query encoder gives a text the same vector whatever shares its batch.

Example (an embedding function that counts what it is asked to embed)::

    >>> asked = []
    >>> def embed(texts):
    ...     asked.extend(texts)
    ...     return [[float(len(t)), 1.0] for t in texts]
    >>> cached = CachedEmbed(embed, size=2)
    >>> cached(["ab", "abc"])
    [[2.0, 1.0], [3.0, 1.0]]
    >>> cached(["abc", "d"]), asked
    ([[3.0, 1.0], [1.0, 1.0]], ['ab', 'abc', 'd'])
    >>> cached.hits, cached.misses, len(cached)
    (1, 3, 2)
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from typing import Sequence

from bot.answering.evidence import Embed


class CachedEmbed:
    """``embed`` with the vectors of the last ``size`` texts kept (0: nothing kept).
    Safe to share between threads (the Slack bot answers several questions at once)."""

    def __init__(self, embed: Embed, size: int):
        self._embed = embed
        self._size = max(0, size)
        self._vectors: OrderedDict[str, array] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        texts = list(texts)
        if not self._size:
            return [list(v) for v in self._embed(texts)]
        unique = list(dict.fromkeys(texts))
        found: dict[str, array] = {}
        with self._lock:
            for t in unique:
                if t in self._vectors:
                    self._vectors.move_to_end(t)
                    found[t] = self._vectors[t]
        missing = [t for t in unique if t not in found]
        fresh = {t: array("d", v) for t, v in zip(missing, self._embed(missing))} if missing else {}
        embedded = sum(1 for t in texts if t in fresh)
        with self._lock:
            self.hits += len(texts) - embedded
            self.misses += embedded
            for t, v in fresh.items():
                self._vectors[t] = v
                self._vectors.move_to_end(t)
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return [list(found[t] if t in found else fresh[t]) for t in texts]
