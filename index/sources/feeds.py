"""RSS / Atom feeds → entries (the only feedparser import).

>>> feed = parse_feed(b'<rss version="2.0"><channel><title>Harbor News</title><item>'
...                   b'<title>Bridge reopens</title><link>https://h.example/a</link>'
...                   b'<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item></channel></rss>',
...                   "https://h.example/rss")
>>> feed.title, [(e.title, e.url, e.published) for e in feed.entries]
('Harbor News', [('Bridge reopens', 'https://h.example/a', '2024-03-05T10:00:00+00:00')])
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None
    published: str | None  # ISO 8601 (UTC) when the feed gives a date
    updated: str | None
    author: str | None
    summary: str  # HTML or text as the feed gives it
    content: str  # full content (content:encoded / atom:content), HTML; "" when absent

    @property
    def fingerprint(self) -> str:
        """Changes when the feed says the entry changed (used to skip refetching its page)."""
        return "|".join([self.title or "", self.published or "", self.updated or "", str(len(self.content))])


@dataclass(frozen=True)
class Feed:
    title: str | None
    url: str
    entries: tuple[FeedEntry, ...]


_FEED_TYPES = ("rss", "atom", "application/xml", "text/xml", "application/rdf")
_SNIFF = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.DOTALL | re.IGNORECASE)


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """True for RSS/Atom: by content type, or by the first element when the type is generic."""
    kind = content_type.split(";")[0].strip().lower()
    if "html" in kind:
        return False
    return any(t in kind for t in _FEED_TYPES) or bool(_SNIFF.match(body[:2048]))


def parse_feed(body: bytes, url: str) -> Feed:
    """Entries with a link; raises ValueError with a one-line reason when it is no feed at all."""
    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "not RSS or Atom")()
        raise ValueError(f"not a readable RSS/Atom feed ({str(reason)[:100]})")
    entries = []
    for e in parsed.entries:
        link = e.get("link") or next((ln.get("href") for ln in e.get("links", []) if ln.get("href")), None)
        if not link:
            continue
        content = "".join(c.get("value", "") for c in e.get("content", []) or [])
        entries.append(FeedEntry(
            url=urljoin(url, link.strip()), title=_clean(e.get("title")),
            published=_iso(e.get("published_parsed")), updated=_iso(e.get("updated_parsed") if "updated" in e else None),
            author=_clean(e.get("author")), summary=e.get("summary", "") or "", content=content))
    return Feed(_clean(parsed.feed.get("title")), url, tuple(entries))


def _iso(parsed) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
