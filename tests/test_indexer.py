"""index_paths with a counting fake embedder and a real local Chroma: incremental runs,
replacement, pruning, rebuild, the write lock and repair after an interrupted run."""

from __future__ import annotations

import shutil
import threading

import pytest

from bot.core.errors import InputError, StoreLockedError
from bot.core.settings import load_settings
from index.indexer import index_paths, store_lock
from index.lexical import LexicalIndex
from index.manifest import Manifest
from index.store import open_store
from tests.conftest import SEEDS
from tests.fakes import FakeEmbedder


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    (folder / "extra.txt").write_text("Markets calm\n\nShares in Tokyo closed higher on Tuesday after a quiet session.\n",
                                      encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, store=tmp_path / "store", chunk_tokens=60, chunk_overlap_tokens=8, embed_batch_size=8, index_write_chunks=8)


def _snapshot(settings, embedder):
    """Everything a reader sees: chunk ids → (text, offsets), manifest state, BM25 ids."""
    store = open_store(settings, embedder)
    chunks = {c.id: (c.text, c.start, c.end, c.article_id) for c in store.get(store.all_ids())}
    manifest = Manifest(settings.store)
    try:
        states = {a: (r.state, r.n_chunks, r.content_hash) for a, r in manifest.articles().items()}
        run_open = manifest.get_meta("run_open")
    finally:
        manifest.close()
    return chunks, states, run_open, sorted(LexicalIndex.load(settings.store).ids)


def test_first_run_indexes_everything_and_second_embeds_nothing(settings, corpus):
    embedder = FakeEmbedder()
    first = index_paths(settings, [corpus], embedder=embedder)
    assert (first.added, first.updated, first.unchanged, first.removed) == (3, 0, 0, 0)
    assert first.chunks_written == embedder.embedded > 3
    chunks, states, run_open, bm25_ids = _snapshot(settings, embedder)
    assert run_open == "0" and set(states) == {"000_c3020e762289b85b", "001_fed5e9e3e43d509c", "extra"}
    assert all(state == "done" for state, _, _ in states.values())
    assert sorted(chunks) == bm25_ids and sum(n for _, n, _ in states.values()) == len(chunks)

    embedder.embedded = embedder.calls = 0
    second = index_paths(settings, [corpus], embedder=embedder)
    assert (second.added, second.updated, second.unchanged, second.chunks_written) == (0, 0, 3, 0)
    assert embedder.calls == 0


def test_edited_article_replaces_its_chunks(settings, corpus):
    embedder = FakeEmbedder()
    index_paths(settings, [corpus], embedder=embedder)
    before, *_ = _snapshot(settings, embedder)
    (corpus / "extra.txt").write_text("Markets calm\n\nShares fell.\n", encoding="utf-8")
    summary = index_paths(settings, [corpus], embedder=embedder)
    assert (summary.updated, summary.unchanged) == (1, 2)
    after, states, _, bm25_ids = _snapshot(settings, embedder)
    extra = {cid: v for cid, v in after.items() if v[3] == "extra"}
    assert [v[0] for v in extra.values()] == ["Markets calm\n\nShares fell."]
    assert len(extra) == states["extra"][1] == 1
    # the other articles' chunks are untouched, and BM25 follows the store
    assert {k: v for k, v in after.items() if v[3] != "extra"} == {k: v for k, v in before.items() if v[3] != "extra"}
    assert sorted(after) == bm25_ids


def test_deleted_article_is_pruned_unless_no_prune(settings, corpus):
    embedder = FakeEmbedder()
    index_paths(settings, [corpus], embedder=embedder)
    (corpus / "extra.txt").unlink()
    kept = index_paths(settings, [corpus], embedder=embedder, prune=False)
    assert kept.removed == 0 and "extra" in _snapshot(settings, embedder)[1]
    pruned = index_paths(settings, [corpus], embedder=embedder)
    assert pruned.removed == 1
    chunks, states, _, bm25_ids = _snapshot(settings, embedder)
    assert "extra" not in states and all(v[3] != "extra" for v in chunks.values())
    assert sorted(chunks) == bm25_ids


def test_pruning_only_touches_the_folders_given(settings, corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "solo.txt").write_text("A lone story about elections in Peru.\n", encoding="utf-8")
    embedder = FakeEmbedder()
    index_paths(settings, [corpus], embedder=embedder)
    summary = index_paths(settings, [other], embedder=embedder)
    assert (summary.added, summary.removed) == (1, 0)
    assert len(_snapshot(settings, embedder)[1]) == 4


def test_bad_files_are_skipped_and_never_touch_what_is_indexed(settings, corpus):
    embedder = FakeEmbedder()
    index_paths(settings, [corpus], embedder=embedder)
    before, *_ = _snapshot(settings, embedder)
    (corpus / "extra.txt").write_bytes(b"")  # emptied: skipped with a warning, its chunks stay
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    summary = index_paths(settings, [corpus], embedder=embedder)
    assert summary.skipped == 2 and summary.removed == 0
    assert any("extra.txt" in w for w in summary.warnings) and any("blob.txt" in w for w in summary.warnings)
    assert _snapshot(settings, embedder)[0] == before


def test_missing_path_is_a_clear_error_and_changes_nothing(settings, corpus, tmp_path):
    embedder = FakeEmbedder()
    index_paths(settings, [corpus], embedder=embedder)
    before = _snapshot(settings, embedder)
    with pytest.raises(InputError, match="nope"):
        index_paths(settings, [tmp_path / "nope"], embedder=embedder)
    assert _snapshot(settings, embedder) == before


def test_rebuild_starts_from_scratch(settings, corpus):
    index_paths(settings, [corpus], embedder=FakeEmbedder())
    embedder = FakeEmbedder(name="fake-bow-v2", dimension=64)
    summary = index_paths(settings, [corpus], embedder=embedder, rebuild=True)
    assert summary.added == 3 and embedder.embedded == summary.chunks_written
    assert open_store(settings, embedder).count() == summary.chunks_written


def test_second_writer_fails_clearly_while_the_lock_is_held(settings, corpus):
    held, release = threading.Event(), threading.Event()

    def hold():
        with store_lock(settings.store):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        with pytest.raises(StoreLockedError, match="--wait"):
            index_paths(settings, [corpus], embedder=FakeEmbedder())
    finally:
        release.set()
        thread.join()
    assert index_paths(settings, [corpus], embedder=FakeEmbedder()).added == 3


class _DiesAfter(FakeEmbedder):
    """Raises (like a kill) on its n-th embed call: the store is left mid-run."""

    def __init__(self, calls_before_death: int, **kw):
        super().__init__(**kw)
        self.limit = calls_before_death

    def embed(self, texts):
        if self.calls >= self.limit:
            raise KeyboardInterrupt("simulated kill")
        return super().embed(texts)


class _DyingStore:
    """The real store, except that deleting stale chunk ids dies (after the upsert)."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def delete(self, ids):
        raise KeyboardInterrupt("simulated kill between upsert and mark_done")


@pytest.mark.parametrize("death", ["first-embed", "second-embed", "after-upsert", "bm25-save"])
def test_interrupted_run_then_rerun_equals_a_clean_run(settings, corpus, tmp_path, monkeypatch, death):
    clean = settings.replace(store=tmp_path / "clean")
    index_paths(clean, [corpus], embedder=FakeEmbedder())
    # an earlier, longer version of one article was indexed; the run that updates it dies
    (corpus / "extra.txt").write_text("Old story\n\n" + "Earlier text. " * 80, encoding="utf-8")
    index_paths(settings, [corpus], embedder=FakeEmbedder())
    (corpus / "extra.txt").write_text("Markets calm\n\nShares in Tokyo closed higher on Tuesday after a quiet session.\n",
                                      encoding="utf-8")
    (corpus / "000_c3020e762289b85b.txt").write_text(
        (corpus / "000_c3020e762289b85b.txt").read_text(encoding="utf-8") + "\nA late paragraph.\n", encoding="utf-8")
    index_paths(clean, [corpus], embedder=FakeEmbedder())
    embedder, store = FakeEmbedder(), None
    if death.endswith("embed"):
        embedder = _DiesAfter(0 if death == "first-embed" else 1)
    elif death == "after-upsert":
        store = _DyingStore(open_store(settings, embedder))
    else:
        def die(self, store_dir):
            raise KeyboardInterrupt("simulated kill while saving BM25")
        monkeypatch.setattr(LexicalIndex, "save", die)
    with pytest.raises(KeyboardInterrupt):
        index_paths(settings, [corpus], embedder=embedder, store=store)
    monkeypatch.undo()
    repaired = index_paths(settings, [corpus], embedder=FakeEmbedder())
    assert repaired.recovered
    got, want = _snapshot(settings, FakeEmbedder()), _snapshot(clean, FakeEmbedder())
    assert got[0] == want[0]  # same chunks, texts and offsets: no orphans, nothing half done
    assert got[1:] == want[1:]  # manifest states, hashes, run closed, BM25 ids


@pytest.mark.parametrize("write_chunks", [3, 256])
def test_chunks_go_to_the_embedder_and_the_store_in_batches_of_index_write_chunks(tmp_path, corpus, write_chunks):
    """``index_write_chunks`` (not the encoder's ``embed_batch_size``) sets how many chunks one
    embed call and one store write hold: small batches for a run that is cheap to interrupt,
    large ones so the encoder can sort many texts by length and the store is written less often."""
    settings = load_settings({}, store=tmp_path / "store", chunk_tokens=60, chunk_overlap_tokens=8,
                             embed_batch_size=2, index_write_chunks=write_chunks)
    sizes: list[int] = []

    class Recording(FakeEmbedder):
        def embed(self, texts):
            sizes.append(len(texts))
            return super().embed(texts)

    done = index_paths(settings, [corpus], embedder=Recording())
    assert sum(sizes) == done.chunks_written > 6
    if write_chunks == 3:
        assert max(sizes) <= 3 and len(sizes) >= done.chunks_written // 3
    else:
        assert sizes == [done.chunks_written]  # the whole small corpus in one call, not batches of 2
