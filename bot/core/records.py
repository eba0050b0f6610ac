"""The answer every surface renders: sentences, their citations and verbatim quotes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.core.passage import Passage, RetrievalStatus


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation (REPL session, Slack thread, eval case)."""

    question: str
    answer: str
    refused: bool = False  # the answer was a refusal: it names article titles, not facts


@dataclass(frozen=True)
class Citation:
    """What marker ``[n]`` points at: a verbatim quote with its exact span in the article.

    ``article_text[start:end] == quote`` always holds (quote fidelity).
    """

    marker: int
    article_id: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    quote: str
    start: int
    end: int
    score: float  # support score of the quote for the sentence(s) citing it, 0..1
    story_id: str | None = None  # the story (copies of one wire story share it); None: the article's own
    also_reported_by: tuple[str, ...] = ()  # other outlets that ran the same story


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]  # markers
    supported: bool
    reason: str = ""  # why verification dropped/flagged it ("number 28 not in cited passages")
    note: bool = False  # says something of the sentence before it (passages that differ): shown, or dropped, with it
    evidence: float | None = None  # the scorer's probability that this quoted sentence answers (None: not a candidate)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str  # the text shown: supported sentences with [n] markers, or the refusal
    refused: bool
    citations: tuple[Citation, ...]
    sentences: tuple[AnswerSentence, ...]  # what is shown (flagged ones only with show_unsupported)
    backend: str  # extractive | local | openai
    model: str
    timings_ms: dict[str, float]
    standalone_question: str = ""  # the question actually searched (after history rewrite)
    passages: tuple[Passage, ...] = ()  # retrieval hits (for /why and /sources)
    dropped: tuple[AnswerSentence, ...] = ()  # sentences removed by verification
    closest_articles: tuple[str, ...] = ()  # titles/ids named in a refusal
    notes: tuple[str, ...] = field(default=())  # e.g. "fell back to extractive evidence"
    short_answer: str | None = None  # the answering phrase, verbatim from the first cited quote
    refusal_reason: str = ""  # a code when refused: low_evidence, nothing_retrieved, model_refused, unverified
    evidence: float | None = None  # probability that the best evidence sentence answers (0..1)
    as_of: str | None = None  # the moment the question was asked (YYYY-MM-DD)
    retrieval: RetrievalStatus | None = None  # which retrievers ran (None: not reported)
    dated: str | None = None  # "as of YYYY-MM-DD" when the sources span days or are over a week older than as_of

    @property
    def independent_sources(self) -> int:
        """Stories cited (copies of one story count once): what "N sources agree" counts."""
        return len({c.story_id or c.article_id for c in self.citations})

    def to_json(self) -> dict[str, Any]:
        """The `newsbot ask --json` object."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [asdict(c) for c in self.citations],
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "supported": s.supported,
                 "evidence": None if s.evidence is None else round(s.evidence, 4)}
                for s in self.sentences
            ],
            "backend": self.backend,
            "model": self.model,
            "timings_ms": dict(self.timings_ms),
            "standalone_question": self.standalone_question,
            "closest_articles": list(self.closest_articles),
            "short_answer": self.short_answer,
            "refusal_reason": self.refusal_reason or None,
            "notes": list(self.notes),  # how the answer came about (searched again, fell back, …)
            "dropped": [{"text": s.text, "citations": list(s.citations), "reason": s.reason} for s in self.dropped],
            "evidence": None if self.evidence is None else round(self.evidence, 4),
            "as_of": self.as_of,
            "dated": self.dated,
            "independent_sources": self.independent_sources,
            "passages": [{"chunk_id": p.chunk.id, "article_id": p.article_id, "dense_score": p.dense_score,
                          "lexical_score": p.lexical_score, "fused_rank": p.fused_rank} for p in self.passages],
            "retrieval": self.retrieval.to_json() if self.retrieval is not None else None,
        }
