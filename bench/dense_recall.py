"""How many of the exact nearest chunks Chroma's HNSW search returns, and whether the same
question gets the same chunks each time a store is opened, by ``ef_search``.

    python bench/dense_recall.py --store /tmp/rt24-store --cases /tmp/rt24/cases.jsonl [--ef 100,500] [--opens 3]
    python bench/dense_recall.py --synthetic 100000 --cases /tmp/rt24/cases.jsonl   # speed at scale

``--synthetic N`` builds a store of N chunks with random unit vectors first (``bench/retrieval.py``'s
store: real news text, synthetic vectors), where recall is a worst case and the timing is the point.

The store is copied once per ``ef_search`` value (it is never changed). For each value, ``--opens``
fresh processes open the copy and search every case's question for its ``--k`` nearest chunks
(the dense half of ``newsbot ask``'s retrieval); the exact nearest ones come from every stored
vector. Chroma rebuilds the part of its index written since its last sync each time a store is
opened (chroma-core/chroma#2675), so an inexact search can differ from one open to the next.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import median, record

from bot.core.settings import load_settings
from index.embedders import build_embedder
from index.store import open_existing, open_store


def _questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def child(store: Path, cases: Path, k: int) -> None:
    """One open of the store: each question's k nearest chunk ids, and ms per query."""
    settings = load_settings({}, store=store)
    embedder = build_embedder(settings, role="query")
    db = open_store(settings, embedder)
    vectors = embedder.embed(_questions(cases))
    start = time.perf_counter()
    hits = [[c.id for c, _ in db.query(v, k)] for v in vectors]
    print(json.dumps({"hits": hits, "ms": (time.perf_counter() - start) * 1000 / max(1, len(vectors))}))


def exact(store: Path, cases: Path, k: int) -> list[set[str]]:
    settings = load_settings({}, store=store)
    ids, rows = [], []
    for page_ids, page in open_existing(settings).vectors():
        ids += page_ids
        rows.append(np.asarray(page, dtype=np.float32))
    matrix = np.concatenate(rows)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    questions = np.asarray(build_embedder(settings, role="query").embed(_questions(cases)), dtype=np.float32)
    sims = questions @ matrix.T
    return [{ids[i] for i in np.argsort(-row, kind="stable")[:k]} for row in sims]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="an indexed store (or --synthetic)")
    ap.add_argument("--cases", type=Path, required=True)
    ap.add_argument("--ef", default="100,500")
    ap.add_argument("--k", type=int, default=32, help="nearest chunks asked for (the dense pool of top_k 8)")
    ap.add_argument("--opens", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--synthetic", type=int, default=0, help="build a store of this many synthetic chunks first")
    args = ap.parse_args()
    if args.child:
        return child(args.store, args.cases, args.k)
    if not args.synthetic and args.store is None:
        ap.error("give --store or --synthetic")
    if args.synthetic:
        from retrieval import build, chunks

        args.store = Path(tempfile.mkdtemp()) / "store"
        settings = load_settings({}, store=args.store, quiet=True)
        build(settings, build_embedder(settings, role="query"), chunks(args.synthetic), 384)
    truth = exact(args.store, args.cases, args.k)
    lines = [f"{len(truth)} questions of {args.cases.name}, {args.k} nearest chunks each, {args.opens} opens per value:",
             "", "| ef_search | recall of the exact nearest | questions with all of them | questions whose chunks "
             "changed between opens | ms per query (median of opens) |", "|---|---|---|---|---|"]
    for ef in (int(v) for v in args.ef.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "store"
            shutil.copytree(args.store, copy)
            open_existing(load_settings({}, store=copy)).set_ef_search(ef)
            runs = []
            for _ in range(args.opens):
                out = subprocess.run([sys.executable, __file__, "--child", "--store", str(copy), "--cases",
                                      str(args.cases), "--k", str(args.k)], capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        hits = [[set(h) for h in r["hits"]] for r in runs]
        recall = np.mean([len(h & t) / args.k for run in hits for h, t in zip(run, truth)])
        whole = np.mean([h == t for run in hits for h, t in zip(run, truth)])
        changed = np.mean([len({frozenset(run[i]) for run in hits}) > 1 for i in range(len(truth))])
        lines.append(f"| {ef} | {recall:.4f} | {whole:.3f} | {changed:.3f} | {median([r['ms'] for r in runs]):.1f} |")
    what = f"{args.synthetic:,} synthetic chunks" if args.synthetic else str(args.store)
    record(f"Dense search: HNSW ef_search against exact ({what})", "\n".join(lines))
    if args.synthetic:
        shutil.rmtree(args.store.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
