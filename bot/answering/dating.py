"""Pure: how fresh an answer is, and questions about a time window ("today", "this week").

News answers go stale. When the articles an answer cites are from different days, or the
newest is more than :data:`STALE_AFTER_DAYS` older than ``as_of`` (``--as-of``, default
today), the answer says "as of <newest date>". A question asking about today / yesterday /
this week that no retrieved article falls in is refused as such, naming the newest one.

>>> from datetime import date
>>> as_of_note(["2024-03-04T18:00:00+00:00", "2024-03-06"], date(2024, 3, 6))
'as of 2024-03-06'
>>> as_of_note(["2024-03-06", "2024-03-06T09:00"], date(2024, 3, 8)) is None
True
>>> asked_window("What happened at the harbor this week?", date(2024, 3, 8))
('this week', datetime.date(2024, 3, 2), datetime.date(2024, 3, 8))
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Iterable

from bot.core.dates import NEWS_CYCLE_DAYS, day_of
from bot.text.wordlists import RECENCY_WINDOWS

STALE_AFTER_DAYS = NEWS_CYCLE_DAYS


def not_after(published: str | None, day: date | None) -> bool:
    """Whether an article published ``published`` may be read on ``day`` (no day, or no date to
    compare: yes).

    >>> not_after("2024-03-02T09:00:00Z", date(2024, 3, 1)), not_after(None, date(2024, 3, 1))
    (False, True)
    """
    if day is None:
        return True
    published_day = day_of(published)
    return published_day is None or published_day <= day


def as_of_note(published: Iterable[str | None], as_of: date) -> str | None:
    """"as of <newest day>" when the dated sources span several days or the newest is stale."""
    days = {d for d in (day_of(p) for p in published) if d is not None}
    if not days:
        return None
    newest = max(days)
    if len(days) > 1 or (as_of - newest).days > STALE_AFTER_DAYS:
        return f"as of {newest.isoformat()}"
    return None


def asked_window(question: str, as_of: date) -> tuple[str, date, date] | None:
    """(phrase, first day, last day) when the question asks about a window ending at ``as_of``.
    A window phrase capitalised inside the sentence is part of a name, not a time: "USA TODAY",
    "the Today show".

    >>> asked_window("Which strip did the USA TODAY Network drop?", date(2023, 3, 3)) is None
    True
    >>> asked_window("Today, which strip was dropped?", date(2023, 3, 3))[0]
    'today'
    """
    for phrase, (back_from, back_to) in RECENCY_WINDOWS.items():
        words = r"[\s\-]+".join(re.escape(w) for w in phrase.split())
        for match in re.finditer(rf"\b{words}\b", question, re.IGNORECASE):
            if _said_as_time(question, match):
                return phrase, as_of - timedelta(days=back_from), as_of - timedelta(days=back_to)
    return None


def _said_as_time(text: str, match: re.Match) -> bool:
    """Lower case, or capitalised only as the first word of a sentence."""
    said = match.group(0)
    if said == said.lower():
        return True
    before = text[:match.start()].rstrip(" \t\"'“‘(")
    return (not before or before[-1] in ".!?:;") and said[1:] == said[1:].lower()


def window_refusal(question: str, published: Iterable[str | None], as_of: date) -> str | None:
    """The refusal text when the question asks about a window no retrieved article is from."""
    window = asked_window(question, as_of)
    if window is None:
        return None
    phrase, first, last = window
    days = [d for d in (day_of(p) for p in published) if d is not None]
    if any(first <= d <= last for d in days):
        return None
    when = "today" if phrase in ("today", "tonight", "this morning") and first == as_of else phrase
    if not days:
        return f"No article on this is dated, so none can be said to be from {when}."
    newest = max(days)
    return f"No article on this is from {when} ({_span(first, last)}): the newest article on this is from {newest}."


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
