"""Pure: wire copies folded into one story at answer time.

The indexer gives every chunk a ``story_id`` (index/dedup.py): copies of one wire story in
several outlets share it. Retrieval keeps the passages of the best-ranked article of each
story only, and that passage carries the other outlets ("also reported by"); citations then
name a story once, and agreement counts stories, never copies.

>>> from bot.core.passage import Chunk
>>> a = Chunk("a#0000", "a", "x", 0, 1, source="Gazette", story_id="a")
>>> b = Chunk("b#0000", "b", "x", 0, 1, source="Courier", story_id="a")
>>> c = Chunk("c#0000", "c", "y", 0, 1, source="Gazette")
>>> kept, copies = fold_copies([a, b, c], chunk_of=lambda ch: ch)
>>> [k.id for k in kept], {s: [ch.source for ch in cs] for s, cs in copies.items()}
(['a#0000', 'c#0000'], {'a': ['Courier']})
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable, Sequence, TypeVar

T = TypeVar("T")


def story_of(chunk) -> str:
    """A chunk's story: its ``story_id``, else its article (an article is its own story)."""
    return getattr(chunk, "story_id", None) or chunk.article_id


def fold_copies(ranked: Sequence[T], chunk_of: Callable[[T], object]) -> tuple[list[T], dict[str, list]]:
    """Keep, in order, the candidates of the first (best-ranked) article of each story; the
    chunks of its other articles are returned by story id (one chunk per other article)."""
    owner: dict[str, str] = {}
    kept: list[T] = []
    copies: dict[str, list] = {}
    seen_copy: set[str] = set()
    for item in ranked:
        chunk = chunk_of(item)
        story = story_of(chunk)
        first = owner.setdefault(story, chunk.article_id)
        if first == chunk.article_id:
            kept.append(item)
        elif chunk.article_id not in seen_copy:
            seen_copy.add(chunk.article_id)
            copies.setdefault(story, []).append(chunk)
    return kept, copies


def other_outlets(own: str | None, sources: Iterable[str | None]) -> tuple[str, ...]:
    """Distinct outlet names other than ``own``, first-seen order, unnamed ones left out."""
    out: list[str] = []
    for name in sources:
        if name and name != own and name not in out:
            out.append(name)
    return tuple(out)


def with_copies(passages: Sequence, copies: dict[str, list], members: dict[str, list] | None = None) -> list:
    """Passages with ``also_reported_by`` filled from the folded copies and the story book's
    members (``index.dedup.story_members``: every copy indexed, not only retrieved ones)."""
    members = members or {}
    out = []
    for p in passages:
        story = story_of(p.chunk)
        names = list(p.also_reported_by) + [c.source for c in copies.get(story, ())]
        names += [m.source for m in members.get(story, ()) if m.article_id != p.article_id]
        also = other_outlets(p.chunk.source, names)
        out.append(dataclasses.replace(p, also_reported_by=also) if also != p.also_reported_by else p)
    return out


def attach_to_citations(citations: Sequence, passages: Sequence) -> tuple:
    """Each citation gets its passage's story id and "also reported by" outlets."""
    by_article = {}
    for p in passages:
        by_article.setdefault(p.article_id, p)
    out = []
    for c in citations:
        p = by_article.get(c.article_id)
        if p is None:
            out.append(c)
            continue
        out.append(dataclasses.replace(c, story_id=story_of(p.chunk), also_reported_by=tuple(p.also_reported_by)))
    return tuple(out)


def count_stories(citations: Sequence) -> int:
    """Independent stories among citations (copies of one story count once)."""
    return len({getattr(c, "story_id", None) or c.article_id for c in citations})
