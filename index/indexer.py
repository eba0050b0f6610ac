"""`newsbot index`: load → chunk → embed → upsert, incrementally and crash-safely.

Order of writes for a group of articles (see index/manifest.py for the states):

1. manifest: articles → ``pending`` (with their new content hash)
2. vector store: upsert the new chunks, delete the article's chunk ids that no longer exist
3. manifest: chunk ids recorded and articles → ``done`` (one transaction)

and, after all groups: prune removed articles, rebuild the BM25 index from the
manifest (atomic pointer switch), close the run. A run killed (even ``kill -9``)
anywhere in between leaves either ``pending`` articles or ``run_open = 1``; the next
run redoes the pending articles, removes vector-store ids the manifest does not know,
and rebuilds BM25 — ending with exactly the store a clean run gives.

Repair only touches what an interrupted run wrote: the chunks of articles the manifest holds as
``pending``. Vectors of articles the manifest does not know (a lost, emptied or replaced manifest)
are *adopted* into it, never deleted; articles the manifest lists as done but whose vectors are
gone (``chroma/`` deleted) are re-embedded when their files are in the run, and otherwise marked
``pending`` with a warning. An article id already indexed from another file that still exists is
never replaced: the newcomer is skipped with a warning naming both files.

One writer: a ``flock`` on ``<store>/.index.lock``; with ``--chroma-url`` also a lease in the server, the
manifest rebuilt from the server first and its version stamp bumped per batch (index/server_manifest.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bot.core.errors import StoreCorruptError
from index.chunking import Chunk, chunk_article
from index.dedup import STORIES, StoryBook
from index.hygiene import limit_article
from index.lease import LOCK_FILE, store_lock  # noqa: F401 - re-exported (tests, callers)
from index.lexical import LexicalIndex
from index.manifest import Manifest, remove_manifest
from index.repair import reconcile, refuse_collisions, remove_orphans
from index.sources.article import Article
from index.sources.files import load_articles

CHUNKER_VERSION = "1"
ProgressCallback = Callable[[int, int], None]  # (chunks written so far, chunks to write)


@dataclass(frozen=True)
class IndexSummary:
    added: int
    updated: int
    unchanged: int
    removed: int
    skipped: int
    chunks_written: int
    seconds: float
    warnings: tuple[str, ...] = ()
    recovered: bool = False  # the previous run had been interrupted and was repaired

    def line(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.removed} removed, {self.skipped} skipped · {self.chunks_written} chunks written · "
                f"{self.seconds:.1f} s")


def content_hash(article: Article, settings, embedder_name: str) -> str:
    """Changes when the article *or* anything that shapes its chunks or vectors changes."""
    shape = [CHUNKER_VERSION, embedder_name, settings.chunk_tokens, settings.chunk_overlap_tokens,
             article.title, article.source, article.url, article.published]
    digest = hashlib.sha256(json.dumps(shape).encode())
    digest.update(b"\0" + article.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def index_paths(settings, paths: Sequence[str | Path], *, embedder=None, store=None, prune: bool = True,
                rebuild: bool = False, on_progress: ProgressCallback | None = None,
                wait_s: float = 0.0, extra: Sequence[Article] = ()) -> IndexSummary:
    """Index ``paths`` (files or folders) and ``extra`` articles (fetched from URLs by
    index/sources/web.py; never pruned) into the store the settings name."""
    started = time.perf_counter()
    store_dir = Path(settings.store)
    loaded = load_articles(paths)  # a missing path fails here, before anything is touched
    if extra:
        loaded = dataclasses.replace(loaded, articles=loaded.articles + tuple(extra))
    loaded = _limited(loaded, settings.max_article_chars)
    from index.server_manifest import after_batch, sync_manifest, writer_lease

    with store_lock(store_dir, wait_s), writer_lease(settings, wait_s) as renew_lease:
        if embedder is None:
            from index.embedders import build_embedder

            embedder = build_embedder(settings)
        manifest = _open_manifest(store_dir, rebuild)
        try:
            if rebuild:
                manifest.set_meta("run_open", "1")
                from index.store import drop_collection

                if store is None:
                    drop_collection(settings)
                else:
                    store.delete(store.all_ids())
                manifest.clear()
                (store_dir / STORIES).unlink(missing_ok=True)
            if store is None:
                from index.store import open_store

                store = open_store(settings, embedder, create=True)
            if settings.chroma_url:  # the server is the truth, the local manifest a cache
                sync_manifest(manifest, store)
            run = _Run(settings, manifest, store, embedder, on_progress, after_batch(settings, store, renew_lease))
            summary = run.execute(loaded, [Path(p) for p in paths], prune)
        finally:
            manifest.close()
    return IndexSummary(**{**summary, "seconds": time.perf_counter() - started})


def _limited(loaded, max_chars: int):
    """``loaded`` with over-long articles truncated (a warning each)."""
    articles, warnings = [], list(loaded.warnings)
    for article in loaded.articles:
        article, warning = limit_article(article, max_chars)
        articles.append(article)
        if warning:
            warnings.append(warning)
    return dataclasses.replace(loaded, articles=tuple(articles), warnings=tuple(warnings))


def _open_manifest(store_dir: Path, rebuild: bool) -> Manifest:
    """The manifest; with ``rebuild`` a damaged one is replaced instead of reported."""
    try:
        manifest = Manifest(store_dir)
        if rebuild:
            manifest.get_meta("run_open")  # reads a page: a damaged file fails here
        return manifest
    except StoreCorruptError:
        if not rebuild:
            raise
    with contextlib.suppress(Exception):
        manifest.close()
    remove_manifest(store_dir)
    return Manifest(store_dir)


class _Run:
    def __init__(self, settings, manifest: Manifest, store, embedder, on_progress, after_batch=None):
        self.settings, self.manifest, self.store, self.embedder = settings, manifest, store, embedder
        self.on_progress = on_progress or (lambda done, total: None)
        self.after_batch = after_batch or (lambda: None)  # renew the lease, bump the version stamp

    def execute(self, loaded, roots: list[Path], prune: bool) -> dict:
        interrupted = self.manifest.get_meta("run_open") == "1"
        self.manifest.set_meta("run_open", "1")
        notes, disagreed = reconcile(self.manifest, self.store, self.settings.store, interrupted)
        recovering = interrupted or disagreed
        known = self.manifest.articles()
        loaded = refuse_collisions(loaded, known)

        todo: list[tuple[Article, str, bool]] = []  # (article, hash, existed before)
        unchanged, moved = 0, []
        for article in loaded.articles:
            digest = content_hash(article, self.settings, self.embedder.name)
            before = known.get(article.id)
            if before is not None and before.state == "done" and before.content_hash == digest:
                unchanged += 1
                if article.path and before.path != article.path:
                    moved.append((article.id, article.path))
            else:
                todo.append((article, digest, before is not None))
        if moved:  # the same article from its new place: keep it out of the old folder's prune
            self.manifest.set_paths(moved)

        stories = self._stories([a for a, _, _ in todo])
        chunked = [(a, h, existed, [dataclasses.replace(c, story_id=stories.get(a.id)) for c in
                                    chunk_article(a, self.embedder.count_tokens, self._max_tokens(),
                                                  self.settings.chunk_overlap_tokens)])
                   for a, h, existed in todo]
        total = sum(len(c) for *_, c in chunked)
        written = 0
        self.on_progress(0, total)
        for group in _groups(chunked, max(1, self.settings.index_write_chunks)):
            self._write_group(group, known, recovering)
            written += sum(len(c) for *_, c in group)
            self.on_progress(written, total)

        removed = self._prune(loaded, roots, known, recovering) if prune else 0
        if recovering:
            remove_orphans(self.manifest, self.store)
        if todo or removed or recovering or not (Path(self.settings.store) / "bm25.current").is_file():
            ids, texts = self.manifest.chunk_texts()
            LexicalIndex.build(ids, texts).save(self.settings.store)
        if removed or recovering:
            self.after_batch()
        self.manifest.set_meta("embedder", self.embedder.name)
        self.manifest.set_meta("run_open", "0")
        return dict(added=sum(1 for _, _, existed in todo if not existed),
                    updated=sum(1 for _, _, existed in todo if existed), unchanged=unchanged, removed=removed,
                    skipped=loaded.skipped, chunks_written=written, warnings=tuple(loaded.warnings) + notes,
                    recovered=interrupted)

    def _stories(self, articles: list[Article]) -> dict[str, str]:
        """Story ids (index/dedup.py) of new/changed articles; forgets articles no longer indexed."""
        book = StoryBook(self.settings.store, self.settings.dedup_threshold)
        try:
            book.retain(set(self.manifest.articles()) | {a.id for a in articles})
            return book.assign(articles) if articles else {}
        finally:
            book.close()

    def _max_tokens(self) -> int:
        return min(self.settings.chunk_tokens, self.embedder.max_tokens)

    def _write_group(self, group, known, recovering: bool) -> None:
        self.manifest.mark_pending((a.id, a.path, h) for a, h, _, _ in group)
        chunks: list[Chunk] = [c for *_, cs in group for c in cs]
        facts = {a.id: {"content_hash": h, "n_chunks": len(cs), "path": a.path} for a, h, _, cs in group}
        step = max(1, self.settings.index_write_chunks)
        for i in range(0, len(chunks), step):  # written batch by batch: a big article is never held whole
            batch = chunks[i:i + step]
            self.store.upsert(batch, self.embedder.embed([c.text for c in batch]), facts=facts)
        stale: list[str] = []
        for article, _, existed, cs in group:
            fresh = {c.id for c in cs}
            before = known.get(article.id)
            if recovering or (before is not None and before.state != "done"):
                old = self.store.ids_for_article(article.id)  # a killed run may have left extra ids
            elif existed:
                old = self.manifest.chunk_ids(article.id)
            else:
                old = []
            stale.extend(cid for cid in old if cid not in fresh)
        if stale:
            self.store.delete(stale)
        self.manifest.mark_done([(a, [(c.id, c.text) for c in cs]) for a, _, _, cs in group])
        self.after_batch()

    def _prune(self, loaded, roots: list[Path], known, recovering: bool) -> int:
        """Articles whose file vanished from a folder indexed in this run."""
        folders = [_resolved(r) for r in roots if r.is_dir()]
        present = {str(Path(f).resolve()) for f in loaded.files}
        loaded_ids = {a.id for a in loaded.articles}
        gone = []
        for article_id, row in known.items():
            if article_id in loaded_ids or not row.path:
                continue
            path = _resolved(Path(row.path))
            if str(path) in present or not any(path.is_relative_to(f) for f in folders):
                continue
            gone.append(article_id)
        for article_id in gone:
            ids = set(self.manifest.chunk_ids(article_id))
            if recovering or known[article_id].state != "done":
                ids.update(self.store.ids_for_article(article_id))
            self.store.delete(sorted(ids))
        if gone:
            self.manifest.forget(gone)
        return len(gone)

def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare it as written
        return path.absolute()


def _groups(chunked, size: int):
    """Consecutive articles bundled until they hold ``size`` chunks: one embed/upsert each."""
    group, n = [], 0
    for item in chunked:
        group.append(item)
        n += len(item[3])
        if n >= size:
            yield group
            group, n = [], 0
    if group:
        yield group


def stats(settings) -> list:
    """Articles in the manifest (for `newsbot index --stats`); only reads, so a read-only store works.
    With ``--chroma-url`` the server is the truth: its chunks are counted, whatever the local folder holds."""
    if settings.chroma_url:
        from index.manifest import IndexedArticle
        from index.server_manifest import article_facts
        from index.store import open_existing

        facts = article_facts(open_existing(settings).scan(documents=False))
        return [IndexedArticle(f.article_id, f.path, f.content_hash or "", "done" if f.complete else "partial",
                               len(f.chunks), f.title, f.source, f.published, None)
                for _, f in sorted(facts.items())]
    manifest = Manifest(settings.store, readonly=True)
    try:
        return list(manifest.articles().values())
    finally:
        manifest.close()
