"""Pure: the sentences of a draft answer with the passages their ``[n]`` markers cite.

Example::

    >>> [(s.text, s.markers) for s in parse_draft("The council met on Dec. 3 [1]. It voted [2][9].", 2)]
    [('The council met on Dec. 3.', (1,)), ('It voted.', (2,))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text.markers import markers_in, strip_markers
from bot.text.sentences import sentence_spans


@dataclass(frozen=True)
class DraftSentence:
    text: str  # the sentence without its markers, whitespace normalised
    markers: tuple[int, ...]  # valid 1-based passage numbers, in order of appearance


def parse_draft(draft: str, n_passages: int) -> list[DraftSentence]:
    """Sentences of a draft with their markers; markers outside 1..n_passages are dropped.
    A marker right after a sentence's full stop ("... talks. [2]") belongs to that sentence."""
    out: list[DraftSentence] = []
    for start, end in sentence_spans(draft or ""):
        raw = draft[start:end]
        text = strip_markers(raw)
        if not re.search(r"\w", text):
            if out and markers_in(raw):  # a lone "[2]" line: it belongs to the sentence before
                prev = out[-1]
                extra = tuple(n for n in markers_in(raw) if 1 <= n <= n_passages and n not in prev.markers)
                out[-1] = DraftSentence(prev.text, prev.markers + extra)
            continue
        seen: list[int] = []
        for n in markers_in(raw):
            if 1 <= n <= n_passages and n not in seen:
                seen.append(n)
        out.append(DraftSentence(text, tuple(seen)))
    return out


def out_of_range_markers(draft: str, n_passages: int) -> list[int]:
    return sorted({n for n in markers_in(draft or "") if not 1 <= n <= n_passages})
