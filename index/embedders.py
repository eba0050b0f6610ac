"""The embedder seam: a Protocol, the sentence-transformers and OpenAI adapters.

This is the only module that imports sentence-transformers or calls /embeddings.
"""

from __future__ import annotations

from typing import Protocol, Sequence


class Embedder(Protocol):
    """Turns texts into unit-length vectors. ``name`` and ``dimension`` are recorded
    in the store so a mismatched embedder is caught before it pollutes the index."""

    name: str
    dimension: int
    max_tokens: int  # longest input the model sees; chunking stays under it

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order."""
        ...

    def count_tokens(self, text: str) -> int:
        """Length of ``text`` in this embedder's own tokens (no special tokens)."""
        ...
