"""How one answer sentence is written out: its text with ``[n]`` markers, flagged when unsupported.

Shared by qa (which composes ``Answer.answer``) and render, so both spell it the same.

Example::

    >>> from bot.core.records import AnswerSentence
    >>> sentence_display(AnswerSentence("Dmitriev leads the talks.", (1, 2), True))
    'Dmitriev leads the talks [1][2].'
    >>> sentence_display(AnswerSentence("He is 95 [1].", (1,), False))
    '[unsupported] He is 95 [1].'
"""

from __future__ import annotations

import re

from bot.core.records import AnswerSentence

FLAG = "[unsupported] "  # prefix of a sentence kept by --show-unsupported
_MARKERS = re.compile(r"\[\d+\]")
_END = re.compile(r"[.!?]+[\"'”’)]*$")


def sentence_display(s: AnswerSentence) -> str:
    """A shown sentence with its markers (added when verification returned bare text)."""
    text = " ".join(s.text.split())
    if s.citations and not _MARKERS.search(text):
        marks = "".join(f"[{m}]" for m in s.citations)
        m = _END.search(text)
        text = f"{text[:m.start()]} {marks}{text[m.start():]}" if m else f"{text} {marks}"
    return (FLAG + text) if not s.supported else text
