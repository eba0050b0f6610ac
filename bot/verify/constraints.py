"""Pure: does a supported sentence answer *this* question — its year, its edition, its names?

Word overlap cannot tell "won the 2019 Tour" from "won the 2021 Tour": every word checks out.
So each answer sentence is also held to the constraints the question states
(``bot/text/question.py``), against the sentence, its quotes and the cited articles' titles
and dates:

* ``YEAR_MISMATCH`` — the question asks about a year; the claim states years, none of them
  that one, and no cited article is from or titled with it;
* ``EDITION_MISMATCH`` — the question names an edition or ordinal ("the 58th"); the claim
  states ordinals, none of them that one;
* ``NAME_MISSING`` — the cited passages mention none of the question's names, or not a full
  name it asks about (two or more words: "Ana Ruiz"): the sentence is about something else.

Example::

    >>> from bot.text.question import analyse_question
    >>> q = analyse_question("Who won the 2021 cycling classic?")
    >>> check(q, "Ana Ruiz won the 2019 cycling classic.", [Context("Ana Ruiz won the 2019 cycling classic.", "Results", "2019-07-30")])
    <Reason.YEAR_MISMATCH: 'year_mismatch'>
    >>> check(q, "Ana Ruiz won the cycling classic.", [Context("Ana Ruiz won the cycling classic.", "Results", "2021-07-30")]) is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Sequence

from bot.text.answer_spans import YEAR
from bot.text.claims import TextIndex, index_text, name_found
from bot.text.question import Question
from bot.text.tokens import normalise
from bot.text.wordlists import FUNCTION_WORDS

_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")


class Reason(str, Enum):
    YEAR_MISMATCH = "year_mismatch"
    EDITION_MISMATCH = "edition_mismatch"
    NAME_MISSING = "name_missing"

    def message(self, question: Question, missing: Sequence[str] = ()) -> str:
        """What is wrong, for the reader; ``missing``: the names :func:`unnamed` found missing."""
        if self is Reason.YEAR_MISMATCH:
            return f"about another year than the question's {', '.join(question.years)}"
        if self is Reason.EDITION_MISMATCH:
            return f"about another edition than the question's {', '.join(question.figures)}"
        return f"the cited passages never mention {', '.join(missing or question.names)}"


@dataclass(frozen=True)
class Context:
    """What a cited passage offers besides the quote: its text, its article's title and date."""

    passage_text: str
    title: str = ""
    published: str | None = None


def check(question: Question, sentence: str, contexts: Sequence[Context], quotes: Sequence[str] = ()) -> Reason | None:
    """The first constraint of ``question`` that the claim breaks, or None."""
    claim = " ".join([sentence, *quotes])
    if question.years:
        stated = set(YEAR.findall(claim))
        dated = {c.published[:4] for c in contexts if c.published} | {y for c in contexts for y in YEAR.findall(c.title)}
        if stated and not stated & set(question.years) and not dated & set(question.years):
            return Reason.YEAR_MISMATCH
    asked_ordinals = {m for m in _ORDINAL.findall(question.text)}
    if asked_ordinals:
        stated_ordinals = set(_ORDINAL.findall(claim))
        if stated_ordinals and not stated_ordinals & asked_ordinals:
            return Reason.EDITION_MISMATCH
    if unnamed(question, contexts):
        return Reason.NAME_MISSING
    return None


def explain(reason: Reason, question: Question, contexts: Sequence[Context]) -> str:
    """"code: message" of a broken constraint, for the reader; a ``NAME_MISSING`` names only the
    names :func:`unnamed` finds missing (the lookup runs for that reason alone)."""
    missing = unnamed(question, contexts) if reason is Reason.NAME_MISSING else ()
    return f"{reason.value}: {reason.message(question, missing)}"


def unnamed(question: Question, contexts: Sequence[Context]) -> tuple[str, ...]:
    """The question's names that make a claim ``NAME_MISSING``: all of them when the cited
    passages mention none, else the full names they do not mention; ``()`` when none is missing.

    >>> from bot.text.question import analyse_question
    >>> q = analyse_question("Did Ana Ruiz or Mira Osei win in Lyon?")
    >>> unnamed(q, [Context("Ana Ruiz won in Lyon on Sunday.")])
    ('Mira Osei',)
    >>> unnamed(q, [Context("Rain fell on the course.")])
    ('Ana Ruiz', 'Mira Osei', 'Lyon')
    """
    asked = [n for n in question.names if n not in question.within]  # "which U.S. state": Michigan is one
    if not asked or not contexts:
        return ()
    where = " ".join(f"{c.title} {c.passage_text}" for c in contexts)
    alike, indexed = normalise(where), index_text(where)
    found = [_mentioned(name, where) or _mentioned(normalise(name), alike) or _derived_mentioned(name, indexed)
             for name in asked]
    if not any(found):
        return tuple(asked)
    return tuple(name for f, name in zip(found, asked) if _full_name(name) and not f)


def _full_name(name: str) -> bool:
    """A name of two or more words ("Ana Ruiz", "Tarn Valley Fair"): the question is about that
    one, so a passage answering it names it; a one-word name ("French", "Monday") is context.

    >>> _full_name("Ana Ruiz"), _full_name("Monday"), _full_name("the U.S.")
    (True, False, False)
    """
    return len(_name_words(name)) >= 2


def _derived_mentioned(name: str, text: TextIndex) -> bool:
    """A word of a name said as a related form: "Australian" for "Australia", "Chinese" for
    "China" (``claims.name_found``: one is the other plus a name ending).

    >>> in_australia = index_text("A chef in Australia banned vegans.")
    >>> _derived_mentioned("Australian", in_australia), _derived_mentioned("Austrian", in_australia)
    (True, False)
    """
    return any(name_found(w, text) for w in _WORD.findall(name) if w.lower() not in FUNCTION_WORDS and not w.isupper())


_INITIALISM = re.compile(r"(?<![A-Za-z])((?:[A-Z]\.){2,})")


def _name_words(name: str) -> list[str]:
    """The words of a name that can identify it: dotted initials as one ("U.S." → "US"),
    function words left out.

    >>> _name_words("the U.S. Open"), _name_words("Tour of Lorraine")
    (['US', 'Open'], ['Tour', 'Lorraine'])
    """
    name = _INITIALISM.sub(lambda m: m.group(1).replace(".", ""), name)
    return [w for w in _WORD.findall(name) if w.lower() not in FUNCTION_WORDS]


def _mentioned(name: str, text: str) -> bool:
    """Some distinctive word of the name occurs in the text (a surname is enough, case ignored);
    an abbreviation in capitals matches with or without dots, in capitals ("US" and "U.S." in
    "the U.S. team", not in "told us"). The check also runs on both through
    ``tokens.normalise``, so a name spelled out matches its short form and back ("United
    States" and "U.S.").

    >>> _mentioned("US", "the U.S. surgeon general said"), _mentioned("U.S.", "US officials said")
    (True, True)
    >>> _mentioned("Paris's", "In Paris on Monday"), _mentioned("US", "he told us")
    (True, False)
    >>> _mentioned(normalise("U.S."), normalise("across the United States")), _mentioned("United States", "in the U.S.")
    (True, False)
    """
    for w in (re.sub(r"['’]s$", "", w) for w in _name_words(name)):
        if len(w) < 2:
            continue
        if w.isupper() and w.isalpha() and len(w) <= 5:  # an abbreviation: U.S., UN, NATO
            pattern = r"(?<!\w)" + r"\.?".join(re.escape(c) for c in w) + r"\.?(?!\w)"
            if re.search(pattern, text):
                return True
        elif re.search(r"(?<!\w)" + re.escape(w), text, re.IGNORECASE):
            return True
    return False
