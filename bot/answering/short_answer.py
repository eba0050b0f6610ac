"""Pure: the short answer — the phrase of the best sentence that answers the question.

Candidates are the name, date and figure phrases of the sentence (``bot/text/answer_spans.py``)
that the question does not already contain. Each is scored by a logistic model learned with the
sentence scorer (``evals/train_scorer.py``) from what makes a phrase *the* answer in news: being
of the kind asked for, standing next to the question's words, being repeated by other
articles, where it stands in the sentence, its length. The phrase is used only when its
probability reaches the learned cutoff, and it is always a verbatim slice of the sentence
(``sentence[span.start:span.end] == span.text``), so it can be checked like any quote.

Example::

    >>> from bot.text.question import analyse_question
    >>> q = analyse_question("Who will coach the national team?")
    >>> [s.text for s in phrases(q, "The federation named Ada Lind to coach the national team.")]
    ['Ada Lind']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from bot.answering.features import content_stems
from bot.text.answer_spans import Span, answer_spans
from bot.text.question import Question
from bot.text.tokens import stem

SPAN_FEATURES = ("bias", "kind", "near", "agree", "position", "words", "first_of_kind", "in_title",
                 "sentence_p", "lone_opener", "inner", "head_near", "only_of_kind")
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")
_DATELINE = re.compile(r"\s*(?:,[^—–]{0,40})?(?:\([^)]{1,20}\))?\s*[—–-]")
_KIND_OF_SPAN = {"person": "name", "place": "name", "name": "name", "date": "date", "number": "figure"}


@dataclass(frozen=True)
class SpanWeights:
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float

    def probability(self, x: Sequence[float]) -> float:
        return logistic(self.coef, self.mean, self.scale, x)


def logistic(coef: Sequence[float], mean: Sequence[float], scale: Sequence[float], x: Sequence[float]) -> float:
    """P = sigmoid(coef · standardised x), the form both fitted models take (clipped against overflow)."""
    z = sum(c * (v - m) / s for c, v, m, s in zip(coef, x, mean, scale))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def phrases(question: Question, sentence: str) -> list[Span]:
    """Name, date and figure phrases of ``sentence`` the question does not already say, deduplicated."""
    asked = {w.lower() for w in _WORD.findall(question.text)}
    out: dict[tuple[int, int], Span] = {}
    for s in answer_spans(sentence):
        if _is_dateline(sentence, s):
            continue  # "PARIS —", "LOS ANGELES (AP) —": where the story was filed, not what it says
        words = {w.lower() for w in _WORD.findall(s.text)}
        if words and not words <= asked:
            out.setdefault((s.start, s.end), s)
    return sorted(out.values(), key=lambda s: (s.start, -s.end))


def span_features(question: Question, sentence: str, spans: Sequence[Span], title: str = "",
                  others: Sequence[str] = (), sentence_p: float = 0.0) -> list[tuple[float, ...]]:
    """One vector (SPAN_FEATURES order) per span; ``others`` are other articles' candidate sentences."""
    wanted = _KIND_OF_SPAN.get(question.kind)
    q_stems = content_stems(question.text)
    words = list(_WORD.finditer(sentence))
    hits = [i for i, m in enumerate(words) if stem(m.group(0)) in q_stems]
    heads = {stem(h) for h in question.head}
    # the phrases of the asked-for kind that are not a piece of a longer one: when there is just
    # one, the sentence answers with it ("How old did he turn?" in a sentence with one figure)
    of_kind = [s for s in spans if wanted is not None and s.kind == wanted]
    outer_of_kind = [s for s in of_kind if not any(o.start <= s.start and s.end <= o.end and o is not s
                                                   for o in of_kind)]
    first_seen: set[str] = set()
    lowered = [o.lower() for o in others]
    rows = []
    for s in spans:
        at = sum(1 for m in words if m.start() < s.start)
        dist = min((abs(at - h) for h in hits), default=len(words))
        kind_ok = wanted is None or s.kind == wanted
        first = kind_ok and s.kind not in first_seen
        if kind_ok:
            first_seen.add(s.kind)
        low = s.text.lower()
        rows.append((1.0, 1.0 if kind_ok else 0.0, 1.0 / (1.0 + dist), math.log1p(sum(low in o for o in lowered)),
                     s.start / max(1, len(sentence)), math.log(1 + len(s.text.split())), 1.0 if first else 0.0,
                     1.0 if low in title.lower() else 0.0, sentence_p,
                     # capitalised by its place, not by being a name: "Thieves stole …", "Video shows …"
                     1.0 if s.start == 0 and len(s.text.split()) == 1 else 0.0,
                     # a piece of a longer phrase: "Bank" of "Bank of England", "Eric Adams" of "Mayor Eric Adams"
                     1.0 if any(o.start <= s.start and s.end <= o.end and o is not s for o in spans) else 0.0,
                     # what the question asks for said in or next to the phrase: "which airline" →
                     # "Alaska Airlines", "the singer Celine Dion", "the Park Fire"
                     1.0 if heads and heads & _stems_near(words, s, HEAD_WORDS_NEAR) else 0.0,
                     1.0 if len(outer_of_kind) == 1 and outer_of_kind[0] is s else 0.0))
    return rows


def _is_dateline(sentence: str, span: Span) -> bool:
    return span.start == 0 and span.text.isupper() and _DATELINE.match(sentence, span.end) is not None


HEAD_WORDS_NEAR = 2  # words either side of a phrase read for the question's head noun


def _stems_near(words: Sequence[re.Match[str]], span: Span, n: int) -> set[str]:
    """Stems of the words inside ``span`` and of the ``n`` words either side of it."""
    before = [m for m in words if m.end() <= span.start][-n:]
    inside = [m for m in words if span.start <= m.start() < span.end]
    after = [m for m in words if m.start() >= span.end][:n]
    return {stem(m.group(0)) for m in before + inside + after}


def best_phrase(weights: SpanWeights, question: Question, sentence: str, title: str = "",
                others: Sequence[str] = (), sentence_p: float = 0.0) -> Span | None:
    spans = phrases(question, sentence)
    if not spans:
        return None
    rows = span_features(question, sentence, spans, title, others, sentence_p)
    p, span = max(((weights.probability(x), s) for x, s in zip(rows, spans)), key=lambda t: (t[0], -t[1].start))
    return span if p >= weights.threshold else None
