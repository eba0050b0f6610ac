"""Pure: words, stems, figures and name spellings of English text.

Example::

    >>> sorted(numbers("a $12 billion budget, 20% and twenty-eight seats"))
    [(20.0, '%'), (28.0, ''), (12000000000.0, '')]
    >>> stem("representing") == stem("represented")
    True
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.text.wordlists import (
    DIGIT_WORDS,
    IRREGULAR,
    MONTHS,
    NAME_ALIASES,
    NEGATIONS,
    NUMBER_WORDS,
    QUANTITIES,
    SCALES,
    WEEKDAYS,
)

_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?"
    r"(\s*(?:%|percent\b|per\s+cent\b))?(?:\s*-?\s*(thousand|million|billion|trillion|bn|mn)\b)?", re.IGNORECASE)
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) +
                          r")(?:[-\s](" + "|".join(DIGIT_WORDS) + r"))?\b"
                          r"(\s*(?:%|percent\b|per\s+cent\b))?(?:\s+(thousand|million|billion|trillion)\b)?",
                          re.IGNORECASE)
_QUANTITY = re.compile(r"\b(" + "|".join(QUANTITIES) + r")(?:\s+of\s+(thousands|millions|billions))?\b",
                       re.IGNORECASE)
_HALF = re.compile(r"^[-\s]+and[-\s]+a[-\s]+half\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z](?:[A-Za-z'’]*[A-Za-z])?(?:\.[A-Za-z])*\.?")
_SUFFIXES = ("ingly", "edly", "ing", "ed", "es", "s", "ly")
DATE_STEMS = frozenset({w[:5] for w in MONTHS.values()} | {d[:5] for d in WEEKDAYS})


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Spellings that mean the same name: "United States" → "U.S.", curly apostrophes."""
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"\b(?:the\s+)?United\s+States\b",
                  lambda m: ("the " if m.group(0).lower().startswith("the") else "") + "U.S.", text)
    for pattern, replacement in NAME_ALIASES:
        text = re.sub(pattern, replacement, text)
    return text


def is_identifier(numeral: str) -> bool:
    """A numeral with leading zeros and at least three digits names something ("envoy 0004",
    "flight 007") rather than counting it."""
    return bool(_IDENTIFIER.fullmatch(numeral.strip()))


_IDENTIFIER = re.compile(r"0\d{2,}")


def numbers(text: str) -> set[tuple[float, str]]:
    """(value, kind) of every figure; kind is "%" for percentages, "~" for orders of
    magnitude ("tens of thousands"), "#<digits>" for a numeral with leading zeros ("0004": an
    identifier, which only the same digits match), else "". Number words count."""
    found: set[tuple[float, str]] = set()
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))
        if m.group(4):
            value *= SCALES[m.group(4).lower()]
        if is_identifier(m.group(0)):
            found.add((value, "#" + m.group(1)))
            continue
        found.add((value, "%" if m.group(3) else ""))
    for m in _WORD_NUMBER.finditer(text):
        value = float(NUMBER_WORDS[m.group(1).lower()])
        if m.group(2):
            value += DIGIT_WORDS.index(m.group(2).lower()) + 1
        if _HALF.match(text[m.end(1) if not m.group(2) else m.end(2):]):
            value += 0.5  # "four-and-a-half-hour"
        if m.group(4):
            value *= SCALES[m.group(4).lower()]
        found.add((value, "%" if m.group(3) else ""))
    for m in _QUANTITY.finditer(text):  # "tens of thousands": an order of magnitude, not a figure
        value = QUANTITIES[m.group(1).lower()] * (QUANTITIES[m.group(2).lower()] if m.group(2) else 1.0)
        found.add((value, "~"))
    return found


def stem(word: str) -> str:
    """The one stem of the code base: crude and stable, enough to match "represented" with
    "representing", "Dec." with "December", "led" with "leads"."""
    w = word.lower().replace("’", "'").rstrip(".")
    if w.endswith("'s"):
        w = w[:-2]
    w = MONTHS.get(w, w)
    w = IRREGULAR.get(w, w)
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]  # "force" / "forcing" / "forced"
    return w[:5]


def canonical(word: str) -> str:
    """A lower-case word without possessive, with months and irregular verbs spelled out."""
    w = word.rstrip(".")
    w = w[:-2] if w.endswith("'s") else w
    return IRREGULAR.get(w, MONTHS.get(w, w))


def tokens(text: str) -> list[tuple[str, int]]:
    """(word, offset) of each word; initialisms ("U.S.") stay whole."""
    return [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]


def word_tokens(text: str) -> list[str]:
    """Words and figures in order (hyphens split), for nearness checks."""
    return re.findall(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'’]*|\d[\d,.]*\d|\d", re.sub(r"[-–—/]", " ", normalise(text)))


def is_negation(word: str) -> bool:
    low = word.lower()
    return low in NEGATIONS or low.endswith("n't")


def is_negated(text: str) -> bool:
    return any(is_negation(t) for t, _ in tokens(text.replace("’", "'")))
