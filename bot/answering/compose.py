"""Pure: turn scored evidence — or a real model's draft — into the draft that verification checks.

* **Evidence** (the extractive answerer, and the fallback of every other): the best sentence,
  and the runner-up only when it is strong evidence on its own (its probability reaches the
  calibrated threshold) — never padding.
* **A model's draft** (``model_draft``): a refusal in the model's own words is a refusal; a bare
  phrase becomes the evidence sentence that states it, when the learned confirmation model
  (``confirm.py``) judges the answer right given how that sentence stands among the candidates;
  hedging framing is removed; a sentence its citations don't support but whose answer phrases
  (names, figures, dates) a candidate states is replaced by that sentence, verbatim, under the
  same confirmation. Everything then goes through verification like any draft.
* **The short answer** (``short_answer``): the phrase that answers, taken verbatim from the
  cited quote (the learned phrase model of ``short_answer.py``, or the model's own phrase).

Example::

    >>> draft_of([])
    ''
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from bot.answering.confirm import confirm, states
from bot.answering.evidence import Evidence, Scored
from bot.answering.short_answer import SpanWeights, best_phrase
from bot.core.passage import Passage
from bot.core.records import AnswerSentence
from bot.text.answer_spans import figure_forms, outer_spans
from bot.text.draft import parse_draft
from bot.text.markers import strip_markers
from bot.text.sentences import SENTENCE_END
from bot.verify.model_text import (
    answer_phrases_of,
    bare_text,
    find_phrase,
    is_bare_phrase,
    is_refusal,
    strip_framing,
)
from bot.verify.support import verify_sentence

MAX_SENTENCES = 2
# How the notes on a model's answer begin or turn (``evals/losses.py`` reads them back)
NOT_STATED = "no passage sentence states the model's answer"
STATED_BY = "is stated by"
UNDER_CUTOFF = "but it is right with probability"
REPLACED = "replaced the model's wording"


def choose(evidence: Evidence) -> list[Scored]:
    """The best candidate, and the runner-up when it is strong evidence on its own (its
    probability reaches the runner-up cutoff fitted with the scorer, ``evals/runner_up.py``;
    the refusal threshold when there is none): two sentences at most, never padding."""
    if not evidence.scored:
        return []
    chosen = [evidence.scored[0]]
    for s in evidence.scored[1:MAX_SENTENCES]:
        if s.probability >= evidence.second_cutoff:
            chosen.append(s)
    return chosen


def verifiable(evidence: Evidence, acceptable: Callable[[Scored], bool]) -> Evidence:
    """The evidence without the top candidates verification would drop (``acceptable``), checked
    best first until :data:`MAX_SENTENCES` are kept or the rest are too weak to be drafted: the
    draft then quotes the best sentences that will be shown — a best sentence that fails its
    checks hands its place to the next one instead of emptying the answer. None kept above the
    refusal threshold: no candidates (the answer is refused as unverified)."""
    kept: list[Scored] = []
    for i, s in enumerate(evidence.scored):
        if len(kept) == MAX_SENTENCES or s.probability < (evidence.second_cutoff if kept else evidence.threshold):
            return replace(evidence, scored=tuple(kept) + evidence.scored[i:]) if kept else replace(evidence, scored=())
        if acceptable(s):
            kept.append(s)
    return replace(evidence, scored=tuple(kept))


def with_evidence(sentences: Sequence[AnswerSentence], evidence: Evidence) -> tuple[AnswerSentence, ...]:
    """Each sentence with the probability the scorer gave it as evidence: that of the likeliest
    candidate it quotes (the same text, spacing aside, or one within the other: the answer's
    sentence splitter may cut a candidate in two or join two); None for a note and for a
    sentence that quotes none (a model's own wording). What the eval reads to fit the runner-up
    cutoff on the pipeline's answers (``evals/runner_up_curve.py``).

    >>> from types import SimpleNamespace as N
    >>> ev = N(scored=(N(candidate=N(text="Ferries  stopped."), probability=0.4),))
    >>> [s.evidence for s in with_evidence([AnswerSentence("Ferries stopped.", (1,), True),
    ...                                     AnswerSentence("Ships sail.", (1,), True)], ev)]
    [0.4, None]
    """
    texts = [(" ".join(s.candidate.text.split()), s.probability) for s in evidence.scored]  # best first

    def probability(sentence: AnswerSentence) -> float | None:
        said = " ".join(sentence.text.split())
        if sentence.note or not said:
            return None
        return next((p for t, p in texts if t == said or min(len(t), len(said)) > 20 and (t in said or said in t)), None)

    return tuple(replace(s, evidence=probability(s)) for s in sentences)


def draft_of(chosen: Sequence[Scored]) -> str:
    """Verbatim sentences with their passage markers (1-based), each its own draft sentence.

    >>> from types import SimpleNamespace as N
    >>> draft_of([N(candidate=N(text="Storm nears the coast", passage=0)),
    ...           N(candidate=N(text="Ferries stopped.", passage=1))])
    'Storm nears the coast [1]\\nFerries stopped. [2]'
    """
    return joined([f"{s.candidate.text} [{s.candidate.passage + 1}]" for s in chosen])


def joined(pieces: Sequence[str]) -> str:
    """Draft pieces as one draft, each still its own sentence: a piece without closing
    punctuation (a headline or subhead: news writes them without a full stop) ends its line,
    or it would run into the next one ("Storm nears the coast [1] Ferries stopped. [2]" reads
    as one sentence)."""
    out = pieces[0] if pieces else ""
    for before, piece in zip(pieces, pieces[1:]):
        out += (" " if SENTENCE_END.search(strip_markers(before).rstrip()) else "\n") + piece
    return out


@dataclass(frozen=True)
class ModelDraft:
    draft: str  # what goes to verification
    refused: bool = False  # the model said the passages don't answer
    phrase: str | None = None  # the model's bare answer phrase, when it gave one
    notes: tuple[str, ...] = ()
    unconfirmed: str | None = None  # what no passage sentence states: a bare phrase, or the names of a sentence (search for it)


def phrase_variants(draft: str) -> list[str]:
    """The ways a bare answer phrase may be said: as given, and without a leading article
    ("The Chicago Marathon" is often written "Chicago Marathon")."""
    phrase = bare_text(draft)
    bare = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)
    return [phrase] + ([bare] if bare and bare != phrase else [])


def wanted_variants(draft: str, question: str) -> list[list[str]]:
    """What a model's answer asks the passages to state, most complete first. For a bare phrase:
    the phrase (as given, then without a leading article), then its parts — the pieces between
    commas or brackets, then its names, figures and dates (all of them together, then each
    alone): models add context the article says elsewhere or not at all ("Phoenix, Arizona");
    last, a figure as news may also write it ("118 years" → "118", "2" → "two").
    How much of the answer a sentence states is a feature of the confirmation model, which
    decides. For sentences: all the names, figures and dates they state that the question does
    not (together), then each of them as a bare phrase. Empty when there is nothing to look up.

    >>> wanted_variants("The Harbor Hawks", "Which team won?")
    [['The Harbor Hawks'], ['Harbor Hawks']]
    >>> wanted_variants("Porto, Portugal", "Where was the final?")
    [['Porto, Portugal'], ['Porto', 'Portugal'], ['Porto'], ['Portugal']]
    >>> wanted_variants("118 years", "How old was she?")
    [['118 years'], ['118']]
    >>> wanted_variants("Ada Lind won the cup in Porto.", "Who won the cup?")
    [['Ada Lind', 'Porto'], ['Ada Lind'], ['Porto']]
    >>> wanted_variants("She was 118 years old.", "How old was she?")
    [['118 years'], ['118']]
    """
    out: list[list[str]] = []

    def add(group: list[str]) -> None:
        group = [g for g in dict.fromkeys(group) if g]
        if group and group not in out:
            out.append(group)

    if not is_bare_phrase(draft):
        phrases = answer_phrases_of(strip_framing(draft), question)
        add(phrases)
        for p in phrases:  # then each phrase as if the model had answered with it alone
            for group in wanted_variants(p, question) if is_bare_phrase(p) else [[p]]:
                add(group)
        return out

    for v in phrase_variants(draft):
        add([v])
    phrase = bare_text(draft)
    for groups in (_pieces(phrase), [sp.text for sp in sorted(outer_spans(phrase), key=lambda sp: sp.start)]):
        if len(groups) > 1 or (groups and [groups[0]] not in out):
            add(groups)
            for g in groups:
                add([g])
    for group in [g for g in out if len(g) == 1]:  # a figure as news may write it: "118", "two"
        for form in figure_forms(group[0]):
            add([form])
    return out


_PIECES = re.compile(r"\s*(?:[,;:()\[\]]|\s[-–—]\s)\s*")


def _pieces(phrase: str) -> list[str]:
    """The parts of a phrase between commas, semicolons, colons, brackets and dashes, each
    without a leading article."""
    parts = [re.sub(r"^(?:the|a|an)\s+", "", p.strip(), flags=re.IGNORECASE) for p in _PIECES.split(phrase)]
    return [p for p in parts if p and p != phrase]


def model_draft(draft: str, evidence: Evidence, passages: Sequence[Passage], researched: bool = False,
                acceptable: Callable[[Scored], bool] | None = None) -> ModelDraft:
    """Read a real model's draft: see the module docstring. ``researched``: the passages include
    those found by searching again for the model's answer. ``acceptable``: whether verification
    would keep a candidate as the answer; of the sentences stating a confirmed answer, the best
    one it accepts is shown (the best one when it accepts none)."""
    if is_refusal(draft):
        return ModelDraft("", refused=True, notes=("the model said the passages do not answer",))
    q = evidence.question
    if is_bare_phrase(draft):
        variants = wanted_variants(draft, q.text)
        said = variants[0][0] if variants else bare_text(draft)
        c = confirm(evidence.confirm, q, variants, evidence.scored, researched, evidence.threshold, evidence.as_of)
        if c.index is None:
            return ModelDraft("", notes=(f"{NOT_STATED} {said[:60]!r}",),
                              unconfirmed=said)
        best = _shown(evidence.scored, c.wanted, c.index, acceptable if c.confirmed else None)
        where = f"passage [{best.candidate.passage + 1}]"
        if not c.confirmed:
            return ModelDraft("", notes=(f"the model's answer {c.wanted[0][:60]!r} {STATED_BY} {where}, {UNDER_CUTOFF} "
                                         f"{c.probability:.2f} < {c.cutoff:.2f}",))
        return ModelDraft(draft_of([best]), phrase=c.wanted[0],
                          notes=(f"the model's answer {c.wanted[0][:60]!r} {STATED_BY} {where} "
                                 f"(right with probability {c.probability:.2f})",))
    pieces, notes, unconfirmed = [], [], None
    for ds in parse_draft(draft, len(passages)):
        text = strip_framing(ds.text)
        markers = "".join(f"[{m}]" for m in ds.markers)
        cited = [passages[m - 1] for m in ds.markers] or list(passages)
        if verify_sentence(text, cited).supported:
            pieces.append(f"{text} {markers}".strip())
            continue
        variants = wanted_variants(text, q.text)
        phrases = variants[0] if variants else []
        c = confirm(evidence.confirm, q, variants, evidence.scored, researched,
                    evidence.threshold, evidence.as_of)
        if c.confirmed and c.index is not None:
            notes.append(f"{REPLACED} {text[:60]!r} by the passage sentence that states "
                         f"{', '.join(c.wanted)[:60]} (right with probability {c.probability:.2f})")
            pieces.append(draft_of([_shown(evidence.scored, c.wanted, c.index, acceptable)]))
        else:
            pieces.append(f"{text} {markers}".strip())  # verification decides (and drops it)
            if c.index is None and phrases and unconfirmed is None:
                unconfirmed = " ".join(phrases)  # no passage states it: search for its names too
    return ModelDraft(joined(pieces), notes=tuple(notes), unconfirmed=unconfirmed)


def _shown(scored: Sequence[Scored], wanted: Sequence[str], index: int,
           acceptable: Callable[[Scored], bool] | None) -> Scored:
    """The best candidate stating ``wanted`` that verification accepts (else the best stating it)."""
    if acceptable is not None:
        for s in scored[index:]:
            if states(wanted, s.candidate.text) and acceptable(s):
                return s
    return scored[index]


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
