"""Pure: does one sentence hold against the quotes of the passages it cites?

A sentence is supported by the quotes of the passages it cites when

* every figure is there ("12 points" is not "20 points"; "four-hour" is not
  "four-and-a-half-hour"), said with the words the claim puts next to it;
* every name is there, said with the words the claim says of it ("Okafor heads the fund"
  fails against "... led by Okafor, while the other side sent Ana Reyes, head of the fund");
* at least ``MIN_CONTENT`` of its key content words are there;
* no quote negates it ("no plans for a meeting") or only hedges it ("might participate").

Example::

    >>> from bot.core.passage import Chunk, Passage
    >>> p = Passage(Chunk("a#0", "a", "The city is represented by Ana Reyes.", 0, 37), 0.8, None, 1, 0.1)
    >>> verify_sentence("The city is represented by Tom Hale.", [p]).reason
    'name Hale, Tom is not in the cited passages'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from bot.core.passage import Passage
from bot.text.claims import (
    Features,
    claim_features,
    coverage,
    hedge_near_claim,
    index_text,
    links,
    name_found,
    negation_near_claim,
    number_found,
    number_links,
)
from bot.text.sentences import sentence_spans
from bot.text.tokens import is_negated, stem, word_tokens
from bot.text.wordlists import SENTENCE_STARTERS
from bot.verify.quotes import Quote, best_quote

MIN_CONTENT = 0.75  # share of a sentence's key content words its quotes must contain


@dataclass(frozen=True)
class Support:
    supported: bool
    reason: str
    score: float



def fmt_number(n: tuple[float, str]) -> str:
    value, kind = n
    digits = (f"{value:,.0f}" if value == int(value) else f"{value:g}").replace(",", "")
    return f"~{digits}" if kind == "~" else digits + kind


def judge(claim: Features, quotes: Sequence[Quote]) -> Support:
    """Do these quotes (together) support the claim?"""
    if not quotes:
        return Support(False, "cites no passage", 0.0)
    if not (claim.numbers or claim.names or claim.content):
        return Support(False, "states nothing that can be checked", 0.0)
    cov = coverage(claim, index_text("\n".join(q.text for q in quotes)))
    if cov.missing_numbers:
        return Support(False, f"figure {', '.join(map(fmt_number, cov.missing_numbers))} is not in the cited passages", cov.score)
    if cov.missing_names:
        return Support(False, f"name {', '.join(cov.missing_names)} is not in the cited passages", cov.score)
    if cov.content_total and cov.content_found / cov.content_total < MIN_CONTENT:
        return Support(False, f"only {cov.content_found} of {cov.content_total} key words are in the cited passages", cov.score)
    loose = _unbound(claim, quotes) or _unlinked(claim, quotes)
    if loose:
        return Support(False, f"{loose} is not said together with the rest of the sentence", cov.score * 0.5)
    if not claim.negated and any(negation_near_claim(claim, q.text) for q in quotes):
        return Support(False, "the cited passage negates this", cov.score)
    if claim.negated and not any(is_negated(q.text) for q in quotes):
        return Support(False, "the sentence negates what the cited passage says", cov.score)
    if not claim.hedged and any(hedge_near_claim(claim, q.text) for q in quotes):
        return Support(False, "the cited passage only says this may be so", cov.score)
    return Support(True, "", cov.score)


_PRONOUN_START = re.compile(r"[\"“]?(?:He|She|They|His|Her|Their)\b")


def _unbound(claim: Features, quotes: Sequence[Quote]) -> str | None:
    """A name or figure found only in quote sentences sharing none of the claim's key words.

    Guards against stitched claims: "Tom Hale heads the wealth fund" must not pass because
    one sentence names Hale and the next describes Ana Reyes's job.
    """
    if not claim.content:
        return None
    need = 1 if len(claim.content) <= 3 else 2
    texts = [q.text[s:e] for q in quotes for s, e in sentence_spans(q.text)]
    parts = [index_text(t) for t in texts]
    for name in sorted(claim.names):
        stems = [idx.stems | (parts[k + 1].stems if k + 1 < len(parts) and _PRONOUN_START.match(texts[k + 1]) else frozenset())
                 for k, idx in enumerate(parts) if name_found(name, idx)]
        # ("... Hale said. He also dismissed ..." — the next sentence's "He" is Hale)
        if stems and not any(len(claim.content & st) >= need for st in stems):
            return f"name {name}"
    for n in sorted(claim.numbers):
        holders = [idx for idx in parts if number_found(n, idx)]
        if holders and not any(len(claim.content & idx.stems) >= need for idx in holders):
            return f"figure {fmt_number(n)}"
    return None


NUMBER_WINDOW = 6  # words around a figure in a quote where the words claimed with it must appear
LINK_WINDOW = 10  # words around a name in a quote where its claimed action/role must appear


def _unlinked(claim: Features, quotes: Sequence[Quote]) -> str | None:
    """A name whose neighbouring words in the claim are not said of it in the quotes.

    Catches swapped roles that share every word with the quote: "Hale heads the wealth
    fund" against "... Tom Hale, while the city is represented by Ana Reyes, head of its
    wealth fund": "head" is said of Reyes. A neighbour counts only
    within LINK_WINDOW words and with no other person's name (one the claim does not
    mention) between.
    """
    toks = [t for q in quotes for t in word_tokens(q.text) + ["|"] * LINK_WINDOW]
    low = [t.lower() for t in toks]
    stems = [stem(t) if t[:1].isalpha() else "" for t in toks]
    ours = {n.lower() for n in claim.names} | {stem(n) for n in claim.names}
    other = _other_people(toks, low, stems, ours)
    for name, near in links(claim):
        key = name.lower()
        spots = [i for i, t in enumerate(low) if t == key or t[:-2] == key or (len(key) >= 5 and stems[i] == stem(key))]
        if spots and not any(stems[j] in near and not any(other[min(i, j) + 1:max(i, j)])
                             for i in spots for j in range(max(0, i - LINK_WINDOW), i + LINK_WINDOW + 1)
                             if j < len(toks)):
            return f"name {name} (with {', '.join(sorted(near))})"
    # A figure must be said with the words the claim puts next to it, wherever the quote has
    # those words: "reduced to 28 points" is not backed by "a 28-point proposal ... reduced to 20 points".
    digit = [t[:1].isdigit() for t in toks]
    for value, near in number_links(claim):
        spots = [i for i, t in enumerate(toks) if digit[i] and t.replace(",", "") == value]
        for s in sorted(near):
            if spots and s in stems and not any(
                    stems[j] == s and not any(digit[min(i, j) + 1:max(i, j)])
                    for i in spots for j in range(max(0, i - NUMBER_WINDOW), min(len(toks), i + NUMBER_WINDOW + 1))):
                return f"figure {value} (with {s})"
    return None


def _other_people(toks, low, stems, ours) -> list[bool]:
    """Tokens of multi-word names ("Ana Reyes") the claim does not mention: words on
    the far side of one are said of that person. Single capitalised words (places such as
    "Ontario", adjectives such as "Brazilian") do not count."""
    caps = [t[:1].isupper() and t not in SENTENCE_STARTERS for t in toks]
    other = [False] * len(toks)
    i = 0
    while i < len(toks):
        if not caps[i]:
            i += 1
            continue
        j = i
        while j < len(toks) and caps[j]:
            j += 1
        if j - i >= 2 and not any(low[k] in ours or stems[k] in ours for k in range(i, j)):
            other[i:j] = [True] * (j - i)
        i = j
    return other


def check(claim: Features, passages: Sequence[Passage]) -> tuple[Support, list[Quote]]:
    quotes = [best_quote(claim, p) for p in passages]
    return judge(claim, quotes), quotes


def verify_sentence(sentence: str, cited_passages: Sequence[Passage]) -> Support:
    """Check one sentence against the passages it cites (markers in it are ignored)."""
    return check(claim_features(sentence), list(cited_passages))[0]
