"""Retrieval latency (question embedding + dense + BM25 + fusion) and memory by store size.

    python bench/retrieval.py [--sizes 1000,10000,40000,400000] [--server [--server-sizes 1000,10000]]

Each size is measured in a child process of its own (build, then query), so its peak RSS is that
store's alone; a least-squares line through (chunks, p50) and (chunks, RSS) gives the slopes
quoted in bench/SCALING.md. The question embedder is the one `newsbot ask` uses (role 'query').

Chunks are windows of real news text (RealTime QA); their dense vectors are synthetic unit vectors (embedding
100k chunks at ~25 chunks/s would take over an hour here) — the question is embedded for
real, so the timing covers every stage. With --server, the same through `chroma run`.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
from common import OUT, median, p95, realtimeqa_articles, record, rss_mib

from bot.answering.retrieve import Retriever
from bot.core.settings import load_settings
from index.chunking import Chunk
from index.embedders import build_embedder
from index.lexical import LexicalIndex
from index.store import open_store

QUESTIONS = ["who won the rugby match against wales", "what did the prime minister say about taxes",
             "how many goals did arsenal score", "why did the minister resign", "what is the election date",
             "who is the england football coach", "what happened to the chelsea manager",
             "how much will the budget cost", "which party leads the polls", "who was injured in the game"]


def chunks(n: int) -> list[Chunk]:
    """``n`` windows of 120 words of real news (RealTime QA 2024 articles: cased and punctuated,
    so their sentences are evidence candidates as in a real store)."""
    words = " ".join(a["text"] for a in realtimeqa_articles()[:3000]).split()
    out, size = [], 120
    for i in range(n):
        start = (i * 37) % (len(words) - size)
        out.append(Chunk(f"syn{i // 4:06d}#{i % 4:04d}", f"syn{i // 4:06d}", " ".join(words[start:start + size]),
                         0, 0, title=f"synthetic {i // 4}"))
    return out


def build(settings, embedder, items: list[Chunk], dim: int) -> None:
    store = open_store(settings, embedder, create=True)
    rng = np.random.default_rng(0)
    for i in range(0, len(items), 5000):
        part = items[i:i + 5000]
        vecs = rng.normal(size=(len(part), dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store.upsert(part, vecs.tolist())
    LexicalIndex.build([c.id for c in items], [c.text for c in items]).save(settings.store)


def measure(settings, embedder, runs: int = 5) -> tuple[float, float, float, float]:
    """Retrieval p50/p95 ms, and retrieval + evidence scoring (every candidate sentence of the
    passages embedded and scored, as `newsbot ask` does before composing) p50/p95 ms."""
    from bot.answering.evidence import EvidenceScorer, load_weights

    retriever = Retriever(embedder, open_store(settings, embedder), LexicalIndex.load(settings.store), settings)
    scorer = EvidenceScorer(load_weights(), embedder.embed)
    for q in QUESTIONS[:3]:
        scorer.assess(q, retriever.search(q, settings.top_k))  # warm caches
    times, answer = [], []
    for _ in range(runs):
        for q in QUESTIONS:
            t = time.perf_counter()
            passages = retriever.search(q, settings.top_k)
            times.append((time.perf_counter() - t) * 1000)
            scorer.assess(q, passages)
            answer.append((time.perf_counter() - t) * 1000)
    return median(times), p95(times), median(answer), p95(answer)


def chroma_server(path: Path, port: int):
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chroma run did not start")


def one_size(n: int) -> dict:
    """Build a store of ``n`` chunks and time queries on it (run in a child process)."""
    import resource

    embedder = build_embedder(load_settings({}, quiet=True), role="query")
    store = OUT / f"store-retrieval-{n}"
    shutil.rmtree(store, ignore_errors=True)
    settings = load_settings({}, store=store, quiet=True)
    items = chunks(n)
    t = time.perf_counter()
    build(settings, embedder, items, embedder.dimension)
    built = time.perf_counter() - t
    del items
    gc.collect()
    p50, p95_, a50, a95 = measure(settings, embedder)
    shutil.rmtree(store, ignore_errors=True)
    return {"n": n, "p50": p50, "p95": p95_, "a50": a50, "a95": a95, "rss": rss_mib(), "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "built": built, "backend": embedder.backend}


def fit(xs, ys) -> tuple[float, float]:
    """Least-squares slope and intercept."""
    slope, intercept = np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)
    return float(slope), float(intercept)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,40000,400000")
    ap.add_argument("--server", action="store_true", help="also measure through a `chroma run` server")
    ap.add_argument("--server-sizes", default="1000,10000", help="sizes measured through the server")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_size(args.child)))
        return
    embedder = build_embedder(load_settings({}, quiet=True), role="query")
    rows, got = [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        done = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        r = json.loads(done.stdout.strip().splitlines()[-1])
        got.append(r)
        p50, p95_, built = r["p50"], r["p95"], r["built"]
        rows.append(f"| {n:,} | embedded (PersistentClient) | {p50:.1f} | {p95_:.1f} | **{r['a50']:.0f}** / {r['a95']:.0f} | "
                    f"{r['rss']:.0f} / {r['peak']:.0f} | {built:.0f} s |")
        print(rows[-1], flush=True)  # a long run stopped early still shows the sizes done
        if args.server and str(n) in args.server_sizes.split(","):
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server_dir = OUT / f"chroma-server-{n}"
            shutil.rmtree(server_dir, ignore_errors=True)
            proc = chroma_server(server_dir, port)
            try:
                remote = load_settings({}, store=OUT / f"store-retrieval-server-{n}", quiet=True,
                                       chroma_url=f"http://127.0.0.1:{port}")
                t = time.perf_counter()
                build(remote, embedder, chunks(n), embedder.dimension)
                built = time.perf_counter() - t
                p50, p95_, a50, a95 = measure(remote, embedder)
                rows.append(f"| {n:,} | `chroma run` server (HttpClient, loopback) | {p50:.1f} | {p95_:.1f} | "
                            f"{a50:.0f} / {a95:.0f} | {rss_mib():.0f} (client) | {built:.0f} s |")
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    ns = [r["n"] for r in got]
    t_slope, t0 = fit(ns, [r["p50"] for r in got])
    m_slope, m0 = fit(ns, [r["rss"] for r in got])
    record("Retrieval latency and memory by store size", f"""
`Retriever.search` = embed the question (MiniLM, {got[0]["backend"]} — what `ask` uses) + Chroma dense
top-k + BM25 + fusion, k = {load_settings({}).top_k}; 10 questions × 5 runs after warm-up. "+ evidence" adds
the evidence scorer (every candidate sentence of the passages embedded and scored): a warm `ask` up to
composing the answer. Dense vectors of the chunks are synthetic unit vectors (the question and the
sentences are embedded for real); BM25 runs over real news text windows (RealTime QA, 120 words a chunk).
One child process per size: RSS after querying / peak RSS (building included).

| chunks | store | retrieval p50 ms | p95 ms | + evidence p50 / p95 ms | RSS / peak MiB | build |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

Least-squares fit over these sizes: p50 ≈ {t0:.1f} ms + {t_slope * 1e5:.2f} ms per 100k chunks;
RSS ≈ {m0:.0f} MiB + {m_slope * 1e5:.0f} MiB per 100k chunks.
""")


if __name__ == "__main__":
    main()
