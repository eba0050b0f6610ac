"""What has been indexed: one SQLite file beside the store (``<store>/manifest.sqlite3``).

The manifest is the source of truth for incremental runs and crash recovery:

- ``articles``: one row per article with its content hash and a state. ``pending``
  means "its chunks may be half written" — set *before* touching the vector store and
  turned into ``done`` in the same transaction that records its chunk ids. An article
  killed mid-way stays ``pending`` and is redone on the next run.
- ``chunks``: chunk id → article id and text (the BM25 index is rebuilt from it, so
  it never needs to read the vector store).
- ``meta``: ``run_open`` is 1 while an index run is in progress; a run that finds it
  still 1 knows the previous one was killed and reconciles the vector store (removes
  chunk ids the manifest does not record as done).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

MANIFEST = "manifest.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, path TEXT, content_hash TEXT NOT NULL, state TEXT NOT NULL,
    n_chunks INTEGER NOT NULL DEFAULT 0, title TEXT, source TEXT, published TEXT, indexed_at REAL);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True)
class IndexedArticle:
    article_id: str
    path: str | None
    content_hash: str
    state: str
    n_chunks: int
    title: str | None
    source: str | None
    published: str | None
    indexed_at: float | None


class Manifest:
    def __init__(self, store_dir: str | Path):
        store_dir = Path(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        self.path = store_dir / MANIFEST
        # isolation_level=None: we open transactions ourselves with BEGIN IMMEDIATE.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- reading -----------------------------------------------------------------------
    def articles(self) -> dict[str, IndexedArticle]:
        rows = self._db.execute("SELECT article_id, path, content_hash, state, n_chunks, title, source, "
                                "published, indexed_at FROM articles ORDER BY article_id")
        return {r[0]: IndexedArticle(*r) for r in rows}

    def chunk_ids(self, article_id: str | None = None) -> list[str]:
        if article_id is None:
            rows = self._db.execute("SELECT chunk_id FROM chunks ORDER BY chunk_id")
        else:
            rows = self._db.execute("SELECT chunk_id FROM chunks WHERE article_id = ? ORDER BY chunk_id", (article_id,))
        return [r[0] for r in rows]

    def chunk_texts(self) -> tuple[list[str], list[str]]:
        """(ids, texts) of every chunk of every finished article, in id order."""
        rows = self._db.execute("SELECT c.chunk_id, c.text FROM chunks c JOIN articles a USING (article_id) "
                                "WHERE a.state = 'done' ORDER BY c.chunk_id").fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- writing (each method is one transaction) ---------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def mark_pending(self, articles: Iterable[tuple[str, str | None, str]]) -> None:
        """(article_id, path, new content hash) → state 'pending' before their chunks are written."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO articles(article_id, path, content_hash, state) VALUES (?, ?, ?, 'pending') "
                "ON CONFLICT(article_id) DO UPDATE SET path = excluded.path, "
                "content_hash = excluded.content_hash, state = 'pending'",
                list(articles))

    def mark_done(self, done: Sequence[tuple[object, Sequence[tuple[str, str]]]]) -> None:
        """For each (Article, [(chunk_id, text)]): record its chunks and state 'done', atomically."""
        now = time.time()
        with self._transaction():
            for article, chunks in done:
                self._db.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
                self._db.executemany("INSERT INTO chunks(chunk_id, article_id, text) VALUES (?, ?, ?)",
                                     [(cid, article.id, text) for cid, text in chunks])
                self._db.execute(
                    "UPDATE articles SET state = 'done', n_chunks = ?, title = ?, source = ?, published = ?, "
                    "indexed_at = ? WHERE article_id = ?",
                    (len(chunks), article.title, article.source, article.published, now, article.id))

    def forget(self, article_ids: Iterable[str]) -> None:
        ids = [(a,) for a in article_ids]
        with self._transaction():
            self._db.executemany("DELETE FROM chunks WHERE article_id = ?", ids)
            self._db.executemany("DELETE FROM articles WHERE article_id = ?", ids)

    def clear(self) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM articles")
            self._db.execute("DELETE FROM meta")

    def _transaction(self):
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self):
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind, value, tb):
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
