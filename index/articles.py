"""Files → :class:`Article` records, with warnings (never exceptions) for bad files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One news article. ``id`` is the file stem (``000_c3020e762289b85b``);
    records of a .json/.jsonl file get ``<stem>#<n>`` unless they carry an id."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 when parsable, else None; never invented
    path: str | None = None  # file it came from (for prune and warnings)
