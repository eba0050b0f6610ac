"""Ingestion on real news: `newsbot index` with fp32 torch and the run-time default, same run.

    python bench/ingest.py [--chunks 1000,10000] [--backends torch,auto] [--raw]

Corpus: the first RealTime QA 2024 articles adding up to about N chunks (index/chunking.py,
200 tokens). For each size, every backend indexes the same corpus into a fresh store
(load, chunk, hash, embed, Chroma upsert, BM25) — chunks/s, articles/s, RSS of a child
process each (so one backend's memory does not inflate the next). NEWSBOT_* variables (for example
NEWSBOT_EMBED_BATCH_SIZE) reach every child, and RESULTS.md records them in the command. ``--raw``: also the bare
encoder on the same chunks (smallest size), to show what chunking and Chroma/BM25 writes cost.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import subprocess
import sys
import time

from common import OUT, REPO, realtimeqa_corpus, record

CHILD = r"""
import json, os, sys, time, resource
sys.path.insert(0, sys.argv[1])
from bot.core.settings import load_settings
from index.embedders import build_embedder
from index.indexer import index_paths
settings = load_settings(os.environ, store=sys.argv[3], embedder_backend=sys.argv[4], quiet=True)
t = time.perf_counter()
embedder = build_embedder(settings)
load_s = time.perf_counter() - t
t = time.perf_counter()
done = index_paths(settings, [sys.argv[2]], embedder=embedder)
index_s = time.perf_counter() - t
raw_s = None
if sys.argv[5] == "raw":
    from index.sources.files import load_articles
    from index.chunking import chunk_article
    texts = [c.text for a in load_articles([sys.argv[2]]).articles
             for c in chunk_article(a, embedder.count_tokens, min(settings.chunk_tokens, embedder.max_tokens),
                                    settings.chunk_overlap_tokens)]
    t = time.perf_counter()
    for i in range(0, len(texts), settings.index_write_chunks):  # as the indexer calls it
        embedder.embed(texts[i:i + settings.index_write_chunks])
    raw_s = time.perf_counter() - t
print(json.dumps({"backend": embedder.backend, "articles": done.added + done.updated, "chunks": done.chunks_written,
                  "load_s": load_s, "index_s": index_s, "raw_s": raw_s,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(corpus, store, backend: str, raw: bool) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", CHILD, str(REPO), str(corpus), str(store), backend,
                           "raw" if raw else "-"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", default="1000,10000")
    ap.add_argument("--backends", default="torch,auto", help="the first is the reference")
    ap.add_argument("--raw", action="store_true")
    args = ap.parse_args()
    from index.embedders import bundled_minilm_path
    from index.tokenizers_adapter import load_tokenizer, token_count

    counter = functools.partial(token_count, load_tokenizer(bundled_minilm_path(), None))
    sizes = [int(x) for x in args.chunks.split(",")]
    names = args.backends.split(",")
    rows, ratios = [], []
    for n, size in enumerate(sizes):
        corpus = realtimeqa_corpus(size, counter)
        got = {}
        for b in (names if n % 2 == 0 else names[::-1]):  # alternate who goes first
            got[b] = run(corpus, OUT / f"store-ingest-{size}-{b}", b, args.raw and n == 0)
            print(size, b, json.dumps(got[b]), flush=True)  # a run stopped early still shows what it measured
        base = got[names[0]]["chunks"] / got[names[0]]["index_s"]
        for b in names:
            r = got[b]
            rate = r["chunks"] / r["index_s"]
            raw = f"{r['chunks'] / r['raw_s']:.1f} ({rate * r['raw_s'] / r['chunks']:.3f})" if r["raw_s"] else "–"
            rows.append(f"| {r['chunks']:,} | {r['articles']:,} | {b} → {r['backend']} | {r['index_s']:.0f} | "
                        f"**{rate:.1f}** | {r['articles'] / r['index_s']:.2f} | **{rate / base:.2f}×** | "
                        f"{raw} | {r['load_s']:.1f} | {r['rss_mib']:.0f} |")
            if b != names[0]:
                ratios.append((size, rate / base))
    record("Ingestion of real news by corpus size (fp32 vs the default, same run)", f"""
RealTime QA 2024 articles (whole texts) in .jsonl files; `index_paths` into a fresh local store,
one child process per backend and size (peak RSS of that process); sizes alternate which backend
goes first. "raw" = the bare encoder on the same chunks, same batches, and ingestion / raw.

| chunks | articles | backend | index s | chunks/s | articles/s | vs {names[0]} (same run) | raw chunks/s (ingest/raw) | model load s | peak RSS MiB |
|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n\nDefault / fp32: " + ", ".join(f"{r:.2f}× at {s:,}" for s, r in ratios) + "\n")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"({time.perf_counter() - t0:.0f} s)")
