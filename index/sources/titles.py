"""Pure: a title for an article that has none, from its lead sentence.

Untitled articles were shown to users by their id ("001_fed5…") in sources and refusals;
the lead sentence names the story better. At most :data:`MAX_WORDS` words: a longer lead
is cut at its last comma within that many words, else after :data:`CUT_WORDS` words with "…".

>>> lead_title("The harbor bridge reopened on Tuesday. Engineers replaced rivets.")
'The harbor bridge reopened on Tuesday'
>>> lead_title("Growers in the northern valley began the apple harvest a week early this year after a "
...            "warm spring, and the regional cooperative said it expected a record crop.")
'Growers in the northern valley began the apple harvest a week early this year after a warm spring'
>>> lead_title("   ") is None
True
"""

from __future__ import annotations

import re

MAX_WORDS = 18
CUT_WORDS = 14
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATED = re.compile(r"(?:\b[A-Z]\.){1,3}$|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|No)\.$")


def lead_title(text: str) -> str | None:
    """The lead sentence, shortened to a headline; None when the text has no words."""
    lead = next((p for p in re.split(r"\n\s*\n|\n", text.strip()) if p.strip()), "")
    lead = " ".join(lead.split())
    if not re.search(r"[^\W\d_]", lead):
        return None
    sentence = _first_sentence(lead)
    words = sentence.split()
    if len(words) > MAX_WORDS:
        head = " ".join(words[:MAX_WORDS])
        comma = head.rfind(",")
        if comma > 0 and len(head[:comma].split()) >= 6:
            sentence = head[:comma]
        else:
            sentence = " ".join(words[:CUT_WORDS]).rstrip(",;:") + "…"
    return sentence.rstrip(" .;:,")


def _first_sentence(text: str) -> str:
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if not _ABBREVIATED.search(text[start:m.start()]):
            return text[:m.start()]
    return text
