"""BM25 keyword ranking over the chunks (the only bm25s import).

Chroma (local or ``chroma run``) has no keyword search, so newsbot keeps its own BM25.
Locally it is saved beside the store in ``<store>/bm25-<generation>/``;
``<store>/bm25.current`` names the live generation and is replaced atomically
(``os.replace``) after a new one is fully written, so a reader — or a run killed
mid-save — never sees half an index. With a Chroma server, readers build it in memory
from the server's documents instead and follow the collection's version stamp
(index/live_lexical.py), so every machine searches what the server holds.

Example::

    >>> LexicalIndex.build(["c#0000", "c#0001"], ["Okafor leads the talks", "Hale said"]).search("talks", 1)
    [('c#0000', 0.25...)]
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

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

    @classmethod
    def from_tokens(cls, ids: Sequence[str], tokens: Sequence[list[str]]) -> "LexicalIndex":
        """From texts already split by :func:`tokenize` (a refresh re-indexes without re-tokenizing)."""
        import bm25s

        retriever = bm25s.BM25()
        if ids:
            retriever.index([t or [""] for t in tokens], show_progress=False)
        return cls(retriever, list(ids))

    @property
    def k1(self) -> float:
        return float(self._retriever.k1)

    @property
    def b(self) -> float:
        return float(self._retriever.b)

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
    def save(self, store_dir: str | Path, extra: dict[str, str] | None = None) -> Path:
        """Write a new generation (with ``extra`` files beside it), then switch the pointer to it atomically."""
        store_dir = Path(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        generation = f"bm25-{uuid.uuid4().hex[:12]}"
        target = store_dir / generation
        target.mkdir()
        if self.ids:
            self._retriever.save(str(target))
        (target / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        for name, text in (extra or {}).items():
            (target / name).write_text(text, encoding="utf-8")
        _fsync_dir(target)
        tmp = store_dir / f"{_POINTER}.tmp-{os.getpid()}"
        tmp.write_text(generation, encoding="utf-8")
        os.replace(tmp, store_dir / _POINTER)
        _remove_stale(store_dir, keep=generation)
        return target

    @classmethod
    def load(cls, store_dir: str | Path) -> "LexicalIndex":
        """The live generation; FileNotFoundError when there is none (dense-only search)."""
        return cls.load_with(store_dir)[0]

    @classmethod
    def load_with(cls, store_dir: str | Path, *extra: str) -> tuple["LexicalIndex", dict[str, str]]:
        """The live generation and the ``extra`` files saved with it (read from the same generation)."""
        import bm25s

        store_dir = Path(store_dir)
        for attempt in range(3):
            generation = (store_dir / _POINTER).read_text(encoding="utf-8").strip()
            folder = store_dir / generation
            try:
                ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
                files = {name: (folder / name).read_text(encoding="utf-8") for name in extra}
                retriever = bm25s.BM25.load(str(folder)) if ids else bm25s.BM25()
                return cls(retriever, ids), files
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


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """The words BM25 sees: lower-cased, English stop words out, stemmed — for documents and queries."""
    import bm25s

    if not texts:
        return []
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


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
