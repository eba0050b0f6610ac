"""The answerer seam: one small Protocol for every way of drafting an answer."""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence

from bot.core.passage import Passage
from bot.core.records import Turn

TokenCallback = Callable[[str], None]


class Answerer(Protocol):
    """Drafts an answer from numbered passages. The draft is *untrusted*: it goes
    through bot/verify before anyone sees it.

    Passages are numbered from 1 in the order given; the draft cites them as ``[n]``.
    """

    name: str  # "extractive" | "local" | "openai" | "fake"
    model: str
    # True when the draft is model-written text (a generated draft gets the topic guard and,
    # when nothing of it is supported, the extractive fallback); False for sentences
    # copied from the passages.
    generates: bool

    def draft(
        self,
        question: str,
        passages: Sequence[Passage],
        on_token: TokenCallback | None = None,
        evidence: Any = None,
    ) -> str:
        """Answer text with [n] markers; streams pieces to ``on_token`` when given.
        ``evidence`` (the pipeline's scored sentences) is what a non-generating answerer quotes."""
        ...

    def rewrite_question(self, question: str, history: Sequence[Turn]) -> str | None:
        """A standalone version of a follow-up question, or None to let the caller use
        the deterministic rewrite."""
        ...
