"""Pure: the phrases of a sentence that could answer a question — names, dates, figures.

A **name span** is a run of capitalised words (with the small joiners of English names:
"of", "de", "van", "the" inside a run, initials, hyphens, apostrophes), not counting a lone
capitalised function word that only starts the sentence. A **date span** is a month with a day
or year, a weekday, or a year. A **figure span** is a number with what it counts or measures
("4 astronauts", "$106 billion", "20%").

Each span has its character offsets in the sentence, so ``sentence[s.start:s.end] == s.text``.

Example::

    >>> [s.text for s in name_spans("On Monday, Maria de la Cruz of Acme Corp.'s board met the U.N. chief.")]
    ['Monday', 'Maria de la Cruz', 'Acme Corp.', 'U.N.']
    >>> [s.text for s in date_spans("It opened on Jan. 5, 2024 and closed Friday.")]
    ['Jan. 5, 2024', 'Friday']
    >>> [s.text for s in figure_spans("Four astronauts and $106 billion, up 20% since 2021.")]
    ['Four astronauts', '$106 billion', '20%']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text.wordlists import COUNT_WORDS, FUNCTION_WORDS, MONTH_NAMES, NAME_OPENING_STOPWORDS, NUMBER_WORDS, WEEKDAYS

YEAR = re.compile(r"(?<![\w.$])(?:1[89]|20)\d\d(?![\w%])")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int
    kind: str  # "name" | "date" | "figure"


_CAP = r"(?:[A-Z][\w'’.\-]*[\w.]|[A-Z]\.?|\d+(?:st|nd|rd|th))"
_JOIN = r"(?:de|da|del|della|di|du|van|von|der|den|la|le|el|al|bin|ibn)"
_NAME_RUN = re.compile(rf"(?<![\w'’]){_CAP}(?:(?:\s+(?:{_JOIN}\s+)*|-){_CAP})*")
_MONTH = "|".join(sorted({m[:3] for m in MONTH_NAMES} | set(MONTH_NAMES) | {"Sept"}, key=len, reverse=True))
_DATE = re.compile(
    rf"\b(?:(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:1[89]|20)\d\d)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\.?(?:,?\s+(?:1[89]|20)\d\d)?"
    rf"|(?:{_MONTH})\.?\s+(?:1[89]|20)\d\d"
    rf"|(?:{'|'.join(WEEKDAYS)})"
    rf"|(?:1[89]|20)\d\d)\b", re.IGNORECASE)
_NUM = rf"(?:\d[\d,]*(?:\.\d+)?|{'|'.join(sorted(COUNT_WORDS, key=len, reverse=True))})"
_AMOUNT = (rf"(?:[$€£¥]\s?)?{_NUM}(?:[-\s]{_NUM})?(?:\s?(?:%|percent\b|per\s+cent\b))?"
           rf"(?:[\s-]+(?:thousand|million|billion|trillion|bn|m|k)\b)?")
_FIGURE = re.compile(
    rf"(?<![\w.]){_AMOUNT}(?:[\s-]+(?!(?:{'|'.join(sorted(FUNCTION_WORDS))})\b)[a-z][a-z\-]{{2,}})?",
    re.IGNORECASE)
_AMOUNT_ONLY = re.compile(_AMOUNT, re.IGNORECASE)
_SPELLED = {n: w for w, n in NUMBER_WORDS.items() if w in COUNT_WORDS and n < 20}


def name_spans(sentence: str) -> list[Span]:
    """Runs of capitalised words, minus sentence-initial function words."""
    spans = []
    for m in _NAME_RUN.finditer(sentence):
        text, start = m.group(0), m.start()
        # trim a leading function word capitalised only by its place ("The", "In", "But")
        while True:
            head = re.match(r"([A-Z][a-z']*)\s+", text)
            if head and head.group(1).lower() in FUNCTION_WORDS - NAME_OPENING_STOPWORDS:
                start += head.end()
                text = text[head.end():]
            else:
                break
        text = re.sub(r"(?:['’]s?)?[\s,;:]*$", "", text)  # "Acme's" → "Acme"
        if text.endswith(".") and not re.search(r"(?:\b[A-Z]\.|Corp\.|Inc\.|Co\.|Ltd\.|Jr\.|Sr\.|St\.)$", text):
            text = text[:-1]  # the full stop ends the sentence, not the name
        if not text or text.lower() in FUNCTION_WORDS or text.isdigit():
            continue
        spans.append(Span(text, start, start + len(text), "name"))
    return spans


_RUN = rf"{_CAP}(?:\s+{_CAP})*"
_JOINED = re.compile(rf"(?<![\w'’]){_RUN}(?:\s*&\s*{_RUN}|\s+of\s+(?:the\s+)?{_RUN})+\+?|(?<![\w'’]){_CAP}\+(?!\w)")
_TITLE_WORD = re.compile(r"(?:Gov|Sen|Rep|Gen|Lt|Col|Sgt|Dr|Mr|Mrs|Ms)\.|[A-Z]{2,}\b|"
                         r"(?:Secretary|Minister|Ministry|Department)\s+of\s+(?:the\s+)?[A-Z][\w'’\-]*|"
                         r"(?:President|Minister|Secretary|Senator|Governor|Mayor|Chancellor|Chief|Director|"
                         r"Leader|Speaker|Chairman|Chair|Coach|Judge|Justice|Officer|Ambassador|Envoy|"
                         r"Commissioner|Spokesperson|Spokesman|Spokeswoman)\b")


def answer_names(sentence: str) -> list[Span]:
    """Name spans, and the longer and shorter names news writes around them: names joined by "&"
    or "of" ("Kool & The Gang", "Bank of England", "AT&T", "Disney+"), and the person named after
    a title or an organisation in a run ("Gov. Greg Abbott" → "Greg Abbott", "Acme CEO Ada Lind"
    → "Ada Lind"). The phrases a short answer is chosen from (``bot/answering/short_answer.py``).

    >>> [s.text for s in answer_names("New York City Mayor Eric Adams met Kool & The Gang at the Bank of England.")]
    ['New York City Mayor Eric Adams', 'Eric Adams', 'Kool & The Gang', 'Kool', 'Gang', 'Bank of England', 'Bank', 'England']
    """
    joined = list(_JOINED.finditer(sentence))
    tight = [(m.start(), m.end()) for m in joined if not re.search(r"\s", m.group(0))]  # "AT&T", "Disney+"
    out = {(sp.start, sp.end): sp for sp in name_spans(sentence)
           if not any(s <= sp.start and sp.end <= e for s, e in tight)}
    for m in joined:
        text = re.sub(r"(?:['’]s?)?[\s,;:.]*$", "", m.group(0))
        lead = re.match(r"(?:The|A|An|In|On|At|But|And)\s+", text)
        start = m.start() + (lead.end() if lead and m.start() == 0 else 0)
        text = sentence[start:m.start() + len(text)]
        out.setdefault((start, start + len(text)), Span(text, start, start + len(text), "name"))
    for sp in list(out.values()):
        for t in _TITLE_WORD.finditer(sp.text):
            rest = sp.text[t.end():].lstrip()
            if len(rest.split()) >= 2 and rest[:1].isupper():
                start = sp.start + len(sp.text) - len(rest)
                out.setdefault((start, sp.end), Span(rest, start, sp.end, "name"))
    return sorted(out.values(), key=lambda sp: (sp.start, -sp.end))


def date_spans(sentence: str) -> list[Span]:
    return [Span(m.group(0), m.start(), m.end(), "date") for m in _DATE.finditer(sentence)]


def figure_spans(sentence: str) -> list[Span]:
    """Figures with their unit or counted noun; years and days of a date are not figures."""
    dates = date_spans(sentence)
    out = []
    for m in _FIGURE.finditer(sentence):
        text = m.group(0).strip()
        if not re.search(r"\d", text) and m.group(0).split()[0].lower() not in COUNT_WORDS:
            continue
        if YEAR.fullmatch(text) or any(d.start <= m.start() < d.end for d in dates if not YEAR.fullmatch(d.text)):
            continue
        if YEAR.fullmatch(text.split()[0]) and len(text.split()) > 1 and not text.split()[1][:1].isdigit():
            continue  # "2021 season": a year with its noun
        out.append(Span(text, m.start(), m.start() + len(text), "figure"))
    return out


def figure_forms(phrase: str) -> list[str]:
    """Other ways news writes the figure that ``phrase`` is: the amount without what it counts,
    and a number under twenty in words or in digits (news style spells out small numbers).
    Nothing for a phrase that is not one figure.

    >>> figure_forms("118 years"), figure_forms("2"), figure_forms("Four astronauts"), figure_forms("Paris")
    (['118'], ['two'], ['4 astronauts', 'Four', '4'], [])
    """
    text = phrase.strip()
    spans = figure_spans(text)
    if len(spans) != 1 or spans[0].text != text:
        return []
    match = _AMOUNT_ONLY.match(text)
    amount = match.group(0).strip() if match else text
    low = amount.lower()
    other = (_SPELLED.get(int(amount)) if amount.isdigit() else
             str(NUMBER_WORDS[low]) if low in COUNT_WORDS and NUMBER_WORDS.get(low, 99) < 20 else None)
    counted = text[len(amount):]
    forms = [other + counted if other and counted else None, amount if counted else None, other]
    return [f for f in forms if f]


def all_spans(sentence: str) -> list[Span]:
    return name_spans(sentence) + date_spans(sentence) + figure_spans(sentence)


def answer_spans(sentence: str) -> list[Span]:
    """The phrases a short answer may be: :func:`answer_names`, dates and figures."""
    return answer_names(sentence) + date_spans(sentence) + figure_spans(sentence)


def outer_spans(sentence: str) -> list[Span]:
    """The names, dates and figures of ``sentence`` that are not part of a longer one of them.

    >>> [sp.text for sp in outer_spans("On April 18, 2023, Ada Lind won.")]
    ['Ada Lind', 'April 18, 2023']
    """
    spans = all_spans(sentence)
    return [sp for sp in spans if not any(o.start <= sp.start and sp.end <= o.end and
                                          o.end - o.start > sp.end - sp.start for o in spans)]
