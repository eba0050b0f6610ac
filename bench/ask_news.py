"""Warm `newsbot ask` latency on real news: an index built by `newsbot index` from whole articles.

`bench/ask.py` times the seed store (two articles), `bench/retrieval.py` synthetic 120-word
windows of real text with synthetic vectors. This times real questions over an index of whole
real articles, as `newsbot eval` builds one, each with its as-of date: one process with models
loaded (the first question warms up and is not counted). It reports the median and 95th
percentile of each stage the answer records (``timings_ms``) and the candidate sentences
embedded per question.

    python -m evals.realtimeqa --year 2024 --split test --every 2 --out /tmp/rt24
    newsbot index --store /tmp/rt24-store /tmp/rt24/articles
    python bench/ask_news.py --store /tmp/rt24-store --cases /tmp/rt24/cases.jsonl [--n 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from common import median, p95, record

from bot.answering.features import candidates
from bot.answering.pipeline import build_pipeline
from bot.core.errors import InputError
from bot.core.settings import load_settings
from evals.runner import load_cases

STAGES = ("retrieve", "evidence", "generate", "verify", "total")


def main() -> None:
    ap = argparse.ArgumentParser(description="Warm ask latency on real news (see module docstring).")
    ap.add_argument("--store", type=Path, required=True, help="an index built by `newsbot index`")
    ap.add_argument("--cases", type=Path, required=True, help="eval cases .jsonl (each question asked at its as_of or date)")
    ap.add_argument("--n", type=int, default=60, help="questions timed (after one warm-up question)")
    ap.add_argument("--again", action="store_true",
                    help="ask each question a second time at once and time that too (a question about a story "
                         "just asked about: the sentence cache's case)")
    args = ap.parse_args()
    try:
        questions = [(c.question, c.as_of) for c in load_cases(args.cases)[:args.n + 1]]
    except InputError as error:
        raise SystemExit(str(error)) from None
    settings = load_settings({}, store=args.store, quiet=True)
    pipeline = build_pipeline(settings)
    pipeline.warm_up()
    pipeline.ask(questions[0][0], as_of=questions[0][1])
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    wall, sentences, again = [], [], []
    for question, as_of in questions[1:]:
        t = time.perf_counter()
        answer = pipeline.ask(question, as_of=as_of)
        wall.append((time.perf_counter() - t) * 1000)
        for s in STAGES:
            stages[s].append(float(answer.timings_ms.get(s, 0.0)))
        if args.again:
            t = time.perf_counter()
            pipeline.ask(question, as_of=as_of)
            again.append((time.perf_counter() - t) * 1000)
        day = dt.date.fromisoformat(as_of) if as_of else None
        sentences.append(len(candidates(pipeline.retriever.search(answer.standalone_question, published_by=day))))
    cache = pipeline.scorer.embed
    kept = f"{cache.hits / max(1, cache.hits + cache.misses):.0%}" if hasattr(cache, "hits") else "–"
    rows = "\n".join(f"| {s} | {median(v):.0f} | {p95(v):.0f} |" for s, v in stages.items())
    record("Warm `newsbot ask` on real news", f"""
Store {args.store} ({pipeline.store.count()} chunks), {len(wall)} questions of {args.cases.name} after one
warm-up question, each with its as-of date; extractive answerer, question encoder
**{pipeline.embedder.backend}**. Candidate sentences embedded per question: median
{median(sentences):.0f} (p95 {p95(sentences):.0f}); texts the scorer found in its sentence cache (kept from
earlier questions of the run, `evidence_cache_texts` {settings.evidence_cache_texts}): {kept}.

| stage | p50 ms | p95 ms |
|---|---|---|
{rows}
| wall clock of `Pipeline.ask` | {median(wall):.0f} | {p95(wall):.0f} |
{f"| the same question again at once | {median(again):.0f} | {p95(again):.0f} |" if again else ""}

Target: warm p50 ≤ 300 ms.
""")


if __name__ == "__main__":
    main()
