"""Pure: does a supported sentence answer *this* question — its year, its edition, its names?

Word overlap cannot tell "won the 2019 Tour" from "won the 2021 Tour": every word checks out.
So each answer sentence is also held to the constraints the question states
(``bot/text/question.py``), against the sentence, its quotes and the cited articles' titles
and dates:

* ``YEAR_MISMATCH`` — the question asks about a year; the claim states years, none of them
  that one, and no cited article is from or titled with it;
* ``EDITION_MISMATCH`` — the question names an edition or ordinal ("the 58th"); the claim
  states ordinals, none of them that one;
* ``NAME_MISSING`` — the question names someone or something that no cited passage mentions
  at all: the sentence is about something else.

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
from bot.text.question import Question
from bot.text.tokens import normalise
from bot.text.wordlists import FUNCTION_WORDS

_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")


class Reason(str, Enum):
    YEAR_MISMATCH = "year_mismatch"
    EDITION_MISMATCH = "edition_mismatch"
    NAME_MISSING = "name_missing"

    def message(self, question: Question) -> str:
        if self is Reason.YEAR_MISMATCH:
            return f"about another year than the question's {', '.join(question.years)}"
        if self is Reason.EDITION_MISMATCH:
            return f"about another edition than the question's {', '.join(question.figures)}"
        return f"the cited passages never mention {', '.join(question.names)}"


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
    if question.names and contexts:
        where = " ".join(f"{c.title} {c.passage_text}" for c in contexts)
        low, alike = where.lower(), normalise(where).lower()
        if not any(_mentioned(name, low) or _spelled_alike(name, alike) for name in question.names):
            return Reason.NAME_MISSING
    return None


def _spelled_alike(name: str, alike: str) -> bool:
    """The name in another of its spellings ("United States" as "U.S." or "USA"; ``alike`` is the
    text through ``tokens.normalise``, lower-cased): news writes the short form more often.

    >>> text = "Kraft said the meals leave U.S. school menus."
    >>> _spelled_alike("United States", normalise(text).lower()), _mentioned("United States", text.lower())
    (True, False)
    >>> _spelled_alike("United States", "the meals leave school menus"), _spelled_alike("Porto", "porto")
    (False, False)
    """
    spelled = normalise(name).lower()
    return spelled != name.lower() and re.search(r"(?<!\w)" + re.escape(spelled) + r"(?!\w)", alike) is not None


def _mentioned(name: str, low: str) -> bool:
    """Some distinctive word of the name occurs in the text (a surname is enough); an
    abbreviation in capitals matches with or without dots ("US" in "the U.S. team").

    >>> _mentioned("US", "the u.s. surgeon general said"), _mentioned("Paris's", "in paris on monday")
    (True, True)
    >>> _mentioned("US", "the surgeon general said")
    False
    """
    words = [re.sub(r"['’]s$", "", w) for w in _WORD.findall(name) if w.lower() not in FUNCTION_WORDS]
    for w in words:
        if len(w) < 2:
            continue
        if w.isupper() and w.isalpha() and len(w) <= 5:  # an abbreviation: U.S., UN, NATO
            pattern = r"(?<!\w)" + r"\.?".join(re.escape(c) for c in w.lower()) + r"\.?(?!\w)"
        else:
            pattern = r"(?<!\w)" + re.escape(w.lower())
        if re.search(pattern, low):
            return True
    return False
