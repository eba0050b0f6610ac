"""Polite HTTP fetching (the only httpx import): feeds and article pages for `newsbot index URL`.

- a User-Agent naming newsbot, connect/read timeouts and a whole-request deadline;
- conditional GET: the ETag / Last-Modified of the last successful fetch of a URL are sent
  back (``If-None-Match`` / ``If-Modified-Since``), so an unchanged feed costs one small 304;
- per-host concurrency of one (each host's URLs are fetched one after another, different
  hosts in parallel), robots.txt respected (fetched once per host per run);
- a size cap: a body larger than ``max_bytes`` is abandoned mid-download.

A failure never raises: it is a :class:`Fetched` with ``error`` set (one line naming the URL).
Validators are *not* saved here: :class:`ValidatorCache` keeps them, and the caller saves them
only after what was fetched is safely indexed (a run killed in between simply fetches again).

>>> host_of("https://news.example.org/a/b?c=1")
'news.example.org'
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

CACHE_FILE = "fetch-cache.json"


@dataclass(frozen=True)
class Fetched:
    """What one GET gave. ``not_modified``: a 304 to our conditional request (no body)."""

    url: str
    status: int = 0
    body: bytes = b""
    content_type: str = ""
    final_url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str = ""
    not_modified: bool = False
    error: str | None = None  # one line naming the URL; set when the URL could not be used
    code: str | None = None  # why, for programs and tests: http-404, timeout, too-large, robots, network, ...

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_modified


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_url(text: str) -> bool:
    return str(text).lower().startswith(("http://", "https://"))


class ValidatorCache:
    """``<store>/fetch-cache.json``: URL → {etag, last_modified, fingerprint}, written atomically."""

    def __init__(self, store_dir: str | Path):
        self.path = Path(store_dir) / CACHE_FILE
        try:
            self.data: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}  # missing or damaged: everything is simply fetched again

    def get(self, url: str) -> dict:
        value = self.data.get(url)
        return value if isinstance(value, dict) else {}

    def update(self, url: str, **fields) -> None:
        self.data[url] = {**self.get(url), **{k: v for k, v in fields.items() if v is not None}}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, sort_keys=True, indent=0), encoding="utf-8")
        os.replace(tmp, self.path)


class Fetcher:
    """Fetches URLs politely; ``transport`` is for tests of odd servers (default: real sockets)."""

    def __init__(self, *, user_agent: str, timeout_s: float = 10.0, max_bytes: int = 5_000_000,
                 concurrency: int = 4, respect_robots: bool = True, transport=None):
        import httpx

        self._httpx = httpx
        self.user_agent, self.timeout_s, self.max_bytes = user_agent, float(timeout_s), int(max_bytes)
        self.concurrency, self.respect_robots = max(1, int(concurrency)), respect_robots
        self._client = httpx.Client(headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
                                    timeout=httpx.Timeout(self.timeout_s), follow_redirects=True,
                                    max_redirects=5, transport=transport, trust_env=False)
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_lock = threading.Lock()
        self.requests = 0  # every HTTP request sent (robots.txt included)
        self.conditional = 0  # of which carried If-None-Match / If-Modified-Since

    @classmethod
    def from_settings(cls, settings, **overrides) -> Fetcher:
        args = {"user_agent": settings.fetch_user_agent, "timeout_s": settings.fetch_timeout_s,
                "max_bytes": settings.fetch_max_bytes, "concurrency": settings.fetch_concurrency}
        return cls(**{**args, **overrides})

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- many URLs ----------------------------------------------------------------------------
    def fetch_many(self, urls: Sequence[str], cache: ValidatorCache | None = None,
                   should_stop: Callable[[], bool] = lambda: False) -> list[Fetched]:
        """Results in the order of ``urls``: hosts in parallel, each host's URLs one at a time."""
        by_host: dict[str, list[int]] = {}
        for i, url in enumerate(urls):
            by_host.setdefault(host_of(url), []).append(i)
        results: list[Fetched | None] = [None] * len(urls)

        def run_host(indices: list[int]) -> None:
            for i in indices:
                if should_stop():
                    results[i] = Fetched(urls[i], error=f"{urls[i]}: not fetched, stopping", code="stopped")
                    continue
                results[i] = self.fetch(urls[i], cache.get(urls[i]) if cache else None)

        if len(by_host) <= 1 or self.concurrency == 1:
            for indices in by_host.values():
                run_host(indices)
        else:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(by_host))) as pool:
                list(pool.map(run_host, by_host.values()))
        return [r for r in results if r is not None]

    # -- one URL --------------------------------------------------------------------------------
    def fetch(self, url: str, validators: dict | None = None) -> Fetched:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        if not is_url(url) or not host_of(url):
            return Fetched(url, error=f"{url}: not an http(s) URL", code="bad-url")
        if self.respect_robots and not self._allowed(url):
            return Fetched(url, error=f"{url}: skipped, robots.txt of {host_of(url)} disallows it for newsbot",
                           code="robots")
        headers = {}
        validators = validators or {}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        self.requests += 1
        self.conditional += bool(headers)
        try:
            return self._get(url, headers, now)
        except self._httpx.TimeoutException:
            return Fetched(url, error=f"{url}: timed out after {self.timeout_s:g} s", code="timeout")
        except _TooLarge:
            return Fetched(url, error=f"{url}: skipped, larger than the {self.max_bytes:,}-byte cap",
                           code="too-large")
        except self._httpx.TooManyRedirects:
            return Fetched(url, error=f"{url}: too many redirects", code="redirects")
        except (self._httpx.HTTPError, OSError, ValueError) as err:
            return Fetched(url, error=f"{url}: cannot fetch ({type(err).__name__}: {str(err)[:120] or 'no detail'})",
                           code="network")

    def _get(self, url: str, headers: dict, now: str) -> Fetched:
        deadline = time.monotonic() + 3 * self.timeout_s  # a trickling server cannot hold us forever
        with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(url, 304, final_url=str(response.url), fetched_at=now, not_modified=True,
                               etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))
            if response.status_code >= 400:
                return Fetched(url, response.status_code, code=f"http-{response.status_code}",
                               error=f"{url}: HTTP {response.status_code} {response.reason_phrase or ''}".rstrip())
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise _TooLarge()
            parts, size = [], 0
            for piece in response.iter_bytes():
                size += len(piece)
                if size > self.max_bytes:
                    raise _TooLarge()
                if time.monotonic() > deadline:
                    raise self._httpx.ReadTimeout("deadline")
                parts.append(piece)
            return Fetched(url, response.status_code, b"".join(parts),
                           response.headers.get("content-type", ""), str(response.url),
                           response.headers.get("etag"), response.headers.get("last-modified"), now)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if root not in self._robots:
                self._robots[root] = self._load_robots(root)
            robots = self._robots[root]
        return robots is None or robots.can_fetch(self.user_agent, url)

    def _load_robots(self, root: str) -> RobotFileParser | None:
        """None (everything allowed) when there is no robots.txt; a 401/403 means disallow all."""
        self.requests += 1
        parser = RobotFileParser(root + "/robots.txt")
        try:
            response = self._client.get(root + "/robots.txt")
        except (self._httpx.HTTPError, OSError):
            return None
        if response.status_code in (401, 403):
            parser.disallow_all = True
            return parser
        if response.status_code >= 400 or len(response.content) > 500_000:
            return None
        parser.parse(response.text.splitlines())
        return parser


class _TooLarge(Exception):
    pass


def http_date(moment: datetime) -> str:
    """An RFC 7231 date (for servers and tests): ``Tue, 05 Mar 2024 10:00:00 GMT``."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def remember(cache: ValidatorCache, results: Iterable[Fetched]) -> None:
    """Record the validators of successful fetches (call after their articles are indexed)."""
    for r in results:
        if r.ok:
            cache.data[r.url] = {**cache.get(r.url), "etag": r.etag, "last_modified": r.last_modified,
                                 "fetched_at": r.fetched_at}
