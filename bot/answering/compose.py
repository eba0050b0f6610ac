"""Pure: turn scored evidence — or a real model's draft — into the draft that verification checks.

* **Evidence** (the extractive answerer, and the fallback of every other): the best sentence,
  and the runner-up only when it is strong evidence on its own (its probability reaches the
  calibrated threshold) — never padding.
* **A model's draft** (``model_draft``): a refusal in the model's own words is a refusal; a bare
  phrase becomes the evidence sentence that states it in answer to this question; hedging
  framing is removed; a sentence its citations don't support but whose answer phrases (names,
  figures, dates) a strong evidence sentence states is replaced by that sentence, verbatim.
  Everything then goes through verification like any draft.
* **The short answer** (``short_answer``): the phrase that answers, taken verbatim from the
  cited quote (the learned phrase model of ``short_answer.py``, or the model's own phrase).

Example::

    >>> from bot.text.question import analyse_question
    >>> draft_of([])
    ''
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from bot.answering.evidence import Evidence, Scored
from bot.answering.short_answer import SpanWeights, best_phrase
from bot.core.passage import Passage
from bot.text.draft import parse_draft
from bot.verify.model_text import (
    answer_phrases_of,
    bare_text,
    find_phrase,
    is_bare_phrase,
    is_refusal,
    sentence_stating,
    strip_framing,
)
from bot.verify.support import verify_sentence

MAX_SENTENCES = 2


def choose(evidence: Evidence) -> list[Scored]:
    """The best candidate, and the runner-up when it is strong evidence on its own (its
    probability reaches the calibrated threshold): two sentences at most, never padding."""
    if not evidence.scored:
        return []
    chosen = [evidence.scored[0]]
    for s in evidence.scored[1:MAX_SENTENCES]:
        if s.probability >= evidence.threshold:
            chosen.append(s)
    return chosen


def draft_of(chosen: Sequence[Scored]) -> str:
    """Verbatim sentences with their passage markers (1-based)."""
    return " ".join(f"{s.candidate.text} [{s.candidate.passage + 1}]" for s in chosen)


@dataclass(frozen=True)
class ModelDraft:
    draft: str  # what goes to verification
    refused: bool = False  # the model said the passages don't answer
    phrase: str | None = None  # the model's bare answer phrase, when it gave one
    notes: tuple[str, ...] = ()
    unconfirmed: str | None = None  # a bare phrase no strong evidence sentence states (search for it)


def phrase_variants(draft: str) -> list[str]:
    """The ways a bare answer phrase may be said: as given, and without a leading article
    ("The Chicago Marathon" is often written "Chicago Marathon")."""
    phrase = bare_text(draft)
    bare = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)
    return [phrase] + ([bare] if bare and bare != phrase else [])


def stating(variants: Sequence[str], scored: Sequence[Scored], bar: float) -> tuple[Scored, str] | None:
    """The best candidate reaching ``bar`` that states one of the variants (tried in order)."""
    strong = [s for s in scored if s.probability >= bar]
    for v in variants:
        i = sentence_stating([v], [s.candidate.text for s in strong])
        if i is not None:
            return strong[i], v
    return None


def confirmation(variants: Sequence[str], scored: Sequence[Scored]) -> float:
    """The best probability of a candidate stating one of the variants (0 when none does): what
    the confirmation bar is compared with, and what ``evals/train_scorer.py`` fits it on."""
    return max((s.probability for s in scored if any(find_phrase(v, s.candidate.text) for v in variants)),
               default=0.0)


def model_draft(draft: str, evidence: Evidence, passages: Sequence[Passage]) -> ModelDraft:
    """Read a real model's draft: see the module docstring."""
    if is_refusal(draft):
        return ModelDraft("", refused=True, notes=("the model said the passages do not answer",))
    strong = [s for s in evidence.scored if s.probability >= evidence.confirm]
    if is_bare_phrase(draft):
        variants = phrase_variants(draft)
        hit = stating(variants, evidence.scored, evidence.confirm)
        if hit is None:
            return ModelDraft("", notes=(f"no strong evidence sentence states the model's answer {variants[0][:60]!r}",),
                              unconfirmed=variants[0])
        best, phrase = hit
        return ModelDraft(draft_of([best]), phrase=phrase,
                          notes=(f"the model's answer {phrase[:60]!r} is stated by passage [{best.candidate.passage + 1}]",))
    pieces, notes = [], []
    for ds in parse_draft(draft, len(passages)):
        text = strip_framing(ds.text)
        markers = "".join(f"[{m}]" for m in ds.markers)
        cited = [passages[m - 1] for m in ds.markers] or list(passages)
        if verify_sentence(text, cited).supported:
            pieces.append(f"{text} {markers}".strip())
            continue
        phrases = answer_phrases_of(text, evidence.question.text)
        i = sentence_stating(phrases, [s.candidate.text for s in strong])
        if i is not None:
            notes.append(f"replaced the model's wording {text[:60]!r} by the passage sentence that states "
                         f"{', '.join(phrases)[:60]}")
            pieces.append(draft_of([strong[i]]))
        else:
            pieces.append(f"{text} {markers}".strip())  # verification decides (and drops it)
    return ModelDraft(" ".join(pieces), notes=tuple(notes))


def short_answer(weights: SpanWeights | None, evidence: Evidence, quote: str, sentence: str,
                 proposed: str | None = None) -> str | None:
    """The answer phrase, verbatim from ``quote`` (the cited text of the first sentence)."""
    if proposed:
        where = find_phrase(proposed, quote)
        return quote[where[0]:where[1]] if where else None
    if weights is None:
        return None
    scored = next((s for s in evidence.scored if s.candidate.text == sentence), None)
    others = [s.candidate.text for s in evidence.scored
              if scored is None or s.candidate.article_id != scored.candidate.article_id]
    span = best_phrase(weights, evidence.question, sentence, scored.candidate.title if scored else "",
                       others, scored.probability if scored else 0.0)
    if span is None:
        return None
    where = find_phrase(span.text, quote)
    return quote[where[0]:where[1]] if where else None
