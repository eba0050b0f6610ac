"""The scikit-learn adapter: every model the training scripts fit, and nothing else imports it.

Two learners over rows of candidate features: the standardised logistic regression whose weights
the runtime reads as plain JSON (``bot/answering/scorer_weights.json``: no scikit-learn at
run time), and gradient-boosted trees, which ``evals/compare_scorers.py`` measures against it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

DIGITS = 10  # decimals kept of fitted weights


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float) -> dict:
    """Standardised logistic regression; the first column is the bias and stays 1."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0  # the bias column stays 1
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    model.fit((x - mean) / scale, y)
    # rounded: on one machine a refit from cached embeddings differs from one that embeds
    # afresh only in the last bits of a float, and the file should come back byte for byte
    # (across CPUs it does not: see train_scorer's module docstring)
    return {k: [round(float(v), DIGITS) for v in a] for k, a in
            (("coef", model.coef_[0]), ("mean", mean), ("scale", scale))}


def fit_boosted(x: np.ndarray, y: np.ndarray, learning_rate: float, rounds: int, min_leaf: int
                ) -> Callable[[np.ndarray], np.ndarray]:
    """Gradient-boosted trees (histogram-based, seeded); returns rows → probabilities."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(learning_rate=learning_rate, max_iter=rounds, min_samples_leaf=min_leaf,
                                           max_leaf_nodes=15, l2_regularization=1.0, random_state=0)
    model.fit(x, y)
    return lambda rows: model.predict_proba(rows)[:, 1]
