"""Pure: reading what a real model writes — refusals in its own words, hedges, bare phrases.

Capable models answer in forms a sentence-by-sentence quote check mishandles:

* a **refusal in its own words** ("The articles do not mention the score.") is a refusal, not an
  unsupported claim: ``is_refusal``;
* a **hedge** in front of a claim ("It appears that …", "Based on the passages, …") is
  framing: ``strip_framing`` removes it before the claim is checked;
* a **bare phrase** ("Harbor Hawks", "4") is an answer whose claim is the question and the
  phrase together: ``is_bare_phrase``; it is supported when a candidate sentence states the
  phrase (``find_phrase``) and the confirmation model (``bot/answering/confirm.py``) judges it;
* a **paraphrase** of a correct answer shares few words with the article but states the same
  answer phrases (names, figures, dates): ``answer_phrases_of`` finds them, and the evidence
  sentence that states them all is shown instead of the paraphrase.

Example::

    >>> is_refusal("The articles do not mention who won."), is_refusal("Ada Lind won [1].")
    (True, False)
    >>> strip_framing("Based on the passages, it appears that Ada Lind won.")
    'Ada Lind won.'
    >>> is_bare_phrase("Harbor Hawks"), is_bare_phrase("The Harbor Hawks won the cup on Sunday [1].")
    (True, False)
    >>> is_bare_phrase("Victory went to the Harbor Hawks."), is_bare_phrase("Harbor Hawks [2].")
    (False, True)
"""

from __future__ import annotations

import re

from bot.text.answer_spans import outer_spans
from bot.text.markers import remove_markers
from bot.text.sentences import ends_sentence, sentence_spans
from bot.text.wordlists import FRAMING_PREFIXES, REFUSAL_PATTERNS

_REFUSAL = re.compile(r"(?:" + "|".join(REFUSAL_PATTERNS) + r")", re.IGNORECASE)
_FRAMING = re.compile(r"^\s*(?:(?:" + "|".join(FRAMING_PREFIXES) + r")[\s,:]*)+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")
BARE_MAX_WORDS = 12


def is_refusal(text: str) -> bool:
    """The model says the passages do not answer (in any usual wording)."""
    plain = remove_markers(text).strip()
    return bool(plain) and bool(_REFUSAL.search(plain)) and len(plain.split()) <= 60


def strip_framing(sentence: str) -> str:
    """The claim without leading hedges and source framing; capitalised again."""
    rest = _FRAMING.sub("", sentence)
    if rest == sentence or not rest:
        return sentence
    return rest[:1].upper() + rest[1:]


def is_bare_phrase(draft: str) -> bool:
    """A short answer phrase rather than a sentence: a few words with no sentence end
    ("Harbor Hawks", "The Chicago Marathon", "118"), or at most three words ("Harbor Hawks.")."""
    plain = remove_markers(draft).strip()
    words = _WORD.findall(plain)
    if not words or len(sentence_spans(plain)) > 1:
        return False
    ends = ends_sentence(plain)
    return len(words) <= (3 if ends else BARE_MAX_WORDS)


def bare_text(draft: str) -> str:
    return remove_markers(draft).strip().rstrip(".").strip()


def answer_phrases_of(sentence: str, question: str) -> list[str]:
    """The names, figures and dates a model sentence states that the question does not; a phrase
    inside a longer one is that phrase.

    >>> answer_phrases_of("The deadline is April 18, 2023, said Ada Lind.", "When is the deadline?")
    ['Ada Lind', 'April 18, 2023']
    """
    asked = {w.lower() for w in _WORD.findall(question)}
    plain = remove_markers(sentence)
    lead = len(plain) - len(plain.lstrip(" \"'“‘("))
    out = []
    for span in outer_spans(plain):  # "April 18, 2023", not also its "April"
        words = {w.lower() for w in _WORD.findall(span.text)}
        if span.kind == "name" and span.start == lead and len(words) == 1:
            continue  # a lone word capitalised by its place at the start, not a name ("Victory went…")
        if words and not words <= asked and span.text not in out:
            out.append(span.text)
    return out


def find_phrase(phrase: str, sentence: str) -> tuple[int, int] | None:
    """Where ``phrase`` stands in ``sentence`` (case and curly quotes ignored), as a slice."""
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.replace("’", "'").split()) + r"(?!\w)"
    m = re.search(pattern, sentence.replace("’", "'"), re.IGNORECASE)
    return (m.start(), m.end()) if m else None
