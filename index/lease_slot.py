"""The write lease's record: one entry in a small side collection of the store (server mode).

The collection object comes from ``index/store.py`` (the chromadb adapter); this module only calls
its methods. The lease policy (owner, expiry, renewal) is in ``index/lease.py``.
"""

from __future__ import annotations

from typing import Mapping

from index.store import _flat  # Chroma metadata holds no None: absent fields are left out


class LeaseSlot:
    """One record in a small side collection: the write lease. ``create`` adds it only when
    absent (Chroma ignores an ``add`` of an existing id, so the first writer wins);
    ``delete_if`` removes it only while it still names the given owner."""

    _ID = "lease"

    def __init__(self, client, name: str):
        self._col = client.get_or_create_collection(name, embedding_function=None)

    def read(self) -> dict | None:
        got = self._col.get(ids=[self._ID], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def create(self, record: Mapping[str, object]) -> None:
        self._col.add(ids=[self._ID], embeddings=[[1.0]], documents=["lease"], metadatas=[_flat(record)])

    def write(self, record: Mapping[str, object]) -> None:
        self._col.upsert(ids=[self._ID], embeddings=[[1.0]], documents=["lease"], metadatas=[_flat(record)])

    def delete_if(self, owner: str) -> None:
        self._col.delete(ids=[self._ID], where={"owner": owner})
