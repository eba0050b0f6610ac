"""The store seam: a Protocol and the Chroma adapter (the only chromadb import).

Local mode keeps Chroma's files in ``<store>/chroma``; server mode (``--chroma-url``) talks to ``chroma run``
over HTTP with the same code. Embeddings are always passed in (Chroma's default function downloads a model).
The collection holds everything needed to answer — each chunk's document, its article's metadata and
content hash (``facts``) — so any machine rebuilds BM25 and the manifest from it (``scan``); its metadata
carries a version stamp writers bump per batch (``bump_version``), readers poll (``version``); a side
collection holds the write lease (``index/lease_slot.py``, policy in index/lease.py).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator, Mapping, Protocol, Sequence
from urllib.parse import urlparse

from bot.core.errors import (
    ConfigError,
    EmbedderMismatchError,
    StoreCorruptError,
    StoreMissingError,
    StoreReadOnlyError,
    StoreUnreachableError,
)
from index.chunking import Chunk


class ChunkStore(Protocol):
    """Vectors + chunk metadata, addressed by chunk id (``<article_id>#<nnnn>``)."""

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]],
               facts: Mapping[str, Mapping[str, object]] | None = None) -> None: ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...
    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]: ...
    def ids_for_article(self, article_id: str) -> list[str]: ...
    def all_ids(self) -> list[str]: ...
    def count(self) -> int: ...

    def query(self, embedding: Sequence[float], k: int) -> list[tuple[Chunk, float]]:
        """The k nearest chunks with cosine *similarity* (1 - cosine distance), best first."""
        ...


_OPTIONAL = ("title", "source", "url", "published", "fetched_at", "story_id")
_PAGE = 5000
VERSION_KEY = "newsbot_version"  # collection metadata: bumped by writers, watched by readers
LEASE_SUFFIX = "__lease"  # side collection holding the write lease


def chroma_dir(store: Path) -> Path:
    return Path(store) / "chroma"


class ChromaStore:
    """A Chroma collection in cosine space whose metadata records the embedder."""

    def __init__(self, client, collection, where: str):
        self._client = client
        self._collection = collection
        self.where = where
        self.max_batch = max(1, int(client.get_max_batch_size()))

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]],
               facts: Mapping[str, Mapping[str, object]] | None = None) -> None:
        """``facts``: per article id, flat fields stored on each of its chunks (content hash,
        chunk count, path) so any machine can tell from the server what is indexed."""
        facts = facts or {}
        batch = {VERSION_KEY: int(self.version() or 0) + 1}  # the stamp this batch will be committed at
        for i in range(0, len(chunks), self.max_batch):
            part = chunks[i:i + self.max_batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=[list(e) for e in embeddings[i:i + self.max_batch]],
                documents=[c.text for c in part],
                metadatas=[{**_metadata(c), **_flat(facts.get(c.article_id, {})), **batch} for c in part],
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        for i in range(0, len(ids), self.max_batch):
            self._collection.delete(ids=ids[i:i + self.max_batch])

    # -- reading ------------------------------------------------------------------------------
    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        if not chunk_ids:
            return []
        got = self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        by_id = {cid: _chunk(cid, doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[c] for c in chunk_ids if c in by_id]  # Chroma does not keep request order

    def ids_for_article(self, article_id: str) -> list[str]:
        return sorted(self._collection.get(where={"article_id": article_id}, include=[])["ids"])

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        offset = 0
        while True:
            page = self._collection.get(include=[], limit=_PAGE, offset=offset)["ids"]
            ids.extend(page)
            if len(page) < _PAGE:
                return sorted(ids)
            offset += _PAGE

    def count(self) -> int:
        return int(self._collection.count())

    def scan(self, *, documents: bool = True, since: int | None = None,
             page: int = _PAGE) -> Iterator[list[tuple[str, str, dict]]]:
        """Every chunk — or, with ``since``, those written in batches after that version stamp — as
        pages of ``(id, document, metadata)`` (document "" without ``documents``)."""
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        where = {VERSION_KEY: {"$gt": int(since)}} if since is not None else None
        offset = 0
        while True:
            got = self._collection.get(include=include, where=where, limit=page, offset=offset)
            docs = got.get("documents") or [""] * len(got["ids"])
            rows = [(cid, doc or "", dict(meta or {})) for cid, doc, meta in zip(got["ids"], docs, got["metadatas"])]
            if rows:
                yield rows
            if len(rows) < page:
                return
            offset += page

    def vectors(self, page: int = _PAGE) -> Iterator[tuple[list[str], list]]:
        """Every chunk's id and embedding, a page at a time (exact search in bench/dense_recall.py)."""
        for offset in range(0, self.count(), page):
            got = self._collection.get(include=["embeddings"], limit=page, offset=offset)
            yield list(got["ids"]), list(got["embeddings"])

    def set_ef_search(self, ef: int) -> None:
        """HNSW candidates explored per query; ``configuration`` is not metadata, so no merge is needed."""
        if (self._collection.configuration_json or {}).get("hnsw", {}).get("ef_search") != ef:
            self._collection.modify(configuration={"hnsw": {"ef_search": ef}})

    @property
    def identity(self) -> str:
        """The collection's server-side id: changes when it is dropped and made again."""
        return f"{self.where}#{self._collection.id}"

    # -- the version stamp (collection metadata) --------------------------------------------
    def version(self) -> str | None:
        """The stamp writers bump after each committed batch (one ~1 ms metadata read)."""
        meta = self._client.get_collection(self._collection.name, embedding_function=None).metadata or {}
        value = meta.get(VERSION_KEY)
        return None if value is None else str(value)

    def bump_version(self) -> str:
        """Read-modify-write of the whole metadata dict: ``modify`` replaces it, and refuses
        ``hnsw:*`` keys (the space lives in the configuration)."""
        current = self._client.get_collection(self._collection.name, embedding_function=None)
        meta = {k: v for k, v in (current.metadata or {}).items() if not k.startswith("hnsw:")}
        meta[VERSION_KEY] = int(meta.get(VERSION_KEY, 0) or 0) + 1
        meta[VERSION_KEY + "_at"] = time.time()
        current.modify(metadata=meta)
        return str(meta[VERSION_KEY])

    def query(self, embedding: Sequence[float], k: int) -> list[tuple[Chunk, float]]:
        if k <= 0:
            return []
        got = self._collection.query(query_embeddings=[list(embedding)], n_results=k,
                                     include=["documents", "metadatas", "distances"])
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
        return [(_chunk(cid, doc, meta), 1.0 - float(dist)) for cid, doc, meta, dist in rows]

    @property
    def embedder_info(self) -> tuple[str | None, int | None]:
        meta = self._collection.metadata or {}
        return meta.get("embedder"), meta.get("dimension")


def _flat(fields: Mapping[str, object]) -> dict:
    return {k: v for k, v in fields.items() if v is not None and v != ""}


def _metadata(chunk: Chunk) -> dict:
    # Chroma metadata must be flat scalars and cannot hold None: absent fields are omitted.
    meta = {"article_id": chunk.article_id, "start": chunk.start, "end": chunk.end}
    for name in _OPTIONAL:
        value = getattr(chunk, name)
        if value:
            meta[name] = str(value)
    return meta


def _chunk(chunk_id: str, document: str, meta: dict | None) -> Chunk:
    meta = meta or {}
    return Chunk(id=chunk_id, article_id=str(meta.get("article_id", chunk_id.rsplit("#", 1)[0])), text=document or "",
                 start=int(meta.get("start", 0)), end=int(meta.get("end", len(document or ""))),
                 **{name: meta.get(name) for name in _OPTIONAL})


# --- opening -------------------------------------------------------------------------------

def _client(settings, *, create: bool):
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
        if not url.hostname:
            raise ConfigError(f"--chroma-url {settings.chroma_url!r} is not a URL like http://127.0.0.1:8000")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(host=url.hostname, port=port, ssl=url.scheme == "https",
                                         settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:  # chromadb raises several types for "nobody there"
            raise StoreUnreachableError(
                f"the Chroma server at {settings.chroma_url} does not answer ({type(exc).__name__}): "
                "start it with `chroma run --path DIR --port PORT` or fix --chroma-url / NEWSBOT_CHROMA_URL") from None
        return client, f"{settings.chroma_url} (collection {settings.collection!r})"
    path = chroma_dir(settings.store)
    if not create and not (path / "chroma.sqlite3").is_file():
        raise StoreMissingError(f"there is no index in {settings.store}: run `newsbot index seeds/` "
                                f"(or `newsbot index --store {settings.store} <folder>`) first")
    try:
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # chromadb wraps sqlite/OS errors in its own types; the text tells them apart
        raise _open_error(settings.store, exc) from None
    return client, str(settings.store)


def _open_error(store, exc: Exception) -> Exception:
    text = " ".join(str(exc).split())[:200]
    low = text.lower()
    if isinstance(exc, PermissionError) or any(w in low for w in ("readonly", "read-only", "permission denied")):
        return StoreReadOnlyError(f"the store {store} is read-only and Chroma must write to open it ({text}): "
                                  f"make it writable (chmod -R u+w {store}) or copy it to a writable folder")
    return StoreCorruptError(f"cannot open the vector store in {chroma_dir(store)} ({type(exc).__name__}: {text}): "
                             "run `newsbot index --rebuild <folders>` to build it again")


def open_store(settings, embedder, *, create: bool = False) -> ChromaStore:
    """The settings' collection, checked against ``embedder``; ``create=True`` (only `newsbot index`)
    makes it when missing, readers get StoreMissingError with the command that builds it."""
    if create and int(settings.hnsw_ef_search) < 1:
        raise ConfigError(f"setting hnsw_ef_search (NEWSBOT_HNSW_EF_SEARCH) must be a positive number of candidates, "
                          f"not {settings.hnsw_ef_search}")
    try:
        store = open_existing(settings)
    except StoreMissingError:
        if not create:
            raise
        client, where = _client(settings, create=True)
        collection = client.get_or_create_collection(
            settings.collection, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": int(settings.hnsw_ef_search)}},
            metadata={"embedder": embedder.name, "dimension": int(embedder.dimension),
                      "backend": str(getattr(embedder, "backend", "") or "")})
        store = ChromaStore(client, collection, where)
    if create:  # only the writer tunes the search of a store made before (or with another value)
        store.set_ef_search(int(settings.hnsw_ef_search))
    # The name is the vector space (index/backends.py): fp32, bf16 and ONNX fp32 share one; int8 has its own.
    built_with, dim = store.embedder_info
    if built_with is not None and (built_with != embedder.name or int(dim or 0) != int(embedder.dimension)):
        raise EmbedderMismatchError(
            f"the store {store.where} was built with the embedder {built_with} ({dim} dimensions) but "
            f"{embedder.name} ({embedder.dimension}) is configured: use --embedder {built_with}, or re-index with "
            "`newsbot index --rebuild <folders>`")
    return store


def open_existing(settings) -> ChromaStore:
    """The settings' collection as it is, no embedder needed (also `newsbot index --stats`)."""
    from chromadb.errors import NotFoundError

    client, where = _client(settings, create=False)
    try:
        return ChromaStore(client, client.get_collection(settings.collection, embedding_function=None), where)
    except (NotFoundError, ValueError):
        raise StoreMissingError(f"the store {where} has no collection {settings.collection!r}: run `newsbot index "
                                "seeds/` (with the same --store / --chroma-url) first") from None


def open_lease_slot(settings):
    """The write-lease record beside the settings' collection (server mode, ``index/lease_slot.py``)."""
    from index.lease_slot import LeaseSlot

    client, _ = _client(settings, create=True)
    return LeaseSlot(client, f"{settings.collection}{LEASE_SUFFIX}")


def drop_collection(settings) -> None:
    """Delete the collection (for `newsbot index --rebuild`); missing is fine. The lease
    collection stays: the writer dropping it still holds the lease."""
    from chromadb.errors import NotFoundError

    client, _ = _client(settings, create=True)
    try:
        client.delete_collection(settings.collection)
    except (NotFoundError, ValueError):
        pass
