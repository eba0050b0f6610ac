"""The Chroma adapter against a real local Chroma in a temp folder, and BM25 persistence."""

from __future__ import annotations

import pytest

from bot.core.errors import EmbedderMismatchError, StoreMissingError
from bot.core.settings import load_settings
from index.chunking import Chunk
from index.lexical import LexicalIndex
from index.store import open_store
from tests.fakes import FakeEmbedder


def _chunks():
    texts = ["Kirill Dmitriev leads the Russian delegation.", "Donald Trump spoke about the war in Ukraine.",
             "The talks took place in Riyadh, Saudi Arabia."]
    return [Chunk(f"a{i}#0000", f"a{i}", t, 10 * i, 10 * i + len(t), title=f"Title {i}",
                  url=None if i else "https://example.org/a0", published="2025-02-18" if i == 1 else None)
            for i, t in enumerate(texts)]


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, store=tmp_path / "store")


def test_reader_on_missing_store_is_told_to_index(settings):
    with pytest.raises(StoreMissingError, match="newsbot index"):
        open_store(settings, FakeEmbedder())


def test_roundtrip_query_get_and_metadata(settings):
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    chunks = _chunks()
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    assert store.count() == 3
    [vector] = embedder.embed(["Who leads the Russian delegation?"])
    hits = store.query(vector, 2)
    assert hits[0][0] == chunks[0]  # text, offsets and optional metadata survive the trip
    assert hits[0][1] > hits[1][1]
    assert 0.0 < hits[0][1] <= 1.0
    # get keeps the requested order (Chroma itself does not) and skips unknown ids
    assert [c.id for c in store.get(["a2#0000", "nope#0000", "a0#0000"])] == ["a2#0000", "a0#0000"]
    assert store.ids_for_article("a1") == ["a1#0000"]
    store.delete(["a1#0000"])
    assert store.all_ids() == ["a0#0000", "a2#0000"]


def _ef_search(settings) -> int:
    import chromadb

    col = chromadb.PersistentClient(str(settings.store / "chroma")).get_collection(settings.collection, embedding_function=None)
    return col.configuration_json["hnsw"]["ef_search"]


def test_the_writer_sets_how_widely_hnsw_searches_and_readers_leave_it(settings, tmp_path):
    """Chroma's default ef_search (100) leaves some nearest chunks out, differently on each open;
    `newsbot index` sets the configured value on a new store and on one made before."""
    embedder = FakeEmbedder()
    open_store(settings, embedder, create=True)
    assert _ef_search(settings) == settings.hnsw_ef_search == 1000
    import chromadb  # a store made by an older newsbot: Chroma's default

    old = load_settings({}, store=tmp_path / "old")
    chromadb.PersistentClient(str(old.store / "chroma")).get_or_create_collection(
        old.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder.name, "dimension": embedder.dimension})
    assert _ef_search(old) == 100
    open_store(old, embedder)  # a reader changes nothing
    assert _ef_search(old) == 100
    open_store(old, embedder, create=True)
    assert _ef_search(old) == 1000
    open_store(load_settings({"NEWSBOT_HNSW_EF_SEARCH": "300"}, store=old.store), embedder, create=True)
    assert _ef_search(old) == 300


def test_reopen_persists_and_checks_the_embedder(settings):
    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    chunks = _chunks()
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    again = open_store(settings, FakeEmbedder())
    assert again.count() == 3
    with pytest.raises(EmbedderMismatchError, match="--rebuild"):
        open_store(settings, FakeEmbedder(dimension=64, name="other-model"))


def test_lexical_index_saves_atomically_and_reloads(tmp_path):
    ids = ["a#0000", "a#0001", "b#0000"]
    texts = ["Dmitriev leads the talks", "Prices rose sharply", "The talks in Riyadh ended"]
    LexicalIndex.build(ids, texts).save(tmp_path)
    first = (tmp_path / "bm25.current").read_text()
    loaded = LexicalIndex.load(tmp_path)
    hits = loaded.search("talk", 5)  # stemmed: "talk" finds "talks"
    assert {cid for cid, _ in hits} == {"a#0000", "b#0000"}
    assert loaded.search("zebra", 5) == []
    LexicalIndex.build(ids[:1], texts[:1]).save(tmp_path)
    assert (tmp_path / "bm25.current").read_text() != first
    assert not (tmp_path / first).exists()  # the old generation is cleaned up
    assert LexicalIndex.load(tmp_path).search("talks", 5)[0][0] == "a#0000"


def test_lexical_index_without_pointer_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError):
        LexicalIndex.load(tmp_path)


@pytest.mark.parametrize("bad", ["0", "-5"])
def test_a_search_width_below_one_is_a_config_error_and_the_store_is_kept(settings, bad):
    from bot.core.errors import ConfigError

    embedder = FakeEmbedder()
    store = open_store(settings, embedder, create=True)
    chunks = _chunks()
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    with pytest.raises(ConfigError, match="hnsw_ef_search .*NEWSBOT_HNSW_EF_SEARCH"):
        open_store(load_settings({"NEWSBOT_HNSW_EF_SEARCH": bad}, store=settings.store), embedder, create=True)
    assert open_store(settings, embedder).count() == 3 and _ef_search(settings) == 1000
