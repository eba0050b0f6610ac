"""A reader's start and memory against a `chroma run` server, and the freshness delay.

    python bench/worker_start.py [--chunks 100000] [--dim 64] [--runs 3] [--refresh-s 5] [--reuse]

A server is filled with ``--chunks`` chunks (BBC text windows, synthetic unit vectors: a
worker never reads vectors to build BM25, so their width only matters to the server). Then,
in fresh processes (clean RSS), a worker does what `newsbot chat/slack` does at start with
``--chroma-url``: pages every document out of the server and builds BM25 in memory
(``LiveLexical``). Freshness: while a worker polls keyword search every 0.1 s with the
configured check interval, this process adds one article (with a unique code) and bumps
the version stamp, as `newsbot index` does after a batch; the delay is stamp bump → found
(the worker refreshes incrementally: it reads only the chunks written since its stamp).
``--reuse`` keeps a server filled by an earlier run (bench/out/, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from common import OUT, REPO, bbc_texts, median, record

from bot.core.settings import load_settings
from index.chunking import Chunk
from index.store import open_store

EMBEDDER = "bench-synthetic"

WORKER = r"""
import json, resource, sys, threading, time
from types import SimpleNamespace
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from bot.core.settings import load_settings
from index.live_lexical import ServerLexical
from index.store import open_store
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
s = load_settings({}, chroma_url=sys.argv[2], store="/nonexistent", quiet=True)
store = open_store(s, SimpleNamespace(name=sys.argv[3], dimension=int(sys.argv[4])))
imported = time.perf_counter() - t0
before = rss()
t = time.perf_counter(); pages = list(store.scan()); fetched = time.perf_counter() - t
del pages
t = time.perf_counter()
cache = None if sys.argv[7] == "-" else __import__("pathlib").Path(sys.argv[7])
live = ServerLexical(store, check_every_s=float(sys.argv[5]), background=True, cache=cache)
built = time.perf_counter() - t
out = {"from_cache": live.loaded_from_cache, "imported_s": imported, "fetch_s": fetched, "fetch_and_build_s": built, "chunks": live.status.chunks,
       "rss_before_mib": before, "rss_after_mib": rss(),
       "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if sys.argv[6] != "-":
    print(json.dumps(out), flush=True)  # the bench now adds the article
    started_at = live.status.version
    while True:
        if live.search(sys.argv[6], 3):
            out["found_at"] = time.time()
            break
        time.sleep(0.1)
    while live.status.version == started_at:  # the status is set just after the swap
        time.sleep(0.01)
    out["rebuild_s"] = live.status.built_s
print(json.dumps(out), flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path, port: int):
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


def fill(store, n: int, dim: int) -> None:
    words = " ".join(bbc_texts()).split()
    rng = np.random.default_rng(0)
    size, step = 120, 5000
    for i in range(0, n, step):
        part = []
        for j in range(i, min(n, i + step)):
            start = (j * 37) % (len(words) - size)
            part.append(Chunk(f"syn{j // 4:06d}#{j % 4:04d}", f"syn{j // 4:06d}", " ".join(words[start:start + size]),
                              0, 0, title=f"synthetic {j // 4}"))
        vecs = rng.normal(size=(len(part), dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        facts = {c.article_id: {"content_hash": "h", "n_chunks": 4, "path": "/bench"} for c in part}
        store.upsert(part, vecs.tolist(), facts=facts)
    store.bump_version()


def worker(url: str, dim: int, refresh_s: float, code: str, cache: Path | None = None):
    return subprocess.Popen([sys.executable, "-c", WORKER, str(REPO), url, EMBEDDER, str(dim), str(refresh_s), code,
                             str(cache) if cache else "-"],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--refresh-s", type=float, default=5.0)
    ap.add_argument("--reuse", action="store_true", help="keep the server data of an earlier run")
    args = ap.parse_args()
    data = OUT / f"chroma-worker-{args.chunks}-{args.dim}"
    filled_mark = data / ".filled"
    if not (args.reuse and filled_mark.is_file()):
        shutil.rmtree(data, ignore_errors=True)
    port = free_port()
    proc = start_chroma(data, port)
    url = f"http://127.0.0.1:{port}"
    try:
        settings = load_settings({}, chroma_url=url, store=OUT / "unused", quiet=True)
        store = open_store(settings, SimpleNamespace(name=EMBEDDER, dimension=args.dim), create=True)
        t = time.perf_counter()
        if not filled_mark.is_file():
            fill(store, args.chunks, args.dim)
            filled_mark.write_text(f"{time.perf_counter() - t:.0f}")
        filled = float(filled_mark.read_text())
        starts, warm = [], []
        cache = OUT / "worker-cache"
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            w = worker(url, args.dim, args.refresh_s, "-", cache)
            starts.append(json.loads(w.communicate(timeout=900)[0].strip().splitlines()[-1]))
        for _ in range(args.runs):  # restarts: the cache the last cold start wrote
            w = worker(url, args.dim, args.refresh_s, "-", cache)
            warm.append(json.loads(w.communicate(timeout=900)[0].strip().splitlines()[-1]))
        assert all(s["from_cache"] for s in warm) and not any(s["from_cache"] for s in starts)
        delays, rebuilds = [], []
        for run in range(args.runs):
            code = f"zqx{run}v{int(time.time())}"
            w = worker(url, args.dim, args.refresh_s, code)
            json.loads(w.stdout.readline())  # started
            time.sleep(args.refresh_s * 0.37)  # land anywhere in the check interval
            article = f"fresh{run:04d}"
            chunk = Chunk(f"{article}#0000", article, f"The inspector filed report {code} on the harbour.", 0, 0)
            store.upsert([chunk], [[1.0] + [0.0] * (args.dim - 1)],
                         facts={article: {"content_hash": "h", "n_chunks": 1, "path": "/bench"}})
            bumped = time.time()
            store.bump_version()
            found = json.loads(w.communicate(timeout=900)[0].strip().splitlines()[-1])
            delays.append(found["found_at"] - bumped)
            rebuilds.append(found["rebuild_s"])
    finally:
        proc.terminate()
        proc.wait(timeout=60)

    def m(key: str, rows=starts) -> float:
        return median([s[key] for s in rows])

    record(f"Worker start-up and RSS against a `chroma run` server ({args.chunks:,} chunks)", f"""
A fresh reader process opens the server's collection, pages every document out (`scan`,
5,000 per page) and builds BM25 in memory (`ServerLexical`), as `newsbot chat`/`slack` do at
start with `--chroma-url`, and saves it to its store folder's cache; a restart loads that
cache and reads only what changed. Chunks: 120-word BBC text windows; vectors synthetic ({args.dim}-d, never
read by the worker). Filling the server took {filled:.0f} s. Medians of {args.runs} fresh processes.

| measure | median |
|---|---|
| imports + open collection | {m('imported_s'):.2f} s |
| page all {m('chunks'):,.0f} documents out of the server | {m('fetch_s'):.2f} s |
| first start on a machine: fetch + tokenize + BM25 build (beyond imports) | {m('fetch_and_build_s'):.2f} s |
| RSS before → after BM25 | {m('rss_before_mib'):.0f} → {m('rss_after_mib'):.0f} MiB (peak {m('peak_mib'):.0f} MiB) |
| restart with its `--store` cache: load + incremental catch-up (beyond imports) | {m('fetch_and_build_s', warm):.2f} s |
| RSS after a restart from the cache | {m('rss_after_mib', warm):.0f} MiB (peak {m('peak_mib', warm):.0f} MiB) |
| freshness: stamp bumped → found by keyword (check every {args.refresh_s:g} s) | {median(delays):.2f} s (max {max(delays):.2f} s) |
| of which the incremental refresh (changed chunks + id list) | {median(rebuilds):.2f} s |
""")


if __name__ == "__main__":
    main()
