"""The onnx-int8 backend: exported and quantised locally from the bundled MiniLM (offline),
close to the torch vectors, recorded under its own embedder name, and good for retrieval."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.settings import load_settings
from index.embedders import build_embedder

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

SENTENCES = ["Kirill Dmitriev leads the Russian delegation in Miami.",
             "An EU summit approved a $106 billion loan package for Kyiv.",
             "Shares in Tokyo closed higher after a quiet session."]


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory, monkeypatch_module):
    # A private cache: the test proves the export itself works offline, not a cached file.
    monkeypatch_module.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    return build_embedder(load_settings({}, embedder_backend="onnx-int8"))


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.mark.slow
def test_int8_vectors_agree_with_torch(onnx_embedder, minilm):
    a, b = np.array(onnx_embedder.embed(SENTENCES)), np.array(minilm.embed(SENTENCES))
    assert a.shape == b.shape == (3, 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert ((a * b).sum(1) > 0.95).all()
    # and they still tell sentences apart the way torch does
    assert np.argmax(a @ b[1]) == 1
    assert onnx_embedder.name == minilm.name + "@onnx-int8"  # a store built with one rejects the other


@pytest.mark.slow
def test_int8_retrieval_finds_the_right_seed(onnx_embedder, tmp_path, seed_dir):
    from bot.answering.retrieve import Retriever
    from index.indexer import index_paths
    from index.lexical import LexicalIndex
    from index.store import open_store

    settings = load_settings({}, store=tmp_path / "store", embedder_backend="onnx-int8")
    index_paths(settings, [seed_dir], embedder=onnx_embedder)
    retriever = Retriever(onnx_embedder, open_store(settings, onnx_embedder), LexicalIndex.load(settings.store),
                          settings)
    top = retriever.search("How large was the EU loan package for Kyiv?", 3)
    assert top[0].article_id == "001_fed5e9e3e43d509c" and "106 billion" in " ".join(p.text for p in top)
