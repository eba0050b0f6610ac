"""Pure: what a question asks for, and the constraints an answer must meet.

Everything here is true of English questions in general: the kind of answer is read from the
question's wh-phrase ("who" wants a person, "how many" a number, "where" a place, "which
company" a name), its constraints are what it pins down explicitly — years ("the 2021 Tour"),
other figures ("the 58th edition"), quoted titles, and the names it mentions — and its time words
("this week", "recently", "latest") say that the answer should come from recent articles.

Example::

    >>> q = analyse_question('Who won the 2021 "Grand Prize" in Paris this week?')
    >>> (q.kind, q.years, q.quoted, q.names, q.recent)
    ('person', ('2021',), ('Grand Prize',), ('Grand Prize', 'Paris'), True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text.answer_spans import YEAR, name_spans
from bot.text.sentences import sentence_spans
from bot.text.wordlists import FUNCTION_WORDS

KINDS = ("person", "date", "number", "place", "name", "other")

# (pattern on the start of the question, kind). First match wins; general English wh-phrases.
_KIND_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), k) for p, k in (
    (r"^(?:how\s+(?:many|much|long|old|far|big|large|tall|high|often)|what\s+(?:percentage|percent|share|number|"
     r"amount|proportion|fraction|figure|sum|price|rate|age|score)|by\s+how\s+much|what\s+(?:is|was|are|were)\s+the\s+"
     r"(?:[\w-]+\s+){0,2}(?:rate|price|cost|number|amount|total|percentage|population|age|score|size|value|salary|"
     r"budget|fine|toll|margin|speed|height|length|distance))\b", "number"),
    (r"^(?:when|what\s+(?:day|date|time|year|month|season)|which\s+(?:day|date|year|month))\b", "date"),
    (r"^(?:where|what\s+(?:country|city|state|nation|island|town|region|province|continent|county|capital|place|"
     r"venue|location)|which\s+(?:[\w.&-]+\s+){0,2}?(?:country|city|state|nation|island|town|region|province|continent|"
     r"county|capital|place|venue|location|territory|countries|cities|states|nations))\b", "place"),
    (r"^(?:who|whom|whose|which\s+(?:person|people|man|woman|men|women|player|actor|actress|singer|rapper|artist|"
     r"politician|leader|official|athlete|star|celebrity|author|writer|director|candidate|ceo|executive|judge|"
     r"senator|governor|president|minister|coach|driver|golfer|tennis\s+player|musician|comedian|lawmaker)|"
     r"what\s+(?:is|was)\s+the\s+name\s+of\s+the\s+(?:person|man|woman|player|actor|ceo|leader))\b", "person"),
    (r"^(?:which|what\s+(?:is|was|are|were)\s+the\s+name|what\s+(?:company|team|film|movie|show|book|song|album|"
     r"brand|group|organi[sz]ation|party|app|product|event|storm|hurricane))\b", "name"),
))
_WHO_IS_NAME = re.compile(r"^(?i:who|what)\s+(?i:is|was|are|were)\s+(?:[A-Z][\w'’.-]*\s*){1,4}\??\s*$")
_LEAD_IN = re.compile(r"^(?:(?:and|so|also|according\s+to\s+[^,]+,|in\s+[^,]{1,40},|this\s+week,|"
                      r"on\s+\w+day,)\s*)+", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]|(?<!\w)['‘]([^'’]{2,80})['’](?!\w)")
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?(?![\w])")
_RECENT = re.compile(r"\b(?:this\s+(?:week|weekend|month|year)|today|tonight|yesterday|recently|recent|latest|"
                     r"newest|last\s+(?:week|weekend)|so\s+far|currently|now|upcoming|next\s+week|new)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """The parts of a question that evidence must answer to."""

    text: str
    kind: str  # one of KINDS
    years: tuple[str, ...]  # "2021"
    figures: tuple[str, ...]  # other figures, as written without commas: "58th" → "58"
    quoted: tuple[str, ...]  # quoted titles
    names: tuple[str, ...]  # proper names the question mentions ("Tour de France")
    recent: bool  # "this week", "latest", …: prefer articles published shortly before the as-of date
    head: tuple[str, ...] = ()  # the noun the wh-word asks about: "which museum" → ("museum",)
    within: tuple[str, ...] = ()  # names of the place the asked-for place lies in: "which U.S. state" → ("U.S.",)


def answer_kind(question: str) -> str:
    """The kind of answer a question wants (one of KINDS).

    >>> [answer_kind(q) for q in ("How many people came?", "Where is it?", "Which team won?", "Why?")]
    ['number', 'place', 'name', 'other']
    >>> answer_kind("Who is Ada Lind?"), answer_kind("Who is the new coach?")
    ('other', 'person')
    """
    text = _LEAD_IN.sub("", question.strip().lstrip("¿"))
    for at in _wh_positions(text):
        part = _LEAD_IN.sub("", text[at:])
        if _WHO_IS_NAME.match(part):
            return "other"  # "Who is Ada Lind?" asks what she is, not for another person
        for rule, kind in _KIND_RULES:
            if rule.search(part):
                return kind
    return "other"


_WH = re.compile(r"(?<![,;:(—–-])\s+(?=(?:which|what|how|who|whom|whose|where|when)\b)", re.IGNORECASE)


def _wh_positions(text: str) -> list[int]:
    """Where the question's wh-phrase may start, most likely first: the start of its last sentence
    (news quizzes open with context: "Summer is peak season. Where was …?"), the start of the
    text, then a wh-word inside the last sentence, the last one first ("… moving to which
    state?", "… raised $81 million in how many hours?"). A wh-word after a comma opens a relative
    clause ("Ada Lind, who won …"), not the question.

    >>> t = "Rain fell all week. The river rose to which level, who said?"
    >>> [t[i:i + 9] for i in _wh_positions(t)]
    ['The river', 'Rain fell', 'which lev']
    """
    last = max((start for start, _ in sentence_spans(text)), default=0)
    inner = [m.end() for m in _WH.finditer(text, last)]
    return list(dict.fromkeys([last, 0] + inner[::-1]))


def analyse_question(question: str) -> Question:
    text = " ".join(question.split())
    years = tuple(dict.fromkeys(YEAR.findall(text)))
    figures = tuple(dict.fromkeys(f for f in (_plain_figure(m.group(0)) for m in _FIGURE.finditer(text))
                                  if f not in years))
    quoted = tuple(dict.fromkeys((a or b).strip() for a, b in _QUOTED.findall(text)))
    names = tuple(dict.fromkeys(s.text for s in name_spans(text) if not YEAR.fullmatch(s.text)))
    kind = answer_kind(text)
    return Question(text, kind, years, figures, quoted, names, bool(_RECENT.search(text)),
                    head_words(text), containing_places(text, names) if kind == "place" else ())


def containing_places(question: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The names inside a place question's wh-phrase, before its noun: the place the answer lies
    in ("which U.S. state", "which major Canadian city"). The answer carries them — Michigan is a
    U.S. state — and an article about a place seldom names the country around it.

    >>> containing_places("Which major U.S. city banned gas stoves?", ("U.S.",))
    ('U.S.',)
    >>> containing_places("Which city did the U.S. team visit?", ("U.S.",))
    ()
    """
    return tuple(n for n in names if re.search(
        r"\b(?i:which|what)\s+(?:[a-z][\w-]*\s+){0,2}" + re.escape(n) + r"\s+[a-z]", question))


_HEAD = re.compile(r"\b(?:which|what)\s+(?:(?:is|was|are|were)\s+the\s+name\s+of\s+(?:the|this|a|an)\s+|"
                   r"(?:of\s+the\s+following|one\s+of\s+the|kind\s+of|type\s+of)\s+)?"
                   r"((?:(?:[A-Za-z]\.){2,}\s*|[A-Za-z][\w'’&-]*\s*){1,3})",
                   re.IGNORECASE)


def head_words(question: str) -> tuple[str, ...]:
    """The words naming what a which/what question asks for (up to the first function word).
    Dotted initials before the noun only say whose it is ("U.S. state", "U.N. agency"): left out.

    >>> head_words("Which tech giant did the firm sue?"), head_words("What is the name of the storm that hit?")
    (('tech', 'giant'), ('storm',))
    >>> head_words("Which U.S. state is it?"), head_words("Which R&B singer is touring?")
    (('state',), ('r&b', 'singer'))
    """
    m = _HEAD.search(question)
    if not m:
        return ()
    out = []
    for word in m.group(1).split():
        if _INITIALS.fullmatch(word):
            continue
        low = word.lower().strip("'’")
        if low in FUNCTION_WORDS or low in _AUXILIARIES:
            break
        out.append(low)
    return tuple(out)


_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}")
_AUXILIARIES = frozenset("is was are were has have had do does did will would can could should".split())


def _plain_figure(raw: str) -> str:
    """'1,200' → '1200', '58th' → '58'."""
    return re.sub(r"(?:st|nd|rd|th)$", "", raw.replace(",", ""))
