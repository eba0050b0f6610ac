"""Records of retrieval: a Chunk of an article (made by index.chunking, stored by index.store) and a
retrieved Passage (a chunk with its scores), what retrieval hands to answerers and verification."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    """A slice of an article: ``article.text[start:end] == text`` always holds."""

    id: str  # "<article_id>#<nnnn>", stable across runs
    article_id: str
    text: str
    start: int
    end: int
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    fetched_at: str | None = None  # when a web article was fetched (index/sources/web.py)
    story_id: str | None = None  # near-duplicate group (index/dedup.py); None: its own story


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
    also_reported_by: tuple[str, ...] = ()  # other outlets that ran the same story (wire copies)

    @property
    def article_id(self) -> str:
        return self.chunk.article_id

    @property
    def text(self) -> str:
        return self.chunk.text


@dataclass(frozen=True)
class RetrievalStatus:
    """Which retrievers ran. ``lexical`` False means dense-only search; ``reason`` is a code
    (``no_index`` | ``bm25_missing`` | ``build_failed`` | ``disabled``) and ``message`` says it."""

    lexical: bool
    reason: str = ""
    message: str = ""
    lexical_chunks: int = 0
    version: str | None = None  # the store's version stamp the BM25 index was built at

    def to_json(self) -> dict:
        return {"dense": True, "lexical": self.lexical, "reason": self.reason or None,
                "message": self.message or None, "lexical_chunks": self.lexical_chunks, "version": self.version}

    def line(self) -> str:
        if self.lexical:
            return f"keyword search (BM25) on: {self.lexical_chunks:,} chunks" + (
                f", store version {self.version}" if self.version else "")
        return f"keyword search (BM25) off, dense only ({self.reason}): {self.message}"
