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

A damaged manifest (a half-overwritten or foreign file) raises :class:`StoreCorruptError` naming
the fix (``newsbot index --rebuild``, which replaces it); a read-only one raises
:class:`StoreReadOnlyError`. ``Manifest(dir, readonly=True)`` only reads (``--stats``), also from
a store folder the user may not write to.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from bot.core.errors import StoreCorruptError, StoreLockedError, StoreReadOnlyError

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


def manifest_error(path: Path, err: Exception) -> Exception:
    """The one-line NewsbotError for a sqlite (or OS) error on the manifest file ``path``."""
    text = str(err)
    low = text.lower()
    if isinstance(err, PermissionError) or "readonly" in low or "read-only" in low or "permission" in low:
        return StoreReadOnlyError(f"cannot write to the store {path.parent} ({text}): make it writable "
                                  f"(chmod -R u+w {path.parent}) or use another --store")
    if "locked" in low or "busy" in low:
        return StoreLockedError(f"the manifest {path} is locked by another process ({text}): wait for it, "
                                "or run again with --wait SECONDS")
    if "unable to open" in low:
        return StoreReadOnlyError(f"cannot open the manifest {path} ({text}): check that {path.parent} "
                                  "exists and is readable and writable, or use another --store")
    return StoreCorruptError(f"the manifest {path} is damaged ({text}): run `newsbot index --rebuild "
                             "<folders>` to index your articles again from scratch (it replaces the file)")


def _guarded(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, PermissionError) as err:
            raise manifest_error(self.path, err) from None
    return wrapper


def remove_manifest(store_dir: str | Path) -> None:
    """Delete the manifest and its WAL files (``--rebuild`` of a damaged one)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (Path(store_dir) / (MANIFEST + suffix)).unlink(missing_ok=True)


class Manifest:
    @_guarded
    def __init__(self, store_dir: str | Path, *, readonly: bool = False):
        store_dir = Path(store_dir)
        self.path = store_dir / MANIFEST
        self._db = None
        if readonly:
            self._db = _open_readonly(self.path)
            self._db.execute("SELECT count(*) FROM articles").fetchone()  # damaged → DatabaseError now
            return
        store_dir.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves with BEGIN IMMEDIATE.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    # -- reading -----------------------------------------------------------------------
    @_guarded
    def articles(self) -> dict[str, IndexedArticle]:
        rows = self._db.execute("SELECT article_id, path, content_hash, state, n_chunks, title, source, "
                                "published, indexed_at FROM articles ORDER BY article_id")
        return {r[0]: IndexedArticle(*r) for r in rows}

    @_guarded
    def chunk_ids(self, article_id: str | None = None) -> list[str]:
        if article_id is None:
            rows = self._db.execute("SELECT chunk_id FROM chunks ORDER BY chunk_id")
        else:
            rows = self._db.execute("SELECT chunk_id FROM chunks WHERE article_id = ? ORDER BY chunk_id", (article_id,))
        return [r[0] for r in rows]

    @_guarded
    def chunk_texts(self) -> tuple[list[str], list[str]]:
        """(ids, texts) of every chunk of every finished article, in id order."""
        rows = self._db.execute("SELECT c.chunk_id, c.text FROM chunks c JOIN articles a USING (article_id) "
                                "WHERE a.state = 'done' ORDER BY c.chunk_id").fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    @_guarded
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- writing (each method is one transaction) ---------------------------------------
    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @_guarded
    def mark_pending(self, articles: Iterable[tuple[str, str | None, str]]) -> None:
        """(article_id, path, new content hash) → state 'pending' before their chunks are written."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO articles(article_id, path, content_hash, state) VALUES (?, ?, ?, 'pending') "
                "ON CONFLICT(article_id) DO UPDATE SET path = excluded.path, "
                "content_hash = excluded.content_hash, state = 'pending'",
                list(articles))

    @_guarded
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

    @_guarded
    def forget(self, article_ids: Iterable[str]) -> None:
        ids = [(a,) for a in article_ids]
        with self._transaction():
            self._db.executemany("DELETE FROM chunks WHERE article_id = ?", ids)
            self._db.executemany("DELETE FROM articles WHERE article_id = ?", ids)

    @_guarded
    def clear(self) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM articles")
            self._db.execute("DELETE FROM meta")

    @_guarded
    def chunk_owners(self) -> dict[str, tuple[str, str]]:
        """chunk id → (article id, article state), for every chunk the manifest records."""
        rows = self._db.execute("SELECT c.chunk_id, c.article_id, a.state FROM chunks c "
                                "JOIN articles a USING (article_id)")
        return {r[0]: (r[1], r[2]) for r in rows}

    @_guarded
    def done_chunk_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chunks c JOIN articles a USING (article_id) "
                                    "WHERE a.state = 'done'").fetchone()[0])

    @_guarded
    def adopt(self, found: Sequence[tuple[object, Sequence[tuple[str, str]]]]) -> None:
        """Record articles found in the vector store but not here (a lost or replaced manifest) as
        done, from their chunks: (Chunk-like with article_id/title/source/published, [(chunk_id, text)]).
        Their content hash is unknown, so the next run that sees their file re-embeds it."""
        now = time.time()
        with self._transaction():
            for first, chunks in found:
                self._db.execute(
                    "INSERT OR REPLACE INTO articles(article_id, path, content_hash, state, n_chunks, title, "
                    "source, published, indexed_at) VALUES (?, NULL, 'adopted', 'done', ?, ?, ?, ?, ?)",
                    (first.article_id, len(chunks), first.title, first.source, first.published, now))
                self._db.executemany("INSERT OR REPLACE INTO chunks(chunk_id, article_id, text) VALUES (?, ?, ?)",
                                     [(cid, first.article_id, text) for cid, text in chunks])

    @_guarded
    def set_paths(self, moved: Iterable[tuple[str, str]]) -> None:
        """(article_id, new path) for unchanged articles whose file moved."""
        with self._transaction():
            self._db.executemany("UPDATE articles SET path = ? WHERE article_id = ?", [(p, a) for a, p in moved])

    @_guarded
    def mark_unembedded(self, article_ids: Iterable[str]) -> None:
        """Articles whose vectors are missing from the store → 'pending' (out of BM25 until redone)."""
        with self._transaction():
            self._db.executemany("UPDATE articles SET state = 'pending' WHERE article_id = ?",
                                 [(a,) for a in article_ids])

    def _transaction(self):
        return _Transaction(self._db)


def _open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection; ``immutable`` when the folder cannot be written (WAL needs -shm)."""
    if not path.is_file():
        raise sqlite3.OperationalError("unable to open database file")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=30)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError as err:
        if "unable to open" not in str(err) and "readonly" not in str(err):
            raise
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self):
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind, value, tb):
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
