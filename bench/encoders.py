"""Encoder backends on real news: speed, cosine to fp32, retrieval recall@5 — one run, side by side.

    python bench/encoders.py [--questions 12] [--blocks 4] [--batch 32] [--tune-batch 16,32,64,128]

Texts: every chunk (index/chunking.py, 200 tokens) of the articles RealTime QA's search returned
for the first answerable 2024 questions (../shared/corpora/realtimeqa). Speed: each block of
chunks is encoded by every backend in turn (order rotated), so load drift on this shared
machine hits all backends alike; the ratios to fp32 torch are the figures to compare.
Quality: the minimum over every chunk of cosine(backend, fp32), and dense recall@5 by article
of those questions over the pooled chunks (each backend embeds both questions and chunks).
The rule (index/backends.py): the default is the fastest backend that runs here with cosine
≥ 0.999 on every text and recall@5 not below fp32's.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import median, realtimeqa_articles, realtimeqa_cases, record

from bot.core.settings import load_settings
from evals.metrics import recall_at_k
from index import backends
from index.chunking import chunk_article
from index.embedders import MINILM_NAME, OnnxEmbedder, SentenceTransformerEmbedder, bundled_minilm_path, cpu_features
from index.sources.article import Article


def make(backend: str, batch: int):
    path = bundled_minilm_path()
    if backend.startswith("onnx"):
        return OnnxEmbedder(path, name=MINILM_NAME, backend=backend, batch_size=batch)
    return SentenceTransformerEmbedder(path, name=MINILM_NAME, backend=backend, batch_size=batch)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=12)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--batch", type=int, default=load_settings({}).embed_batch_size, help="default: the setting's")
    ap.add_argument("--backends", default="torch,torch-bf16,onnx,onnx-int8", help="torch first: the reference")
    ap.add_argument("--tune-batch", default="", help="batch sizes to time with the chosen default")
    args = ap.parse_args()
    names = args.backends.split(",")
    embedders = {b: make(b, args.batch) for b in names}
    counter = embedders[names[0]]

    cases = realtimeqa_cases(n=args.questions)
    wanted = {a for c in cases for a in c["retrieved"]}
    chunks = [c for a in realtimeqa_articles() if a["id"] in wanted
              for c in chunk_article(Article(a["id"], a["text"]), counter.count_tokens, 200, 32)]
    texts = [c.text for c in chunks]
    tokens = [counter.count_tokens(t) for t in texts]
    for e in embedders.values():
        e.embed(texts[:16])  # warm up

    blocks = [texts[i::args.blocks] for i in range(args.blocks)]
    seconds = {b: 0.0 for b in names}
    parts: dict[str, list] = {b: [None] * args.blocks for b in names}
    for n, block in enumerate(blocks):
        for b in names[n % len(names):] + names[:n % len(names)]:
            t = time.perf_counter()
            parts[b][n] = embedders[b].embed(block)
            seconds[b] += time.perf_counter() - t
    vectors = {}
    for b in names:
        v = np.zeros((len(texts), counter.dimension), dtype=np.float32)
        for n in range(args.blocks):
            v[n::args.blocks] = parts[b][n]
        vectors[b] = v
    questions = [c["question"] for c in cases]
    articles = [c.article_id for c in chunks]
    measured, rows = [], []
    for b in names:
        q = np.array(embedders[b].embed(questions), dtype=np.float32)
        recalls = []
        for i, case in enumerate(cases):
            ranked = [articles[j] for j in np.argsort(-(vectors[b] @ q[i]))[:5]]
            recalls.append(recall_at_k(ranked, case["sources"], 5))
        cos = (vectors[b] * vectors["torch"]).sum(1)
        m = backends.Measured(b, len(texts) / seconds[b], float(cos.min()), sum(recalls) / len(recalls))
        measured.append(m)
        rows.append(f"| {b} | {m.chunks_per_s:.1f} | **{m.chunks_per_s / (len(texts) / seconds['torch']):.2f}×** | "
                    f"{m.cos_min:.5f} | {float(np.median(cos)):.6f} | {m.recall_at_5:.3f} |")

    features = cpu_features(bundled_minilm_path(), probe_torch=True)
    choice = backends.choose(measured, features)
    runtime = backends.resolve("auto", features, role="index")
    tune = ""
    if args.tune_batch:
        best = make(choice.backend, 64)
        sample = texts[: min(len(texts), 256)]
        lines = []
        for size in [int(x) for x in args.tune_batch.split(",")]:
            best.batch_size = size
            times = []
            for _ in range(2):
                t = time.perf_counter()
                best.embed(sample)
                times.append(time.perf_counter() - t)
            lines.append(f"| {size} | {len(sample) / min(times):.1f} |")
        tune = (f"\nBatch size for {choice.backend} ({len(sample)} chunks, best of 2):\n\n| batch | chunks/s |\n"
                "|---|---|\n" + "\n".join(lines) + "\n")
    t = time.perf_counter()  # the tokeniser alone: is overlapping it with encoding worth a thread?
    embedders["torch"]._tokenizer(texts, truncation=True, max_length=256)
    tok_s = time.perf_counter() - t
    record("Encoders on real news: fp32 vs bf16 vs ONNX fp32 / int8", f"""
{len(texts)} chunks (median {median(tokens):.0f} tokens, max {max(tokens)}) of the {len(wanted)} articles
retrieved for {len(cases)} answerable RealTime QA 2024 questions; batch {args.batch}, batches sorted by
token length and padded to their own longest text; {args.blocks} interleaved blocks, order rotated.
CPU flags: {", ".join(sorted((backends.BF16_FLAGS | backends.INT8_FLAGS) & features.flags))} · oneDNN bf16 kernels:
{features.onednn_bf16}. onnxruntime threads = {__import__("os").cpu_count()}.

| backend | chunks/s | vs fp32 (same run) | cosine min (all texts) | cosine median | dense recall@5 |
|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

Choice by the rule (cosine ≥ {backends.MIN_COSINE} on every text, recall@5 ≥ fp32's, fastest):
**{choice.backend}** ({choice.message}). Run-time `auto` for indexing on this machine: **{runtime.backend}**
({"agrees" if runtime.backend == choice.backend else "DISAGREES: update INDEX_ORDER"}).
Tokenising all {len(texts)} chunks alone: {tok_s:.2f} s ({100 * tok_s / seconds[choice.backend]:.1f} % of
{choice.backend}'s encoding time).
{tune}""")


if __name__ == "__main__":
    main()
