"""Pure: a title for an article that has none, from its lead sentence (the one splitter).

Untitled articles used to be shown by their id ("001_fed5…") in sources and refusals; the
lead sentence names the story better. At most :data:`MAX_WORDS` words: a longer lead is cut
at its last comma within that many words, else after :data:`CUT_WORDS` words with "…".

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

from bot.text.sentences import sentences

MAX_WORDS = 18
CUT_WORDS = 14


def lead_title(text: str) -> str | None:
    """The lead sentence, shortened to a headline; None when the text has no words."""
    lead = next((p for p in text.strip().splitlines() if p.strip()), "")
    found = sentences(lead)
    sentence = " ".join((found[0] if found else lead).split())
    if not re.search(r"[^\W\d_]", sentence):
        return None
    words = sentence.split()
    if len(words) > MAX_WORDS:
        head = " ".join(words[:MAX_WORDS])
        comma = head.rfind(",")
        if comma > 0 and len(head[:comma].split()) >= 6:
            sentence = head[:comma]
        else:
            sentence = " ".join(words[:CUT_WORDS]).rstrip(",;:") + "…"
    return sentence.rstrip(" .;:,")
