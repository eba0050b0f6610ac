"""URLs (RSS/Atom feeds and article pages) → :class:`Article` records, with one-line warnings.

A feed's entries become articles: the entry's full content when the feed carries the
whole story, else the linked page fetched and extracted. What was fetched is remembered
(:func:`commit`) only after the caller has indexed it, so a run killed in between simply
fetches again; a feed with an entry that failed is not remembered either (its next poll
fetches it whole and retries the entry).

Article ids are ``<host>_<16 hex of sha256(url)>``: stable across runs and across feeds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from index.fetch import Fetched, Fetcher, ValidatorCache, host_of, remember

MIN_CONTENT_WORDS = 80  # a feed entry with at least this much content is the article itself


@dataclass(frozen=True)
class WebLoad:
    articles: tuple  # Article records
    warnings: tuple[str, ...]
    failed: int  # URLs (feeds or pages) that could not be used
    failures: tuple[tuple[str, str], ...]  # (url, code): http-404, timeout, too-large, robots, not-a-feed, no-text
    not_modified: int  # URLs answered 304 Not Modified
    requests: int
    conditional: int  # of the requests, those carrying ETag / Last-Modified
    _fetched: tuple[Fetched, ...] = field(default=(), repr=False)
    _fingerprints: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    _withheld: frozenset[str] = field(default=frozenset(), repr=False)


def article_id(url: str) -> str:
    """``<host>_<16 hex of sha256(url)>``.

    >>> article_id("https://News.Example.org/a")
    'news.example.org_d54799c221400c41'
    """
    host = re.sub(r"[^a-z0-9.-]+", "-", host_of(url)) or "web"
    return f"{host}_{hashlib.sha256(url.strip().encode()).hexdigest()[:16]}"


def load_web(urls: Sequence[str], fetcher: Fetcher, cache: ValidatorCache,
             should_stop: Callable[[], bool] = lambda: False) -> WebLoad:
    from index.sources.feeds import looks_like_feed, parse_feed
    from index.sources.pages import extract_page

    state = _State()
    start_requests, start_conditional = fetcher.requests, fetcher.conditional
    first = fetcher.fetch_many(list(dict.fromkeys(urls)), cache, should_stop)
    wanted: dict[str, tuple[str, object, str | None]] = {}  # page url → (feed url, entry, outlet)
    for got in first:
        if not state.usable(got):
            continue
        if looks_like_feed(got.body, got.content_type):
            try:
                feed = parse_feed(got.body, got.final_url or got.url)
            except ValueError as err:
                state.fail(got.url, f"{got.url}: skipped, {err}", code="not-a-feed")
                continue
            outlet = feed.title or host_of(got.url)
            for entry in feed.entries:
                if _words(entry.content) >= MIN_CONTENT_WORDS:
                    _from_entry(state, entry, outlet, got)
                elif cache.get(entry.url).get("entry") == entry.fingerprint:
                    continue  # already indexed and the feed says it has not changed
                else:
                    wanted.setdefault(entry.url, (got.url, entry, outlet))
        else:
            page = _extract(extract_page, got)
            if page is None:
                state.fail(got.url, f"{got.url}: skipped, no article text on the page", code="no-text")
                continue
            state.add(_article(got.url, page.text, page.title, page.site or host_of(got.url),
                               page.url, page.published, got.fetched_at))

    pages = fetcher.fetch_many(list(wanted), cache, should_stop)
    for got in pages:
        feed_url, entry, outlet = wanted[got.url]
        if got.not_modified:
            state.not_modified += 1
            state.fingerprints.append((got.url, entry.fingerprint))
            continue
        if not state.usable(got, feed_url):
            continue
        page = _extract(extract_page, got)
        if page is None:
            state.fail(got.url, f"{got.url}: skipped, no article text on the page", feed_url, code="no-text")
            continue
        state.add(_article(got.url, page.text, entry.title or page.title, outlet, page.url or got.url,
                           entry.published or page.published, got.fetched_at))
        state.fingerprints.append((got.url, entry.fingerprint))
    return WebLoad(tuple(state.articles), tuple(state.warnings), state.failed, tuple(state.failures),
                   state.not_modified,
                   fetcher.requests - start_requests, fetcher.conditional - start_conditional,
                   tuple(first) + tuple(pages), tuple(state.fingerprints), frozenset(state.withheld))


def commit(cache: ValidatorCache, load: WebLoad) -> None:
    """Remember validators and entry fingerprints of what ``load`` fetched: call after indexing."""
    remember(cache, [r for r in load._fetched if r.url not in load._withheld])
    for url, fingerprint in load._fingerprints:
        cache.data[url] = {**cache.get(url), "entry": fingerprint}
    cache.save()


class _State:
    def __init__(self):
        self.articles, self.warnings, self.fingerprints = [], [], []
        self.failures: list[tuple[str, str]] = []
        self.withheld: set[str] = set()  # feeds whose validators must not be saved
        self.failed = self.not_modified = 0
        self._seen: set[str] = set()

    def usable(self, got: Fetched, feed_url: str | None = None) -> bool:
        if got.code == "stopped":  # not asked for: the run is stopping; the next one fetches it
            self.withheld.update(u for u in (got.url, feed_url) if u)
            return False
        if got.error:
            self.fail(got.url, got.error, feed_url, code=got.code or "error")
            return False
        if got.not_modified:
            self.not_modified += 1
            return False
        return True

    def fail(self, url: str, warning: str, feed_url: str | None = None, *, code: str) -> None:
        self.failed += 1
        self.failures.append((url, code))
        self.warnings.append(warning)
        self.withheld.update(u for u in (url, feed_url) if u)

    def add(self, article) -> None:
        if article.id not in self._seen:
            self._seen.add(article.id)
            self.articles.append(article)


def _from_entry(state: _State, entry, outlet: str, got: Fetched) -> None:
    from index.sources.pages import html_to_text

    text = html_to_text(entry.content)
    if text.strip():
        state.add(_article(entry.url, text, entry.title, outlet, entry.url, entry.published, got.fetched_at))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(value: str | None) -> str | None:
    """Untrusted web text without control characters (terminal escapes, bidi overrides).

    >>> plain("Bridge\x1b[2J opens\u202e")
    'Bridge[2J opens'
    """
    return None if value is None else _CONTROL.sub("", value)


def _article(key_url: str, text: str, title, source, url, published, fetched_at):
    from index.sources.article import Article, parse_published

    text, title, source, url = plain(text), plain(title), plain(source), plain(url)
    return Article(id=article_id(key_url), text=text, title=title, source=source, url=url or key_url,
                   published=parse_published(published) if published else None, path=None,
                   fetched_at=fetched_at or datetime.now(UTC).replace(microsecond=0).isoformat())


def _extract(extract_page, got: Fetched):
    """The page's article; None when there is none or the markup defeats the extractor."""
    try:
        return extract_page(got.body, got.final_url or got.url)
    except Exception:  # noqa: BLE001 - lxml/trafilatura raise many types on hostile markup
        return None


def _words(html: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", html or "").split())
