"""The ONNX backends: exported (and quantised) locally from the bundled MiniLM (offline); fp32
ONNX agrees with torch and runs queries without importing torch; int8 stays close, recorded
under its own embedder name, and good for retrieval; bf16 torch stays within cosine 0.999."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bot.core.settings import load_settings
from index.embedders import MINILM_NAME, OnnxEmbedder, SentenceTransformerEmbedder, build_embedder, bundled_minilm_path
from tests.conftest import REPO, subprocess_env

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

SENTENCES = ["Kirill Dmitriev leads the Russian delegation in Miami.",
             "An EU summit approved a $106 billion loan package for Kyiv.",
             "Shares in Tokyo closed higher after a quiet session."]


TEXTS = ["The council approved the new budget after a long debate on Tuesday evening.",
         "Rain is expected across the north, with strong winds on the coast.",
         "A short one.",
         "The museum reopened its east wing, closed for repairs since the spring, with an exhibition of "
         "maps, letters and photographs donated by families of the town's first settlers, and a new café."]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory, monkeypatch_module):
    # A private cache: the tests prove the export itself works offline, not a cached file.
    path = tmp_path_factory.mktemp("cache")
    monkeypatch_module.setenv("XDG_CACHE_HOME", str(path))
    return path


@pytest.fixture(scope="module")
def onnx_embedder(cache_dir):
    return build_embedder(load_settings({}, embedder_backend="onnx-int8"))


@pytest.fixture(scope="module")
def onnx_fp32(cache_dir):
    return OnnxEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="onnx")


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


@pytest.mark.slow
def test_onnx_fp32_agrees_with_torch_and_keeps_the_order(onnx_fp32, minilm):
    torch_fp32 = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="torch")
    a, b = np.array(onnx_fp32.embed(TEXTS)), np.array(torch_fp32.embed(TEXTS))
    assert ((a * b).sum(1) > 0.9999).all()
    # one batch of mixed lengths (sorted, padded per batch) = each text alone, in input order
    alone = np.array([onnx_fp32.embed([t])[0] for t in TEXTS])
    assert np.allclose(a, alone, atol=1e-5)
    onnx_fp32.batch_size = 1
    assert np.allclose(np.array(onnx_fp32.embed(TEXTS)), a, atol=1e-5)
    assert [onnx_fp32.count_tokens(t) for t in TEXTS] == [torch_fp32.count_tokens(t) for t in TEXTS]
    assert (onnx_fp32.name, onnx_fp32.dimension, onnx_fp32.max_tokens) == (MINILM_NAME, 384, 254)


@pytest.mark.slow
def test_queries_run_on_the_onnx_export_without_importing_torch(onnx_fp32, cache_dir):
    code = ("import sys; from bot.core.settings import load_settings; from index.embedders import build_embedder;"
            "e = build_embedder(load_settings({}, embedder_backend='auto'), role='query'); e.embed(['a question']);"
            "print(e.backend, e.name, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env=subprocess_env(XDG_CACHE_HOME=str(cache_dir)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["onnx", MINILM_NAME, "False", "False"]


@pytest.mark.slow
def test_bf16_stays_within_the_cosine_bar_where_the_cpu_has_kernels(minilm):
    from index.embedders import cpu_features

    if not cpu_features(None, probe_torch=True).bf16:
        pytest.skip("no bf16 kernels on this CPU: the backend falls back to fp32 (tested in test_backends)")
    bf16 = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="torch-bf16")
    fp32 = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="torch")
    a, b = np.array(bf16.embed(TEXTS)), np.array(fp32.embed(TEXTS))
    assert ((a * b).sum(1) >= 0.999).all() and bf16.name == fp32.name
    assert not np.array_equal(a, b)  # it really ran in bf16
