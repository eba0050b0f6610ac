"""Wire copies: syndicated copies of one story share a story_id, distinct stories do not,
an article keeps its story across re-indexing, and the indexer writes story_id on chunks."""

from __future__ import annotations

from index.dedup import StoryBook, similarity, story_members
from index.sources.article import Article
from tests.test_feeds import BRIDGE, BUDGET

STORY = " ".join(BRIDGE * 2) + (" The mayor thanked the crews who worked through the winter, and said a second bridge "
                                "on the east side of the harbor would be inspected in the spring.")


def copies() -> list[Article]:
    """Three outlets running one wire story: a dateline, their own boilerplate, a trimmed ending."""
    return [
        Article("wire-a", "PORTSMOUTH (AP) — " + STORY + " Sign up for our newsletter.", title="Bridge reopens",
                source="Harbor Gazette", published="2024-03-05"),
        Article("wire-b", STORY + " Copyright 2024 Valley Courier. All rights reserved.", title="Harbor bridge open",
                source="Valley Courier", published="2024-03-05"),
        Article("wire-c", STORY.rsplit(" The mayor", 1)[0] + " Advertisement. Related: more local news.",
                title="Bridge back", source="Coast Times", published="2024-03-06"),
    ]


def test_similarity_separates_copies_from_distinct_stories():
    a, b, c = copies()
    assert similarity(a.text, b.text) >= 0.35 and similarity(a.text, c.text) >= 0.35
    assert similarity(a.text, " ".join(BUDGET * 2)) < 0.1


def test_copies_share_one_story_and_keep_it(tmp_path):
    book = StoryBook(tmp_path, threshold=0.35)
    try:
        other = Article("budget", " ".join(BUDGET * 2), source="Harbor Gazette")
        stories = book.assign([*copies(), other])
        assert stories == {"wire-a": "wire-a", "wire-b": "wire-a", "wire-c": "wire-a", "budget": "budget"}
        # wire-a re-fetched with a new ad block: still its story; a later copy joins the same story
        later = Article("wire-d", "Updated: " + STORY, source="Metro Daily")
        again = book.assign([Article("wire-a", copies()[0].text + " Advertisement: shoes.", source="Harbor Gazette"),
                             later])
        assert again == {"wire-a": "wire-a", "wire-d": "wire-a"}
        book.retain(["wire-a", "wire-b", "wire-d", "budget"])
    finally:
        book.close()
    members = story_members(tmp_path, ["wire-a", "budget"])
    assert sorted(m.source for m in members["wire-a"]) == ["Harbor Gazette", "Metro Daily", "Valley Courier"]
    assert [m.article_id for m in members["budget"]] == ["budget"]


def test_indexer_writes_story_ids_on_chunks(tmp_path):
    from bot.core.settings import load_settings
    from index.indexer import index_paths
    from tests.fakes import FakeEmbedder, InMemoryStore

    settings = load_settings({}, store=tmp_path / "store", chunk_tokens=40, chunk_overlap_tokens=4)
    store = InMemoryStore()
    index_paths(settings, [], embedder=FakeEmbedder(), store=store,
                extra=[*copies(), Article("budget", " ".join(BUDGET), source="Harbor Gazette")])
    by_article = {}
    for chunk, _ in store.rows.values():
        by_article.setdefault(chunk.article_id, set()).add(chunk.story_id)
    assert by_article == {"wire-a": {"wire-a"}, "wire-b": {"wire-a"}, "wire-c": {"wire-a"}, "budget": {"budget"}}
