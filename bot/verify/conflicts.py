"""Pure: facts the retrieved passages state differently for a sentence the answer asserts.

When passages give different values for a fact a kept sentence asserts (a role such as
"former mayor" vs "mayor" for one person, or different figures for the same thing across
articles), a sentence saying so, citing both sides, is added after it.

Only reports of the same moment can disagree: two articles published more than a news cycle
apart (``bot.core.dates.same_news_cycle``) describe different moments, and a title, a toll or a
jackpot that changed between them is not a disagreement. "Current", "sitting", "outgoing" and
"incumbent" say the title is held, as the bare title does. Two figures are of one quantity only
when the words next to them share one ("killed 12 people" / "killed 31 people", not "ruled for
50 years" / "after 13 years of war"), when the two sentences do not name two different subjects
("Ada Lind's 10-year deal" / "Piet Laan's contract ... 12 years"), and when neither also states the
other's figure ("killed 9 people and injured 50" / "killing 9 and injuring 50 people"). A year is not an amount ("the 2026
men's tournament" and "the 2030 men's tournament" are two tournaments).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Sequence

from bot.core.dates import same_news_cycle
from bot.core.passage import Passage
from bot.text.answer_spans import YEAR
from bot.text.claims import Features, claim_features, index_text
from bot.text.tokens import is_identifier, numbers, stem
from bot.text.wordlists import CALENDAR_WORDS, STOPWORDS
from bot.text.wordlists import ROLE_HOLDING_QUALIFIERS as HOLDING
from bot.text.wordlists import ROLE_QUALIFIERS as QUALIFIERS
from bot.text.wordlists import ROLE_TITLES as TITLES
from bot.verify.quotes import Quote, quote_sentences

_ROLE_TOKEN = re.compile(r"(\S+)\s+$")


@dataclass(frozen=True)
class Conflict:
    key: tuple
    template: str  # the sentence, with {0} and {1} where the two sides' markers go
    sides: tuple[tuple[int, Quote], Quote] | tuple  # ((passage index, quote), (passage index, quote))
    summary: str


@dataclass(frozen=True)
class _Mention:
    passage: int
    phrase: str  # verbatim "former Mayor Ana Reyes"
    head: str  # "mayor"
    qualifiers: frozenset[str]
    quote: Quote


def _role_before(text: str, name_start: int) -> tuple[int, str, frozenset[str]] | None:
    """Scan back from a name over title words ("former city Mayor"): (start, head, qualifiers)."""
    pos, head, quals, start = name_start, None, set(), None
    while True:
        m = _ROLE_TOKEN.search(text, 0, pos)
        if not m or m.end() != pos:
            break
        tok = m.group(1)
        low = tok.lower().strip(".,").replace("’", "'")
        if tok[-1:] in ",;:" or low.endswith("'s"):
            break
        if low in QUALIFIERS or low.rstrip("-") in QUALIFIERS:
            quals.add(low.rstrip("-"))
        elif low in TITLES:
            head = head or (low if low not in ("of", "state") else None)
        elif not (tok[:1].isupper() and low not in {"the", "and", "in", "on", "at", "between"}):
            break
        start, pos = m.start(1), m.start(1)
    if head is None or start is None:
        return None
    return start, head, frozenset(quals - HOLDING)  # "current mayor" says what "mayor" says


def _mentions(surname: str, passages: Sequence[Passage]) -> list[_Mention]:
    out = []
    pattern = re.compile(rf"(?:[A-Z][\w’'-]+\s+){{0,2}}\b{re.escape(surname)}\b")
    for i, p in enumerate(passages):
        text = p.chunk.text
        for q in quote_sentences(p):
            local = text[q.start - p.chunk.start:q.end - p.chunk.start]
            for m in pattern.finditer(local):
                name_start = m.start()
                # the capitalised run before the surname may itself be the title ("Mayor Reyes")
                for tok in re.finditer(r"\S+", m.group(0)):
                    if tok.group(0).lower() in TITLES | QUALIFIERS:
                        name_start = m.start() + tok.end() + 1
                role = _role_before(local, min(name_start, m.end()))
                if role is None:
                    continue
                start, head, quals = role
                out.append(_Mention(i, local[start:m.end()], head, quals, q))
    return out


def find_conflicts(sentence: str, claim: Features, refs, passages: Sequence[Passage]) -> list[Conflict]:
    return _role_conflicts(sentence, claim, refs, passages) + _figure_conflicts(sentence, claim, refs, passages)


def _role_conflicts(sentence, claim, refs, passages) -> list[Conflict]:
    cited = {i for i, _ in refs}
    words = {w.lower().strip(".,") for w in sentence.split()}
    out = []
    for surname in sorted(n for n in claim.names if n[:1].isupper() and n.lower() not in TITLES | QUALIFIERS):
        if re.search(rf"\b{re.escape(surname)}\s+[A-Z]", sentence):
            continue  # "Ana" of "Ana Reyes": the surname stands for the person
        if not re.search(rf"\b{re.escape(surname)}\b(?![’']s)", sentence):
            continue  # only "Reyes's deputy": the sentence asserts nothing about Reyes herself
        mentions = [m for m in _mentions(surname, passages) if m.head in words]
        if len({m.qualifiers for m in mentions}) < 2:
            continue
        asserted = frozenset(w for w in words if w in QUALIFIERS - HOLDING)
        ours = [m for m in mentions if m.qualifiers == asserted] or [m for m in mentions if m.passage in cited]
        if not ours:
            continue
        a = sorted(ours, key=lambda m: (m.passage not in cited, m.passage))[0]
        others = [m for m in mentions if m.qualifiers != a.qualifiers and _same_moment(passages, a.passage, m.passage)]
        if not others:
            continue
        b = sorted(others, key=lambda m: (passages[m.passage].article_id == passages[a.passage].article_id,
                                          -len(m.phrase), m.passage))[0]
        # one statement per person and title per answer, whichever sentence raises it first
        out.append(_conflict(("role", surname, a.head), a.passage, a.phrase, a.quote, b.passage, b.phrase, b.quote,
                             passages, f"{surname}: “{a.phrase}” vs “{b.phrase}”"))
    return out


_FIGURE = re.compile(r"(\$|€|£)?\d[\d,]*(?:\.\d+)?(?:\s*(?:%|percent|million|billion|trillion))?[\s-]+([A-Za-z]+)")


# Words after which a numeral names an entity ("envoy number 4", "flight 212"), not an amount.
ID_WORDS = frozenset({"number", "no", "nr", "num", "id", "code", "flight", "route", "room", "platform", "gate",
                      "seat", "case", "version", "model", "line", "bus", "lane", "unit", "ward", "district",
                      "precinct", "item", "file", "ticket", "patient", "prisoner", "serial", "#"})
_ID = re.compile(r"(?:\b([A-Za-z]+)\.?\s*|#\s*)(\d[\d-]*)|(?<![\d,.])\b(0\d{2,})\b")


def identifiers(text: str) -> frozenset[str]:
    """The numerals of ``text`` that name an entity: after an id word or with leading zeros.

    >>> sorted(identifiers("Envoy number 0004 met 40 delegates on flight 212."))
    ['0004', '212']
    """
    out = set()
    for m in _ID.finditer(text):
        if m.group(3):
            out.add(m.group(3))
        elif m.group(1) is None or m.group(1).lower() in ID_WORDS or is_identifier(m.group(2)):
            out.add(m.group(2))
    return frozenset(out)


def _figures(text: str) -> list[tuple[frozenset, str, int, int]]:
    """(values, unit stem, start, end) of each amount with a unit; identifiers are not amounts."""
    ids = identifiers(text)
    out = []
    for m in _FIGURE.finditer(text):
        unit = m.group(2).lower()
        if len(unit) < 3 or unit in STOPWORDS:
            continue
        numeral = re.match(r"[$€£]?([\d,.]+)", m.group(0))
        if numeral and (numeral.group(1).rstrip(".,") in ids or (not m.group(1) and YEAR.fullmatch(numeral.group(1)))):
            continue  # "flight 212" names a flight, "2030 men's" a tournament: neither is an amount
        out.append((frozenset(numbers(m.group(0))), stem(unit), m.start(), m.end()))
    return out


def _figure_conflicts(sentence, claim, refs, passages) -> list[Conflict]:
    if not claim.numbers:
        return []
    ours = _figures(sentence)
    if not ours:
        return []
    a_idx, a_quote = refs[0]
    a_article = passages[a_idx].article_id
    about = identifiers(sentence)  # "envoy number 0004": statements about another number are another entity
    same_article = "\n".join(p.chunk.text for p in passages if p.article_id == a_article)
    a_names, a_numbers = _names(a_quote.text), set(numbers(a_quote.text))
    out = []
    for values, unit, _, _ in ours:
        a_fig = next(((s, e) for v, u, s, e in _figures(a_quote.text) if u == unit and v == values), None)
        if a_fig is None:
            continue
        for j, p in enumerate(passages):
            if p.article_id == a_article or not _same_moment(passages, a_idx, j):
                continue
            for q in quote_sentences(p):
                shared = claim.content & index_text(q.text).stems - {unit}
                if len(shared) < 2:
                    continue
                theirs = identifiers(q.text)
                if about and theirs and not about & theirs:
                    continue  # the same attribute of a different entity: no disagreement
                if not _same_subject(a_names, _names(q.text)):
                    continue  # "Ada Lind's 10-year deal" and "Piet Laan's contract ... 12 years": two subjects
                q_numbers = set(numbers(q.text))
                for v, u, s, e in _figures(q.text):
                    if u != unit or v == values or not v:
                        continue
                    if values <= q_numbers or v <= a_numbers:
                        continue  # each states the other's figure too ("killed 9 ... injured 50 people"): two quantities
                    if any(fu == unit and fv == v for fv, fu, _, _ in _figures(same_article)):
                        continue  # the first article reports both figures: a change, not a disagreement
                    if not _around(a_quote.text, *a_fig) & _around(q.text, s, e):
                        continue  # "ruled for 50 years" and "after 13 years of war": two quantities
                    out.append(_conflict(("figure", unit), a_idx, a_quote.text[a_fig[0]:a_fig[1]], a_quote,
                                         j, q.text[s:e], q, passages,
                                         f"“{a_quote.text[a_fig[0]:a_fig[1]]}” vs “{q.text[s:e]}”"))
                    return out
    return out


AROUND_WORDS = 4  # content words each side of a figure that say what it measures


def _names(text: str) -> set[str]:
    """The names a sentence says past its first word (capitalised there, "Officials" or "Police"
    need not name anything), days and months left out: they date, they do not name."""
    first = re.match(r"[^\w]*([\w.’'-]+)", text)
    opener = first.group(1).rstrip(".").lower() if first else ""
    return {n.lower() for n in claim_features(text).names} - CALENDAR_WORDS - {opener, opener.removesuffix("'s")}


def _same_subject(ours: set[str], theirs: set[str]) -> bool:
    """Two sentences (their :func:`_names`) can report one quantity unless both name things and
    share none of them.

    >>> _same_subject(_names("Ada Lind signed a 10-year deal on Monday."), _names("Piet Laan's deal ran 12 years on Monday."))
    False
    >>> _same_subject(_names("Rescuers said 12 people died."), _names("Police said 31 people died in Harbor City."))
    True
    """
    return not ours or not theirs or bool(ours & theirs)


def _around(text: str, start: int, end: int) -> set[str]:
    """Stems of the content words next to a figure: what it counts ("killed 12 people so far")."""
    def content(words: list[str]) -> list[str]:
        return [stem(w) for w in words if w.lower() not in STOPWORDS and not w[:1].isdigit()]
    before = content(re.findall(r"[A-Za-z][\w'’-]*", text[:start]))[-AROUND_WORDS:]
    after = content(re.findall(r"[A-Za-z][\w'’-]*", text[end:]))[:AROUND_WORDS]
    return set(before + after)


def _same_moment(passages: Sequence[Passage], a: int, b: int) -> bool:
    return same_news_cycle(passages[a].chunk.published, passages[b].chunk.published)


def _conflict(key, a, a_phrase, a_quote, b, b_phrase, b_quote, passages, summary) -> Conflict:
    a_phrase, b_phrase = " ".join(a_phrase.split()), " ".join(b_phrase.split())
    same = passages[a].article_id == passages[b].article_id
    lead = "The article is inconsistent" if same else "The articles differ"
    text = lead + ": {0} says “" + _brace(a_phrase) + "” while {1} says “" + _brace(b_phrase) + "”."
    sides = [(a, dataclasses.replace(a_quote, score=1.0)), (b, dataclasses.replace(b_quote, score=1.0))]
    return Conflict(key, text, tuple(sides), summary)


def _brace(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
