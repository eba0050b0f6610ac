"""Pure: the one sentence splitter of the code base.

Lines are sentences too (headlines have no full stop). Abbreviations ("Dec.", "Mr."),
initials ("John F. Kennedy"), initialisms ("U.S." mid-sentence) and decimals ("2.5") do not
split; a quotation stays one sentence with its speaker; ``[n]`` markers after a full stop
belong to the sentence before them.

Example::

    >>> text = "The mayor met Dr. Lee on Dec. 3 [1]. They spoke for 2.5 hours."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['The mayor met Dr. Lee on Dec. 3 [1].', 'They spoke for 2.5 hours.']
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.text.markers import MARKERS_RUN
from bot.text.wordlists import ABBREVIATIONS, STARTERS_AFTER_INITIALISM

SENTENCE_END = re.compile(r"[.!?]+[\"'”’)]*$")  # the closing punctuation of a sentence
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*" + MARKERS_RUN, re.IGNORECASE)
MAX_QUOTED_SENTENCES_CHARS = 600  # a quotation left open longer than this is a typo: split anyway


@lru_cache(maxsize=4096)  # passages are re-split for every sentence of every (streamed) draft
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base, chunk = line.start(), line.group(0)
        start = 0
        for m in _BOUNDARY.finditer(chunk):
            end = m.end()
            rest = chunk[end:]
            if rest and not rest[0].isspace():
                continue  # "2.5", "U.S.-mediated"
            nxt = re.match(r"\s*([\"“‘'(\[]?)(\S*)", rest)
            following = nxt.group(2) if nxt else ""
            opener = nxt.group(1) if nxt else ""
            if rest.strip() and not (following[:1].isupper() or following[:1].isdigit() or opener):
                continue  # next word lower-case: not a sentence end
            if "[" not in m.group(0) and _is_abbreviation(chunk[start:m.start() + 1], following):
                # (a marker after the full stop means the writer ended the sentence there)
                continue
            if _inside_quotation(chunk[start:end]):
                continue  # “We cannot agree. ... terms,” she said. — one statement with its speaker
            _add(spans, base, chunk, start, end)
            start = end
        _add(spans, base, chunk, start, len(chunk))
    return tuple(spans)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[s:e] for s, e in sentence_spans(text)]


def ends_sentence(text: str) -> bool:
    return SENTENCE_END.search(text) is not None


def complete_prefix_end(text: str) -> int:
    """Where the last sentence known to be complete ends (0 if none): a sentence is complete
    once another one has begun after it, or its line has ended. For streamed text."""
    spans = sentence_spans(text)
    if not spans:
        return 0
    if text.endswith("\n"):
        return spans[-1][1]
    return spans[-2][1] if len(spans) >= 2 else 0


def _inside_quotation(piece: str) -> bool:
    if len(piece) > MAX_QUOTED_SENTENCES_CHARS:
        return False
    return piece.count("“") > piece.count("”") or piece.count('"') % 2 == 1


def _is_abbreviation(head: str, following: str) -> bool:
    word = re.search(r"([A-Za-z.]+)\.$", head)
    if not word or not head.endswith("."):
        return False
    token = word.group(1)
    if token.lower().rstrip(".") in ABBREVIATIONS and "." not in token:
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # "U.S", "e.g"
        return following.strip("\"“‘'(") not in STARTERS_AFTER_INITIALISM
    return bool(re.fullmatch(r"[A-Z]", token))  # an initial: "John F. Kennedy"


def _add(spans: list[tuple[int, int]], base: int, chunk: str, start: int, end: int) -> None:
    piece = chunk[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + start + lead, base + start + len(piece.rstrip())))
