"""Fit when the runner-up sentence joins an extractive answer: the most right answers within a length budget.

An extractive answer is the best candidate sentence, and the runner-up too when it is strong
evidence on its own. At the refusal threshold that is nearly always: on the 2024 calibration
weeks the runner-up passed it for 82 of the ~150 answered questions, doubling the median answer
(30 → 52 words) and adding the answer to 3 of 120 answerable questions; the rest is padding.
So the runner-up has its own cutoff, fitted here on the calibration weeks: the lowest (the most
right answers kept) at which the median answer stays within :data:`MAX_MEDIAN_WORDS`, counted
as the reader sees the answer (:func:`reader_words`: the sentences shown, each with its source
marker, and the dating note when the answer gets one). Never below the refusal threshold;
:data:`NEVER` when even one sentence a question is over the budget.

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
from datetime import date
from typing import Sequence

import numpy as np

from bot.answering.dating import as_of_note
from evals.cutoffs import GRID, NEVER

MAX_MEDIAN_WORDS = 45  # the product brief's answer length: the median answer, in words

MARKER_WORDS = 1  # each sentence shown ends with its source marker, a word of its own: "… in Denmark [2]."

Top = tuple[float, bool, int]  # (probability, states the gold, words it adds to the answer) of one candidate
Sentence = tuple[str, str | None]  # (text, its article's publication date)


def reader_words(sentences: Sequence[Sentence], as_of: date | None) -> int:
    """Words of an extractive answer of these sentences as the reader sees it: each sentence with
    its marker, then the dating note ("(as of 2024-03-06)") when the sources span several days or
    are stale on ``as_of`` (``bot/answering/dating.py``).

    >>> reader_words([("Nine words are in this sentence about the harbor.", "2024-03-01")], date(2024, 3, 20))
    13
    >>> reader_words([("Nine words are in this sentence about the harbor.", "2024-03-19")], date(2024, 3, 20))
    10
    """
    words = sum(len(text.split()) + MARKER_WORDS for text, _ in sentences)
    note = as_of_note([published for _, published in sentences], as_of) if as_of and sentences else None
    return words + (len(f"({note})".split()) if note else 0)


def top_two(probabilities: Sequence[np.ndarray], labels: Sequence[np.ndarray],
            sentences: Sequence[Sequence[Sentence]], days: Sequence[date | None]) -> list[tuple[Top, ...]]:
    """Per question, its best two candidates as (probability, right, words), best first; ``()``
    for a question without candidates. The best one's words are its answer's
    (:func:`reader_words`), the runner-up's what it adds to them. Ties go to the earlier
    candidate, as in ranking.

    >>> one = [("Seven words are in this short sentence.", "2024-03-01"), ("Four words stand here.", "2024-03-02")]
    >>> top_two([np.array([0.3, 0.8])], [np.array([1.0, 0.0])], [one], [date(2024, 3, 2)])
    [((0.8, False, 5), (0.3, True, 11))]
    """
    out = []
    for p, y, s, day in zip(probabilities, labels, sentences, days):
        order = np.argsort(-np.asarray(p), kind="stable")[:2]
        lengths = [reader_words([s[i] for i in order[:n]], day) for n in range(len(order) + 1)]
        out.append(tuple((float(p[i]), bool(y[i]), lengths[n + 1] - lengths[n]) for n, i in enumerate(order)))
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
    grid = [threshold] + [t for t in GRID if t > threshold] + [NEVER]
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
