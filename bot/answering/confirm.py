"""Pure: P(a real model's answer is right | what the passages say about it), learned.

A capable model behind ``--llm openai`` answers with a phrase ("Buffalo Bills") or with sentences
whose answer phrases (names, figures, dates) can be looked up. Whether a sentence of the passages
*states* that answer is the start of verification, not the end: a wrong model answer is usually
also a phrase of the articles (another team, last year's winner). What tells a right answer from
a wrong one is how the stating sentence stands among the candidates — its evidence probability,
its rank, how many articles state it, whether the phrase only echoes the question, whether it is
the kind of answer asked for. ``confirm_features`` measures exactly that; a logistic model fitted
by ``evals/model_bar.py`` on recorded answers of a real model (RealTime QA 2023 train weeks, the
cutoff on its calibration weeks) turns it into a probability, and the model's answer is shown
only when that probability reaches the fitted cutoff.

Example (a phrase no candidate states has nothing behind it)::

    >>> from bot.text.question import analyse_question
    >>> x = confirm_features(analyse_question("Who won the cup?"), ["Harbor Hawks"], [])
    >>> dict(zip(CONFIRM_FEATURES, x))["stated"], len(x) == len(CONFIRM_FEATURES)
    (0.0, True)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from bot.answering.short_answer import logistic
from bot.core.dates import day_of
from bot.text.answer_spans import all_spans
from bot.text.question import Question
from bot.text.tokens import stem
from bot.text.wordlists import FUNCTION_WORDS
from bot.verify.model_text import find_phrase

if TYPE_CHECKING:
    from bot.answering.evidence import Scored

CONFIRM_FEATURES = (
    "bias",  # always 1 (the fitted model has no separate intercept)
    "stated",  # some candidate sentence states every wanted phrase (0/1)
    "p_stating",  # evidence probability of the best candidate stating it (0 when none)
    "p_top",  # evidence probability of the best candidate overall: is the question answerable here?
    "p_ratio",  # p_stating / p_top: does the stating sentence compete with the best one?
    "rank",  # 1 / (1 + rank of the best stating candidate among all candidates)
    "sentences",  # log(1 + number of candidates stating it)
    "article_share",  # share of the candidates' articles in which some sentence states it
    "echo",  # share of the phrase's content words that the question already holds
    "kind_match",  # the phrase is the kind of answer asked for (a name for "who", a figure for "how many")
    "words",  # log(1 + words in the phrase)
    "unstated",  # share of the model's answer words the stating sentence leaves out ("Phoenix" of "Phoenix, Arizona")
    "researched",  # stated only in passages found by searching again with the phrase (0/1)
    "age",  # log(1 + days from the stating sentence's article to the question's date); UNDATED_AGE when unknown
)
UNDATED_AGE = 1.5  # the age of an undated article or an unknown question date (about 3.5 days)

_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")
_KIND_SPANS = {"person": {"name"}, "name": {"name"}, "place": {"name"}, "number": {"figure"},
               "date": {"date"}}


@dataclass(frozen=True)
class ConfirmWeights:
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float  # show the model's answer when its probability reaches this

    def probability(self, x: Sequence[float]) -> float:
        return logistic(self.coef, self.mean, self.scale, x)


@dataclass(frozen=True)
class Confirmation:
    """What the passages say about a model's answer."""

    index: int | None  # the best candidate stating it (in the scored order), None when none does
    wanted: tuple[str, ...]  # the phrases looked for (the variant found)
    probability: float  # P(the model's answer is right)
    cutoff: float

    @property
    def confirmed(self) -> bool:
        return self.index is not None and self.probability >= self.cutoff


def confirm(weights: ConfirmWeights | None, question: Question, variants: Sequence[Sequence[str]],
            scored: Sequence[Scored], researched: bool = False, fallback_cutoff: float = 0.5,
            as_of: dt.date | None = None) -> Confirmation:
    """Decide on a model's answer (``variants`` as ``compose.wanted_variants`` gives them) to a
    question asked on ``as_of``. Without a fitted model the stating sentence's own evidence
    probability must reach ``fallback_cutoff``."""
    hit = stating(variants, scored)
    wanted = tuple(hit[1] if hit else (variants[0] if variants else ()))
    if hit is None:
        return Confirmation(None, wanted, 0.0, weights.threshold if weights else fallback_cutoff)
    if weights is None:
        return Confirmation(hit[0], wanted, scored[hit[0]].probability, fallback_cutoff)
    x = confirm_features(question, wanted, scored, researched, variants[0], as_of)
    return Confirmation(hit[0], wanted, weights.probability(x), weights.threshold)


def states(wanted: Sequence[str], sentence: str) -> bool:
    """The sentence states every wanted phrase (case and curly quotes ignored)."""
    return bool(wanted) and all(find_phrase(w, sentence) for w in wanted)


def stating(wanted_variants: Sequence[Sequence[str]], scored: Sequence[Scored]) -> tuple[int, list[str]] | None:
    """(index in ``scored`` of the best candidate stating one of the variants, that variant);
    variants are tried in order, most complete first (``compose.wanted_variants``)."""
    for wanted in wanted_variants:
        for i, s in enumerate(scored):
            if states(wanted, s.candidate.text):
                return i, list(wanted)
    return None


def confirm_features(question: Question, wanted: Sequence[str], scored: Sequence[Scored],
                     researched: bool = False, whole: Sequence[str] | None = None,
                     as_of: dt.date | None = None) -> tuple[float, ...]:
    """The features of CONFIRM_FEATURES for the model's answer phrases ``wanted`` (all must be
    stated by one sentence) against the candidates ``scored`` (best first); ``whole``: the
    model's full answer when ``wanted`` is a part of it; ``as_of``: the question's date."""
    hits = [i for i, s in enumerate(scored) if states(wanted, s.candidate.text)]
    p_top = scored[0].probability if scored else 0.0
    said = sum(_n_content(w) for w in (whole or wanted))
    unstated = max(0.0, 1.0 - sum(_n_content(w) for w in wanted) / said) if said else 0.0
    if not hits:
        return (1.0, 0.0, 0.0, p_top, 0.0, 0.0, 0.0, 0.0, _echo(question, wanted), _kind_match(question, wanted),
                _words(wanted), 1.0, 0.0, 0.0)
    best = hits[0]
    p = scored[best].probability
    articles = {s.candidate.article_id for s in scored}
    stating_articles = {scored[i].candidate.article_id for i in hits}
    return (1.0, 1.0, p, p_top, p / p_top if p_top > 0 else 0.0, 1.0 / (1 + best), math.log1p(len(hits)),
            len(stating_articles) / max(1, len(articles)), _echo(question, wanted), _kind_match(question, wanted),
            _words(wanted), unstated, 1.0 if researched else 0.0, age(scored[best].candidate.published, as_of))


def age(published: str | None, as_of: dt.date | None) -> float:
    """log(1 + days) from an article's day to the question's; UNDATED_AGE when either is unknown.

    >>> round(age("2023-03-03T10:00:00+00:00", dt.date(2023, 3, 10)), 3), age(None, dt.date(2023, 3, 10))
    (2.079, 1.5)
    """
    day = day_of(published)
    if day is None or as_of is None:
        return UNDATED_AGE
    return math.log1p(max(0, (as_of - day).days))


def _n_content(text: str) -> int:
    return sum(1 for w in _WORD.findall(text) if w.lower() not in FUNCTION_WORDS)


def _content(text: str) -> set[str]:
    return {stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in FUNCTION_WORDS}


def _echo(question: Question, wanted: Sequence[str]) -> float:
    words = set().union(*(_content(w) for w in wanted)) if wanted else set()
    return len(words & _content(question.text)) / len(words) if words else 0.0


def _kind_match(question: Question, wanted: Sequence[str]) -> float:
    """1 when a phrase is (mostly) a span of the kind asked for, 0 when not, 0.5 when the question
    asks for no particular kind."""
    accepted = _KIND_SPANS.get(question.kind)
    if accepted is None:
        return 0.5
    for w in wanted:
        covered = sum(s.end - s.start for s in all_spans(w) if s.kind in accepted)
        if covered >= 0.5 * len(w.strip()):
            return 1.0
    return 0.0


def _words(wanted: Sequence[str]) -> float:
    return math.log1p(sum(len(_WORD.findall(w)) for w in wanted))
