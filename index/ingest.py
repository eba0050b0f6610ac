"""Sources (files, folders, feed and page URLs, sources files) → the store, for `newsbot index` and `watch`.

URLs are fetched first, *outside* the index lock; the lock is held only while writing
(:func:`index.indexer.index_paths`). When nothing local is given and every URL answered
304 Not Modified (or failed), the store is not touched at all. The fetch validators are
saved only after the articles are indexed: an interrupted run fetches them again.

>>> split_sources(["seeds", "https://h.example/rss"])
(['seeds'], ['https://h.example/rss'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import InputError
from index.fetch import is_url


@dataclass(frozen=True)
class SourcesSummary:
    added: int
    updated: int
    unchanged: int  # articles whose text did not change (+ URLs answered 304)
    failed: int  # URLs that could not be used (each has a warning)
    warnings: tuple[str, ...]
    index: object | None  # the IndexSummary, None when nothing needed writing
    requests: int = 0
    conditional: int = 0
    embedded_chunks: int = 0
    failures: tuple[tuple[str, str], ...] = ()  # (url, code) of each failed URL

    def line(self) -> str:
        """The `watch` cycle line."""
        return f"new {self.added} / updated {self.updated} / failed {self.failed}"


def split_sources(sources: Sequence[str]) -> tuple[list[str], list[str]]:
    paths, urls = [], []
    for s in sources:
        (urls if is_url(str(s)) else paths).append(str(s))
    return paths, urls


def read_sources_file(path: str | Path) -> list[str]:
    """One source a line (URL, file or folder; relative paths from the file's folder);
    blank lines and ``#`` comments ignored."""
    path = Path(path).expanduser()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such sources file; give a file with one URL or path a line") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the sources file ({err})") from None
    out = []
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        out.append(line if is_url(line) else str((path.parent / line).expanduser()))
    if not out:
        raise InputError(f"{path}: the sources file lists no URL or path")
    return out


def index_sources(settings, sources: Sequence[str], *, embedder=None, store=None, prune: bool = True,
                  rebuild: bool = False, on_progress=None, wait_s: float = 0.0, fetcher=None,
                  should_stop: Callable[[], bool] = lambda: False) -> SourcesSummary:
    """Fetch the URLs among ``sources``, then index them with the files and folders."""
    from index.fetch import Fetcher, ValidatorCache
    from index.indexer import index_paths
    from index.sources.web import commit, load_web

    paths, urls = split_sources(sources)
    for p in paths:  # a missing path fails before any request is sent
        if not Path(p).expanduser().exists() and not Path(p).expanduser().is_symlink():  # a loop is the loader's warning
            raise InputError(f"{p}: no such file or folder; check the path you gave to index")
    web = None
    if urls:
        cache = ValidatorCache(settings.store)
        if rebuild:  # the store starts empty: a 304 must not stand for "already indexed"
            cache.data = {}
        own = fetcher is None
        fetcher = fetcher or Fetcher.from_settings(settings)
        try:
            web = load_web(urls, fetcher, cache, should_stop)
        finally:
            if own:
                fetcher.close()
    extra = web.articles if web else ()
    warnings = tuple(web.warnings) if web else ()
    failed = web.failed if web else 0
    requests = (web.requests, web.conditional) if web else (0, 0)
    if not paths and not extra and not rebuild:
        if web is not None:
            commit(cache, web)  # 304s and failures only: nothing to write, the store is untouched
        return SourcesSummary(0, 0, web.not_modified if web else 0, failed, warnings, None, *requests,
                              failures=web.failures if web else ())
    summary = index_paths(settings, paths, embedder=embedder, store=store, prune=prune, rebuild=rebuild,
                          on_progress=on_progress, wait_s=wait_s, extra=extra)
    if web is not None:
        commit(cache, web)
    return SourcesSummary(summary.added, summary.updated, summary.unchanged + (web.not_modified if web else 0),
                          failed, tuple(summary.warnings) + warnings, summary, *requests,
                          embedded_chunks=summary.chunks_written, failures=web.failures if web else ())
