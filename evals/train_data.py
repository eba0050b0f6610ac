"""The training data of the evidence scorer: each question's candidates, their features and labels.

For a RealTime QA question, its own retrieved articles are chunked as ``newsbot index`` chunks
them, ranked by BM25 (the retriever's keyword half, over this question's chunks only), and the
sentences of the top ``k`` passages become candidates — as the pipeline's candidates are the
sentences of its retrieved passages. A candidate is labelled 1 when it states the gold answer:
contains it as whole words (:func:`states_gold`; case and quotes ignored, as the eval scores
answers). Whole words, because a sentence holding "2020" does not state "2", nor one about
"Googleplex" "Google": on the calibration weeks these labels fit a model that ranks and
calibrates better even when scored by the eval's plain containment. Features: ``bot/answering/features.py``.
Sentence embeddings are kept in one ``.npz`` (:class:`EmbeddingCache`) so a refit embeds nothing
it has embedded before. Used by ``evals/train_scorer.py`` and ``evals/model_bar.py``.

Example (the eval's normalisation of answers)::

    >>> norm("The “Buffalo  Bills'")
    'the buffalo bills'
    >>> states_gold("2", "Two astronauts launched in 2020."), states_gold("Bills", "The Bills' win")
    (False, True)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.answering.features import FEATURES, Candidate, candidates, featurise
from bot.core.passage import Passage
from bot.text.question import analyse_question
from evals import realtimeqa

K = 8  # passages whose sentences are candidates (settings.evidence_k)
MAX_PER_ARTICLE = 3


def norm(text: str) -> str:
    """The eval's answer normalisation: case and quotation marks ignored."""
    return " ".join(re.sub(r"[\"'“”‘’`]", "", text).lower().split())


def states_gold(gold: str, text: str) -> bool:
    """Whether ``text`` says ``gold`` as whole words (both normalised by :func:`norm`)."""
    g = norm(gold)
    return bool(g) and re.search(rf"(?<!\w){re.escape(g)}(?!\w)", norm(text)) is not None


@dataclass
class Example:
    case: realtimeqa.RtCase
    cands: list[Candidate]
    x: np.ndarray  # (n, len(FEATURES))
    y: np.ndarray  # (n,)


class EmbeddingCache:
    """Sentence embeddings by text hash, kept in one .npz so re-runs embed nothing.

    The file records which encoder made its vectors (``tag``); a file made by another is
    not reused. Reuse is only sound when an encoder gives a text the same vector whatever
    else shares its batch: the ONNX fp32 export does (max difference 0.0 over 256 news
    sentences embedded alone, together and shuffled), torch bf16 does not (up to 9e-4), so a
    bf16 cache filled over several runs held vectors no cold run reproduces."""

    def __init__(self, embedder, path: Path | None, tag: str = ""):
        self.embedder, self.path, self.tag = embedder, path, tag
        self.vectors: dict[str, np.ndarray] = {}
        if path and path.exists():
            try:
                data = np.load(path)
                made_by = str(data["tag"]) if "tag" in data.files else ""
                vectors = dict(zip(data["keys"].tolist(), data["vectors"])) if made_by == tag else None
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # a cut-off or foreign file
                made_by, vectors = f"unreadable ({type(exc).__name__})", None
            if vectors is None:
                print(f"{path}: made by {made_by or 'an older version'!r}, not {tag!r}: embedding afresh")
            self.vectors = vectors or {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.vectors}.items())
        if missing:
            for (k, _), v in zip(missing, self.embedder.embed([t for _, t in missing])):
                self.vectors[k] = np.asarray(v, dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys])

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(self.vectors)
            vectors = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
            np.savez(self.path, keys=np.array(keys), vectors=vectors, tag=np.array(self.tag))


def question_passages(case, articles: dict[str, dict], token_length, k: int = K,
                      query: str | None = None, exclude: frozenset[str] = frozenset()) -> list[Passage]:
    """BM25 top-k chunks of the question's own retrieved articles, at most MAX_PER_ARTICLE each
    (searched for ``query``, by default the question; chunks in ``exclude`` left out before the
    cap, as bot/answering/retrieve.py does when it searches again)."""
    from index.chunking import chunk_article
    from index.lexical import LexicalIndex
    from index.sources.article import Article

    chunks = []
    for aid in case.retrieved:
        raw = articles.get(aid)
        if raw and raw.get("text"):
            art = Article(aid, raw["text"], title=raw.get("title") or None, url=raw.get("url"),
                          published=raw.get("published") or None)
            chunks.extend(chunk_article(art, token_length))
    if not chunks:
        return []
    by_id = {c.id: c for c in chunks}
    hits = LexicalIndex.build([c.id for c in chunks], [c.text for c in chunks]).search(query or case.question, 4 * k + len(exclude))
    out: list[Passage] = []
    per: dict[str, int] = {}
    for cid, score in hits:
        c = by_id[cid]
        if cid in exclude or per.get(c.article_id, 0) >= MAX_PER_ARTICLE:
            continue
        per[c.article_id] = per.get(c.article_id, 0) + 1
        out.append(Passage(c, None, float(score), len(out) + 1, float(score)))
        if len(out) == k:
            break
    return out


def approx_tokens(text: str) -> int:
    """About one wordpiece per 4 characters of English news: chunk boundaries close to the
    index's, at a fraction of the tokenizer's cost (training only)."""
    return len(text) // 4 + 1


def build_examples(cases, articles, embedder, cache: EmbeddingCache, k: int = K) -> list[Example]:
    out = []
    for n, case in enumerate(cases, 1):
        out.append(example_of(case, question_passages(case, articles, approx_tokens, k), cache))
        if n % 20 == 0:
            print(f"  {n}/{len(cases)} questions", flush=True)
            cache.save()
    return out


def example_of(case, passages: Sequence[Passage], cache: EmbeddingCache) -> Example:
    """The question's candidates (the sentences of ``passages``), their features and labels."""
    cands = candidates(passages)
    if not cands:
        return Example(case, [], np.zeros((0, len(FEATURES))), np.zeros(0))
    titles = sorted({c.title for c in cands if c.title})
    vecs = cache.embed([case.question] + [c.text for c in cands] + titles)
    sims = (vecs[1:] @ vecs[0]).tolist()
    dense, by_title = sims[:len(cands)], dict(zip(titles, sims[len(cands):]))
    q = analyse_question(case.question)
    x = np.array(featurise(q, cands, dense, dt.date.fromisoformat(case.date),
                           [by_title.get(c.title, 0.0) for c in cands]), dtype=np.float64)
    y = np.array([1.0 if case.answerable and states_gold(case.gold, c.text) else 0.0 for c in cands])
    return Example(case, cands, x, y)
