"""With ``--chroma-url`` the server is the truth: the local manifest is rebuilt from it.

Every chunk in the collection carries its article's ``content_hash``, ``n_chunks`` and
``path`` (written by the indexer with the chunk, in the same upsert). So from the server
alone an article version is *complete* when all its chunks name the same hash and there
are exactly ``n_chunks`` of them. Anything else — a writer killed mid-upsert, or after
the upsert but before the stale chunks of the old version were deleted — is *incomplete*
and gets redone, exactly as a ``pending`` article of the local manifest would.

``sync_manifest`` replaces the articles of a local manifest (a cache, possibly empty or
from another day) by the server's facts before an index run, so an empty ``--store`` on
any machine recognises unchanged articles (nothing re-embedded) and repairs a killed run.

Example (pure)::

    >>> rows = [("a#0000", "x", {"article_id": "a", "content_hash": "h1", "n_chunks": 2}),
    ...         ("a#0001", "y", {"article_id": "a", "content_hash": "h1", "n_chunks": 2}),
    ...         ("b#0000", "z", {"article_id": "b", "content_hash": "h2", "n_chunks": 2})]
    >>> {k: v.complete for k, v in article_facts([rows]).items()}
    {'a': True, 'b': False}
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Iterable

from index.lease import Lease, owner_name


@dataclass(frozen=True)
class ServerArticle:
    article_id: str
    content_hash: str | None  # None when its chunks disagree or predate content hashes
    path: str | None
    title: str | None
    source: str | None
    published: str | None
    chunks: tuple[tuple[str, str], ...]  # (chunk id, text), id order
    complete: bool


@dataclass(frozen=True)
class _ArticleRow:  # what Manifest.mark_done reads from an article
    id: str
    title: str | None
    source: str | None
    published: str | None


def article_facts(pages: Iterable[list[tuple[str, str, dict]]]) -> dict[str, ServerArticle]:
    """Group the server's chunks (pages of ``(id, document, metadata)``) by article."""
    grouped: dict[str, list[tuple[str, str, dict]]] = {}
    for page in pages:
        for cid, doc, meta in page:
            grouped.setdefault(str(meta.get("article_id") or cid.rsplit("#", 1)[0]), []).append((cid, doc, meta))
    facts = {}
    for article_id, rows in grouped.items():
        rows.sort(key=lambda r: r[0])
        hashes = {r[2].get("content_hash") for r in rows}
        counts = {r[2].get("n_chunks") for r in rows}
        one_hash = next(iter(hashes)) if len(hashes) == 1 else None
        complete = one_hash is not None and len(counts) == 1 and int(next(iter(counts)) or -1) == len(rows)
        first = rows[0][2]
        facts[article_id] = ServerArticle(
            article_id=article_id, content_hash=one_hash, path=first.get("path"), title=first.get("title"),
            source=first.get("source"), published=first.get("published"),
            chunks=tuple((cid, doc) for cid, doc, _ in rows), complete=complete)
    return facts


def sync_manifest(manifest, store) -> int:
    """Make the manifest say what the server holds; returns the number of incomplete articles
    (when > 0 the run is marked as recovering, so their leftovers are removed)."""
    facts = article_facts(store.scan())
    local = manifest.articles()
    gone = [a for a in local if a not in facts]
    if gone:
        manifest.forget(gone)
    manifest.mark_pending((f.article_id, f.path, f.content_hash or "") for f in facts.values())
    manifest.mark_done([(_ArticleRow(f.article_id, f.title, f.source, f.published), f.chunks)
                        for f in facts.values() if f.complete])
    incomplete = sum(1 for f in facts.values() if not f.complete)
    manifest.set_meta("run_open", "1" if incomplete else "0")
    return incomplete


@contextlib.contextmanager
def writer_lease(settings, wait_s: float):
    """With ``--chroma-url``, the write lease on the server's collection for the duration of an
    index run. ``renew`` (yielded) is called after each committed batch and raises if the lease
    was lost; a heartbeat thread also renews it every third of its TTL, so long stretches
    without a batch (chunking a big corpus) keep it. A killed writer stops renewing: its
    lease expires after ``lease_ttl_s``. Without a server: a no-op."""
    if not settings.chroma_url:
        yield lambda: None
        return
    from index.store import open_lease_slot

    lease = Lease(open_lease_slot(settings), owner_name(), ttl_s=settings.lease_ttl_s,
                  where=f"{settings.chroma_url} (collection {settings.collection!r})")
    lease.acquire(wait_s)
    stop = threading.Event()
    lock = threading.Lock()

    def renew() -> None:
        with lock:
            lease.renew()

    def beat() -> None:
        while not stop.wait(max(0.5, settings.lease_ttl_s / 3)):
            with contextlib.suppress(Exception):  # the next renew() in the run reports a loss
                renew()

    heart = threading.Thread(target=beat, name="newsbot-lease", daemon=True)
    heart.start()
    try:
        yield renew
    finally:
        stop.set()
        heart.join(timeout=5)
        with contextlib.suppress(Exception):  # a dead server: the lease expires by itself
            lease.release()


def after_batch(settings, store, renew_lease):
    """What a writer does after each committed batch: with a server, renew the lease and bump
    the version stamp readers watch."""
    if not settings.chroma_url:
        return None
    bump = getattr(store, "bump_version", lambda: None)

    def after() -> None:
        renew_lease()
        bump()

    return after
