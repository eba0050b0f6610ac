"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by reciprocal rank, diversified.

Dense search finds paraphrases ("who negotiates for the city" → "the city is represented
by ..."); BM25 finds rare exact words the embedder blurs (names, figures like "28-point").
Reciprocal rank fusion (RRF) combines the two rankings without having to calibrate a
cosine against a BM25 score. Wire copies are folded first (bot/answering/stories.py): of the
articles of one story only the best-ranked one keeps its passages, and they name the other
outlets ("also reported by"). Diversification then keeps one long article from taking
every slot, so the answerer sees the other articles too (and conflicts can be noticed).

Example (pure fusion)::

    >>> from index.chunking import Chunk
    >>> a1 = Chunk("a#0000", "a", "x", 0, 1); b1 = Chunk("b#0000", "b", "y", 0, 1)
    >>> [p.chunk.id for p in fuse([(a1, 0.9), (b1, 0.5)], [(b1, 7.0)], k=2, max_per_article=1)]
    ['b#0000', 'a#0000']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from bot.answering.dating import not_after
from bot.answering.stories import fold_copies, story_of, with_copies
from bot.core.passage import Passage, RetrievalStatus
from bot.text.headline import lead_title
from index.chunking import Chunk

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of top ranks
CANDIDATES_PER_SLOT = 4  # each ranking contributes this many candidates per requested slot
MIN_CANDIDATES = 20
WIDEN = 4  # when the date filter leaves the pool short, ask each ranking for this many times more
MAX_WIDENINGS = 3  # ... at most this many times (a pool of 32, k = 8, widens to 2,048 chunks)


class LexicalSearch(Protocol):
    def search(self, query: str, k: int) -> list[tuple[str, float]]: ...


@dataclass(frozen=True)
class _Candidate:
    chunk: Chunk
    dense: float | None
    lexical: float | None
    score: float


def fuse(
    dense_hits: Sequence[tuple[Chunk, float]],
    lexical_hits: Sequence[tuple[Chunk, float]],
    k: int,
    max_per_article: int,
    *,
    rrf_k: int = RRF_K,
) -> list[Passage]:
    """Reciprocal rank fusion of two best-first rankings, then per-article diversity.

    Each chunk scores ``sum(1 / (rrf_k + rank))`` over the rankings it appears in.
    At most ``max_per_article`` passages come from one article while other articles
    have candidates left; only when every other candidate is used do further passages
    of an already-full article fill the remaining slots (a one-article store still
    gets ``k`` passages). Ties break on chunk id, so the result is deterministic.
    """
    if k <= 0:
        return []
    by_id: dict[str, _Candidate] = {}
    for rank, (chunk, score) in enumerate(dense_hits, start=1):
        prev = by_id.get(chunk.id)
        if prev is not None:  # a ranking listing a chunk twice: keep its best rank only
            continue
        by_id[chunk.id] = _Candidate(chunk, float(score), None, 1.0 / (rrf_k + rank))
    seen_lexical: set[str] = set()
    for rank, (chunk, score) in enumerate(lexical_hits, start=1):
        if chunk.id in seen_lexical:
            continue
        seen_lexical.add(chunk.id)
        prev = by_id.get(chunk.id)
        add = 1.0 / (rrf_k + rank)
        if prev is None:
            by_id[chunk.id] = _Candidate(chunk, None, float(score), add)
        else:
            by_id[chunk.id] = _Candidate(chunk, prev.dense, float(score), prev.score + add)
    ranked = sorted(by_id.values(), key=lambda c: (-c.score, c.chunk.id))
    ranked, copies = fold_copies(ranked, chunk_of=lambda c: c.chunk)
    chosen = _diversify(ranked, k, max(1, max_per_article))
    return with_copies([
        Passage(chunk=c.chunk, dense_score=c.dense, lexical_score=c.lexical,
                fused_rank=i, fused_score=c.score)
        for i, c in enumerate(chosen, start=1)
    ], copies)


def _diversify(ranked: list[_Candidate], k: int, cap: int) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    overflow: list[_Candidate] = []
    per_article: dict[str, int] = {}
    for cand in ranked:
        if len(chosen) == k:
            break
        n = per_article.get(cand.chunk.article_id, 0)
        if n >= cap:
            overflow.append(cand)
            continue
        per_article[cand.chunk.article_id] = n + 1
        chosen.append(cand)
    if len(chosen) < k:  # nothing else to show: let capped articles fill the empty slots
        chosen.extend(overflow[: k - len(chosen)])
        chosen.sort(key=lambda c: (-c.score, c.chunk.id))
    return chosen


class Retriever:
    """Dense + BM25 search over one store. ``lexical`` may be None (no BM25 index yet):
    retrieval is then dense-only.

    BM25-only hits carry ``dense_score=None``: the store keeps no cheap way to score one
    chunk against the query, and the candidate pool is wide enough (``4*k``, at least 20)
    that chunks with a meaningful cosine are almost always in the dense list already.
    """

    def __init__(self, embedder, store, lexical: LexicalSearch | None, settings, stories=None):
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.settings = settings
        # story id → its articles (every copy indexed): the story book beside the store
        self.stories = stories if stories is not None else self._story_book

    def status(self) -> RetrievalStatus:
        """Whether keyword search is on; a ``LiveLexical`` says why not (dense-only search)."""
        if self.lexical is None:
            return RetrievalStatus(False, "disabled", "no BM25 index was given to this retriever")
        status = getattr(self.lexical, "status", None)
        if status is None:  # a plain LexicalIndex
            return RetrievalStatus(True, lexical_chunks=len(getattr(self.lexical, "ids", ())))
        return RetrievalStatus(status.available, "" if status.available else status.code, status.message,
                               status.chunks, status.version)

    def search(self, question: str, k: int | None = None, exclude: frozenset[str] = frozenset(),
               published_by: dt.date | None = None) -> list[Passage]:
        """The ``k`` best passages for ``question``. ``exclude``: chunk ids already read, left
        out before the per-article cap, so a search again can reach an article's other chunks.
        ``published_by``: the as-of day; chunks of articles published after it are left out of
        both rankings *before* fusion, and a ranking the filter leaves short is asked again for
        more, so a question asked in the past still gets ``k`` passages from its past (an undated
        article is kept: nothing says it is from the future)."""
        k = self.settings.top_k if k is None else k
        if k <= 0 or not question.strip():
            return []
        pool = max(MIN_CANDIDATES, CANDIDATES_PER_SLOT * k)
        keep = _keeper(exclude, published_by)
        [vector] = self.embedder.embed([question])
        dense, known = _widened(lambda n: list(self.store.query(vector, n)), pool, keep, len(exclude))
        lexical: list[tuple[Chunk, float]] = []
        if self.lexical is not None:
            lexical = self._lexical_hits(question, pool, {c.id: c for c, _ in known}, keep, len(exclude))
        passages = self._titled(fuse(dense, lexical, k, self.settings.max_per_article))
        grouped = {story_of(p.chunk) for p in passages if p.chunk.story_id}
        if not grouped:
            return passages
        members = {story: [m for m in copies if not_after(m.published, published_by)]  # later copies unnamed
                   for story, copies in self.stories(grouped).items()}
        return with_copies(passages, {}, members)

    def _titled(self, passages: list[Passage]) -> list[Passage]:
        """An untitled article is named by its lead sentence (its first chunk), never by its id."""
        untitled = sorted({p.article_id for p in passages if not p.chunk.title})
        if not untitled:
            return passages
        firsts = {c.article_id: c for c in self.store.get([f"{a}#0000" for a in untitled]) if c.start == 0}
        titles = {a: lead_title(c.text) for a, c in firsts.items()}
        return [dataclasses.replace(p, chunk=dataclasses.replace(p.chunk, title=titles[p.article_id]))
                if not p.chunk.title and titles.get(p.article_id) else p for p in passages]

    def _story_book(self, story_ids) -> dict:
        from index.dedup import story_members

        return story_members(self.settings.store, story_ids)

    def _lexical_hits(self, question: str, pool: int, known: dict[str, Chunk],
                      keep: Callable[[Chunk], bool], excluded: int) -> list[tuple[Chunk, float]]:
        known = dict(known)  # filled with the BM25-only hits fetched from the store

        def ranked(n: int) -> list[tuple[Chunk, float]]:
            hits = [(cid, score) for cid, score in self.lexical.search(question, n) if score > 0]
            missing = [cid for cid, _ in hits if cid not in known]
            if missing:  # BM25-only hits: their text and metadata live in the store.
                known.update({c.id: c for c in self.store.get(missing)})
            # A BM25 id the store no longer has (index mid-update) is skipped, never invented.
            return [(known[cid], score) for cid, score in hits if cid in known]

        return _widened(ranked, pool, keep, excluded)[0]


def _keeper(exclude: frozenset[str], published_by: dt.date | None) -> Callable[[Chunk], bool]:
    """Whether a hit may be a passage: not already read, and not published after the as-of day."""
    def keep(chunk: Chunk) -> bool:
        return chunk.id not in exclude and not_after(chunk.published, published_by)
    return keep


def _widened(ranking: Callable[[int], list[tuple[Chunk, float]]], pool: int, keep: Callable[[Chunk], bool],
             excluded: int) -> tuple[list[tuple[Chunk, float]], list[tuple[Chunk, float]]]:
    """The first ``pool`` hits ``keep`` accepts, best first, and every hit fetched. The ranking is
    asked for ``pool + excluded`` hits, then WIDEN times more while the filter leaves fewer than
    ``pool`` and the ranking had more to give (at most MAX_WIDENINGS times).

    >>> c = [Chunk(f"a{i}#0000", f"a{i}", "x", 0, 1) for i in range(30)]
    >>> kept, got = _widened(lambda n: [(x, 1.0) for x in c[:n]], 2, lambda x: x.article_id in ("a26", "a27"), 0)
    >>> [x.id for x, _ in kept], len(got)
    (['a26#0000', 'a27#0000'], 30)
    """
    n = pool + excluded
    for _ in range(MAX_WIDENINGS + 1):
        got = ranking(n)
        kept = [(c, s) for c, s in got if keep(c)]
        if len(kept) >= pool or len(got) < n:
            break
        n *= WIDEN
    return kept[:pool], got
