"""Deterministic fakes for the three seams (embedder, store, answerer).

They follow the Protocols in index/embedders.py, index/store.py and
bot/answerers/base.py, so unit tests exercise real pipeline code quickly.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Callable, Mapping, Sequence

from bot.core.passage import Passage
from bot.core.records import Turn
from index.chunking import Chunk

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Bag-of-words hashed into ``dimension`` buckets, L2-normalised.

    Texts sharing words get positive cosine similarity, so retrieval tests are
    meaningful; ``calls`` counts embed() calls and ``embedded`` counts texts.
    Tokens are whitespace-separated words.
    """

    def __init__(self, dimension: int = 128, name: str = "fake-bow", max_tokens: int = 256):
        self.dimension = dimension
        self.name = name
        self.max_tokens = max_tokens
        self.calls = 0
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        self.embedded += len(texts)
        return [self._vector(t) for t in texts]

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for word in _WORD.findall(text.lower()):
            bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
            vec[bucket % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]


class InMemoryStore:
    """A ChunkStore in a dict; exact cosine search."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[Chunk, list[float]]] = {}
        self.facts: dict[str, dict] = {}  # per article: what the indexer stored beside its chunks

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]],
               facts: Mapping[str, Mapping[str, object]] | None = None) -> None:
        for chunk, emb in zip(chunks, embeddings, strict=True):
            self.rows[chunk.id] = (chunk, list(emb))
        for article_id, fields in (facts or {}).items():
            self.facts[article_id] = dict(fields)

    def delete(self, chunk_ids: Sequence[str]) -> None:
        for cid in chunk_ids:
            self.rows.pop(cid, None)

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return [self.rows[c][0] for c in chunk_ids if c in self.rows]

    def ids_for_article(self, article_id: str) -> list[str]:
        return sorted(c for c, (ch, _) in self.rows.items() if ch.article_id == article_id)

    def all_ids(self) -> list[str]:
        return sorted(self.rows)

    def count(self) -> int:
        return len(self.rows)

    def query(self, embedding: Sequence[float], k: int) -> list[tuple[Chunk, float]]:
        scored = [
            (chunk, sum(a * b for a, b in zip(embedding, emb)))
            for chunk, emb in self.rows.values()
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0].id))
        return scored[:k]


class ScriptedAnswerer:
    """Returns a fixed draft (or one computed from the passages) and records calls."""

    def __init__(
        self,
        draft: str | Callable[[str, Sequence[Passage]], str] = "",
        name: str = "fake",
        model: str = "scripted",
        rewrite: str | None = None,
        fail: Exception | None = None,
        generates: bool = True,
    ):
        self._draft = draft
        self.name = name
        self.generates = generates
        self.model = model
        self._rewrite = rewrite
        self._fail = fail
        self.calls: list[tuple[str, tuple[Passage, ...]]] = []

    def draft(self, question: str, passages: Sequence[Passage], on_token=None, evidence=None) -> str:
        self.calls.append((question, tuple(passages)))
        if self._fail is not None:
            raise self._fail
        text = self._draft(question, passages) if callable(self._draft) else self._draft
        if on_token is not None:
            for piece in re.findall(r"\S+\s*", text):
                on_token(piece)
        return text

    def rewrite_question(self, question: str, history: Sequence[Turn]) -> str | None:
        return self._rewrite


def line_chunks(article_id: str, text: str, max_chars: int = 700) -> list[Chunk]:
    """A fake chunker: whole lines grouped up to ``max_chars``, exact offsets
    (``text[c.start:c.end] == c.text``), title = first line, source "seed"."""
    title = text.strip().splitlines()[0].strip()
    spans, start, end = [], None, 0
    for m in re.finditer(r"[^\n]+", text):
        if start is not None and m.end() - start > max_chars:
            spans.append((start, end))
            start = None
        if start is None:
            start = m.start()
        end = m.end()
    if start is not None:
        spans.append((start, end))
    return [Chunk(f"{article_id}#{i:04d}", article_id, text[s:e], s, e, title=title, source="seed")
            for i, (s, e) in enumerate(spans)]


def as_passages(chunks: Sequence[Chunk], dense_score: float | None = 0.5) -> list[Passage]:
    """Chunks as retrieval hits ranked in the order given."""
    return [Passage(c, dense_score, None, i, 1.0 / (60 + i)) for i, c in enumerate(chunks, start=1)]


class MemorySlot:
    """The write-lease slot (index/lease.py) in a dict: first ``create`` wins."""

    def __init__(self) -> None:
        self.record: dict | None = None

    def read(self) -> dict | None:
        return dict(self.record) if self.record is not None else None

    def create(self, record: Mapping[str, object]) -> None:
        if self.record is None:
            self.record = dict(record)

    def write(self, record: Mapping[str, object]) -> None:
        self.record = dict(record)

    def delete_if(self, owner: str) -> None:
        if self.record is not None and self.record.get("owner") == owner:
            self.record = None
