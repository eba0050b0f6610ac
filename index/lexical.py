"""BM25 keyword ranking over the chunks (the only bm25s import).

Chroma (local or ``chroma run``) has no keyword search, so newsbot keeps its own BM25.
Locally it is saved beside the store in ``<store>/bm25-<generation>/``;
``<store>/bm25.current`` names the live generation and is replaced atomically
(``os.replace``) after a new one is fully written, so a reader — or a run killed
mid-save — never sees half an index. With a Chroma server, readers build it in memory
from the server's documents instead (``LiveLexical``), and rebuild it when the
collection's version stamp moves, so every machine searches what the server holds.

Example::

    >>> LexicalIndex.build(["c#0000", "c#0001"], ["Okafor leads the talks", "Hale said"]).search("talks", 1)
    [('c#0000', 0.25...)]
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

_POINTER = "bm25.current"


def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # PyStemmer is a dependency; without it BM25 still works, unstemmed
        return None


class LexicalIndex:
    """BM25 over chunk texts; ``search`` returns ``(chunk_id, score)`` best first."""

    def __init__(self, retriever, ids: list[str]):
        self._retriever = retriever
        self.ids = ids
        self._stemmer = _stemmer()

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25()
        if ids:
            tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), show_progress=False)
            retriever.index(tokens, show_progress=False)
        return cls(retriever, list(ids))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        import bm25s

        if not self.ids or k <= 0:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, return_ids=False,
                                show_progress=False)
        if not tokens or not tokens[0]:
            return []
        docs, scores = self._retriever.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    # -- persistence --------------------------------------------------------------------
    def save(self, store_dir: str | Path) -> Path:
        """Write a new generation, then switch the pointer to it atomically."""
        store_dir = Path(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        generation = f"bm25-{uuid.uuid4().hex[:12]}"
        target = store_dir / generation
        target.mkdir()
        if self.ids:
            self._retriever.save(str(target))
        (target / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        _fsync_dir(target)
        tmp = store_dir / f"{_POINTER}.tmp-{os.getpid()}"
        tmp.write_text(generation, encoding="utf-8")
        os.replace(tmp, store_dir / _POINTER)
        _remove_stale(store_dir, keep=generation)
        return target

    @classmethod
    def load(cls, store_dir: str | Path) -> "LexicalIndex":
        """The live generation; FileNotFoundError when there is none (dense-only search)."""
        import bm25s

        store_dir = Path(store_dir)
        for attempt in range(3):
            generation = (store_dir / _POINTER).read_text(encoding="utf-8").strip()
            folder = store_dir / generation
            try:
                ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
                retriever = bm25s.BM25.load(str(folder)) if ids else bm25s.BM25()
                return cls(retriever, ids)
            except FileNotFoundError:
                # An indexer switched generations between our two reads: read the pointer again.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class LexicalStatus:
    """Whether keyword search is on; ``code`` says why not (tests assert codes)."""

    available: bool
    code: str = "ok"  # ok | no_index | bm25_missing | build_failed
    message: str = ""
    chunks: int = 0
    version: str | None = None
    built_s: float = 0.0  # seconds the last (re)build took


class LiveLexical:
    """A BM25 index kept in step with a version stamp: ``search`` first checks the stamp
    (at most every ``check_every_s``) and rebuilds through ``load`` when it moved.

    ``version()`` is cheap (one metadata read); ``load()`` returns a fresh LexicalIndex
    (from the server's documents, or the local generation). The stamp is read *before*
    loading, so a batch committed meanwhile only causes one more rebuild later. While a
    rebuild fails the old index keeps answering; with none, search is empty and
    ``status`` says why — retrieval then goes dense-only and says so.
    """

    def __init__(self, load: Callable[[], "LexicalIndex"], version: Callable[[], str | None], *,
                 check_every_s: float, clock: Callable[[], float] = time.monotonic):
        self._load, self._version, self._every, self._clock = load, version, float(check_every_s), clock
        self._index: LexicalIndex | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self.status = LexicalStatus(False, "no_index", "BM25 has not been built yet")
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> bool:
        """Rebuild if the stamp moved (or ``force``); True when a new index was built."""
        with self._lock:
            now = self._clock()
            if not force and now - self._checked < self._every:
                return False
            self._checked = now
            try:
                stamp = self._version()
                if not force and self._index is not None and stamp == self.status.version:
                    return False
                started = time.perf_counter()
                index = self._load()
            except ImportError:
                self.status = LexicalStatus(False, "bm25_missing", "the bm25s package is not installed")
                return False
            except FileNotFoundError:
                if self._index is None:
                    self.status = LexicalStatus(False, "no_index", "there is no BM25 index beside the store yet")
                return False
            except Exception as exc:  # the server went away mid-read: keep what we have
                if self._index is None:
                    self.status = LexicalStatus(False, "build_failed",
                                                f"BM25 could not be built from the store ({type(exc).__name__})")
                return False
            self._index = index
            self.status = LexicalStatus(True, "ok", "", len(index.ids), stamp, time.perf_counter() - started)
            return True

    @property
    def ids(self) -> list[str]:
        return self._index.ids if self._index is not None else []

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        self.refresh()
        index = self._index
        return index.search(query, k) if index is not None else []


def from_pages(pages) -> LexicalIndex:
    """A LexicalIndex from pages of ``(id, document, metadata)`` (a store's ``scan()``)."""
    ids: list[str] = []
    texts: list[str] = []
    for page in pages:
        for cid, doc, _ in page:
            ids.append(cid)
            texts.append(doc)
    return LexicalIndex.build(ids, texts)


def local_version(store_dir: str | Path) -> str | None:
    """The live local generation's name (the pointer file), or None."""
    try:
        return (Path(store_dir) / _POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as f:
            os.fsync(f.fileno())


def _remove_stale(store_dir: Path, keep: str) -> None:
    for path in store_dir.glob("bm25-*"):
        if path.name != keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    for path in store_dir.glob(f"{_POINTER}.tmp-*"):
        path.unlink(missing_ok=True)
