"""Pure: sentences and ``[n]`` markers of a draft, what a sentence claims, and the verbatim
quote of a passage that best supports it.

A claim is reduced to the things verification checks: its **numbers** (digits, number
words, percentages, money with its scale), its **names** (capitalised words such as
"Kirill Dmitriev", "U.S.", "Miami") and its **key content words** (stemmed, stopwords
removed). ``best_quote`` finds the passage sentence (or the shortest run of adjacent
sentences) covering most of them, and reports it in *article* coordinates.

Example::

    >>> [(s.text, s.markers) for s in parse_draft("Ushakov spoke on Dec. 21 [1]. He denied it [2][9].", 2)]
    [('Ushakov spoke on Dec. 21.', (1,)), ('He denied it.', (2,))]
    >>> sorted(claim_features("The U.S. gave $106 billion to Kyiv.").names)
    ['Kyiv', 'U.S.']
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Sequence

from bot.core.passage import Passage

# --- sentences and markers ----------------------------------------------------------------

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "sen", "rep", "gov", "lt", "col", "capt", "sgt", "maj",
    "jr", "sr", "no", "vol", "fig", "inc", "ltd", "co", "corp", "vs", "etc", "approx", "est", "dept",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "pres",
}
# Words that, after an initialism such as "U.S.", show a new sentence has begun.
_STARTERS_AFTER_INITIALISM = {"The", "A", "An", "He", "She", "It", "They", "We", "I", "This", "That", "But",
                              "In", "On", "At", "Meanwhile", "However", "His", "Her", "Their", "There"}
_MARKER_BODY = r"(?:passages?\s*)?\d+(?:\s*[,;]\s*(?:passages?\s*)?\d+)*"
MARKER = re.compile(r"\[\s*(" + _MARKER_BODY + r")\s*\]", re.IGNORECASE)
_MARKERS_RUN = r"(?:\s*\[\s*" + _MARKER_BODY + r"\s*\])*"
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*" + _MARKERS_RUN, re.IGNORECASE)


@lru_cache(maxsize=4096)  # passages are re-split for every sentence of every (streamed) draft
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of ``text``, whitespace trimmed. Lines are sentences
    too (headlines have no full stop). Abbreviations ("Dec.", "Mr."), initials ("John
    F. Kennedy"), initialisms ("U.S." mid-sentence) and decimals ("2.5") do not split."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base, chunk = line.start(), line.group(0)
        start = 0
        for m in _BOUNDARY.finditer(chunk):
            end = m.end()
            rest = chunk[end:]
            if rest and not rest[0].isspace():
                continue  # "2.5", "U.S.-mediated"
            nxt = re.match(r"\s*([\"“‘'(\[]?)(\S*)", rest)
            following = nxt.group(2) if nxt else ""
            if rest.strip() and not (following[:1].isupper() or following[:1].isdigit() or nxt.group(1)):
                continue  # next word lower-case: not a sentence end
            if "[" not in m.group(0) and _is_abbreviation(chunk[start:m.start() + 1], following):
                # (a marker after the full stop means the writer ended the sentence there)
                continue
            if _inside_quotation(chunk[start:end]):
                continue  # “We cannot force Ukraine. ... deal,” he said. — one statement with its speaker
            _add(spans, base, chunk, start, end)
            start = end
        _add(spans, base, chunk, start, len(chunk))
    return tuple(spans)


MAX_QUOTED_SENTENCES_CHARS = 600  # a quotation left open longer than this is a typo: split anyway


def _inside_quotation(piece: str) -> bool:
    if len(piece) > MAX_QUOTED_SENTENCES_CHARS:
        return False
    return piece.count("“") > piece.count("”") or piece.count('"') % 2 == 1


def _is_abbreviation(head: str, following: str) -> bool:
    word = re.search(r"([A-Za-z.]+)\.$", head)
    if not word or not head.endswith("."):
        return False
    token = word.group(1)
    if token.lower().rstrip(".") in ABBREVIATIONS and "." not in token:
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # "U.S", "e.g"
        return following.strip("\"“‘'(") not in _STARTERS_AFTER_INITIALISM
    return bool(re.fullmatch(r"[A-Z]", token))  # an initial: "John F. Kennedy"


def _add(spans, base, chunk, start, end):
    piece = chunk[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + start + lead, base + start + len(piece.rstrip())))


@dataclass(frozen=True)
class DraftSentence:
    text: str  # the sentence without its markers, whitespace normalised
    markers: tuple[int, ...]  # valid 1-based passage numbers, in order of appearance


def markers_in(text: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(text) for n in re.findall(r"\d+", m.group(1))]


def strip_markers(text: str) -> str:
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def parse_draft(draft: str, n_passages: int) -> list[DraftSentence]:
    """Sentences of a draft with their markers; markers outside 1..n_passages are dropped.
    A marker right after a sentence's full stop ("... talks. [2]") belongs to that sentence."""
    out = []
    for start, end in sentence_spans(draft or ""):
        raw = draft[start:end]
        text = strip_markers(raw)
        if not re.search(r"\w", text):
            if out and markers_in(raw):  # a lone "[2]" line: it belongs to the sentence before
                prev = out[-1]
                extra = tuple(n for n in markers_in(raw) if 1 <= n <= n_passages and n not in prev.markers)
                out[-1] = DraftSentence(prev.text, prev.markers + extra)
            continue
        seen: list[int] = []
        for n in markers_in(raw):
            if 1 <= n <= n_passages and n not in seen:
                seen.append(n)
        out.append(DraftSentence(text, tuple(seen)))
    return out


def out_of_range_markers(draft: str, n_passages: int) -> list[int]:
    return sorted({n for n in markers_in(draft or "") if not 1 <= n <= n_passages})


# --- what a text claims -------------------------------------------------------------------

STOPWORDS = set("""a an the and or but if then so of to in on at by for with from about into over after
before during between against under up down out off again further once here there when where why how
what which who whom whose is are was were be been being have has had do does did doing would should
could can will may might must shall only own same than too very just also i me my we our you your he
him his she her hers it its they them their theirs this that these those tell please say said says
saying much many more most some any all each other such as per via while since until although though
because yet still even ever new told tells stated states added adds noted according reportedly
reported reports report described describes describe stated claimed claims one ones like well
mr mrs ms""".split())
NEGATIONS = {"not", "no", "never", "n't", "none", "nobody", "nothing", "neither", "nor", "cannot",
             "without", "denied", "denies", "deny", "dismissed", "dismisses", "rejected", "rejects"}
DENIALS = {"denied", "denies", "deny", "dismissed", "dismisses", "rejected", "rejects"}
# Words that make a statement uncertain: a quote saying someone "might participate" does not
# back a claim that they participated.
HEDGES = {"might", "may", "could", "possibly", "perhaps", "reportedly", "allegedly", "likely", "unlikely",
          "expected", "believed", "considering", "rumored", "rumoured", "suggest", "suggests", "suggested"}
# Capitalised only because they start a sentence; never treated as names there.
SENTENCE_STARTERS = {w.capitalize() for w in STOPWORDS | NEGATIONS} | {
    "Previously", "Earlier", "Later", "Speaking", "Meanwhile", "However", "Yes", "No", "Both",
    "Officials", "Talks", "Negotiations", "Reports", "Ahead", "Despite", "Instead", "Overall", "Then",
    "Today", "Yesterday", "Currently", "Former", "Top", "Senior", "Separately", "Additionally", "Also",
}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split()) if w != "_"}
_NUMBER_WORDS.update({w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"})
_NUMBER_WORDS.update({w: i for i, w in enumerate(
    "_ first second third fourth fifth sixth seventh eighth ninth tenth".split()) if w != "_"})
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?"
    r"(\s*(?:%|percent\b|per\s+cent\b))?(?:\s*-?\s*(thousand|million|billion|trillion|bn|mn)\b)?", re.IGNORECASE)
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) +
                          r")(?:[-\s](one|two|three|four|five|six|seven|eight|nine))?\b"
                          r"(\s*(?:%|percent\b|per\s+cent\b))?(?:\s+(thousand|million|billion|trillion)\b)?",
                          re.IGNORECASE)
_MONTHS = {"jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june",
           "jul": "july", "aug": "august", "sep": "september", "sept": "september", "oct": "october",
           "nov": "november", "dec": "december"}
_DATE_STEMS = {w[:5] for w in _MONTHS.values()} | {"may"} | {
    d[:5] for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
_IRREGULAR = {"led": "lead", "leads": "lead", "met": "meet", "held": "hold", "holds": "hold", "began": "begin",
              "begun": "begin", "took": "take", "taken": "take", "gave": "give", "given": "give", "went": "go",
              "made": "make", "sought": "seek", "spoke": "speak", "spoken": "speak", "won": "win",
              "fought": "fight", "paid": "pay", "sent": "send", "left": "leave", "chose": "choose",
              "russian": "russia", "ukrainian": "ukraine", "american": "america", "americans": "america",
              "russians": "russia", "ukrainians": "ukraine", "europeans": "europe", "european": "europe"}
_TOKEN = re.compile(r"[A-Za-z](?:[A-Za-z'’]*[A-Za-z])?(?:\.[A-Za-z])*\.?")


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Spellings that mean the same name: "United States" → "U.S.", curly apostrophes."""
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"\b(?:the\s+)?United\s+States\b", lambda m: ("the " if m.group(0).lower().startswith("the") else "") + "U.S.", text)
    text = re.sub(r"\bU\.S\.A\.", "U.S.", text)
    text = re.sub(r"\bUSA?\b", "U.S.", text)
    text = re.sub(r"\bKiev\b", "Kyiv", text)  # the older spelling still common in English
    return re.sub(r"\bUK\b", "U.K.", text)


_QUANTITIES = {"dozens": 12.0, "hundreds": 1e2, "thousands": 1e3, "millions": 1e6, "billions": 1e9, "tens": 10.0}
_QUANTITY = re.compile(r"\b(dozens|hundreds|thousands|millions|billions|tens)(?:\s+of\s+(thousands|millions|billions))?\b",
                       re.IGNORECASE)
_HALF = re.compile(r"^[-\s]+and[-\s]+a[-\s]+half\b", re.IGNORECASE)


def numbers(text: str) -> set[tuple[float, str]]:
    """(value, kind) of every figure; kind is "%" for percentages, else "". Number words count.

    >>> sorted(numbers("a $106 billion loan, 20% and twenty-eight points"))
    [(20.0, '%'), (28.0, ''), (106000000000.0, '')]
    """
    found: set[tuple[float, str]] = set()
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))
        if m.group(4):
            value *= _SCALES[m.group(4).lower()]
        found.add((value, "%" if m.group(3) else ""))
    for m in _WORD_NUMBER.finditer(text):
        value = float(_NUMBER_WORDS[m.group(1).lower()])
        if m.group(2):
            value += "one two three four five six seven eight nine".split().index(m.group(2).lower()) + 1
        if _HALF.match(text[m.end(1) if not m.group(2) else m.end(2):]):
            value += 0.5  # "four-and-a-half-hour"
        if m.group(4):
            value *= _SCALES[m.group(4).lower()]
        found.add((value, "%" if m.group(3) else ""))
    for m in _QUANTITY.finditer(text):  # "tens of thousands": an order of magnitude, not a figure
        value = _QUANTITIES[m.group(1).lower()] * (_QUANTITIES[m.group(2).lower()] if m.group(2) else 1.0)
        found.add((value, "~"))
    return found


def stem(word: str) -> str:
    """A crude, stable stem: enough to match "represented" with "representing"."""
    w = word.lower().replace("’", "'").rstrip(".")
    if w.endswith("'s"):
        w = w[:-2]
    w = _MONTHS.get(w, w)
    w = _IRREGULAR.get(w, w)
    for suffix in ("ingly", "edly", "ing", "ed", "es", "s", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]  # "force" / "forcing" / "forced"
    return w[:5]


@dataclass(frozen=True)
class Features:
    """What a sentence asserts, for checking: all numbers and names must be found."""

    numbers: frozenset[tuple[float, str]]
    names: frozenset[str]  # as written ("Dmitriev", "U.S.")
    content: frozenset[str]  # stems of key content words
    negated: bool
    text: str = ""  # the normalised sentence (for checks that need word order)
    hedged: bool = False  # says "might", "reportedly", "expected to" ...


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]


def claim_features(text: str) -> Features:
    text = normalise(strip_markers(text))
    shouting = sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha() for c in text))
    names, content = set(), set()
    sentence_start = True
    for tok, pos in _tokens(re.sub(r"[-–—/]", " ", text)):
        word = tok.rstrip(".") if not re.fullmatch(r"(?:[A-Za-z]\.)+", tok) else tok
        bare = word[:-2] if word.endswith("'s") else word
        low = bare.lower()
        first, sentence_start = sentence_start, False
        if low in DENIALS:
            content.add(stem(low))  # "rejected" is a claim of its own, not only a polarity
            continue
        if low in NEGATIONS or low.endswith("n't") or low in _NUMBER_WORDS or low in _QUANTITIES:
            continue
        if bare[:1].isupper() and not shouting and not (first and bare in SENTENCE_STARTERS) \
                and low not in STOPWORDS:
            names.add(bare)
        elif low not in STOPWORDS and len(low) >= 3:
            content.add(stem(low))
    return Features(frozenset(numbers(text)), frozenset(names), frozenset(content), is_negated(text), text,
                    any(t.lower() in HEDGES for t, _ in _tokens(text)))


def is_negated(text: str) -> bool:
    return any(t.lower() in NEGATIONS or t.lower().endswith("n't") for t, _ in _tokens(text.replace("’", "'")))


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
            for t, _ in _tokens(re.sub(r"[-–—/]", " ", text))]
    words = {t.lower()[:-2] if t.lower().endswith("'s") else t.lower() for t in toks}
    return TextIndex(frozenset(numbers(text)), frozenset(words), frozenset(stem(w) for w in words), text)


def number_found(n: tuple[float, str], idx: TextIndex) -> bool:
    value, kind = n
    return any(v == value and (not kind or k == kind) for v, k in idx.numbers)


def name_found(name: str, idx: TextIndex) -> bool:
    low = normalise(name).lower()
    if low in idx.words:
        return True
    # "Ukrainian" for "Ukraine", "December" for "Dec.": the same canonical word; "Russian"
    # for "Russia", "Zelenskyy" for "Zelensky": one is the other plus a short ending. Not a
    # shared prefix alone: "Dmitry" is not "Dmitriev".
    canon = _canonical(low)
    for w in idx.words:
        if _canonical(w) == canon:
            return True
        short, long_ = (w, low) if len(w) <= len(low) else (low, w)
        if len(short) >= 5 and long_.startswith(short) and long_[len(short):] in _NAME_ENDINGS:
            return True
    return False


_NAME_ENDINGS = {"n", "an", "ian", "ns", "ans", "ians", "s", "y", "i", "e", "ese", "ish"}


def _canonical(word: str) -> str:
    w = word.rstrip(".")
    w = w[:-2] if w.endswith("'s") else w
    return _IRREGULAR.get(w, _MONTHS.get(w, w))


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
    toks = [t for t, _ in _tokens(normalise(quote))]
    names = {n.lower() for n in claim.names}
    for i, t in enumerate(toks):
        low = t.lower()
        if low in NEGATIONS or low.endswith("n't"):
            for nxt in toks[i + 1:i + 1 + window]:
                if stem(nxt) in claim.content or nxt.lower().rstrip(".") in names:
                    return True
    return False


def hedge_near_claim(claim: Features, quote: str, window: int = 4) -> bool:
    """Does the quote hedge ("might participate") something the claim states as fact?"""
    toks = [t for t, _ in _tokens(normalise(quote))]
    names = {n.lower() for n in claim.names}
    for i, t in enumerate(toks):
        if t.lower() in HEDGES:
            for nxt in toks[i + 1:i + 1 + window]:
                if (stem(nxt) in claim.content and nxt.lower() not in HEDGES) or nxt.lower().rstrip(".") in names:
                    return True
    return False


def word_tokens(text: str) -> list[str]:
    """Words and figures in order (hyphens split), for nearness checks."""
    return re.findall(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'’]*|\d[\d,.]*\d|\d", re.sub(r"[-–—/]", " ", normalise(text)))


def links(claim: Features, window: int = 3) -> list[tuple[str, frozenset[str]]]:
    """Each name of the claim with the content stems said within ``window`` words of it.

    >>> [(name, sorted(near)) for name, near in links(claim_features("Dmitriev leads the U.S. side."))]
    [('Dmitriev', ['lead']), ('U.S.', ['lead', 'sid'])]
    """
    toks = word_tokens(claim.text)
    is_name = [(t[:-2] if t.endswith(("'s", "’s")) else t) in claim.names for t in toks]
    out = []
    for i, tok in enumerate(toks):
        bare = tok[:-2] if tok.endswith(("'s", "’s")) else tok
        if not is_name[i] or stem(bare) in _DATE_STEMS:
            continue  # when something happened may be said anywhere in the sentence
        # a word said of another name in between ("meet Lukashenko in St. Petersburg") is not linked
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
        if not digit[i] or (i and stem(toks[i - 1]) in _DATE_STEMS) or re.fullmatch(r"(?:19|20)\d\d", tok):
            continue  # a day or year: when something happened may be said anywhere in the sentence
        near = {stem(toks[j]) for j in range(max(0, i - window), min(len(toks), i + window + 1))
                if toks[j][:1].isalpha() and stem(toks[j]) in claim.content
                and not any(digit[k] for k in range(min(i, j) + 1, max(i, j)))}
        if near:
            out.append((tok.replace(",", ""), frozenset(near)))
    return out


# --- quotes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quote:
    text: str
    start: int  # in article coordinates: article_text[start:end] == text
    end: int
    score: float


MAX_SPAN_SENTENCES = 3
WIDER_PENALTY = 0.05


def best_quote(sentence: str | Features, passage: Passage) -> Quote:
    """The passage sentence, or shortest run of adjacent sentences, that best covers the
    claim; a wider run is taken only if it covers strictly more."""
    claim = sentence if isinstance(sentence, Features) else claim_features(sentence)
    text = passage.chunk.text
    spans = sentence_spans(text) or [(0, len(text))]
    best = None  # (score, -width, -start): highest cover, then fewest sentences, then earliest
    for i in range(len(spans)):
        for width in range(1, MAX_SPAN_SENTENCES + 1):
            if i + width > len(spans):
                break
            s, e = spans[i][0], spans[i + width - 1][1]
            cov = coverage(claim, index_text(text[s:e]))
            # A wider span must earn its length: it wins only if it finds a missing number
            # or name, or covers clearly more of the claim.
            complete = not (cov.missing_numbers or cov.missing_names)
            key = (complete, round(cov.score - WIDER_PENALTY * (width - 1), 6), -width, -s)
            if best is None or key > best[0]:
                best = (key, s, e)
    s, e = best[1], best[2]
    score = coverage(claim, index_text(text[s:e])).score
    offset = passage.chunk.start
    return Quote(text[s:e], offset + s, offset + e, round(score, 4))


def quote_sentences(passage: Passage) -> list[Quote]:
    """Every sentence of a passage as a quote in article coordinates (score 0)."""
    off, text = passage.chunk.start, passage.chunk.text
    return [Quote(text[s:e], off + s, off + e, 0.0) for s, e in sentence_spans(text)]


def passages_text(passages: Sequence[Passage]) -> str:
    return "\n".join(p.chunk.text for p in passages)
