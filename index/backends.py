"""Pure: which encoder backend runs a local sentence-transformers model, and which stores it can read.

Backends (all compute the same model; they differ in arithmetic and runtime):

- ``torch``      fp32 PyTorch — the reference every other backend is measured against;
- ``torch-bf16`` PyTorch with the weights cast to bfloat16 — needs bf16 matrix kernels (AMX
  ``amx_bf16`` or ``avx512_bf16``, reached through oneDNN); without them bf16 is emulated and
  slower than fp32, hence the fallback;
- ``onnx``       the same weights exported to ONNX, fp32, run by onnxruntime — no torch import,
  which is what makes `newsbot ask` start fast;
- ``onnx-int8``  that export quantised to int8 (VNNI/AMX int8 kernels).

**Compatibility of stores.** A backend is *interchangeable* with fp32 when its embeddings
stayed within cosine :data:`MIN_COSINE` of fp32 on every real-news chunk measured and its
retrieval recall@5 did not drop (``bench/encoders.py``; figures in bench/RESULTS.md). Such
backends share the model's own vector-space name, so a store built with ``torch`` is read with
``torch-bf16`` or ``onnx`` and the other way round (the store's name/dimension check passes,
the content hashes match, nothing is re-embedded). A backend that failed the check gets its own
name, ``<model>@<backend>``: a store built with it rejects the others, and vice versa.

Example::

    >>> flags = parse_cpu_flags("processor : 0\\nflags : fpu avx512f amx_bf16 amx_tile\\n")
    >>> features = CpuFeatures(flags, onednn_bf16=True)
    >>> resolve("auto", features, role="index").backend
    'torch-bf16'
    >>> old = resolve("auto", CpuFeatures(frozenset({"avx2"})), role="index")
    >>> old.backend, old.reason, old.skipped[0]
    ('torch', 'fallback-fp32', ('torch-bf16', 'no-bf16-kernels'))
    >>> vector_space("m", "torch-bf16") == vector_space("m", "torch"), vector_space("m", "onnx-int8")
    (True, 'm@onnx-int8')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

FP32 = "torch"
BACKENDS = ("torch", "torch-bf16", "onnx", "onnx-int8")
CHOICES = ("auto", *BACKENDS)
MIN_COSINE = 0.999  # every text; below this a backend's vectors are not interchangeable with fp32

# Measured on real news (bench/encoders.py, bench/RESULTS.md "Encoders" sections): the cosine
# minimum over every chunk and the recall@5 of each backend against fp32. Only these may share a
# store with fp32. onnx-int8 (dynamic, per-channel) stays at ~0.99: its own vector space.
INTERCHANGEABLE = frozenset({"torch", "torch-bf16", "onnx"})
# Fastest first for bulk encoding (indexing), as measured on a 2-core AMX Xeon: bf16 ~1.8-2x fp32,
# ONNX fp32 ~1.1x, torch fp32 1x. Queries are one short text: start-up time dominates, so the
# torch-free ONNX runtime comes first when its export is on disk.
INDEX_ORDER = ("torch-bf16", "onnx", "torch")
QUERY_ORDER = ("onnx", "torch-bf16", "torch")

BF16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})
INT8_FLAGS = frozenset({"amx_int8", "avx512_vnni", "avx_vnni"})

# Reason codes (tests assert these; messages are for people).
REASONS = {
    "chosen": "fastest interchangeable backend available here",
    "requested": "named explicitly in the settings",
    "no-bf16-kernels": "this CPU or torch build has no bf16 matrix kernels (amx_bf16 / avx512_bf16 via oneDNN)",
    "no-int8-kernels": "this CPU has no int8 dot-product instructions (avx512_vnni / avx_vnni / amx_int8)",
    "no-onnx-export": "the ONNX export of this model is not on disk yet (made by `newsbot index`)",
    "no-onnxruntime": "onnxruntime is not installed",
    "unsupported-model": "the model's pipeline is not transformer + mean pooling + normalise",
    "fallback-fp32": "nothing faster is available: fp32 torch",
    "fails-quality": f"cosine to fp32 below {MIN_COSINE} on some text, or recall@5 below fp32's",
}


@dataclass(frozen=True)
class CpuFeatures:
    """What the machine offers. ``flags`` from /proc/cpuinfo; the booleans from the runtimes."""

    flags: frozenset[str]
    onednn_bf16: bool = False  # torch reports oneDNN bf16 kernels (torch.ops.mkldnn._is_mkldnn_bf16_supported)
    onnxruntime: bool = True
    onnx_export: bool = False  # the fp32 ONNX export of the model is cached on disk
    onnx_model_ok: bool = True  # transformer + mean pooling + normalise (what the ONNX runner computes)

    @property
    def bf16(self) -> bool:
        return self.onednn_bf16 and bool(BF16_FLAGS & self.flags)

    @property
    def int8(self) -> bool:
        return bool(INT8_FLAGS & self.flags)


@dataclass(frozen=True)
class Choice:
    backend: str
    reason: str  # a key of REASONS
    skipped: tuple[tuple[str, str], ...] = ()  # (backend, reason) passed over on the way

    @property
    def message(self) -> str:
        parts = [f"{self.backend}: {REASONS[self.reason]}"]
        parts += [f"not {b}: {REASONS[r]}" for b, r in self.skipped]
        return "; ".join(parts)


@dataclass(frozen=True)
class Measured:
    """One backend's figures from one benchmark run (same texts, same run as fp32)."""

    backend: str
    chunks_per_s: float
    cos_min: float  # minimum over every text of cosine(backend vector, fp32 vector)
    recall_at_5: float


def parse_cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The ``flags`` of the first processor in /proc/cpuinfo text (empty when absent, e.g. on ARM
    kernels that say ``Features``, which is read the same way)."""
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("flags", "features"):
            return frozenset(value.split())
    return frozenset()


def missing(backend: str, features: CpuFeatures) -> str | None:
    """Why ``backend`` cannot run well here (a reason code), or None when it can."""
    if backend == "torch-bf16" and not features.bf16:
        return "no-bf16-kernels"
    if backend in ("onnx", "onnx-int8"):
        if not features.onnxruntime:
            return "no-onnxruntime"
        if not features.onnx_model_ok:
            return "unsupported-model"
        if backend == "onnx" and not features.onnx_export:
            return "no-onnx-export"
    if backend == "onnx-int8" and not features.int8:
        return "no-int8-kernels"
    return None


def resolve(requested: str, features: CpuFeatures, *, role: str = "index") -> Choice:
    """The backend to run. ``auto`` takes the first interchangeable backend of the role's speed
    order whose kernels are present, else fp32. A named backend is honoured when it can run;
    when its kernels are missing it falls back to fp32 (never to a slower emulation)."""
    if requested != "auto":
        if requested not in BACKENDS:
            raise ValueError(f"unknown backend {requested!r}: use one of {', '.join(CHOICES)}")
        why = missing(requested, features)
        if why is None or why == "no-onnx-export":  # asked for by name: the adapter makes the export
            return Choice(requested, "requested")
        if requested == "onnx-int8" and why == "no-int8-kernels":
            return Choice(requested, "requested")  # still correct, only slower: the user asked for its vector space
        return Choice(FP32, "fallback-fp32", ((requested, why),))
    order = INDEX_ORDER if role == "index" else QUERY_ORDER
    skipped = []
    for backend in order:
        why = missing(backend, features)
        if why is None:
            fell_back = backend == FP32 and bool(skipped)
            return Choice(backend, "fallback-fp32" if fell_back else "chosen", tuple(skipped))
        skipped.append((backend, why))
    return Choice(FP32, "fallback-fp32", tuple(skipped))


def choose(measured: Sequence[Measured], features: CpuFeatures, *, min_cosine: float = MIN_COSINE) -> Choice:
    """The default the benchmark figures call for: the fastest backend that runs here, whose
    cosine to fp32 stayed ≥ ``min_cosine`` on every text and whose recall@5 is not below fp32's."""
    base = next((m for m in measured if m.backend == FP32), None)
    if base is None:
        raise ValueError("the fp32 torch figures are the reference and must be measured in the same run")
    ok = [m for m in measured if missing(m.backend, features) is None
          and m.cos_min >= min_cosine and m.recall_at_5 >= base.recall_at_5]
    best = max(ok or [base], key=lambda m: m.chunks_per_s)
    skipped = tuple((m.backend, "fails-quality") for m in measured if m not in ok and m.backend != FP32)
    return Choice(best.backend, "chosen", skipped)


def qualifying(measured: Sequence[Measured], *, min_cosine: float = MIN_COSINE) -> frozenset[str]:
    """The backends whose vectors may share a store with fp32, by the same rule as :func:`choose`."""
    base = next(m for m in measured if m.backend == FP32)
    return frozenset(m.backend for m in measured if m.cos_min >= min_cosine and m.recall_at_5 >= base.recall_at_5)


def vector_space(model_name: str, backend: str) -> str:
    """The name recorded in (and checked against) a store: the model's own name for every
    backend interchangeable with fp32, ``<model>@<backend>`` for the others."""
    return model_name if backend in INTERCHANGEABLE else f"{model_name}@{backend}"


def compatible(stored_backend: str | None, backend: str) -> bool:
    """Whether vectors of a store built by ``stored_backend`` can be searched with ``backend``'s
    (a store without the record was built before backends were recorded: fp32 torch)."""
    stored = stored_backend or FP32
    return stored == backend or (stored in INTERCHANGEABLE and backend in INTERCHANGEABLE)


def flags_of(names: Iterable[str]) -> frozenset[str]:
    return frozenset(n.strip().lower() for n in names if n.strip())
