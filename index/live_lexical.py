"""BM25 that follows the store while a worker runs: rebuilt, or refreshed incrementally.

Readers (`newsbot chat`, `slack`, `ask`) keep BM25 in memory, built from the store.
A version stamp in the store moves after every batch a writer commits; the reader checks
it at most every ``check_every_s`` — from a daemon thread (``background=True``, so no
question waits for a refresh) or before a search — and, when it moved:

- ``LiveLexical`` (a local store) reloads the saved generation through ``load``;
- ``ServerLexical`` (a Chroma server) fetches only the chunks written since the stamp it
  last saw (each chunk records the stamp of its batch) plus the list of ids (to notice
  deletions), tokenizes just those, and keeps them in a small *delta* scored with exact
  BM25 over the current corpus statistics; the big index keeps serving, minus the ids
  changed or removed since it was built. When the delta outgrows ``compact_at`` the big
  index is rebuilt from the cached tokens (never re-fetched, never re-tokenized).
  With a ``cache`` folder (``<store>/server-bm25/<collection>``: a cache, never the
  truth) each big index is saved with its tokens and stamp, so a restart loads it and
  catches up incrementally instead of fetching everything again.

Both keep the last good index when a refresh fails, and ``status`` says what is served
(or why nothing is: retrieval then goes dense-only and says so).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol

from index.lexical import LexicalIndex, LexicalStatus, tokenize


class _Watched:
    """The check-the-stamp loop shared by both kinds."""

    def _start(self, check_every_s: float, clock, background: bool) -> None:
        self._every, self._clock = float(check_every_s), clock
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.status = LexicalStatus(False, "no_index", "BM25 has not been built yet")
        self.refresh(force=True)
        self.background = background and self._every > 0
        if self.background:
            threading.Thread(target=self._watch, name="newsbot-bm25", daemon=True).start()

    def _watch(self) -> None:
        while not self._stop.wait(self._every):
            self.refresh()

    def close(self) -> None:
        self._stop.set()

    def refresh(self, force: bool = False) -> bool:
        """Bring the index up to the store's stamp if it moved (or ``force``); True when it changed."""
        with self._lock:
            now = self._clock()
            if not force and now - self._checked < self._every * 0.999:
                return False
            self._checked = now
            try:
                return self._refresh(force)
            except ImportError:
                self.status = LexicalStatus(False, "bm25_missing", "the bm25s package is not installed")
            except FileNotFoundError:
                if not self.status.available:
                    self.status = LexicalStatus(False, "no_index", "there is no BM25 index beside the store yet")
            except Exception as exc:  # the server went away mid-read: keep what we have
                if not self.status.available:
                    self.status = LexicalStatus(False, "build_failed",
                                                f"BM25 could not be built from the store ({type(exc).__name__})")
            return False

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if not self.background:
            self.refresh()
        return self._search(query, k)


class LiveLexical(_Watched):
    """Reloads through ``load()`` whenever ``version()`` moves (cheap: a saved generation)."""

    def __init__(self, load: Callable[[], LexicalIndex], version: Callable[[], str | None], *,
                 check_every_s: float, clock: Callable[[], float] = time.monotonic, background: bool = False):
        self._load, self._version = load, version
        self._index: LexicalIndex | None = None
        self._start(check_every_s, clock, background)

    def _refresh(self, force: bool) -> bool:
        stamp = self._version()
        if not force and self._index is not None and stamp == self.status.version:
            return False
        started = time.perf_counter()
        index = self._load()
        self._index = index
        self.status = LexicalStatus(True, "ok", "", len(index.ids), stamp, time.perf_counter() - started)
        return True

    @property
    def ids(self) -> list[str]:
        return self._index.ids if self._index is not None else []

    def _search(self, query: str, k: int) -> list[tuple[str, float]]:
        index = self._index
        return index.search(query, k) if index is not None else []


class ChunkSource(Protocol):
    """What ``ServerLexical`` reads (ChromaStore implements it)."""

    def version(self) -> str | None: ...

    def scan(self, *, documents: bool = True, since: int | None = None) -> Iterable[list[tuple[str, str, dict]]]: ...

    def all_ids(self) -> list[str]: ...

    @property
    def identity(self) -> str: ...  # changes when the collection is dropped and made again


@dataclass(frozen=True)
class _Snapshot:
    """What searches read; replaced whole by a refresh (searches never see half an update)."""

    main: LexicalIndex
    dead: frozenset[str]  # ids of ``main`` removed or rewritten since it was built
    delta: Mapping[str, list[str]]  # id → tokens of chunks added or rewritten since
    n_docs: int
    avg_len: float
    df: Mapping[str, int] = field(default_factory=dict)


class ServerLexical(_Watched):
    def __init__(self, source: ChunkSource, *, check_every_s: float, clock: Callable[[], float] = time.monotonic,
                 background: bool = False, compact_at: int = 2000, cache: Path | None = None):
        self._source, self._compact_at, self._cache = source, compact_at, cache
        self.loaded_from_cache = False
        self._tokens: dict[str, list[str]] = {}
        self._df: Counter = Counter()
        self._total_len = 0
        self._snap: _Snapshot | None = None
        self.full_builds = 0  # how often everything was fetched (tests, bench)
        self._start(check_every_s, clock, background)

    @property
    def ids(self) -> list[str]:
        return sorted(self._tokens) if self._snap is not None else []

    # -- refresh ---------------------------------------------------------------------------
    def _refresh(self, force: bool) -> bool:
        stamp = self._source.version()
        seen = self.status.version if self._snap is not None else None
        if not force and seen is not None and stamp == seen:
            return False
        started = time.perf_counter()
        if seen is None and self._cache is not None:
            seen = self._load_cache()
        if seen is None or stamp is None or _num(stamp) < _num(seen):
            self._full(stamp)
        elif stamp != seen or force:
            self._incremental(_num(seen), stamp)
        self.status = LexicalStatus(True, "ok", "", len(self._tokens), stamp, time.perf_counter() - started)
        return True

    def _full(self, stamp: str | None) -> None:
        ids, texts = [], []
        for page in self._source.scan():
            for cid, doc, _ in page:
                ids.append(cid)
                texts.append(doc)
        self._tokens, self._df, self._total_len = {}, Counter(), 0
        for cid, toks in zip(ids, tokenize(texts)):
            self._add(cid, toks)
        self.full_builds += 1
        self._compact(stamp)

    def _incremental(self, since: int, stamp: str | None) -> None:
        snap = self._snap
        changed = [(cid, doc) for page in self._source.scan(since=since) for cid, doc, _ in page]
        present = set(self._source.all_ids())
        removed = [cid for cid in self._tokens if cid not in present]
        for cid in removed:
            self._drop(cid)
        fresh = dict(zip([c for c, _ in changed], tokenize([d for _, d in changed]))) if changed else {}
        for cid, toks in fresh.items():
            self._drop(cid)
            self._add(cid, toks)
        main_ids = set(snap.main.ids)
        dead = snap.dead | {cid for cid in (*removed, *fresh) if cid in main_ids}
        delta = {cid: toks for cid, toks in snap.delta.items() if cid in present and cid not in fresh}
        delta.update(fresh)
        if len(delta) + len(dead) > self._compact_at:
            self._compact(stamp)
        else:
            self._snap = _Snapshot(snap.main, frozenset(dead), delta, len(self._tokens), self._avg(), dict(self._df))

    def _compact(self, stamp: str | None) -> None:
        ids = sorted(self._tokens)
        main = LexicalIndex.from_tokens(ids, [self._tokens[c] for c in ids])
        self._snap = _Snapshot(main, frozenset(), {}, len(ids), self._avg(), {})
        if self._cache is not None and stamp is not None:
            try:  # a cache: failing to write it costs the next start a full fetch, nothing more
                meta = {"identity": self._source.identity, "stamp": stamp}
                main.save(self._cache, extra={"cache.json": json.dumps(meta),
                                              "tokens.json": json.dumps(_packed([self._tokens[c] for c in ids]))})
            except OSError:
                pass

    def _load_cache(self) -> str | None:
        """The big index, tokens and stamp saved by an earlier run on this collection; None if none."""
        try:
            main, files = LexicalIndex.load_with(self._cache, "cache.json", "tokens.json")
            meta = json.loads(files["cache.json"])
            tokens = _unpacked(json.loads(files["tokens.json"]))
        except (OSError, ValueError, KeyError, IndexError):
            return None
        if meta.get("identity") != self._source.identity or len(tokens) != len(main.ids):
            return None
        self._tokens, self._df, self._total_len = {}, Counter(), 0
        for cid, toks in zip(main.ids, tokens):
            self._add(cid, toks)
        self._snap = _Snapshot(main, frozenset(), {}, len(main.ids), self._avg(), {})
        self.loaded_from_cache = True
        return str(meta["stamp"])

    def _add(self, cid: str, toks: list[str]) -> None:
        self._tokens[cid] = toks
        self._df.update(set(toks))
        self._total_len += len(toks)

    def _drop(self, cid: str) -> None:
        old = self._tokens.pop(cid, None)
        if old is not None:
            self._df.subtract(set(old))
            self._total_len -= len(old)

    def _avg(self) -> float:
        return self._total_len / len(self._tokens) if self._tokens else 0.0

    # -- search ------------------------------------------------------------------------------
    def _search(self, query: str, k: int) -> list[tuple[str, float]]:
        snap = self._snap
        if snap is None or k <= 0:
            return []
        hits = [(c, s) for c, s in snap.main.search(query, k + len(snap.dead)) if c not in snap.dead]
        if snap.delta:
            hits += _score_delta(tokenize([query])[0], snap, snap.main)
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]


def _score_delta(query: list[str], snap: _Snapshot, main: LexicalIndex) -> list[tuple[str, float]]:
    """BM25 (the Lucene variant bm25s uses) of the delta chunks over the current corpus."""
    k1, b = main.k1, main.b
    terms = set(query)
    out = []
    for cid, toks in snap.delta.items():
        tf = Counter(t for t in toks if t in terms)
        if not tf:
            continue
        norm = k1 * (1 - b + b * len(toks) / (snap.avg_len or 1.0))
        score = 0.0
        for term, n in tf.items():
            df = snap.df.get(term, 1)
            score += math.log(1 + (snap.n_docs - df + 0.5) / (df + 0.5)) * n / (n + norm)
        out.append((cid, score))
    return out


def _packed(docs: list[list[str]]) -> dict:
    """Tokens as a vocabulary and per-document indices (small on disk; one str per word when loaded)."""
    vocab: dict[str, int] = {}
    return {"docs": [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in docs], "vocab": list(vocab)}


def _unpacked(packed: dict) -> list[list[str]]:
    vocab = packed["vocab"]
    return [[vocab[i] for i in doc] for doc in packed["docs"]]


def _num(stamp: str) -> int:
    try:
        return int(stamp)
    except (TypeError, ValueError):
        return -1
