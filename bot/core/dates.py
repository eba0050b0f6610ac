"""Pure: the calendar day of an article's ``published`` value, and how far apart two days are.

News is dated to the day. Two reports more than :data:`NEWS_CYCLE_DAYS` apart describe
different moments (a title, a toll, a jackpot changes), and an answer whose newest source is
older than that is stale (``bot/answering/dating.py``).

    >>> day_of("2024-03-02T09:00:00Z"), day_of("2024-03"), day_of(None)
    (datetime.date(2024, 3, 2), None, None)
    >>> same_news_cycle("2024-03-02", "2024-03-20"), same_news_cycle("2024-03-02", None)
    (False, True)
"""

from __future__ import annotations

import re
from datetime import date

NEWS_CYCLE_DAYS = 7
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def day_of(published: str | None) -> date | None:
    """The calendar day of an ISO ``published`` value; None for no date or only a year/month."""
    match = _DAY.match(published or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def same_news_cycle(a: str | None, b: str | None) -> bool:
    """Whether two reports may describe the same moment: within NEWS_CYCLE_DAYS of each other,
    or not both dated (nothing says otherwise)."""
    da, db = day_of(a), day_of(b)
    return da is None or db is None or abs((da - db).days) <= NEWS_CYCLE_DAYS
