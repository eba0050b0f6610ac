"""Fused feed-forward for bf16 encoders: the up-projection, its bias and the exact GELU in one
oneDNN call (``torch.ops.mkldnn._linear_pointwise``), instead of a matmul, a bias copy and a
separate pass of GELU over a (batch × tokens × 1536) tensor that does not fit in cache.

Measured here on 512 real-news chunks (bf16, batch 32): 3.36 s → 3.04 s for the encoder, and the
minimum cosine to fp32 unchanged (0.99989). The same arithmetic (bias and erf-GELU applied to the
fp32 accumulator before the bf16 rounding), so the vector space is the same.

Only blocks shaped like BERT's ``Intermediate`` are touched — nothing but a ``dense`` Linear and an
``intermediate_act_fn`` that is exact GELU; anything else (tanh GELU, ReLU, other layouts) keeps
its own code. torch is passed in: :mod:`index.embedders` is the module that imports it.
"""

from __future__ import annotations

OP = "_linear_pointwise"


def fusable(torch) -> bool:
    """Whether this torch build has oneDNN's fused linear + pointwise op."""
    return bool(torch.backends.mkldnn.is_available()) and hasattr(torch.ops.mkldnn, OP)


def runs(torch, dtype) -> bool:
    """Whether oneDNN has a kernel for the fused op in ``dtype`` on this CPU: without native bf16
    (AMX / AVX-512 BF16) it may have none and raise "could not create a primitive descriptor"."""
    if not fusable(torch):
        return False
    try:
        x, w, b = torch.zeros(1, 1, 8, dtype=dtype), torch.zeros(8, 8, dtype=dtype), torch.zeros(8, dtype=dtype)
        getattr(torch.ops.mkldnn, OP)(x, w, b, "gelu", [], "none")
        return True
    except RuntimeError:
        return False


def _is_exact_gelu(torch, act) -> bool:
    if isinstance(act, torch.nn.GELU):
        return act.approximate == "none"
    return getattr(act, "act", None) is torch.nn.functional.gelu  # transformers' GELUActivation


def fuse_dense_gelu(model, torch) -> int:
    """Swap every dense+exact-GELU block of ``model`` for the fused call; returns how many were
    swapped (0 when the op is missing or has no kernel for the weights' dtype on this CPU: the
    model is left as it was)."""
    if not fusable(torch):
        return 0
    tried: dict = {}
    linear_pointwise = getattr(torch.ops.mkldnn, OP)

    class FusedDenseGelu(torch.nn.Module):
        def __init__(self, dense):
            super().__init__()
            self.dense = dense

        def forward(self, hidden_states):
            return linear_pointwise(hidden_states, self.dense.weight, self.dense.bias, "gelu", [], "none")

    swapped = 0
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            parts = dict(child.named_children())
            if set(parts) != {"dense", "intermediate_act_fn"}:  # nothing else in the block to lose
                continue
            dense, act = parts["dense"], parts["intermediate_act_fn"]
            if isinstance(dense, torch.nn.Linear) and _is_exact_gelu(torch, act):
                dtype = dense.weight.dtype
                if dtype not in tried:
                    tried[dtype] = runs(torch, dtype)
                if not tried[dtype]:
                    continue
                setattr(module, name, FusedDenseGelu(dense))
                swapped += 1
    return swapped
