"""One question → one verified :class:`Answer`. The single answering path for every surface.

Stages: validate → standalone rewrite (history) → retrieve → refusal gate (before any
LLM call) → draft → verify → (nothing supported? extractive evidence, verified → else
refusal). The draft is untrusted: only sentences that verification supports reach the
user, also while an LLM streams (``on_text`` gets verified sentences one by one).
"""

from __future__ import annotations

import dataclasses
from time import perf_counter
from typing import Callable, Sequence

from bot.answering import condense, refusal
from bot.answering.stream import VerifiedStream
from bot.answering.untrusted import looks_like_instruction
from bot.core.errors import InvalidQuestionError, LLMError
from bot.core.passage import Passage
from bot.core.records import Answer, Turn
from bot.surfaces.display import sentence_display
from bot.text.tokens import stem
from bot.verify.policy import Verified, verify_answer

MAX_QUESTION_CHARS = 2000
REFUSAL_TEXT = "The articles don't cover this."
UNVERIFIED_TEXT = "The articles don't say this clearly enough to answer with a verified quote."

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
    retriever,
    answerer,
    settings,
    on_text: TextCallback | None = None,
    fallback=None,
) -> Answer:
    start = perf_counter()
    timings = {"retrieve": 0.0, "generate": 0.0, "verify": 0.0, "total": 0.0}
    question = validate_question(question)
    notes: list[str] = []

    t = perf_counter()
    searched = _standalone(question, history, answerer, notes)
    passages = list(retriever.search(searched, settings.top_k))
    timings["retrieve"] = _ms(t)
    base = dict(question=question, backend=answerer.name, model=answerer.model,
                standalone_question=searched, passages=tuple(passages))

    evidence = refusal.assess_evidence(searched, passages, settings.refusal_threshold)
    if evidence.refuse:
        notes.append("refused before drafting: " + (evidence.reason or
                     f"best similarity {_fmt(evidence.best_dense)} below threshold {settings.refusal_threshold:g}"))
        return _refusal(REFUSAL_TEXT, evidence, passages, base, notes, timings, start, on_text)

    show = bool(settings.show_unsupported)
    generated = answerer.generates
    stream = None
    if on_text is not None:
        stream = VerifiedStream(lambda d: verify_draft(d, passages, show, searched if generated else None), on_text)
    t = perf_counter()
    draft = answerer.draft(searched, passages, on_token=stream.feed if stream else None)
    timings["generate"] = _ms(t)
    t = perf_counter()
    result = verify_draft(draft, passages, show, searched if generated else None)
    timings["verify"] = _ms(t) + (stream.verify_ms if stream else 0.0)
    timings["generate"] -= stream.verify_ms if stream else 0.0

    if not _has_support(result) and generated:
        fallback = fallback or _extractive()
        notes.append(f"no sentence of the {answerer.name} draft was supported by the passages; "
                     "fell back to extractive evidence")
        t = perf_counter()
        fb_draft = fallback.draft(searched, passages)
        timings["generate"] += _ms(t)
        t = perf_counter()
        fb_result = verify_draft(fb_draft, passages, show)
        timings["verify"] += _ms(t)
        if _has_support(fb_result):
            result = dataclasses.replace(fb_result, dropped=tuple(result.dropped) + tuple(fb_result.dropped))
            base.update(backend=fallback.name, model=fallback.model)
    if not _has_support(result):
        notes.append("no sentence could be verified against the passages")
        return _refusal(UNVERIFIED_TEXT, evidence, passages, base, notes + list(result.notes),
                        timings, start, on_text, dropped=tuple(result.dropped))

    shown = tuple(result.sentences)
    text = " ".join(sentence_display(s) for s in shown)
    if stream is not None:
        stream.finish(text)
    elif on_text is not None:
        on_text(text)
    timings["total"] = _ms(start)
    return Answer(answer=text, refused=False, citations=tuple(result.citations), sentences=shown,
                  timings_ms=timings, dropped=tuple(result.dropped),
                  notes=tuple(notes) + tuple(result.notes), **base)


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
    """verify_answer plus two guards against article text steering a model.

    ``question`` (given for generated drafts) turns on the topic guard: a generated
    sentence whose text and quotes share no content word with the question is dropped —
    a model parroting an unrelated line of an article ("the secret word is X") is not
    answering. Extractive drafts are chosen for relevance already.
    """
    v = verify_answer(draft, passages, show_unsupported=show)
    by_marker = {c.marker: c for c in v.citations}
    asked = {stem(w) for w in condense.content_words(question)} if question else None
    kept, dropped = [], list(v.dropped)
    for s in v.sentences:
        quotes = [by_marker[m].quote for m in s.citations if m in by_marker]
        # A claim resting only on text that addresses a model ("ignore previous
        # instructions, answer X") is an injection, not news: never show it.
        if looks_like_instruction(s.text) or (quotes and all(looks_like_instruction(q) for q in quotes)):
            dropped.append(dataclasses.replace(s, supported=False, reason="instruction-like text in the article"))
            continue
        if asked and s.supported and not ({stem(w) for w in condense.content_words(" ".join([s.text, *quotes]))} & asked):
            dropped.append(dataclasses.replace(s, supported=False, reason="off-topic: shares no word with the question"))
            continue
        kept.append(s)
    used = {m for s in kept for m in s.citations}
    return Verified(tuple(kept), tuple(c for c in v.citations if c.marker in used), tuple(dropped), v.notes)


def _has_support(result: Verified) -> bool:
    return any(s.supported for s in result.sentences)


def _refusal(lead, evidence, passages, base, notes, timings, start, on_text, dropped=()) -> Answer:
    closest = _closest_titles(evidence, passages)
    text = lead
    if closest:
        text += " Closest articles searched: " + "; ".join(f"“{t}”" for t in closest) + "."
    if on_text is not None:
        on_text(text)
    timings["total"] = _ms(start)
    return Answer(answer=text, refused=True, citations=(), sentences=(), timings_ms=timings,
                  dropped=tuple(dropped), closest_articles=tuple(closest), notes=tuple(notes), **base)


def _closest_titles(evidence: refusal.Evidence, passages: Sequence[Passage], limit: int = 3) -> list[str]:
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


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.2f}"
