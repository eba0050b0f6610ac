"""Encoder speed and retrieval quality: torch fp32 vs the local ONNX int8 export.

    python bench/encoders.py [--chunks 600] [--runs 3]

Speed: chunks/s on the same BBC chunks (median of runs, backends alternated). Quality:
recall@5 and MRR by article on every answerable eval case (both case files), hybrid
(what users get) and dense-only, each backend over its own index of the seeds.
The rule: onnx-int8 may become the default only if hybrid recall@5 drops by ≤ 0.01.
"""

from __future__ import annotations

import argparse
import shutil
import time

from common import OUT, REPO, build_corpus, median, record

from bot.answering import condense
from bot.answering.retrieve import Retriever
from bot.core.settings import load_settings
from evals.metrics import recall_at_k, reciprocal_rank
from evals.runner import load_cases
from index.chunking import chunk_article
from index.embedders import build_embedder
from index.indexer import index_paths
from index.lexical import LexicalIndex
from index.sources.files import load_articles
from index.store import open_store


def quality(backend: str, embedder, cases) -> dict:
    store = OUT / f"store-encoders-{backend}"
    shutil.rmtree(store, ignore_errors=True)
    settings = load_settings({}, store=store, embedder_backend=backend, quiet=True)
    index_paths(settings, [REPO / "seeds"], embedder=embedder)
    out = {}
    for mode, lexical in (("hybrid", LexicalIndex.load(store)), ("dense", None)):
        retriever = Retriever(embedder, open_store(settings, embedder), lexical, settings)
        recalls, rrs = [], []
        for case in cases:
            hits = retriever.search(condense.standalone_question(case.question, case.history), 5)
            articles = [p.article_id for p in hits]
            recalls.append(recall_at_k(articles, case.sources, 5))
            rrs.append(reciprocal_rank(articles, case.sources))
        out[mode] = (sum(recalls) / len(recalls), sum(rrs) / len(rrs))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=600)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    embedders = {b: build_embedder(load_settings({}, embedder_backend=b, quiet=True)) for b in ("torch", "onnx-int8")}
    articles = load_articles([build_corpus(928)]).articles
    counter = embedders["torch"]
    texts = []
    for a in articles:
        texts += [c.text for c in chunk_article(a, counter.count_tokens, 200, 32)]
        if len(texts) >= args.chunks:
            break
    texts = texts[:args.chunks]
    tokens = median([counter.count_tokens(t) for t in texts])
    speed = {b: [] for b in embedders}
    for e in embedders.values():
        e.embed(texts[:64])  # warm up
    for _ in range(args.runs):
        for b, e in embedders.items():
            t = time.perf_counter()
            e.embed(texts)
            speed[b].append(len(texts) / (time.perf_counter() - t))
    cases = [c for c in load_cases(REPO / "evals" / "cases") if c.answerable]
    q = {b: quality(b, e, cases) for b, e in embedders.items()}
    rows = []
    for b in embedders:
        rows.append(f"| {b} | {median(speed[b]):.1f} | {q[b]['hybrid'][0]:.3f} | {q[b]['hybrid'][1]:.3f} | "
                    f"{q[b]['dense'][0]:.3f} | {q[b]['dense'][1]:.3f} |")
    drop = q["torch"]["hybrid"][0] - q["onnx-int8"]["hybrid"][0]
    ratio = median(speed["onnx-int8"]) / median(speed["torch"])
    record("Encoders: torch fp32 vs ONNX int8", f"""
{len(texts)} BBC chunks (median {tokens:.0f} tokens), batch 64, median of {args.runs} alternated runs;
retrieval on {len(cases)} answerable eval cases over the seeds.

| backend | chunks/s | recall@5 (hybrid) | MRR (hybrid) | recall@5 (dense only) | MRR (dense only) |
|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

ONNX int8 is **{ratio:.2f}×** the torch speed; hybrid recall@5 drop {drop:+.3f} →
{"qualifies" if drop <= 0.01 else "does not qualify"} as default by the ≤ 0.01 rule.
""")


if __name__ == "__main__":
    main()
