"""Hybrid retrieval: reciprocal rank fusion, diversity, BM25-only hits fetched from the store."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from bot.answering.retrieve import RRF_K, Retriever, fuse
from index.chunking import Chunk
from tests.fakes import FakeEmbedder, InMemoryStore


def chunk(article: str, n: int, text: str = "") -> Chunk:
    return Chunk(f"{article}#{n:04d}", article, text or f"{article} chunk {n}", 0, len(text or "x"),
                 title=f"Title {article}")


class WordLexical:
    """BM25 stand-in: score = number of query words in the chunk (only chunks with a hit)."""

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.queries = []

    def search(self, query, k):
        self.queries.append((query, k))
        words = set(re.findall(r"\w+", query.lower()))
        scored = [(c.id, float(len(words & set(re.findall(r"\w+", c.text.lower()))))) for c in self.chunks]
        scored = [s for s in scored if s[1] > 0]
        scored.sort(key=lambda s: (-s[1], s[0]))
        return scored[:k]


def settings(**kw):
    base = dict(top_k=3, max_per_article=2)
    base.update(kw)
    return SimpleNamespace(**base)


# --- fuse (pure) ---------------------------------------------------------------------

def test_chunk_ranked_by_both_beats_chunk_ranked_first_by_one():
    a, b, c = chunk("a", 0), chunk("b", 0), chunk("c", 0)
    out = fuse([(a, 0.9), (b, 0.8)], [(b, 5.0), (c, 4.0)], k=3, max_per_article=3)
    assert [p.chunk.id for p in out] == ["b#0000", "a#0000", "c#0000"]
    assert [p.fused_rank for p in out] == [1, 2, 3]
    assert out[0].fused_score == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert (out[0].dense_score, out[0].lexical_score) == (0.8, 5.0)
    assert (out[1].dense_score, out[1].lexical_score) == (0.9, None)
    assert (out[2].dense_score, out[2].lexical_score) == (None, 4.0)


def test_one_article_cannot_fill_every_slot():
    long_article = [(chunk("long", i), 0.9 - i * 0.01) for i in range(6)]
    other = (chunk("other", 0), 0.1)
    out = fuse(long_article + [other], [], k=4, max_per_article=2)
    ids = [p.chunk.id for p in out]
    assert "other#0000" in ids
    assert sum(1 for p in out if p.article_id == "long") == 3  # 2 by cap, 1 backfilled
    assert len(out) == 4


def test_cap_holds_when_enough_other_articles():
    hits = [(chunk("a", i), 0.9 - i * 0.01) for i in range(5)]
    hits += [(chunk(x, 0), 0.5) for x in "bcd"]
    out = fuse(hits, [], k=4, max_per_article=2)
    assert sum(1 for p in out if p.article_id == "a") == 2
    assert [p.fused_rank for p in out] == [1, 2, 3, 4]


def test_single_article_store_still_gets_k_passages():
    hits = [(chunk("only", i), 0.9 - i * 0.1) for i in range(5)]
    out = fuse(hits, [], k=4, max_per_article=1)
    assert [p.chunk.id for p in out] == [f"only#{i:04d}" for i in range(4)]


def test_ties_break_on_chunk_id_and_fusion_is_deterministic():
    x, y = chunk("x", 0), chunk("y", 0)
    # x is first densely, y first lexically: identical RRF scores.
    one = fuse([(x, 0.5), (y, 0.4)], [(y, 3.0), (x, 2.0)], k=2, max_per_article=2)
    two = fuse([(x, 0.5), (y, 0.4)], [(y, 3.0), (x, 2.0)], k=2, max_per_article=2)
    assert one == two
    assert [p.chunk.id for p in one] == ["x#0000", "y#0000"]


def test_duplicate_ids_in_a_ranking_count_once_and_k_zero_is_empty():
    a = chunk("a", 0)
    out = fuse([(a, 0.9), (a, 0.8)], [(a, 1.0), (a, 1.0)], k=5, max_per_article=3)
    assert len(out) == 1 and out[0].fused_score == pytest.approx(2 / (RRF_K + 1))
    assert fuse([(a, 0.9)], [], k=0, max_per_article=3) == []


# --- Retriever over the fakes --------------------------------------------------------------

TEXTS = {
    "talks": ["Russia is represented by Kirill Dmitriev at the talks in Miami.",
              "Dmitriev described the talks as constructive.",
              "Ushakov denied trilateral talks were being prepared.",
              "Witkoff and Kushner met officials in Berlin."],
    "plan": ["Trump pressured Kyiv to accept a 28-point proposal.",
             "The proposal has now been reduced to 20 points."],
    "weather": ["Heavy snow fell across the region on Tuesday."],
}


@pytest.fixture
def corpus():
    emb = FakeEmbedder()
    store = InMemoryStore()
    chunks = [chunk(a, i, t) for a, texts in TEXTS.items() for i, t in enumerate(texts)]
    store.upsert(chunks, emb.embed([c.text for c in chunks]))
    return emb, store, chunks


def test_retriever_returns_passages_from_both_searches(corpus):
    emb, store, chunks = corpus
    lex = WordLexical(chunks)
    hits = Retriever(emb, store, lex, settings(top_k=3, max_per_article=2)).search("Who represents Russia at the talks?")
    assert hits[0].chunk.id == "talks#0000"
    assert hits[0].dense_score is not None and hits[0].lexical_score is not None
    assert sum(1 for p in hits if p.article_id == "talks") <= 2
    assert lex.queries and lex.queries[0][1] >= 20  # a wide candidate pool


def test_bm25_only_hit_is_fetched_from_the_store(corpus):
    emb, store, chunks = corpus

    class NarrowStore(InMemoryStore):  # dense search that only ever returns 1 hit
        def query(self, embedding, k):
            return super().query(embedding, 1)

    narrow = NarrowStore()
    narrow.rows = dict(store.rows)
    hits = Retriever(emb, narrow, WordLexical(chunks), settings(top_k=3)).search("28-point proposal")
    bm25_only = [p for p in hits if p.dense_score is None]
    assert bm25_only, hits
    assert all(p.lexical_score and p.chunk.text == narrow.rows[p.chunk.id][0].text for p in bm25_only)
    assert "plan#0000" in [p.chunk.id for p in hits]


def test_stale_bm25_ids_are_skipped_not_invented(corpus):
    emb, store, chunks = corpus
    ghost = chunk("ghost", 0, "Dmitriev talks ghost text")
    hits = Retriever(emb, store, WordLexical(chunks + [ghost]), settings(top_k=5)).search("Dmitriev talks")
    assert "ghost#0000" not in [p.chunk.id for p in hits]


def test_dense_only_without_lexical_index_and_blank_question(corpus):
    emb, store, _ = corpus
    r = Retriever(emb, store, None, settings(top_k=2))
    hits = r.search("snow in the region")
    assert hits[0].chunk.id == "weather#0000" and hits[0].lexical_score is None
    assert r.search("   ") == []
    assert len(r.search("talks", k=1)) == 1


def test_a_search_again_leaves_out_what_was_read_before_the_cap():
    """The chunks already read are left out before the per-article cap: the article's next
    chunk can come back, even though two of its chunks were the best hits."""
    texts = {"final": ["Who won the coastal cup? The coastal cup final was in Porto.",
                       "The coastal cup final drew 20,000 fans to Porto.",
                       "The Harbor Hawks lifted the cup after a 3-1 win."],
             "rain": ["Heavy rain closed two roads near Porto on Saturday."],
             "fair": ["A book fair opened in Lyon."]}
    emb, store = FakeEmbedder(), InMemoryStore()
    chunks = [chunk(a, i, t) for a, ts in texts.items() for i, t in enumerate(ts)]
    store.upsert(chunks, emb.embed([c.text for c in chunks]))
    r = Retriever(emb, store, WordLexical(chunks), settings(top_k=2, max_per_article=2))
    query = "Who won the coastal cup final? Harbor Hawks"
    read = [p.chunk.id for p in r.search(query)]
    assert read == ["final#0000", "final#0001"]  # the premise: the cap is full
    again = [p.chunk.id for p in r.search(query, 2, exclude=frozenset(read))]
    assert "final#0002" in again and not set(again) & set(read)


def test_articles_published_after_the_as_of_day_are_left_out_before_fusion():
    """A question asked in the past gets its k passages from its past, even when more articles
    published later match better than the whole first pool (both rankings are asked again)."""
    later = [Chunk(f"later{i:02d}#0000", f"later{i:02d}", f"The harbor cup final result, report {i}.", 0, 40,
                   title="Cup", published="2024-05-0" + str(1 + i % 9)) for i in range(30)]
    before = [Chunk("before#0000", "before", "The harbor cup final is on Sunday.", 0, 34, title="Cup preview",
                    published="2024-04-20"),
              Chunk("undated#0000", "undated", "Harbor cup tickets sold out.", 0, 28, title="Tickets")]
    emb, store = FakeEmbedder(), InMemoryStore()
    chunks = later + before
    store.upsert(chunks, emb.embed([c.text for c in chunks]))
    lexical = WordLexical(chunks)
    r = Retriever(emb, store, lexical, settings(top_k=2, max_per_article=1))
    query = "What was the harbor cup final result report?"
    assert "before#0000" not in [p.chunk.id for p in r.search(query)]  # the premise: later ones win
    got = [p.chunk.id for p in r.search(query, published_by=dt.date(2024, 4, 30))]
    assert sorted(got) == ["before#0000", "undated#0000"]  # undated: nothing says it is later
    assert max(k for _, k in lexical.queries) > 20  # the first pool (20) was all later: asked for more


def test_a_copy_published_after_the_as_of_day_is_not_named_as_also_reporting():
    from index.dedup import Member

    story = Chunk("wire-a#0000", "wire-a", "Engineers replaced 900 rivets on the harbor bridge.", 0, 52,
                  title="Rivets", source="Harbor Gazette", published="2024-03-01", story_id="wire-a")
    book = {"wire-a": [Member("wire-a", "wire-a", "Harbor Gazette", "Rivets", None, "2024-03-01"),
                       Member("wire-b", "wire-a", "Valley Courier", "Rivets", None, "2024-03-02"),
                       Member("wire-c", "wire-a", "Coast Times", "Rivets", None, "2024-03-09")]}
    emb, store = FakeEmbedder(), InMemoryStore()
    store.upsert([story], emb.embed([story.text]))
    r = Retriever(emb, store, None, settings(top_k=1), stories=lambda ids: {i: book[i] for i in ids})
    assert r.search("harbor bridge rivets")[0].also_reported_by == ("Valley Courier", "Coast Times")
    [p] = r.search("harbor bridge rivets", published_by=dt.date(2024, 3, 5))
    assert p.also_reported_by == ("Valley Courier",)
