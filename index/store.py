"""The store seam: a Protocol and the Chroma adapter (the only chromadb import)."""

from __future__ import annotations

from typing import Protocol, Sequence

from index.chunking import Chunk


class ChunkStore(Protocol):
    """Vectors + chunk metadata, addressed by chunk id (``<article_id>#<nnnn>``)."""

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None: ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]: ...

    def ids_for_article(self, article_id: str) -> list[str]: ...

    def all_ids(self) -> list[str]: ...

    def count(self) -> int: ...

    def query(self, embedding: Sequence[float], k: int) -> list[tuple[Chunk, float]]:
        """The k nearest chunks with cosine *similarity* (1 - cosine distance), best first."""
        ...
