"""How one answer sentence and one source are written out: the sentence with ``[n]`` markers
(flagged when unsupported), the source as title, source name and date.

Shared by answering (which composes ``Answer.answer``), render and Slack, so all spell it the same.

Example::

    >>> from bot.core.records import AnswerSentence, Citation
    >>> sentence_display(AnswerSentence("Okafor leads the talks.", (1, 2), True))
    'Okafor leads the talks [1][2].'
    >>> sentence_display(AnswerSentence("He is 95 [1].", (1,), False))
    '[unsupported] He is 95 [1].'
"""

from __future__ import annotations

from bot.core.normalize import terminal_line
from bot.core.records import AnswerSentence, Citation
from bot.text.markers import format_markers, has_marker
from bot.text.sentences import SENTENCE_END

FLAG = "[unsupported] "  # prefix of a sentence kept by --show-unsupported


def sentence_display(s: AnswerSentence) -> str:
    """A shown sentence with its markers (added when verification returned bare text)."""
    text = " ".join(s.text.split())
    if s.citations and not has_marker(text):
        marks = format_markers(s.citations)
        m = SENTENCE_END.search(text)
        text = f"{text[:m.start()]} {marks}{text[m.start():]}" if m else f"{text} {marks}"
    return (FLAG + text) if not s.supported else text


def source_title(title: str | None, article_id: str) -> str:
    """How a source is named: its title, else its article id (one line, no control characters)."""
    return terminal_line(title or article_id)


UNKNOWN_OUTLET = "outlet unknown"
UNDATED = "undated"
_OPENING_QUOTES = "\"'“”‘’«»„‚"


def source_meta(source: str | None, published: str | None, sep: str = ", ") -> str:
    """"Source, YYYY-MM-DD"; an unknown part is said so, never left out silently.

    >>> source_meta("Harbor Gazette", "2024-03-05T09:30:00+00:00"), source_meta(None, None)
    ('Harbor Gazette, 2024-03-05', 'outlet unknown, undated')
    """
    return sep.join(terminal_line(b) for b in (source or UNKNOWN_OUTLET, (published or "")[:10] or UNDATED))


def also_reported(c: Citation) -> str:
    """"also reported by: A, B" for a story other outlets ran too ("" when none)."""
    names = tuple(getattr(c, "also_reported_by", ()) or ())
    return f"also reported by: {', '.join(names)}" if names else ""


def source_line(c: Citation) -> str:
    """One line naming a cited source: "Title (Source, YYYY-MM-DD) · also reported by: A, B"."""
    also = also_reported(c)
    return f"{source_title(c.title, c.article_id)} ({source_meta(c.source, c.published)})" + (f" · {also}" if also else "")


def quoted(text: str) -> str:
    """A quote in curly quotation marks, unless it already starts with one (no ““double””).

    >>> quoted("The bridge is open."), quoted("“We are open,” she said.")
    ('“The bridge is open.”', '“We are open,” she said.')
    """
    return text if text[:1] in _OPENING_QUOTES else f"“{text}”"
