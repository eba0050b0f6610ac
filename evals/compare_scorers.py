"""Logistic regression against gradient-boosted trees, on the evidence scorer's own data.

The issue allows either learner for the sentence scorer. This fits both on the 2024 train
weeks' candidates (the features and labels ``make train`` uses) and scores them on the
calibration weeks the way the scorer is used: per question, is the best-scored sentence one that
states the gold (top-1, answerable questions), and the best balanced accuracy any refusal
threshold reaches (answerable answered right + unanswerable refused, halved). It measures only.

    python -m evals.compare_scorers --cache .newsbot/train-embeddings.npz

Example of the scoring (two questions, as ``train_scorer.outcomes`` gives them: best probability,
best sentence right, answerable, some candidate right; the first answered right, the second
unanswerable)::

    >>> scores([(0.7, True, True, True), (0.1, False, False, False)])
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
from evals.cutoffs import GRID
from evals.train_data import EmbeddingCache, build_examples

BOOSTED = ((0.05, 200, 20), (0.05, 400, 40), (0.1, 100, 20), (0.03, 300, 60))  # (rate, rounds, min leaf)


def scores(outcomes: Sequence[tuple[float, bool, bool, bool]]) -> dict:
    """Top-1 accuracy of answerable questions; the best balanced accuracy
    (``train_scorer.summary_score``) over the fits' cutoffs, and the lowest cutoff reaching it."""
    balanced = {t: ts.summary_score(outcomes, t) for t in GRID}
    best = max(balanced.values())
    return {"top1": ts.summary(outcomes, GRID[0])["top1_accuracy_answerable"], "balanced": best,
            "threshold": min(t for t, v in balanced.items() if v == best)}


def compare(train, calibration, c: float) -> dict[str, dict]:
    """Each learner fitted on ``train`` examples, scored on ``calibration`` ones."""
    x = np.concatenate([e.x for e in train if len(e.y)])
    y = np.concatenate([e.y for e in train if len(e.y)])
    logistic = learners.fit_logistic(x, y, c)
    models: dict[str, Callable[[np.ndarray], np.ndarray]] = {f"logistic C={c}": lambda r: ts.probabilities(logistic, r)}
    for rate, rounds, leaf in BOOSTED:
        models[f"boosted rate={rate} rounds={rounds} leaf={leaf}"] = learners.fit_boosted(x, y, rate, rounds, leaf)
    return {name: scores(ts.outcomes(m, calibration)) for name, m in models.items()}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Compare the scorer's learners (see module docstring).")
    ap.add_argument("--data", type=Path, default=realtimeqa.DEFAULT_DIR)
    ap.add_argument("--cache", type=Path, default=None, help="the .npz of sentence embeddings make train keeps")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--weights", type=Path, default=ts.DEFAULT_OUT, help="its C is the logistic one compared")
    args = ap.parse_args(argv)
    try:  # read first: a bad file is one line before minutes of featurising, not a traceback after
        c = float(json.loads(args.weights.read_text(encoding="utf-8"))["C"])
    except OSError as exc:
        raise SystemExit(f"compare_scorers: {args.weights}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise SystemExit(f"compare_scorers: {args.weights}: not a scorer weights file (no number 'C')") from None
    embedder, tag = ts.train_embedder()
    cache = EmbeddingCache(embedder, args.cache, tag=tag)
    split, articles = ts.load_splits(args.year, args.data)
    data = {name: build_examples(cases, articles, embedder, cache) for name, cases in split.items()}
    cache.save()
    for name, s in compare(data["train"], data["calibration"], c).items():
        print(f"{name:40s} top-1 {s['top1']:.3f}  balanced {s['balanced']:.3f} at {s['threshold']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
