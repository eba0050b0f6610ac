"""Encoder backends: CPU flag parsing, run-time choice and fallback, the choice the benchmark
figures call for, store compatibility across backends, and length-sorted batching."""

from __future__ import annotations

import pytest

from bot.core.errors import EmbedderMismatchError
from bot.core.settings import load_settings
from index import backends
from index.backends import CpuFeatures, Measured, choose, compatible, parse_cpu_flags, resolve, vector_space
from index.batching import encode_sorted, sorted_batches
from index.store import open_store
from tests.fakes import FakeEmbedder

CPUINFO_AMX = """processor\t: 0
vendor_id\t: GenuineIntel
flags\t\t: fpu vme sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
bugs\t\t: spectre_v1

processor\t: 1
flags\t\t: fpu vme sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
"""
CPUINFO_OLD = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n"
AMX = CpuFeatures(parse_cpu_flags(CPUINFO_AMX), onednn_bf16=True, onnx_export=True)
OLD = CpuFeatures(parse_cpu_flags(CPUINFO_OLD), onednn_bf16=False, onnx_export=True)


def test_cpu_flags_are_parsed_from_the_first_processor():
    flags = parse_cpu_flags(CPUINFO_AMX)
    assert {"amx_bf16", "avx512_bf16", "avx512_vnni", "amx_int8"} <= flags
    assert "spectre_v1" not in flags and "GenuineIntel" not in flags
    assert parse_cpu_flags("Features\t: fp asimd bf16\n") == {"fp", "asimd", "bf16"}  # arm64 kernels
    assert parse_cpu_flags("") == frozenset()
    assert AMX.bf16 and AMX.int8 and not OLD.bf16 and not OLD.int8


def test_auto_picks_bf16_for_indexing_and_onnx_for_queries_on_an_amx_cpu():
    assert resolve("auto", AMX, role="index") == backends.Choice("torch-bf16", "chosen")
    assert resolve("auto", AMX, role="query").backend == "onnx"


def test_bf16_needs_both_the_cpu_flag_and_torch_kernels():
    # flags present but this torch build has no oneDNN bf16 kernels: no bf16
    no_kernels = CpuFeatures(AMX.flags, onednn_bf16=False, onnx_export=False)
    choice = resolve("auto", no_kernels, role="index")
    assert choice.backend == "torch" and choice.reason == "fallback-fp32"
    assert ("torch-bf16", "no-bf16-kernels") in choice.skipped and ("onnx", "no-onnx-export") in choice.skipped
    # kernels claimed but the CPU lacks the instructions (a torch probe cannot make them appear)
    assert backends.missing("torch-bf16", CpuFeatures(OLD.flags, onednn_bf16=True)) == "no-bf16-kernels"


def test_requested_backend_falls_back_to_fp32_when_its_kernels_are_missing():
    choice = resolve("torch-bf16", OLD)
    assert (choice.backend, choice.reason, choice.skipped) == ("torch", "fallback-fp32",
                                                              (("torch-bf16", "no-bf16-kernels"),))
    assert "bf16" in choice.message
    assert resolve("torch-bf16", AMX) == backends.Choice("torch-bf16", "requested")
    assert resolve("onnx", CpuFeatures(OLD.flags, onnxruntime=False)).skipped == (("onnx", "no-onnxruntime"),)
    # an explicit onnx request makes its own export; auto queries do not wait for one
    assert resolve("onnx", CpuFeatures(OLD.flags, onnx_export=False)).backend == "onnx"
    assert resolve("auto", CpuFeatures(OLD.flags, onnx_export=False), role="query").backend == "torch"
    assert resolve("onnx", CpuFeatures(OLD.flags, onnx_model_ok=False)).skipped == (("onnx", "unsupported-model"),)
    with pytest.raises(ValueError, match="unknown backend"):
        resolve("cuda", AMX)


def test_choice_from_figures_is_the_fastest_that_keeps_quality():
    figures = [Measured("torch", 40.0, 1.0, 0.90), Measured("torch-bf16", 80.0, 0.9999, 0.90),
               Measured("onnx", 44.0, 0.99999, 0.90), Measured("onnx-int8", 95.0, 0.983, 0.90)]
    choice = choose(figures, AMX)
    assert choice.backend == "torch-bf16" and ("onnx-int8", "fails-quality") in choice.skipped
    # the fastest fails recall: next one
    worse_recall = [figures[0], Measured("torch-bf16", 80.0, 0.9999, 0.88), figures[2]]
    assert choose(worse_recall, AMX).backend == "onnx"
    # the same figures on a CPU without bf16 kernels
    assert choose(figures, OLD).backend == "onnx"
    # one text below the cosine bar disqualifies however fast
    assert choose([figures[0], Measured("torch-bf16", 80.0, 0.9989, 0.95)], AMX).backend == "torch"
    assert backends.qualifying(figures) == {"torch", "torch-bf16", "onnx"}
    with pytest.raises(ValueError, match="fp32"):
        choose(figures[1:], AMX)


def test_vector_spaces_and_compatibility():
    for backend in ("torch", "torch-bf16", "onnx"):
        assert vector_space("m", backend) == "m"
        assert compatible("torch", backend) and compatible(backend, "torch") and compatible(None, backend)
    assert vector_space("m", "onnx-int8") == "m@onnx-int8"
    assert not compatible("torch", "onnx-int8") and not compatible("onnx-int8", "torch-bf16")
    assert compatible("onnx-int8", "onnx-int8")


class BackendFake(FakeEmbedder):
    def __init__(self, backend: str):
        super().__init__(dimension=16, name=vector_space("fake-model", backend))
        self.backend = backend


def test_a_store_built_with_fp32_opens_with_bf16_and_onnx_but_not_int8(tmp_path):
    settings = load_settings({}, store=tmp_path / "store")
    store = open_store(settings, BackendFake("torch"), create=True)
    assert store._collection.metadata["backend"] == "torch"
    for backend in ("torch-bf16", "onnx"):
        assert open_store(settings, BackendFake(backend)).count() == 0
    with pytest.raises(EmbedderMismatchError) as err:
        open_store(settings, BackendFake("onnx-int8"))
    assert "fake-model@onnx-int8" in str(err.value) and "--rebuild" in str(err.value)


def test_sorted_batches_cover_every_text_once_longest_first():
    lengths = [3, 250, 17, 17, 90, 4, 251, 8]
    batches = sorted_batches(lengths, 3)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert [len(b) for b in batches] == [3, 3, 2]
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths, reverse=True)
    assert sorted_batches([], 4) == []


def test_encode_sorted_keeps_the_input_order_and_pads_only_to_the_batch_longest():
    rows = [[1] * n for n in (5, 40, 6, 39, 2)]
    widths = []

    def run(ids, mask):
        widths.append(ids.shape[1])
        assert (mask.sum(1) <= ids.shape[1]).all()
        return [[float(m.sum())] for m in mask]  # each row's own length, if order is kept

    out = encode_sorted(rows, 2, run)
    assert out == [[5.0], [40.0], [6.0], [39.0], [2.0]]
    assert widths == [40, 6, 2]  # no batch padded beyond its longest row


def test_an_unknown_backend_setting_is_a_one_line_config_error():
    from bot.core.errors import ConfigError
    from index.embedders import build_embedder

    with pytest.raises(ConfigError) as err:
        build_embedder(load_settings({"NEWSBOT_EMBEDDER_BACKEND": "cuda"}))
    assert "NEWSBOT_EMBEDDER_BACKEND" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("role, expected", [("index", "torch-bf16"), ("query", "onnx")])
def test_the_run_time_default_of_each_role_once_an_onnx_export_exists(monkeypatch, tmp_path, role, expected):
    """bf16 kernels are known only by asking torch: indexing must ask, or the ONNX export (made by
    the first index run, slower than bf16) wins the index order on every later run."""
    from index import embedders

    unprobed = CpuFeatures(AMX.flags, onednn_bf16=False, onnx_export=True)
    monkeypatch.setattr(embedders, "cpu_features", lambda path, probe_torch: AMX if probe_torch else unprobed)
    made = []
    monkeypatch.setattr(embedders, "SentenceTransformerEmbedder", lambda *a, backend, **k: made.append(backend))
    monkeypatch.setattr(embedders, "OnnxEmbedder", lambda *a, backend, **k: made.append(backend))
    with pytest.raises(AttributeError):  # the stand-ins return None; only the backend asked for matters
        embedders.local_embedder(tmp_path, "m", load_settings({}), role=role)
    assert made == [expected]


def test_the_torch_embedders_token_count_is_the_tokenizers_own_and_never_truncates():
    """The chunker counts every piece it tries with ``count_tokens``; the bare `tokenizers` copy it
    uses must give exactly the transformers tokenizer's count — also past the model's 512 positions."""
    from index.embedders import MINILM_NAME, SentenceTransformerEmbedder, bundled_minilm_path

    embedder = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="torch")
    texts = ["The county council approved a $212 million budget on Monday.",
             "Crème brûlée, Zürich, São Paulo — and “quoted” words… 2024/25 season’s 3rd round.",
             "北京和上海的天气 today",
             "x" * 3000,
             " ".join(["reconstruction of the harbour bridge continued through the winter"] * 120),
             ""]
    reference = [len(embedder._tokenizer(t, add_special_tokens=False, truncation=False)["input_ids"]) for t in texts]
    assert [embedder.count_tokens(t) for t in texts] == reference
    assert reference[4] > 1000  # past 512: a truncating counter would report less
