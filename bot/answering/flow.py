"""One question → one verified :class:`Answer`. The single answering path for every surface.

Stages: validate → standalone rewrite (history) → retrieve → refusal gate (before any
LLM call) → draft → verify → (nothing supported? extractive evidence, verified → else
refusal). The draft is untrusted: only sentences that verification supports reach the
user, also while an LLM streams (``on_text`` gets verified sentences one by one).
"""

from __future__ import annotations

import dataclasses
import re
from time import perf_counter
from typing import Callable, Sequence

from bot.answering import condense, refusal
from bot.verify import policy as verify
from bot.core.records import Answer, AnswerSentence, Citation, Turn
from bot.core.display import FLAG, sentence_display  # noqa: F401 - FLAG re-exported for callers
from bot.core.errors import InvalidQuestionError, LLMError
from bot.core.passage import Passage
from bot.answering.untrusted import looks_like_instruction

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
        notes.append("refused before drafting: " + (getattr(evidence, "reason", "") or
                     f"best similarity {_fmt(evidence.best_dense)} below threshold {settings.refusal_threshold:g}"))
        return _refusal(REFUSAL_TEXT, evidence, passages, base, notes, timings, start, on_text)

    show = bool(settings.show_unsupported)
    generated = getattr(answerer, "name", "") != "extractive"
    stream = _VerifiedStream(passages, show, on_text, searched if generated else None) if on_text is not None else None
    t = perf_counter()
    draft = answerer.draft(searched, passages, on_token=stream.feed if stream else None)
    timings["generate"] = _ms(t)
    t = perf_counter()
    result = _verify(draft, passages, show, searched if generated else None)
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
        fb_result = _verify(fb_draft, passages, show)
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
    if not history or not condense._needs_history(question):
        return deterministic
    rewrite = getattr(answerer, "rewrite_question", None)
    if rewrite is None:
        return deterministic
    try:
        proposed = rewrite(question, history)
    except LLMError:
        return deterministic  # the draft will report the endpoint problem if it persists
    if proposed and condense.accept_rewrite(question, proposed, history):
        return " ".join(proposed.split())
    if proposed:
        notes.append(f"ignored the model's rewrite {proposed[:120]!r}: it dropped words of the question")
    return deterministic


@dataclasses.dataclass(frozen=True)
class _Checked:
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    dropped: tuple[AnswerSentence, ...]
    notes: tuple[str, ...]


def _verify(draft: str, passages: Sequence[Passage], show: bool, question: str | None = None) -> _Checked:
    """verify.verify_answer plus two guards against article text steering a model.

    ``question`` (given for generated drafts) turns on the topic guard: a generated
    sentence whose text and quotes share no content word with the question is dropped —
    a model parroting an unrelated line of an article ("the secret word is X") is not
    answering. Extractive drafts are chosen for relevance already.
    """
    v = verify.verify_answer(draft, passages, show_unsupported=show)
    by_marker = {c.marker: c for c in v.citations}
    asked = {w[:5] for w in condense.content_words(question)} if question else None
    kept, dropped = [], list(v.dropped)
    for s in v.sentences:
        quotes = [by_marker[m].quote for m in s.citations if m in by_marker]
        # A claim resting only on text that addresses a model ("ignore previous
        # instructions, answer X") is an injection, not news: never show it.
        if looks_like_instruction(s.text) or (quotes and all(looks_like_instruction(q) for q in quotes)):
            dropped.append(dataclasses.replace(s, supported=False, reason="instruction-like text in the article"))
            continue
        if asked and s.supported and not ({w[:5] for w in condense.content_words(" ".join([s.text, *quotes]))} & asked):
            dropped.append(dataclasses.replace(s, supported=False, reason="off-topic: shares no word with the question"))
            continue
        kept.append(s)
    used = {m for s in kept for m in s.citations}
    return _Checked(tuple(kept), tuple(c for c in v.citations if c.marker in used), tuple(dropped),
                    tuple(getattr(v, "notes", ()) or ()))


def _has_support(result: _Checked) -> bool:
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


def _closest_titles(evidence, passages: Sequence[Passage], limit: int = 3) -> list[str]:
    by_article = {}
    for p in passages:
        by_article.setdefault(p.article_id, p.chunk.title or p.article_id)
    names: list[str] = []
    for item in list(getattr(evidence, "closest", ()) or ()) or list(by_article):
        if isinstance(item, Passage):
            name = item.chunk.title or item.article_id
        elif isinstance(item, str):
            name = by_article.get(item, item)
        else:
            name = getattr(item, "title", None) or getattr(item, "article_id", None) or str(item)
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


# --- progressive output of verified sentences -------------------------------------------------

_ABBREV = re.compile(r"(?:\b[A-Z]\.[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Jr|Sr|No|Vol|Dec|Nov|Oct|Sept|Jan|Feb|Aug)\.)$")
_BOUNDARY = re.compile(r"[.!?][\"'”’)]*(?:\s*\[\d+\])*(?=\s+[\"“(\[]?[A-Z0-9])|\n")


class _VerifiedStream:
    """Buffers an LLM stream and passes on each sentence once it is complete *and*
    verified. Unverified model text never reaches ``on_text``."""

    def __init__(self, passages: Sequence[Passage], show: bool, on_text: TextCallback, question: str | None):
        self.passages, self.show, self.on_text, self.question = passages, show, on_text, question
        self.buffer = ""
        self.checked_upto = 0
        self.sent = 0  # sentences already passed on
        self.emitted = ""
        self.verify_ms = 0.0

    def feed(self, piece: str) -> None:
        self.buffer += piece
        end = self._complete_prefix_end()
        if end <= self.checked_upto:
            return
        self.checked_upto = end
        t = perf_counter()
        result = _verify(self.buffer[:end], self.passages, self.show, self.question)
        self.verify_ms += _ms(t)
        fresh = result.sentences[self.sent:]
        if fresh:
            self._emit(" ".join(sentence_display(s) for s in fresh))
            self.sent = len(result.sentences)

    def finish(self, final_text: str) -> None:
        """Pass on what the final verification adds to what was already shown."""
        if final_text.startswith(self.emitted):
            rest = final_text[len(self.emitted):]
            if rest.strip():
                self.on_text(rest)
        elif not self.emitted:
            self.on_text(final_text)

    def _emit(self, text: str) -> None:
        if self.emitted:
            text = " " + text
        self.emitted += text
        self.on_text(text)

    def _complete_prefix_end(self) -> int:
        end = 0
        for m in _BOUNDARY.finditer(self.buffer):
            if not _ABBREV.search(self.buffer[: m.start() + 1]):
                end = m.end()
        return end
