"""Near-duplicate stories (wire copies, re-fetched pages with a new ad block): the only datasketch import.

Each article gets a ``story_id``: the id of the first indexed article it is a near copy of,
else its own id. "Near copy" = estimated Jaccard similarity of word 5-shingles (MinHash,
128 permutations) at least ``threshold``; candidates come from MinHash LSH. The threshold
default (``dedup_threshold``) was measured by ``bench/dedup_threshold.py`` on syndicated
copies built from real articles against distinct real articles on the same topics.

The book of stories lives in ``<store>/stories.sqlite3`` (article → story, outlet, title,
url, date, signature), written under the index lock; readers use :func:`story_members`.

>>> sorted(shingles("The bridge reopened on Tuesday after repairs", k=5))
['bridge reopened on tuesday after', 'reopened on tuesday after repairs', 'the bridge reopened on tuesday']
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

STORIES = "stories.sqlite3"
NUM_PERM = 128
SHINGLE = 5
SCHEME = "affine32"  # datasketch >= 2.0; stored signatures are uint32 arrays of this scheme
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, source TEXT, title TEXT, url TEXT,
    published TEXT, signature BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS stories_by_story ON stories(story_id);
"""


@dataclass(frozen=True)
class Member:
    """One article of a story (what "also reported by" names)."""

    article_id: str
    story_id: str
    source: str | None
    title: str | None
    url: str | None
    published: str | None


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Lower-cased word k-shingles; a text shorter than k words is one shingle."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def signature(text: str, num_perm: int = NUM_PERM):
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=1, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles (what the threshold is compared with)."""
    return float(signature(a).jaccard(signature(b)))


class StoryBook:
    """Article → story assignments; one writer (the indexer, under the index lock)."""

    def __init__(self, store_dir: str | Path, threshold: float):
        Path(store_dir).mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(Path(store_dir) / STORIES, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self.threshold = float(threshold)

    def close(self) -> None:
        self._db.close()

    def assign(self, articles: Sequence) -> dict[str, str]:
        """Story ids for ``articles`` (new or changed); an article already in the book keeps its
        story. Recorded in one transaction."""
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(threshold=self.threshold, num_perm=NUM_PERM)
        known: dict[str, tuple[str, object]] = {}
        for article_id, story_id, blob in self._db.execute("SELECT article_id, story_id, signature FROM stories"):
            m = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=_unpack(blob), scheme=SCHEME)
            known[article_id] = (story_id, m)
            lsh.insert(article_id, m)
        out: dict[str, str] = {}
        rows = []
        for article in articles:
            m = signature(article.text)
            if article.id in known:
                story = known[article.id][0]
                lsh.remove(article.id)
            else:
                story = self._match(lsh, known, m) or article.id
            known[article.id] = (story, m)
            lsh.insert(article.id, m)
            out[article.id] = story
            rows.append((article.id, story, article.source, article.title, article.url, article.published,
                         _pack(m.hashvalues)))
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return out

    def _match(self, lsh, known, m) -> str | None:
        best, best_j = None, self.threshold
        for candidate in sorted(lsh.query(m)):
            j = float(m.jaccard(known[candidate][1]))
            if j >= best_j:
                best, best_j = candidate, j
        return known[best][0] if best else None

    def retain(self, article_ids: Iterable[str]) -> None:
        """Forget articles no longer indexed (after a prune)."""
        keep = set(article_ids)
        gone = [(a,) for (a,) in self._db.execute("SELECT article_id FROM stories") if a not in keep]
        if gone:
            self._db.executemany("DELETE FROM stories WHERE article_id = ?", gone)


def story_members(store_dir: str | Path, story_ids: Iterable[str]) -> dict[str, list[Member]]:
    """story id → its articles (oldest date first); {} when the store has no book yet."""
    path = Path(store_dir) / STORIES
    wanted = sorted(set(story_ids))
    if not wanted or not path.is_file():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        marks = ",".join("?" * len(wanted))
        rows = db.execute(f"SELECT article_id, story_id, source, title, url, published FROM stories "
                          f"WHERE story_id IN ({marks}) ORDER BY published, article_id", wanted).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    out: dict[str, list[Member]] = {}
    for row in rows:
        out.setdefault(row[1], []).append(Member(*row))
    return out


def _pack(values) -> bytes:
    import numpy as np

    return np.asarray(values, dtype=np.uint32).tobytes()


def _unpack(blob: bytes):
    import numpy as np

    return np.frombuffer(blob, dtype=np.uint32).copy()
