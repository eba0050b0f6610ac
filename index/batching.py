"""Batches that waste nothing: texts sorted by token length, each batch padded only to its own
longest text, results returned in the input order. Shared by every local encoder backend.

>>> encode_sorted([[101, 7, 102], [101, 102]], 8, lambda ids, mask: [[float(m.sum())] for m in mask])
[[3.0], [2.0]]
"""

from __future__ import annotations

from typing import Sequence


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices of the texts grouped into batches of similar length, longest first (so a batch
    never pads a short text to a long one's length); every index appears exactly once.

    >>> sorted_batches([5, 90, 7, 88, 6], 2)
    [[1, 3], [2, 4], [0]]
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i:i + batch_size] for i in range(0, len(order), max(1, batch_size))]


def _padded(rows: list[list[int]], pad_id: int):
    """input_ids and attention_mask for one batch, padded to the batch's own longest row."""
    import numpy as np

    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for n, row in enumerate(rows):
        ids[n, :len(row)] = row
        mask[n, :len(row)] = 1
    return ids, mask


def encode_sorted(ids: list[list[int]], batch_size: int, run) -> list[list[float]]:
    """``run(input_ids, attention_mask) -> one vector per row`` over length-sorted batches,
    returned in the input order."""
    out: list = [None] * len(ids)
    for batch in sorted_batches([len(r) for r in ids], batch_size):
        vectors = run(*_padded([ids[i] for i in batch], 0))
        for i, vector in zip(batch, vectors):
            out[i] = vector
    return out
