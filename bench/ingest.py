"""Ingestion speed: `newsbot index` vs the raw encoder on the same chunks, same run.

    python bench/ingest.py [--articles 2000] [--backend torch|onnx-int8]

Target: indexing ≥ 0.85 × the raw encoder's chunks/s (chunking, hashing, Chroma and BM25
writes cost ≤ 15 %); re-indexing the unchanged corpus ≤ 2 % of the first run, 0 embedded.
"""

from __future__ import annotations

import argparse
import shutil
import time

from common import OUT, build_corpus, record, rss_mib

from bot.core.settings import load_settings
from index.chunking import chunk_article
from index.embedders import build_embedder
from index.indexer import index_paths
from index.sources.files import load_articles


class Counting:
    """The real embedder, counting the texts it embeds."""

    def __init__(self, inner):
        self.inner, self.embedded = inner, 0
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens

    def embed(self, texts):
        self.embedded += len(texts)
        return self.inner.embed(texts)

    def count_tokens(self, text):
        return self.inner.count_tokens(text)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--backend", default="torch")
    args = ap.parse_args()
    corpus = build_corpus(args.articles)
    store = OUT / f"store-ingest-{args.articles}-{args.backend}"
    shutil.rmtree(store, ignore_errors=True)
    settings = load_settings({}, store=store, embedder_backend=args.backend, quiet=True)
    embedder = Counting(build_embedder(settings))
    embedder.embed(["warm up the encoder"] * 8)

    # The raw encoder on exactly the chunks `index` will embed, same batch size.
    articles = load_articles([corpus]).articles
    max_tokens = min(settings.chunk_tokens, embedder.max_tokens)
    chunks = [c.text for a in articles for c in chunk_article(a, embedder.count_tokens, max_tokens,
                                                              settings.chunk_overlap_tokens)]
    def raw_pass() -> float:
        t = time.perf_counter()
        for i in range(0, len(chunks), settings.embed_batch_size):
            embedder.inner.embed(chunks[i:i + settings.embed_batch_size])
        return time.perf_counter() - t

    raw_before = raw_pass()
    embedder.embedded = 0
    t = time.perf_counter()
    first = index_paths(settings, [corpus], embedder=embedder)
    index_s = time.perf_counter() - t
    embedded_first = embedder.embedded

    embedder.embedded = 0
    t = time.perf_counter()
    again = index_paths(settings, [corpus], embedder=embedder)
    again_s = time.perf_counter() - t

    raw_after = raw_pass()  # before *and* after: load on a shared machine drifts
    raw_s = (raw_before + raw_after) / 2
    raw_rate, index_rate = len(chunks) / raw_s, first.chunks_written / index_s
    ratio = index_rate / raw_rate
    record(f"Ingestion ({args.articles} articles, {args.backend})", f"""
| measure | value |
|---|---|
| articles / chunks | {len(articles)} / {first.chunks_written} (raw encoder: {len(chunks)} chunks) |
| raw encoder (`embed`, batch {settings.embed_batch_size}), before / after the index run | {raw_before:.1f} s / {raw_after:.1f} s → mean **{raw_rate:.1f} chunks/s** |
| `newsbot index` (load, chunk, hash, embed, Chroma upsert, BM25) | {index_s:.1f} s → **{index_rate:.1f} chunks/s** |
| ingestion / raw encoder | **{ratio:.3f}** (target ≥ 0.85: {"met" if ratio >= 0.85 else "missed"}) |
| re-index unchanged | {again_s:.2f} s = **{100 * again_s / index_s:.2f} %** of the first run (target ≤ 2 %), {embedder.embedded} chunks embedded ({again.unchanged} unchanged) |
| embedded in first run | {embedded_first} |
| peak-ish RSS after | {rss_mib():.0f} MiB |

Same process, same chunk texts; the raw encoder ran before and after `index` and the ratio uses
the mean of the two (one index run: each pass takes minutes at this encoder speed).
""")


if __name__ == "__main__":
    main()
