"""Logistic regression against gradient-boosted trees, on the evidence scorer's own data.

The issue allows either learner for the sentence scorer. This fits both on the 2024 train
weeks' candidates (the features and labels ``make train`` uses) and scores them on the
calibration weeks the way the scorer is used: per question, is the best-scored sentence one that
states the gold (top-1, answerable questions), and the best balanced accuracy any refusal
threshold reaches (answerable answered right + unanswerable refused, halved). It measures only.

    python -m evals.compare_scorers --cache .newsbot/train-embeddings.npz

Example of the scoring (two questions; the first answerable, its best sentence right)::

    >>> import numpy as np
    >>> top = question_tops([np.array([0.2, 0.7]), np.array([0.1])], [np.array([0.0, 1.0]), np.array([0.0])])
    >>> top
    [(0.7, True), (0.1, False)]
    >>> scores(top, [True, False])
    {'top1': 1.0, 'balanced': 1.0, 'threshold': 0.11}
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from evals import learners, realtimeqa
from evals import train_scorer as ts
from evals.train_data import EmbeddingCache, build_examples

BOOSTED = ((0.05, 200, 20), (0.05, 400, 40), (0.1, 100, 20), (0.03, 300, 60))  # (rate, rounds, min leaf)
GRID = [float(t) for t in np.round(np.arange(0.02, 0.96, 0.01), 2)]


def question_tops(probabilities: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> list[tuple[float, bool]]:
    """(best probability, best sentence right) per question; (0.0, False) without candidates."""
    out = []
    for p, y in zip(probabilities, labels):
        i = int(np.argmax(p)) if len(p) else -1
        out.append((float(p[i]), bool(y[i])) if i >= 0 else (0.0, False))
    return out


def scores(tops: Sequence[tuple[float, bool]], answerable: Sequence[bool]) -> dict:
    """Top-1 accuracy of answerable questions; the best balanced accuracy over :data:`GRID`
    (the lowest threshold reaching it)."""
    ans = [t for t, a in zip(tops, answerable) if a]
    una = [t for t, a in zip(tops, answerable) if not a]

    def balanced(th: float) -> float:
        right = sum(1 for p, r in ans if r and p >= th) / max(1, len(ans))
        refused = sum(1 for p, _ in una if p < th) / max(1, len(una))
        return round((right + refused) / 2, 4)

    best = max(GRID, key=lambda th: (balanced(th), -th))
    return {"top1": round(sum(r for _, r in ans) / max(1, len(ans)), 3), "balanced": balanced(best), "threshold": best}


def compare(train, calibration, c: float) -> dict[str, dict]:
    """Each learner fitted on ``train`` examples, scored on ``calibration`` ones."""
    x = np.concatenate([e.x for e in train if len(e.y)])
    y = np.concatenate([e.y for e in train if len(e.y)])
    logistic = learners.fit_logistic(x, y, c)
    models: dict[str, Callable[[np.ndarray], np.ndarray]] = {f"logistic C={c}": lambda r: ts.probabilities(logistic, r)}
    for rate, rounds, leaf in BOOSTED:
        models[f"boosted rate={rate} rounds={rounds} leaf={leaf}"] = learners.fit_boosted(x, y, rate, rounds, leaf)
    answerable = [e.case.answerable for e in calibration]
    labels = [e.y for e in calibration]
    return {name: scores(question_tops([m(e.x) if len(e.y) else np.zeros(0) for e in calibration], labels), answerable)
            for name, m in models.items()}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Compare the scorer's learners (see module docstring).")
    ap.add_argument("--data", type=Path, default=realtimeqa.DEFAULT_DIR)
    ap.add_argument("--cache", type=Path, default=None, help="the .npz of sentence embeddings make train keeps")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--weights", type=Path, default=ts.DEFAULT_OUT, help="its C is the logistic one compared")
    args = ap.parse_args(argv)
    embedder, tag = ts.train_embedder()
    cache = EmbeddingCache(embedder, args.cache, tag=tag)
    split, articles = ts.load_splits(args.year, args.data)
    data = {name: build_examples(cases, articles, embedder, cache) for name, cases in split.items()}
    cache.save()
    c = float(json.loads(args.weights.read_text(encoding="utf-8"))["C"])
    for name, s in compare(data["train"], data["calibration"], c).items():
        print(f"{name:40s} top-1 {s['top1']:.3f}  balanced {s['balanced']:.3f} at {s['threshold']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
