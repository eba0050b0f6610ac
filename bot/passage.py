"""A retrieved chunk with its scores: what retrieval hands to answerers and verification."""

from __future__ import annotations

from dataclasses import dataclass

from index.chunking import Chunk


@dataclass(frozen=True)
class Passage:
    """One retrieval hit. ``dense_score`` is cosine similarity (None when the chunk came
    only from BM25), ``lexical_score`` the BM25 score (None when only from dense search),
    ``fused_rank`` its 1-based rank after fusion and diversification."""

    chunk: Chunk
    dense_score: float | None
    lexical_score: float | None
    fused_rank: int
    fused_score: float

    @property
    def article_id(self) -> str:
        return self.chunk.article_id

    @property
    def text(self) -> str:
        return self.chunk.text
