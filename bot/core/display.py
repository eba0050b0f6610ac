"""How one answer sentence is written out: its text with ``[n]`` markers, flagged when unsupported.

Shared by answering (which composes ``Answer.answer``), render and Slack, so all spell it the same.

Example::

    >>> from bot.core.records import AnswerSentence
    >>> sentence_display(AnswerSentence("Okafor leads the talks.", (1, 2), True))
    'Okafor leads the talks [1][2].'
    >>> sentence_display(AnswerSentence("He is 95 [1].", (1,), False))
    '[unsupported] He is 95 [1].'
"""

from __future__ import annotations

import re

from bot.core.records import AnswerSentence
from bot.text.markers import format_markers, has_marker

FLAG = "[unsupported] "  # prefix of a sentence kept by --show-unsupported
_END = re.compile(r"[.!?]+[\"'”’)]*$")


def sentence_display(s: AnswerSentence) -> str:
    """A shown sentence with its markers (added when verification returned bare text)."""
    text = " ".join(s.text.split())
    if s.citations and not has_marker(text):
        marks = format_markers(s.citations)
        m = _END.search(text)
        text = f"{text[:m.start()]} {marks}{text[m.start():]}" if m else f"{text} {marks}"
    return (FLAG + text) if not s.supported else text
