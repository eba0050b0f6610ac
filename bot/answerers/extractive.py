"""The answerer that generates nothing: it quotes the evidence sentences that answer the question.

The evidence scorer (``bot/answering/evidence.py``) has already given each sentence of the
retrieved passages a learned probability of answering; this answerer returns the best one —
and a second from another article only when that one is strong evidence on its own — verbatim,
each followed by its ``[n]`` marker. The draft still goes through verification like any other.

Example::

    >>> from bot.core.passage import Chunk, Passage
    >>> t = "The river festival drew 40,000 visitors on Saturday. Parking was free all weekend."
    >>> p = Passage(Chunk("a#0", "a", t, 0, len(t)), 0.7, 2.0, 1, 0.03)
    >>> ExtractiveAnswerer().draft("How many visitors did the festival draw?", [p])
    'The river festival drew 40,000 visitors on Saturday. [1]'
"""

from __future__ import annotations

from typing import Sequence

from bot.answering.compose import choose, draft_of
from bot.answering.evidence import Evidence, EvidenceScorer, load_weights
from bot.core.passage import Passage
from bot.core.records import Turn


class ExtractiveAnswerer:
    name = "extractive"
    model = "evidence-scorer-v1"
    generates = False  # copies passage sentences: no topic guard, no fallback needed

    def __init__(self, scorer: EvidenceScorer | None = None):
        self._scorer = scorer

    @property
    def scorer(self) -> EvidenceScorer:
        if self._scorer is None:  # without embeddings: lexical and structural features only
            self._scorer = EvidenceScorer(load_weights())
        return self._scorer

    def draft(self, question: str, passages: Sequence[Passage], on_token=None,
              evidence: Evidence | None = None) -> str:
        if evidence is None:
            evidence = self.scorer.assess(question, passages)
        text = draft_of(choose(evidence))
        if on_token is not None and text:
            on_token(text)
        return text

    def rewrite_question(self, question: str, history: Sequence[Turn]) -> str | None:
        return None  # the deterministic rewrite in bot/answering/condense.py is used
