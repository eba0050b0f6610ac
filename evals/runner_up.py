"""Fit when the runner-up sentence joins an extractive answer: the most right answers within a length budget.

An extractive answer is the best candidate sentence, and the runner-up too when it is strong
evidence on its own. At the refusal threshold that is nearly always: on the 2024 calibration
weeks the runner-up passed it for 82 of the ~150 answered questions, doubling the median answer
(30 → 52 words) and adding the answer to 3 of 120 answerable questions; the rest is padding.
So the runner-up has its own cutoff, fitted here on the calibration weeks: the lowest (the most
right answers kept) at which the median answer stays within :data:`MAX_MEDIAN_WORDS`, counted
as the words of the sentences shown. Never below the refusal threshold; :data:`NEVER` when even
one sentence a question is over the budget.

Example (two answered questions of 20-word sentences; from 0.51 neither runner-up is shown)::

    >>> rows = [((0.9, True, 20), (0.5, False, 20)), ((0.6, False, 20), (0.3, True, 20))]
    >>> fit_runner_up(rows, threshold=0.2, budget=25)
    0.51
    >>> fit_runner_up(rows, threshold=0.2, budget=45)
    0.2
    >>> runner_up_summary(rows, [True, True], 0.2, 0.2)["accuracy_answerable_after_refusal"]
    1.0
"""

from __future__ import annotations

import statistics
from typing import Sequence

import numpy as np

MAX_MEDIAN_WORDS = 45  # the product brief's answer length: the median answer, in words
NEVER = 1.0  # a cutoff no probability reaches: one sentence only

Top = tuple[float, bool, int]  # (probability, states the gold, words) of one candidate


def top_two(probabilities: Sequence[np.ndarray], labels: Sequence[np.ndarray], words: Sequence[Sequence[int]]
            ) -> list[tuple[Top, ...]]:
    """Per question, its best two candidates as (probability, right, words), best first; ``()``
    for a question without candidates. Ties go to the earlier candidate, as in ranking."""
    out = []
    for p, y, w in zip(probabilities, labels, words):
        order = np.argsort(-np.asarray(p), kind="stable")[:2]
        out.append(tuple((float(p[i]), bool(y[i]), int(w[i])) for i in order))
    return out


def _shown(top: tuple[Top, ...], threshold: float, cutoff: float) -> list[Top]:
    if not top or top[0][0] < threshold:
        return []
    return [top[0]] + [t for t in top[1:] if t[0] >= cutoff]


def _median_words(rows: Sequence[tuple[Top, ...]], threshold: float, cutoff: float) -> float | None:
    lengths = [sum(t[2] for t in s) for s in (_shown(r, threshold, cutoff) for r in rows) if s]
    return float(statistics.median(lengths)) if lengths else None


def fit_runner_up(rows: Sequence[tuple[Top, ...]], threshold: float, budget: int = MAX_MEDIAN_WORDS) -> float:
    """The lowest cutoff, from ``threshold`` up, whose median answer is within ``budget`` words."""
    grid = [threshold] + [float(t) for t in np.round(np.arange(0.02, 0.96, 0.01), 2) if t > threshold] + [NEVER]
    for t in grid:
        median = _median_words(rows, threshold, t)
        if median is not None and median <= budget:
            return round(t, 2)
    return NEVER


def runner_up_summary(rows: Sequence[tuple[Top, ...]], answerable: Sequence[bool], threshold: float,
                      cutoff: float) -> dict:
    """What the cutoff does on these questions: accuracy of answerable ones (an answer sentence
    states the gold), the median answer in words, how many answers hold two sentences."""
    shown = [_shown(r, threshold, cutoff) for r in rows]
    n = sum(answerable)
    return {"threshold": cutoff, "max_median_words": MAX_MEDIAN_WORDS,
            "accuracy_answerable_after_refusal": round(sum(any(t[1] for t in s) for s, a in zip(shown, answerable) if a)
                                                       / max(1, n), 3),
            "median_words": _median_words(rows, threshold, cutoff),
            "two_sentences": sum(1 for s in shown if len(s) > 1), "answered": sum(1 for s in shown if s)}
