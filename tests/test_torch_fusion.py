"""index/torch_fusion.py: which blocks get fused, and that the fused encoder keeps fp32's vectors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from index import torch_fusion  # noqa: E402
from index.torch_fusion import fuse_dense_gelu  # noqa: E402

NEWS = ["The county council approved a $212 million budget on Monday after a four-hour meeting.",
        "Shares of the carmaker fell 7% in Frankfurt as it cut its forecast for the second time this year.",
        "The storm made landfall near the coast on Thursday night, cutting power to 400,000 homes.",
        "She won the marathon in 2 hours 18 minutes, a course record, ahead of last year's champion."]


class _Block(torch.nn.Module):
    def __init__(self, act, extra: bool = False):
        super().__init__()
        self.dense = torch.nn.Linear(8, 16)
        self.intermediate_act_fn = act
        if extra:
            self.dropout = torch.nn.Dropout(0.5)

    def forward(self, x):
        return self.intermediate_act_fn(self.dense(x))


class _Net(torch.nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        self.blocks = torch.nn.ModuleList(blocks)


needs_op = pytest.mark.skipif(not torch_fusion.fusable(torch), reason="this torch has no oneDNN linear_pointwise")


@needs_op
def test_only_dense_plus_exact_gelu_blocks_are_fused_and_they_compute_the_same():
    net = _Net(_Block(torch.nn.GELU()), _Block(torch.nn.GELU(approximate="tanh")), _Block(torch.nn.ReLU()),
               _Block(torch.nn.GELU(), extra=True))
    x = torch.randn(3, 5, 8)
    before = [b(x) for b in net.blocks]
    assert fuse_dense_gelu(net, torch) == 1
    assert type(net.blocks[0]).__name__ == "FusedDenseGelu"
    assert [type(b) for b in net.blocks[1:]] == [_Block, _Block, _Block]  # tanh, ReLU, extra child: untouched
    after = [b(x) for b in net.blocks]
    for one, two in zip(before, after):
        assert torch.allclose(one, two, atol=1e-5)


def test_without_the_op_nothing_changes(monkeypatch):
    monkeypatch.setattr(torch_fusion, "fusable", lambda _torch: False)
    net = _Net(_Block(torch.nn.GELU()))
    assert fuse_dense_gelu(net, torch) == 0
    assert type(net.blocks[0]) is _Block


def test_a_dtype_without_a_kernel_on_this_cpu_is_left_unfused(monkeypatch):
    monkeypatch.setattr(torch_fusion, "fusable", lambda _torch: True)
    monkeypatch.setattr(torch_fusion, "runs", lambda _torch, dtype: dtype != torch.bfloat16)
    net = _Net(_Block(torch.nn.GELU()).to(torch.bfloat16), _Block(torch.nn.GELU()))
    assert fuse_dense_gelu(net, torch) == 1
    assert type(net.blocks[0]) is _Block and type(net.blocks[1]).__name__ == "FusedDenseGelu"


@needs_op
def test_the_bf16_minilm_is_fused_where_the_cpu_can_and_stays_within_cosine_0999_of_fp32():
    from index.embedders import MINILM_NAME, SentenceTransformerEmbedder, bundled_minilm_path

    bf16 = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="torch-bf16")
    fp32 = SentenceTransformerEmbedder(bundled_minilm_path(), name=MINILM_NAME, backend="torch")
    # one feed-forward block per layer, where oneDNN has bf16 kernels (AMX / AVX-512 BF16)
    assert bf16.fused == (6 if torch_fusion.runs(torch, torch.bfloat16) else 0) and fp32.fused == 0
    cosines = (np.array(bf16.embed(NEWS)) * np.array(fp32.embed(NEWS))).sum(axis=1)
    assert cosines.min() >= 0.999
