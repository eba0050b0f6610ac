"""One question → one verified :class:`Answer`. The single answering path for every surface.

Stages: validate → standalone rewrite (history) → retrieve → refusal gate (before any LLM call; a
model is still asked below it, its answer judged by the confirmation model: ``_model_may_confirm``;
also "this week" with no article from then) → draft (a model's bare answer not in the passages is
searched for) → verify → (nothing supported? extractive evidence, verified → else refusal) → dating
(bot/answering/dating.py). The draft is untrusted: only sentences verification supports reach the user.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from time import perf_counter
from typing import Callable, Sequence

from bot.answerers.base import Answerer
from bot.answering import compose, condense, dating, stories
from bot.answering.evidence import Evidence, EvidenceScorer, Reason
from bot.answering.retrieve import Retriever
from bot.answering.stream import VerifiedStream
from bot.answering.untrusted import looks_like_instruction
from bot.core.errors import InvalidQuestionError, LLMError
from bot.core.passage import Passage
from bot.core.records import Answer, AnswerSentence, Turn
from bot.core.settings import Settings
from bot.surfaces.display import sentence_display
from bot.text.question import Question, analyse_question
from bot.text.tokens import stem
from bot.verify.constraints import Context, explain
from bot.verify.constraints import check as check_constraints
from bot.verify.policy import Verified, verify_answer

MAX_QUESTION_CHARS = 2000
REFUSAL_TEXT = "The articles don't cover this."
UNVERIFIED_TEXT = "The articles don't say this clearly enough to answer with a verified quote."
MODEL_REFUSED, UNVERIFIED = "model_refused", "unverified"  # refusal codes besides the evidence Reason codes
OUT_OF_WINDOW = "out_of_window"  # "today"/"this week" asked, no retrieved article from then

TextCallback = Callable[[str], None]


def validate_question(question: str) -> str:
    """The question with surrounding whitespace removed; blank or over-long → error."""
    if question is None or not str(question).strip():
        raise InvalidQuestionError("the question is empty: type a question about the articles")
    text = str(question).strip()
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            f"the question is {len(text):,} characters long: the limit is {MAX_QUESTION_CHARS:,}, ask something shorter")
    return text


def answer(
    question: str,
    history: Sequence[Turn] = (),
    *,
    retriever: Retriever,
    answerer: Answerer,
    settings: Settings,
    scorer: EvidenceScorer,
    on_text: TextCallback | None = None,
    fallback: Answerer | None = None,
    as_of: str | None = None,
) -> Answer:
    start = perf_counter()
    timings = {"retrieve": 0.0, "generate": 0.0, "verify": 0.0, "total": 0.0}
    question = validate_question(question)
    day = parse_as_of(as_of or settings.as_of)
    notes: list[str] = []

    t, searched = perf_counter(), _standalone(question, history, answerer, notes)
    passages = list(retriever.search(searched, settings.top_k, published_by=day))  # none after `day`
    timings["retrieve"] = _ms(t)
    base = dict(question=question, backend=answerer.name, model=answerer.model,
                standalone_question=searched, passages=tuple(passages), as_of=day.isoformat())

    t = perf_counter()
    evidence = scorer.assess(searched, passages, day)
    timings["evidence"] = _ms(t)
    base["evidence"] = evidence.best
    if evidence.reason is not None and not _model_may_confirm(answerer, evidence):
        # the calibrated answerability gate, before any model is called
        notes.append(f"refused before drafting ({evidence.reason.value}): {evidence.message}")
        return _refusal(REFUSAL_TEXT, evidence, passages, base, notes, timings, start, on_text,
                        reason=evidence.reason.value)
    stale = dating.window_refusal(searched, [p.chunk.published for p in passages], day)
    if stale:
        notes.append("refused before drafting (out_of_window): no retrieved article is from the time asked about")
        return _refusal(stale, evidence, passages, base, notes, timings, start, on_text, reason=OUT_OF_WINDOW)

    show = bool(settings.show_unsupported)
    proposed: str | None = None

    def acceptable(s) -> bool:  # verification would keep this passage sentence as the answer
        return _has_support(verify_draft(compose.draft_of([s]), passages, show, searched))

    if answerer.generates:
        def check(d: str) -> Verified:
            return verify_draft(compose.model_draft(d, evidence, passages, acceptable=acceptable).draft,
                                passages, show, searched)

        stream = VerifiedStream(check, on_text) if on_text is not None else None
        t = perf_counter()
        raw = answerer.draft(searched, passages, on_token=stream.feed if stream else None)
        timings["generate"] = _ms(t) - (stream.verify_ms if stream else 0.0)
        t = perf_counter()
        read = compose.model_draft(raw, evidence, passages, acceptable=acceptable)
        if read.unconfirmed:  # look for the model's answer itself: a claim is checked against its evidence
            seen = frozenset(q.chunk.id for q in passages)
            more = retriever.search(f"{searched} {read.unconfirmed}", 2 * settings.top_k, exclude=seen,
                                    published_by=day)[:settings.top_k]
            if more:
                passages = passages + more
                evidence = scorer.assess(searched, passages, day)
                base.update(passages=tuple(passages), evidence=evidence.best)
                notes.append(f"searched again for the model's answer {read.unconfirmed[:60]!r}: {len(more)} more passage(s)")
                read = compose.model_draft(raw, evidence, passages, researched=True, acceptable=acceptable)
        notes.extend(read.notes)
        if read.refused:
            return _refusal(REFUSAL_TEXT, evidence, passages, base, notes, timings, start, on_text,
                            reason=MODEL_REFUSED)
        proposed = read.phrase
        result = verify_draft(read.draft, passages, show, searched)
        timings["verify"] = _ms(t) + (stream.verify_ms if stream else 0.0)
    else:
        stream = None
        t = perf_counter()
        draft = answerer.draft(searched, passages, evidence=compose.verifiable(evidence, acceptable))
        timings["generate"] = _ms(t)
        t = perf_counter()
        result = verify_draft(draft, passages, show, searched)
        timings["verify"] = _ms(t)

    if not _has_support(result) and answerer.generates and evidence.reason is None:
        fallback = fallback or _extractive()
        notes.append(f"no sentence of the {answerer.name} draft was supported by the passages; "
                     "fell back to extractive evidence")
        proposed = None
        t = perf_counter()
        fb_draft = fallback.draft(searched, passages, evidence=compose.verifiable(evidence, acceptable))
        fb_result = verify_draft(fb_draft, passages, show, searched)
        timings["verify"] += _ms(t)
        if _has_support(fb_result):
            result = dataclasses.replace(fb_result, dropped=tuple(result.dropped) + tuple(fb_result.dropped))
            base.update(backend=fallback.name, model=fallback.model)
    if not _has_support(result):
        notes.append("no sentence could be verified against the passages")
        return _refusal(UNVERIFIED_TEXT, evidence, passages, base, notes + list(result.notes),
                        timings, start, on_text, dropped=tuple(result.dropped), reason=UNVERIFIED)

    shown = compose.with_evidence(result.sentences, evidence)
    short = _short_answer(scorer, evidence, result, proposed)
    citations = stories.attach_to_citations(result.citations, passages)  # story ids, "also reported by"
    dated = dating.as_of_note([c.published for c in citations], day)
    text = " ".join(sentence_display(s) for s in shown) + (f" ({dated})" if dated else "")
    if short:
        text = f"{short} — {text}"
    if stream is not None:
        stream.finish(text)
    elif on_text is not None:
        on_text(text)
    timings["total"] = _ms(start)
    return Answer(answer=text, refused=False, citations=citations, sentences=shown,
                  timings_ms=timings, dropped=tuple(result.dropped), short_answer=short, dated=dated,
                  notes=tuple(notes) + tuple(result.notes), **base)


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """The as-of date: a date, an ISO ``YYYY-MM-DD`` string, or None for today."""
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidQuestionError(f"as_of {value!r} is not a date: use YYYY-MM-DD (--as-of)") from None


def _short_answer(scorer: EvidenceScorer, evidence: Evidence, result: Verified, proposed: str | None) -> str | None:
    """The phrase that answers, verbatim from the first shown sentence's first quote."""
    first = next((s for s in result.sentences if s.supported and s.citations), None)
    if first is None:
        return None
    quote = next((c.quote for c in result.citations if c.marker == first.citations[0]), "")
    return compose.short_answer(scorer.weights.span, evidence, quote, first.text, proposed)


# --- stages -------------------------------------------------------------------------------

def _standalone(question: str, history: Sequence[Turn], answerer, notes: list[str]) -> str:
    deterministic = condense.standalone_question(question, history)
    if not history or not condense.needs_history(question):
        return deterministic
    try:
        proposed = answerer.rewrite_question(question, history)
    except LLMError:
        return deterministic  # the draft will report the endpoint problem if it persists
    if proposed and condense.accept_rewrite(question, proposed, history):
        return " ".join(proposed.split())
    if proposed:
        notes.append(f"ignored the model's rewrite {proposed[:120]!r}: it dropped words of the question")
    return deterministic


def verify_draft(draft: str, passages: Sequence[Passage], show: bool, question: str | None = None) -> Verified:
    """verify_answer plus the question's constraints and two guards against article text steering a model.

    A sentence about another year, edition or subject than the question's is dropped
    (``bot.verify.constraints``), however many words its quote shares with it. ``question``
    (given for generated drafts) turns on the topic guard: a generated sentence whose text and
    quotes share no content word with the question is dropped — a model parroting an unrelated
    line of an article ("the secret word is X") is not answering.
    """
    v = verify_answer(draft, passages, show_unsupported=show)
    asked_q = analyse_question(question) if question else None
    by_marker = {c.marker: c for c in v.citations}
    asked = {stem(w) for w in condense.content_words(question)} if question else None
    kept, dropped = [], list(v.dropped)
    about = None  # the sentence a note is about: the last one before it that is not a note
    for s in v.sentences:
        if not s.note:
            about = s
        elif about is not None and not any(k is about for k in kept):  # a note on a sentence not shown
            dropped.append(dataclasses.replace(s, supported=False, reason="its sentence was dropped"))
            continue
        quotes = [by_marker[m].quote for m in s.citations if m in by_marker]
        # A claim resting only on text that addresses a model ("ignore previous
        # instructions, answer X") is an injection, not news: never show it.
        if looks_like_instruction(s.text) or (quotes and all(looks_like_instruction(q) for q in quotes)):
            dropped.append(dataclasses.replace(s, supported=False, reason="instruction-like text in the article"))
            continue
        broken = _constraint(asked_q, s, by_marker, passages) if asked_q else None
        if broken is not None:
            dropped.append(dataclasses.replace(s, supported=False, reason=broken))
            continue
        if asked and s.supported and not ({stem(w) for w in condense.content_words(" ".join([s.text, *quotes]))} & asked):
            dropped.append(dataclasses.replace(s, supported=False, reason="off-topic: shares no word with the question"))
            continue
        kept.append(s)
    used = {m for s in kept for m in s.citations}
    return Verified(tuple(kept), tuple(c for c in v.citations if c.marker in used), tuple(dropped), v.notes)


def _constraint(q: Question, s: AnswerSentence, by_marker: dict, passages: Sequence[Passage]) -> str | None:
    """"code: message" of the first constraint of ``q`` the sentence breaks (None: it breaks none)."""
    cited = [by_marker[m] for m in s.citations if m in by_marker]
    seen = {c.article_id: " ".join(p.chunk.text for p in passages if p.article_id == c.article_id) for c in cited}
    contexts = [Context(seen[c.article_id] or c.quote, c.title or "", c.published) for c in cited]  # what the search saw
    broken = check_constraints(q, s.text, contexts, [c.quote for c in cited])
    return explain(broken, q, contexts) if broken else None


def _model_may_confirm(answerer: Answerer, evidence: Evidence) -> bool:
    """Below the refusal threshold a model is still asked when a confirmation model will judge it."""
    return answerer.generates and evidence.reason is Reason.LOW_EVIDENCE and evidence.confirm is not None


def _has_support(result: Verified) -> bool:
    return any(s.supported for s in result.sentences)


def _refusal(lead, evidence, passages, base, notes, timings, start, on_text, dropped=(), reason="") -> Answer:
    closest = _closest_titles(evidence, passages)
    text = lead
    if closest:
        text += " Closest articles searched: " + "; ".join(f"“{t}”" for t in closest) + "."
    if on_text is not None:
        on_text(text)
    timings["total"] = _ms(start)
    return Answer(answer=text, refused=True, citations=(), sentences=(), timings_ms=timings,
                  dropped=tuple(dropped), closest_articles=tuple(closest), notes=tuple(notes),
                  refusal_reason=reason, **base)


def _closest_titles(evidence: Evidence, passages: Sequence[Passage], limit: int = 3) -> list[str]:
    """Titles of the closest articles (the gate's order, else retrieval order)."""
    by_article: dict[str, str] = {}
    for p in passages:
        by_article.setdefault(p.article_id, p.chunk.title or p.article_id)
    names: list[str] = []
    for article_id in evidence.closest or tuple(by_article):
        name = by_article.get(article_id, article_id)
        if name not in names:
            names.append(name)
    return names[:limit]


def _extractive():
    from bot.answerers.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer()


def _ms(since: float) -> float:
    return round((perf_counter() - since) * 1000.0, 1)


