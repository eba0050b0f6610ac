"""End-to-end `newsbot ask` latency per answerer: warm (one process, models loaded, median over
the seed eval questions) and cold (process start → first answer printed, median of 5), the
default encoder backend beside fp32 torch for the question (``--compare torch``), same run.

    python bench/ask.py [--llm extractive --llm local] [--cold-runs 5] [--compare torch]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

from common import OUT, REPO, median, p95, record

from bot.answering.pipeline import build_pipeline
from bot.core.settings import load_settings
from evals.runner import load_cases
from index.indexer import index_paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm", action="append")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--compare", default="torch", help="a backend to time cold beside the default ('' for none)")
    args = ap.parse_args()
    llms = args.llm or ["extractive"]
    store = OUT / "store-ask"
    shutil.rmtree(store, ignore_errors=True)
    settings = load_settings({}, store=store, quiet=True)
    index_paths(settings, [REPO / "seeds"])
    cases = load_cases(REPO / "evals" / "cases" / "seeds.jsonl")
    pipeline = build_pipeline(settings)
    rows = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "OPENAI_"))}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")

    def cold_runs(llm: str, backend: str | None, runs: int) -> list[float]:
        times = []
        for _ in range(runs):
            extra = {"NEWSBOT_EMBEDDER_BACKEND": backend} if backend else {}
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "bot", "ask", "--store", str(store), "--llm", llm,
                                   "Who is representing Russia in the talks?"], capture_output=True, text=True,
                                  cwd=REPO, env=env | extra)
            times.append(time.perf_counter() - t)
            assert done.returncode == 0, done.stderr
        return times

    query_backend = pipeline.embedder.backend
    for llm in llms:
        pipeline.use(llm)
        pipeline.warm_up()
        pipeline.ask(cases[0].question, llm=llm)
        warm = []
        for case in cases:
            t = time.perf_counter()
            pipeline.ask(case.question, case.history, llm=llm)
            warm.append(time.perf_counter() - t)
        cold, other = [], []
        for _ in range(args.cold_runs):  # alternated, so load drift hits both alike
            cold += cold_runs(llm, None, 1)
            other += cold_runs(llm, args.compare, 1) if args.compare else []
        rows.append(f"| {llm} | {median(warm):.3f} | {p95(warm):.3f} | **{median(cold):.2f}** "
                    f"({', '.join(f'{x:.2f}' for x in cold)}) | "
                    + (f"{median(other):.2f} ({', '.join(f'{x:.2f}' for x in other)}) |" if other else "– |"))
    record("End-to-end `newsbot ask` latency", f"""
Seed store; warm = one process with models loaded, {len(cases)} reporting eval questions (with
their history); cold = `python -m bot ask` process start → answer printed, median of {args.cold_runs}
(each run listed). Question encoder: default `auto` → **{query_backend}**; beside it the same
command with `NEWSBOT_EMBEDDER_BACKEND={args.compare or '–'}`, interleaved per answerer in this run.

| answerer | warm p50 s | warm p95 s | cold s, default (runs) | cold s, {args.compare or '–'} (runs) |
|---|---|---|---|---|
""" + "\n".join(rows) + "\n\nTargets: warm p50 ≤ 0.3 s extractive, ≤ 3 s local; cold `ask` ≤ 2.5 s.\n")


if __name__ == "__main__":
    main()
