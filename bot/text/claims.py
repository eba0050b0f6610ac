"""Pure: what a sentence claims, and where a text says it.

A claim is reduced to the things verification checks: its **numbers** (digits, number
words, percentages, money with its scale), its **names** (capitalised words such as
"Ana Okafor", "U.S.") and its **key content words** (stemmed, stopwords removed).

Example::

    >>> sorted(claim_features("The U.S. gave $12 billion to Lagos.").names)
    ['Lagos', 'U.S.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.text.markers import strip_markers
from bot.text.tokens import (
    DATE_STEMS,
    canonical,
    is_negated,
    is_negation,
    normalise,
    numbers,
    stem,
    tokens,
    word_tokens,
)
from bot.text.wordlists import (
    DENIALS,
    HEDGES,
    NAME_ENDINGS,
    NUMBER_WORDS,
    QUANTITIES,
    REPORTING_WORDS,
    SENTENCE_STARTERS,
    STOPWORDS,
)

CLAIM_STOPWORDS = STOPWORDS | REPORTING_WORDS  # "said", "according to": framing, not the claim


@dataclass(frozen=True)
class Features:
    """What a sentence asserts, for checking: all numbers and names must be found."""

    numbers: frozenset[tuple[float, str]]
    names: frozenset[str]  # as written ("Okafor", "U.S.")
    content: frozenset[str]  # stems of key content words
    negated: bool
    text: str = ""  # the normalised sentence (for checks that need word order)
    hedged: bool = False  # says "might", "reportedly", "expected to" ...


def claim_features(text: str) -> Features:
    text = normalise(strip_markers(text))
    shouting = sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha() for c in text))
    names, content = set(), set()
    sentence_start = True
    for tok, _pos in tokens(re.sub(r"[-–—/]", " ", text)):
        word = tok.rstrip(".") if not re.fullmatch(r"(?:[A-Za-z]\.)+", tok) else tok
        bare = word[:-2] if word.endswith("'s") else word
        low = bare.lower()
        first, sentence_start = sentence_start, False
        if low in DENIALS:
            content.add(stem(low))  # "rejected" is a claim of its own, not only a polarity
            continue
        if is_negation(low) or low in NUMBER_WORDS or low in QUANTITIES:
            continue
        if bare[:1].isupper() and not shouting and not (first and bare in SENTENCE_STARTERS) \
                and low not in CLAIM_STOPWORDS:
            names.add(bare)
        elif low not in CLAIM_STOPWORDS and len(low) >= 3:
            content.add(stem(low))
    return Features(frozenset(numbers(text)), frozenset(names), frozenset(content), is_negated(text), text,
                    any(t.lower() in HEDGES for t, _ in tokens(text)))


@dataclass(frozen=True)
class TextIndex:
    """A quote or passage, indexed for lookups of numbers, names and stems."""

    numbers: frozenset[tuple[float, str]]
    words: frozenset[str]  # lower-cased tokens
    stems: frozenset[str]
    text: str


@lru_cache(maxsize=16384)
def index_text(text: str) -> TextIndex:
    text = normalise(text)
    toks = [t.rstrip(".") if not re.fullmatch(r"(?:[A-Za-z]\.)+", t) else t
            for t, _ in tokens(re.sub(r"[-–—/]", " ", text))]
    words = {t.lower()[:-2] if t.lower().endswith("'s") else t.lower() for t in toks}
    return TextIndex(frozenset(numbers(text)), frozenset(words), frozenset(stem(w) for w in words), text)


def number_found(n: tuple[float, str], idx: TextIndex) -> bool:
    value, kind = n
    return any(v == value and (not kind or k == kind) for v, k in idx.numbers)


def name_found(name: str, idx: TextIndex) -> bool:
    low = normalise(name).lower()
    if low in idx.words:
        return True
    # "December" for "Dec.": the same canonical word; "Canadian" for "Canada", "Hungarian"
    # for "Hungary", "Jonesy" for "Jones": one is the other plus a short ending (a final
    # "e"/"y"/"a" may give way to it). Not a shared prefix alone: "Petra" is not "Petrakis".
    canon = canonical(low)
    for w in idx.words:
        if canonical(w) == canon:
            return True
        short, long_ = (w, low) if len(w) <= len(low) else (low, w)
        if len(short) >= 5 and _is_derived(short, long_):
            return True
    return False


@dataclass(frozen=True)
class Coverage:
    score: float  # 0..1: weighted share of the claim found
    missing_numbers: tuple[tuple[float, str], ...]
    missing_names: tuple[str, ...]
    content_found: int
    content_total: int


def coverage(claim: Features, idx: TextIndex) -> Coverage:
    miss_num = tuple(sorted(n for n in claim.numbers if not number_found(n, idx)))
    miss_name = tuple(sorted(n for n in claim.names if not name_found(n, idx)))
    found = sum(1 for s in claim.content if s in idx.stems)
    total = 2 * len(claim.numbers) + 2 * len(claim.names) + len(claim.content)
    got = 2 * (len(claim.numbers) - len(miss_num)) + 2 * (len(claim.names) - len(miss_name)) + found
    return Coverage(got / total if total else 0.0, miss_num, miss_name, found, len(claim.content))


def negation_near_claim(claim: Features, quote: str, window: int = 5) -> bool:
    """Does the quote negate (within a few words) something the claim asserts?"""
    toks = [t for t, _ in tokens(normalise(quote))]
    names = {n.lower() for n in claim.names}
    for i, t in enumerate(toks):
        low = t.lower()
        if is_negation(low):
            for nxt in toks[i + 1:i + 1 + window]:
                if stem(nxt) in claim.content or nxt.lower().rstrip(".") in names:
                    return True
    return False


def hedge_near_claim(claim: Features, quote: str, window: int = 4) -> bool:
    """Does the quote hedge ("might participate") something the claim states as fact?"""
    toks = [t for t, _ in tokens(normalise(quote))]
    names = {n.lower() for n in claim.names}
    for i, t in enumerate(toks):
        if t.lower() in HEDGES:
            for nxt in toks[i + 1:i + 1 + window]:
                if (stem(nxt) in claim.content and nxt.lower() not in HEDGES) or nxt.lower().rstrip(".") in names:
                    return True
    return False


def links(claim: Features, window: int = 3) -> list[tuple[str, frozenset[str]]]:
    """Each name of the claim with the content stems said within ``window`` words of it.

    >>> [(name, sorted(near)) for name, near in links(claim_features("Okafor leads the U.S. side."))]
    [('Okafor', ['lead']), ('U.S.', ['lead', 'sid'])]
    """
    toks = word_tokens(claim.text)
    is_name = [(t[:-2] if t.endswith(("'s", "’s")) else t) in claim.names for t in toks]
    out = []
    for i, tok in enumerate(toks):
        bare = tok[:-2] if tok.endswith(("'s", "’s")) else tok
        if not is_name[i] or stem(bare) in DATE_STEMS:
            continue  # when something happened may be said anywhere in the sentence
        # a word said of another name in between ("meet Okafor in St. Louis") is not linked
        near = {stem(toks[j]) for j in range(max(0, i - window), min(len(toks), i + window + 1))
                if toks[j][:1].isalpha() and not is_name[j] and stem(toks[j]) in claim.content
                and not any(is_name[k] and toks[k][:1].isupper() and k != i for k in range(min(i, j) + 1, max(i, j)))}
        if near and (bare, frozenset(near)) not in out:
            out.append((bare, frozenset(near)))
    return out


def number_links(claim: Features, window: int = 3) -> list[tuple[str, frozenset[str]]]:
    """Each figure (as digits) of the claim with the content stems said next to it
    ("reduced to 28 points" → 28: reduc, point), not reaching past another figure."""
    toks = word_tokens(claim.text)
    digit = [t[:1].isdigit() for t in toks]
    out = []
    for i, tok in enumerate(toks):
        if not digit[i] or (i and stem(toks[i - 1]) in DATE_STEMS) or re.fullmatch(r"(?:19|20)\d\d", tok):
            continue  # a day or year: when something happened may be said anywhere in the sentence
        near = {stem(toks[j]) for j in range(max(0, i - window), min(len(toks), i + window + 1))
                if toks[j][:1].isalpha() and stem(toks[j]) in claim.content
                and not any(digit[k] for k in range(min(i, j) + 1, max(i, j)))}
        if near:
            out.append((tok.replace(",", ""), frozenset(near)))
    return out


def _is_derived(short: str, long_: str) -> bool:
    """Is ``long_`` ``short`` plus a name ending ("Canada" → "Canadian")?"""
    if long_.startswith(short) and long_[len(short):] in NAME_ENDINGS:
        return True
    if short[-1:] not in ("e", "a", "y"):
        return False
    base = short[:-1]  # "Hungary" → "Hungarian", "Rome" → "Roman"
    return long_.startswith(base) and long_[len(base):] in NAME_ENDINGS
