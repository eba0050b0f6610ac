"""Pure: keep only the answer sentences the cited passages support, with verbatim quotes.

A sentence is supported by the quotes of the passages it cites when

* every figure is there ("12 points" is not "20 points"; "four-hour" is not
  "four-and-a-half-hour"), said with the words the claim puts next to it;
* every name is there, said with the words the claim says of it ("Kushner heads the fund"
  fails against "... Kushner, while Russia is represented by Kirill Dmitriev, head of the fund");
* at least ``MIN_CONTENT`` of its key content words are there;
* no quote negates it ("no plans for a phone call") or only hedges it ("might participate").

Policy for the rest:

* a marker pointing at no passage is dropped (noted);
* a sentence its own citations don't support, but another retrieved passage does, is
  **re-cited** to that passage (noted) — the claim is true to the articles, only the pointer
  was wrong; otherwise it is dropped (or kept flagged with ``show_unsupported``);
* an uncited sentence gets the best supporting passage, or is dropped (never a pair of
  uncited passages: stitching is how unsupported combinations pass);
* other articles that support a kept sentence on their own are cited too;
* when retrieved passages state different values for a fact a kept sentence asserts (a
  role such as "former U.S. President" vs "U.S. President" for one person, or different
  figures for the same thing across articles), a sentence saying so, citing both sides, is
  added after it (``find_conflicts``).

Markers are renumbered 1..m in order of first use; each :class:`Citation` is one verbatim
quote with its exact article span (one passage cited for two claims may yield two quotes).

Example::

    >>> from index.chunking import Chunk
    >>> from bot.core.passage import Passage
    >>> p = Passage(Chunk("a#0", "a", "Russia is represented by Kirill Dmitriev.", 0, 41), 0.8, None, 1, 0.1)
    >>> verify_sentence("Russia is represented by Sergei Lavrov.", [p]).reason
    'name Lavrov, Sergei is not in the cited passages'
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Sequence

from bot.core.records import AnswerSentence, Citation
from bot.text.sentences import (SENTENCE_STARTERS, STOPWORDS, Features, Quote, best_quote, claim_features, coverage,
                           hedge_near_claim, index_text, is_negated, links, name_found, negation_near_claim,
                           number_found, number_links, numbers, out_of_range_markers, parse_draft, quote_sentences,
                           sentence_spans, stem, word_tokens)
from bot.core.passage import Passage

MIN_CONTENT = 0.75  # share of a sentence's key content words its quotes must contain


@dataclass(frozen=True)
class Support:
    supported: bool
    reason: str
    score: float


@dataclass(frozen=True)
class Verified:
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    dropped: tuple[AnswerSentence, ...]
    notes: tuple[str, ...]


def _fmt_number(n: tuple[float, str]) -> str:
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
        return Support(False, f"figure {', '.join(map(_fmt_number, cov.missing_numbers))} is not in the cited passages", cov.score)
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

    Guards against stitched claims: "Rustem Umerov heads the sovereign wealth fund" must not
    pass because one sentence names Umerov and the next describes Dmitriev's job.
    """
    if not claim.content:
        return None
    need = 1 if len(claim.content) <= 3 else 2
    texts = [q.text[s:e] for q in quotes for s, e in sentence_spans(q.text)]
    parts = [index_text(t) for t in texts]
    for name in sorted(claim.names):
        stems = [idx.stems | (parts[k + 1].stems if k + 1 < len(parts) and _PRONOUN_START.match(texts[k + 1]) else frozenset())
                 for k, idx in enumerate(parts) if name_found(name, idx)]
        # ("... Ushakov said. He also dismissed ..." — the next sentence's "He" is Ushakov)
        if stems and not any(len(claim.content & st) >= need for st in stems):
            return f"name {name}"
    for n in sorted(claim.numbers):
        holders = [idx for idx in parts if number_found(n, idx)]
        if holders and not any(len(claim.content & idx.stems) >= need for idx in holders):
            return f"figure {_fmt_number(n)}"
    return None


NUMBER_WINDOW = 6  # words around a figure in a quote where the words claimed with it must appear
LINK_WINDOW = 10  # words around a name in a quote where its claimed action/role must appear


def _unlinked(claim: Features, quotes: Sequence[Quote]) -> str | None:
    """A name whose neighbouring words in the claim are not said of it in the quotes.

    Catches swapped roles that share every word with the quote: "Kushner heads the wealth
    fund" against "... Jared Kushner, while Russia is represented by Kirill Dmitriev, head of
    the country's sovereign wealth fund": "head" is said of Dmitriev. A neighbour counts only
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
    """Tokens of multi-word names ("Kirill Dmitriev") the claim does not mention: words on
    the far side of one are said of that person. Single capitalised words (places such as
    "Florida", adjectives such as "Belarusian") do not count."""
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


def _check(claim: Features, passages: Sequence[Passage]) -> tuple[Support, list[Quote]]:
    quotes = [best_quote(claim, p) for p in passages]
    return judge(claim, quotes), quotes


def verify_sentence(sentence: str, cited_passages: Sequence[Passage]) -> Support:
    """Check one sentence against the passages it cites (markers in it are ignored)."""
    return _check(claim_features(sentence), list(cited_passages))[0]


# --- the whole draft -----------------------------------------------------------------------

@dataclass
class _Planned:
    text: str  # plain sentence, or a template with {0}, {1} for conflict sentences
    refs: list[tuple[int, Quote]]  # (passage index, quote)
    supported: bool
    reason: str = ""
    template: bool = False


def _best_support(claim: Features, passages: Sequence[Passage]) -> tuple[Support, list[tuple[int, Quote]]] | Support:
    """The single passage that supports the claim best, or else the verdict on the
    closest passage (why nothing supports it)."""
    singles = []
    for i, p in enumerate(passages):
        support, quotes = _check(claim, [p])
        singles.append((support, i, quotes[0]))
    ok = [s for s in singles if s[0].supported]
    if ok:
        support, i, q = max(ok, key=lambda s: (s[0].score, -s[1]))
        return support, [(i, q)]
    # Only single passages: stitching a claim from two uncited passages is how unsupported
    # combinations ("Ushakov said talks are being prepared") slip through.
    top = sorted(singles, key=lambda s: (-s[0].score, s[1]))
    if not top:
        return Support(False, "there are no passages", 0.0)
    closest = top[0][0]
    return Support(False, f"no passage supports it; closest [{top[0][1] + 1}]: {closest.reason}", closest.score)


def verify_answer(draft: str, passages: Sequence[Passage], *, show_unsupported: bool = False) -> Verified:
    passages = list(passages)
    notes: list[str] = []
    bad = out_of_range_markers(draft, len(passages))
    if bad:
        notes.append(f"dropped marker(s) {', '.join(f'[{n}]' for n in bad)}: there are only {len(passages)} passages")
    plan: list[_Planned] = []
    dropped: list[AnswerSentence] = []
    seen_text: set[str] = set()
    seen_conflicts: set[tuple] = set()
    for ds in parse_draft(draft, len(passages)):
        key = ds.text.lower()
        if key in seen_text:
            continue  # a model repeating itself
        seen_text.add(key)
        claim = claim_features(ds.text)
        cited = [m - 1 for m in ds.markers]
        refs: list[tuple[int, Quote]] = []
        support = Support(False, "cites no passage", 0.0)
        if cited:
            support, quotes = _check(claim, [passages[i] for i in cited])
            refs = list(zip(cited, quotes))
        if not support.supported:
            found = _best_support(claim, passages)
            if isinstance(found, Support):
                support = found if not cited else support
            else:
                old = ", ".join(f"[{i + 1}]" for i in cited)
                new = ", ".join(f"[{i + 1}]" for i, _ in found[1])
                notes.append(f"re-cited {ds.text[:60]!r} from {old} to {new}: {support.reason}" if cited
                             else f"cited {new} for the uncited sentence {ds.text[:60]!r}")
                support, refs = found
        if not support.supported:
            reason = support.reason + (f" (cited {', '.join(f'[{i + 1}]' for i in cited)})" if cited else "")
            if show_unsupported:
                plan.append(_Planned(ds.text, refs, False, reason))
            else:
                dropped.append(AnswerSentence(ds.text, (), False, reason))
            continue
        refs = _add_other_articles(claim, refs, passages)
        plan.append(_Planned(ds.text, refs, True))
        for conflict in find_conflicts(ds.text, claim, refs, passages):
            if conflict.key not in seen_conflicts:
                seen_conflicts.add(conflict.key)
                plan.append(conflict.planned)
                notes.append(f"conflict: {conflict.summary}")
    if dropped:
        notes.append(f"dropped {len(dropped)} unsupported sentence(s)")
    return _number(plan, passages, dropped, notes)


def _add_other_articles(claim: Features, refs: list[tuple[int, Quote]], passages: Sequence[Passage]):
    """Also cite each other article that supports the claim on its own (its best passage)."""
    articles = {passages[i].article_id for i, _ in refs}
    extra: dict[str, tuple[float, int, Quote]] = {}
    for i, p in enumerate(passages):
        if p.article_id in articles:
            continue
        support, quotes = _check(claim, [p])
        if support.supported and (p.article_id not in extra or support.score > extra[p.article_id][0]):
            extra[p.article_id] = (support.score, i, quotes[0])
    return refs + [(i, q) for _, i, q in sorted(extra.values(), key=lambda e: e[1])]


def _number(plan: list[_Planned], passages: Sequence[Passage], dropped, notes) -> Verified:
    markers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for item in plan:
        used: list[int] = []
        for i, q in item.refs:
            c = passages[i].chunk
            key = (c.article_id, q.start, q.end)
            if key not in markers:
                markers[key] = len(markers) + 1
                citations.append(Citation(markers[key], c.article_id, c.title, c.source, c.url, c.published,
                                          q.text, q.start, q.end, q.score))
            used.append(markers[key])
        if item.template:
            text = item.text.format(*(f"[{m}]" for m in used))
            marks = tuple(dict.fromkeys(used))
        else:
            text, marks = item.text, tuple(dict.fromkeys(used))
        sentences.append(AnswerSentence(text, marks, item.supported, item.reason))
    return Verified(tuple(sentences), tuple(citations), tuple(dropped), tuple(notes))


# --- conflicts ------------------------------------------------------------------------------

QUALIFIERS = {"former", "ex", "late", "acting", "interim", "outgoing", "incoming", "then", "future",
              "deputy", "vice", "current", "sitting", "elect"}
TITLES = {"president", "minister", "chancellor", "secretary", "senator", "governor", "ambassador", "envoy",
          "chief", "leader", "spokesperson", "spokesman", "spokeswoman", "adviser", "advisor", "aide",
          "chairman", "chair", "king", "queen", "general", "director", "speaker", "mayor", "premier", "head",
          "commander", "prime", "foreign", "defense", "defence", "state", "of"}
_ROLE_TOKEN = re.compile(r"(\S+)\s+$")


@dataclass(frozen=True)
class Conflict:
    key: tuple
    planned: _Planned
    summary: str


@dataclass(frozen=True)
class _Mention:
    passage: int
    phrase: str  # verbatim "former U.S. President Donald Trump"
    head: str  # "president"
    qualifiers: frozenset[str]
    quote: Quote


def _role_before(text: str, name_start: int) -> tuple[int, str, frozenset[str]] | None:
    """Scan back from a name over title words ("former U.S. President"): (start, head, qualifiers)."""
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
    return start, head, frozenset(quals)


def _mentions(surname: str, passages: Sequence[Passage]) -> list[_Mention]:
    out = []
    pattern = re.compile(rf"(?:[A-Z][\w’'-]+\s+){{0,2}}\b{re.escape(surname)}\b")
    for i, p in enumerate(passages):
        text = p.chunk.text
        for q in quote_sentences(p):
            local = text[q.start - p.chunk.start:q.end - p.chunk.start]
            for m in pattern.finditer(local):
                name_start = m.start()
                # the capitalised run before the surname may itself be the title ("President Trump")
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
            continue  # "Donald" of "Donald Trump": the surname stands for the person
        if not re.search(rf"\b{re.escape(surname)}\b(?![’']s)", sentence):
            continue  # only "Trump's son-in-law": the sentence asserts nothing about Trump himself
        mentions = [m for m in _mentions(surname, passages) if m.head in words]
        if len({m.qualifiers for m in mentions}) < 2:
            continue
        asserted = frozenset(w for w in words if w in QUALIFIERS)
        ours = [m for m in mentions if m.qualifiers == asserted] or [m for m in mentions if m.passage in cited]
        if not ours:
            continue
        a = sorted(ours, key=lambda m: (m.passage not in cited, m.passage))[0]
        others = [m for m in mentions if m.qualifiers != a.qualifiers]
        if not others:
            continue
        b = sorted(others, key=lambda m: (passages[m.passage].article_id == passages[a.passage].article_id,
                                          -len(m.phrase), m.passage))[0]
        # one statement per person and title per answer, whichever sentence raises it first
        out.append(_conflict(("role", surname, a.head), a.passage, a.phrase, a.quote, b.passage, b.phrase, b.quote,
                             passages, f"{surname}: “{a.phrase}” vs “{b.phrase}”"))
    return out


_FIGURE = re.compile(r"(\$|€|£)?\d[\d,]*(?:\.\d+)?(?:\s*(?:%|percent|million|billion|trillion))?[\s-]+([A-Za-z]+)")


def _figures(text: str) -> list[tuple[frozenset, str, int, int]]:
    out = []
    for m in _FIGURE.finditer(text):
        unit = m.group(2).lower()
        if len(unit) < 3 or unit in STOPWORDS:
            continue
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
    same_article = "\n".join(p.chunk.text for p in passages if p.article_id == a_article)
    out = []
    for values, unit, _, _ in ours:
        a_fig = next(((s, e) for v, u, s, e in _figures(a_quote.text) if u == unit and v == values), None)
        if a_fig is None:
            continue
        for j, p in enumerate(passages):
            if p.article_id == a_article:
                continue
            for q in quote_sentences(p):
                shared = claim.content & index_text(q.text).stems - {unit}
                if len(shared) < 2:
                    continue
                for v, u, s, e in _figures(q.text):
                    if u != unit or v == values or not v:
                        continue
                    if any(fu == unit and fv == v for fv, fu, _, _ in _figures(same_article)):
                        continue  # the first article reports both figures: a change, not a disagreement
                    out.append(_conflict(("figure", unit), a_idx, a_quote.text[a_fig[0]:a_fig[1]], a_quote,
                                         j, q.text[s:e], q, passages,
                                         f"“{a_quote.text[a_fig[0]:a_fig[1]]}” vs “{q.text[s:e]}”"))
                    return out
    return out


def _conflict(key, a, a_phrase, a_quote, b, b_phrase, b_quote, passages, summary) -> Conflict:
    a_phrase, b_phrase = " ".join(a_phrase.split()), " ".join(b_phrase.split())
    same = passages[a].article_id == passages[b].article_id
    lead = "The article is inconsistent" if same else "The articles differ"
    text = lead + ": {0} says “" + _brace(a_phrase) + "” while {1} says “" + _brace(b_phrase) + "”."
    sides = [(a, dataclasses.replace(a_quote, score=1.0)), (b, dataclasses.replace(b_quote, score=1.0))]
    planned = _Planned(text, sides, True, template=True)
    return Conflict(key, planned, summary)


def _brace(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
