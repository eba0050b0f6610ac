"""The article record every source yields, and the metadata fields they share: headline,
front matter, publication date, source name. Pure; used by files (and other sources).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Article:
    """One news article. ``id`` is the file stem (``harbour-reopens``);
    records of a .json/.jsonl file get ``<stem>#<n>`` unless they carry an id."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 when parsable, else None; never invented
    path: str | None = None  # file it came from (for prune and warnings)
    fetched_at: str | None = None  # ISO 8601 UTC time a URL's article was fetched (None for files)


@dataclass(frozen=True)
class LoadResult:
    """``skipped`` counts files *and* records not loaded (each has a warning);
    ``files`` lists every article-bearing file considered (resolved, absolute), loaded or not."""

    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    skipped: int
    files: tuple[str, ...]


TEXT_KEYS = ("text", "body", "content")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link")
DATE_KEYS = ("published", "published_at", "publishedat", "date", "pubdate")
MAX_TITLE_CHARS = 150



def first(meta: dict, keys: tuple[str, ...]):
    for key in keys:
        value = meta.get(key)
        if value not in (None, ""):
            return value
    return None


def field(meta: dict, keys: tuple[str, ...]) -> str | None:
    value = first(meta, keys)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = " ".join(str(value).split())
        return value or None
    return None


def source(meta: dict) -> str | None:
    value = meta.get("source")
    if isinstance(value, dict):  # NewsAPI style: {"source": {"id": ..., "name": "Reuters"}}
        return field({k.lower(): v for k, v in value.items()}, ("name", "id"))
    return field(meta, ("source", "site_name", "publisher"))


def headline(text: str) -> str | None:
    """The first line of a plain-text article when it reads like a headline, else None.

    >>> headline("Council denies talks\\n\\nTop aide Ana Reyes on Dec. 21 denied ...")
    'Council denies talks'
    >>> headline("A senior council official has played down the talks.\\nMore text.") is None
    True
    """
    lines = text.lstrip("\ufeff").strip().splitlines()
    if len(lines) < 2:  # a one-line file is all body
        return None
    first = " ".join(lines[0].split())
    bare = first.rstrip("\"'”’»)]")
    if (not bare or len(first) > MAX_TITLE_CHARS or bare[-1] in ".!?:;,…"
            or not re.search(r"[^\W\d_]", first)):
        return None
    return first


def markdown_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.strip():
            match = re.match(r"#\s+(.+?)\s*#*\s*$", line.strip())
            return match.group(1) if match else None
    return None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``(meta, body)`` of a Markdown file; ``meta`` from a leading ``---`` block of
    ``key: value`` lines (keys lower-cased, quotes removed); body is the text after it, as-is.

    >>> split_front_matter("---\\ntitle: 'Talks'\\npublished: 2025-12-21\\n---\\nBody.\\n")
    ({'title': 'Talks', 'published': '2025-12-21'}, 'Body.\\n')
    """
    match = re.match(r"\ufeff?---[ \t]*\r?\n(.*?)(?:^|\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line[:1].isspace():
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key.strip().lower()] = value
    return meta, text[match.end():]


_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)")
_SENTINELS = (datetime(1904, 1, 1, 0, 0, 0), datetime(1908, 2, 2, 1, 1, 1))


def parse_published(value) -> str | None:
    """ISO 8601 for a date we can read, keeping only the parts the input gave; never invented.

    >>> parse_published("Dec. 21, 2025"), parse_published("21 Dec 2025 14:30 +0100")
    ('2025-12-21', '2025-12-21T14:30:00+01:00')
    >>> parse_published("December 2025"), parse_published("Monday"), parse_published("soon")
    ('2025-12', None, None)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value > 1e11:  # epoch milliseconds
            value /= 1000
        if 1e8 < value < 1e10:
            return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
        return None
    if not isinstance(value, str) or not _YEAR.search(value):  # no year → a guess; refuse
        return None
    from dateutil import parser

    try:
        a, b = (parser.parse(value.strip(), default=d, fuzzy=False) for d in _SENTINELS)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None
    if a.month != b.month:
        return f"{a.year:04d}"
    if a.day != b.day:
        return f"{a.year:04d}-{a.month:02d}"
    if a.hour != b.hour or a.minute != b.minute:
        return a.date().isoformat()
    return a.replace(second=a.second if a.second == b.second else 0).isoformat()
