"""Pure: Article → [Chunk] sized in embedder tokens, with exact character offsets."""

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
