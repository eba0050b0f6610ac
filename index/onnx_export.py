"""Exporting a local sentence-transformers model to ONNX (fp32) and quantising it to int8, once.

The only module that runs ``torch.onnx`` and ``onnxruntime.quantization``; nothing is
downloaded: the export is made on this machine from the model folder and cached under
``<cache>/newsbot/onnx/`` (``$XDG_CACHE_HOME`` or ``~/.cache``). Files are written to a
temporary name and renamed, so a half-written export is never used.

Quantisation, as measured on real news chunks (bench/RESULTS.md): dynamic, per-channel int8
weights (cosine to fp32 ≥ ~0.98); per-tensor weights fall to ~0.89 and static QDQ/QOperator
quantisation of the activations lower still — none reaches the 0.999 needed to share a store
with fp32, so ``onnx-int8`` keeps a vector space of its own (see index/backends.py).

Example::

    >>> path = export_fp32(st_model, Path("/models/minilm"))      # doctest: +SKIP
    >>> path.name                                                # doctest: +SKIP
    'minilm-3f2a9c1d07e4-fp32.onnx'
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

OPSET = 17


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsbot" / "onnx"


def export_path(model_path: Path, kind: str) -> Path:
    """Where the ``kind`` ('fp32' or 'int8pc') export of the model folder lives."""
    model_path = Path(model_path)
    # Keyed by the folder and its weights file's size and mtime: a model replaced in place is re-exported.
    weights = [p for p in (model_path / "model.safetensors", model_path / "pytorch_model.bin") if p.is_file()]
    stamp = [(p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in weights]
    key = hashlib.sha256(f"{model_path.resolve()}|{stamp}".encode()).hexdigest()[:12]
    return cache_dir() / f"{model_path.name}-{key}-{kind}.onnx"


def export_fp32(st_model, model_path: Path) -> Path:
    """The model's transformer as ONNX (inputs as the tokenizer names them; output
    ``last_hidden_state``); pooling and normalisation stay in numpy (index/embedders.py)."""
    target = export_path(model_path, "fp32")
    if target.is_file():
        return target
    import torch

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
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
        torch.onnx.export(ByName(transformer), tuple(sample[n] for n in names), str(tmp), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)
    os.replace(tmp, target)
    return target


def quantise_int8(fp32: Path, model_path: Path) -> Path:
    """Dynamic int8 quantisation with per-channel weights (VNNI/AMX int8 MatMulInteger kernels)."""
    target = export_path(model_path, "int8pc")
    if target.is_file():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(tmp, target)
    return target
