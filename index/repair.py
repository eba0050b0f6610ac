"""Keeping the manifest and the vector store in agreement without losing anything.

Used by index/indexer.py at the start and end of every run:

- :func:`reconcile` — vectors of articles the manifest does not know (an emptied, lost or replaced
  manifest) are *adopted* into it; articles it lists as done whose vectors are gone (``chroma/``
  deleted) become ``pending``, so a run that includes their files embeds them again.
- :func:`refuse_collisions` — an article id already indexed from another existing file is never
  replaced; the newcomer is skipped with a warning naming both files.
- :func:`remove_orphans` — after an interrupted run, only the vector ids of articles the manifest
  knows (pending ones, or stale ids of finished ones) are deleted.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

_PAGE = 1000


def reconcile(manifest, store, where, interrupted: bool) -> tuple[tuple[str, ...], bool]:
    """``(warnings, disagreed)``. Cheap when manifest and store agree: two counts."""
    if not interrupted and store.count() == manifest.done_chunk_count():
        return (), False
    in_store = set(store.all_ids())
    owners = manifest.chunk_owners()
    known = manifest.articles()
    notes: list[str] = []
    strangers = sorted(cid for cid in in_store if cid not in owners)
    found: dict[str, list] = {}
    for i in range(0, len(strangers), _PAGE):
        for chunk in store.get(strangers[i:i + _PAGE]):
            if chunk.article_id not in known:  # a known article's extra ids: remove_orphans' job
                found.setdefault(chunk.article_id, []).append(chunk)
    if found:
        manifest.adopt([(cs[0], [(c.id, c.text) for c in sorted(cs, key=lambda c: c.id)])
                        for cs in found.values()])
        notes.append(f"{where}: the manifest did not list {len(found)} article(s) whose vectors are in the "
                     "store; they were kept and added to it (index their files again to refresh them)")
    missing = sorted({art for cid, (art, state) in owners.items() if state == "done" and cid not in in_store})
    if missing:
        manifest.mark_unembedded(missing)
        notes.append(f"{where}: {len(missing)} indexed article(s) had no vectors in the store (was chroma/ "
                     "deleted?); those in this run are embedded again, index the others' files to restore them")
    return tuple(notes), bool(strangers or missing)


def refuse_collisions(loaded, known):
    """``loaded`` without the articles whose id is already indexed from another file that exists."""
    kept, warnings, skipped = [], list(loaded.warnings), loaded.skipped
    for article in loaded.articles:
        before = known.get(article.id)
        if (before is not None and before.path and article.path and before.path != article.path
                and _exists(before.path)):
            warnings.append(f"{article.path}: skipped article {article.id!r}, that id is already indexed from "
                            f"{before.path}; rename the file (or give the record another \"id\") to keep both")
            skipped += 1
        else:
            kept.append(article)
    return dataclasses.replace(loaded, articles=tuple(kept), warnings=tuple(warnings), skipped=skipped)


def remove_orphans(manifest, store) -> None:
    """Delete vector ids that a known article owns but the manifest does not record as done."""
    owners = manifest.chunk_owners()
    known = manifest.articles()
    wanted = {cid for cid, (_, state) in owners.items() if state == "done"}
    orphans = []
    for cid in store.all_ids():
        if cid in wanted:
            continue
        article_id = owners[cid][0] if cid in owners else cid.rsplit("#", 1)[0]
        if article_id in known:
            orphans.append(cid)
    if orphans:
        store.delete(orphans)


def _exists(path: str) -> bool:
    try:
        return Path(path).is_file()
    except OSError:
        return False
