"""The evidence scorer: P(this sentence answers the question), learned; refusal when the best is too low.

The candidates are the sentences of the retrieved passages (``features.candidates``); each gets
the feature vector of ``features.featurise`` and a probability from a logistic model whose
weights, standardisation and refusal threshold were fitted on news questions by
``evals/train_scorer.py`` and committed as ``scorer_weights.json``. Nothing here is hand-weighted.

The bot answers only when the best candidate's probability reaches the threshold, which was
chosen on held-apart calibration weeks (best balanced accuracy; the precision it reaches there is
``Weights.precision``).

Example (any embedding function works; this one scores by shared letters)::

    >>> from index.chunking import Chunk
    >>> from bot.core.passage import Passage
    >>> t = "The river festival drew 40,000 visitors on Saturday. Parking was free."
    >>> p = Passage(Chunk("a#0", "a", t, 0, len(t), title="Festival"), 0.7, 2.0, 1, 0.03)
    >>> ev = EvidenceScorer(load_weights()).assess("How many visitors did the festival draw?", [p])
    >>> ev.scored[0].candidate.text
    'The river festival drew 40,000 visitors on Saturday.'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable, Sequence

from bot.answering.confirm import CONFIRM_FEATURES, ConfirmWeights
from bot.answering.features import FEATURES, Candidate, candidates, featurise
from bot.answering.short_answer import SPAN_FEATURES, SpanWeights, logistic
from bot.core.errors import ConfigError
from bot.core.passage import Passage
from bot.text.question import Question, analyse_question

WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")

Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]


class Reason(str, Enum):
    """Why the evidence was judged too weak to answer."""

    NOTHING_RETRIEVED = "nothing_retrieved"
    NO_SENTENCES = "no_sentences"
    LOW_EVIDENCE = "low_evidence"

    def message(self, evidence: "Evidence") -> str:
        if self is Reason.NOTHING_RETRIEVED:
            return "nothing was retrieved"
        if self is Reason.NO_SENTENCES:
            return "the passages hold no whole sentence to quote"
        return (f"the best sentence answers with probability {evidence.best:.2f}, "
                f"below the threshold {evidence.threshold:.2f}")


@dataclass(frozen=True)
class Weights:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    precision: float  # share of answered calibration questions whose best sentence was right
    trained_on: str = ""
    span: SpanWeights | None = None  # the short-answer phrase model
    confirm: ConfirmWeights | None = None  # the model deciding whether a real model's answer is shown
    runner_up: float | None = None  # the second-best sentence joins an answer from here (None: the threshold)

    def probability(self, x: Sequence[float]) -> float:
        return logistic(self.coef, self.mean, self.scale, x)


def load_weights(path: Path | str | None = None) -> Weights:
    """The fitted weights in ``path`` (default the committed file); a file that cannot be read, is
    not such a file, or was fitted on other features is a :class:`ConfigError` naming it."""
    where = Path(path or WEIGHTS_FILE)
    try:
        raw = json.loads(where.read_text(encoding="utf-8"))
        return _weights(raw)
    except _Stale as exc:
        raise ConfigError(f"{where}: {exc} trained on other features; run `make train`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise ConfigError(f"{where}: not a scorer weights file ({detail}); run `make train` or point "
                          "NEWSBOT_SCORER_WEIGHTS at a file it wrote") from None


class _Stale(Exception):
    """A model in the weights file was fitted on other features than this code computes."""


def _weights(raw: dict) -> Weights:
    if tuple(raw["features"]) != FEATURES:
        raise _Stale("the evidence scorer was")
    span = raw.get("span")
    if span is not None and tuple(span["features"]) != SPAN_FEATURES:
        raise _Stale("the short-answer model was")
    confirm = raw.get("confirm")
    if confirm is not None and tuple(confirm["features"]) != CONFIRM_FEATURES:
        raise _Stale("the confirmation model was")
    return Weights(tuple(raw["features"]), tuple(raw["coef"]), tuple(raw["mean"]), tuple(raw["scale"]),
                   float(raw["threshold"]), float(raw.get("calibration", {}).get("precision_answered", 0.0)),
                   raw.get("trained_on", ""),
                   SpanWeights(tuple(span["coef"]), tuple(span["mean"]), tuple(span["scale"]), float(span["threshold"]))
                   if span else None,
                   ConfirmWeights(tuple(confirm["coef"]), tuple(confirm["mean"]), tuple(confirm["scale"]),
                                  float(confirm["threshold"])) if confirm else None,
                   float(raw["runner_up"]["threshold"]) if raw.get("runner_up") else None)


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    probability: float
    features: tuple[float, ...]


def best_first(scored: Iterable[Scored]) -> list[Scored]:
    """Candidates by probability, ties by passage rank then position in the article: the order
    answering and training (``evals/model_bar.py``) both read."""
    return sorted(scored, key=lambda s: (-s.probability, s.candidate.rank, s.candidate.offset))


@dataclass(frozen=True)
class Evidence:
    question: Question
    scored: tuple[Scored, ...]  # best first
    best: float  # probability of the best candidate (0 when none)
    threshold: float
    reason: Reason | None  # None: strong enough to answer
    closest: tuple[str, ...]  # article ids, best first
    confirm: ConfirmWeights | None = None  # decides whether a real model's answer is shown (None: threshold)
    as_of: dt.date | None = None  # when the question is asked (the confirmation model reads articles' age)
    runner_up: float | None = None  # the second-best sentence joins an extractive answer from here (None: threshold)

    @property
    def refuse(self) -> bool:
        return self.reason is not None

    @property
    def second_cutoff(self) -> float:
        """Where the runner-up sentence joins an answer: its fitted cutoff, else the threshold."""
        return self.runner_up if self.runner_up is not None else self.threshold

    @property
    def message(self) -> str:
        return self.reason.message(self) if self.reason else ""


class EvidenceScorer:
    def __init__(self, weights: Weights, embed: Embed | None = None, *, threshold: float | None = None,
                 runner_up: float | None = None):
        self.weights = weights
        self.embed = embed
        self.threshold = weights.threshold if threshold is None else threshold
        self.confirm = weights.confirm
        second = weights.runner_up if runner_up is None else runner_up
        # never below the refusal threshold, also when a setting raises it
        self.runner_up = max(self.threshold, second if second is not None else self.threshold)

    def assess(self, question: str, passages: Sequence[Passage], as_of: dt.date | None = None) -> Evidence:
        q = analyse_question(question)
        closest = _closest(passages)
        if not passages:
            return Evidence(q, (), 0.0, self.threshold, Reason.NOTHING_RETRIEVED, closest)
        cands = candidates(passages)
        if not cands:
            return Evidence(q, (), 0.0, self.threshold, Reason.NO_SENTENCES, closest)
        titles = sorted({c.title for c in cands if c.title})
        sims = self._similarities(question, [c.text for c in cands] + titles)
        dense, by_title = sims[:len(cands)], dict(zip(titles, sims[len(cands):]))
        rows = featurise(q, cands, dense, as_of, [by_title.get(c.title, 0.0) for c in cands])
        scored = best_first(Scored(c, self.weights.probability(x), x) for c, x in zip(cands, rows))
        best = scored[0].probability
        reason = None if best >= self.threshold else Reason.LOW_EVIDENCE
        return Evidence(q, tuple(scored), best, self.threshold, reason, closest, self.confirm, as_of, self.runner_up)

    def _similarities(self, question: str, texts: list[str]) -> list[float]:
        if self.embed is None:
            return [0.0] * len(texts)
        vectors = self.embed([question, *texts])
        qv = vectors[0]
        return [float(sum(a * b for a, b in zip(qv, v))) for v in vectors[1:]]


def _closest(passages: Sequence[Passage]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for p in sorted(passages, key=lambda p: p.fused_rank):
        seen.setdefault(p.article_id, None)
    return tuple(seen)
