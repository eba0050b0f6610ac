"""Which confirmed model answers verification then drops, and why: right and wrong ones apart.

The confirmation model (``bot/answering/confirm.py``) says a real model's answer is right; the
answer is shown only when some candidate sentence stating it also passes ``verify_draft`` — its
question's constraints (``year_mismatch``, ``name_missing``, …) and the topic guard
(``off-topic``). A check that drops right answers as often as wrong ones is costing trust, one
that drops mostly wrong ones is earning it. This runs the recorded answers of the 2023 **train
and calibration** weeks (never the test weeks) through the same lookup as ``evals/model_bar.py``
and tabulates, for the answers the committed confirmation model passes, whether a stating
sentence survives verification, by the reason the best stating sentence was dropped::

    python -m evals.verify_mirror --cache .newsbot/train-embeddings.npz

Example (how one looked-up answer is counted)::

    >>> verdict(True, [])
    'shown'
    >>> verdict(False, ["name_missing", "off-topic"])
    'dropped:name_missing'
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path
from typing import Sequence

from evals import model_bar, realtimeqa
from evals import train_data as td
from evals.train_scorer import DEFAULT_OUT, TRAIN_BACKEND


def verdict(kept: bool, reasons: Sequence[str]) -> str:
    """'shown' when a stating sentence passes verification, else the best one's drop reason."""
    return "shown" if kept else f"dropped:{reasons[0] if reasons else 'unsupported'}"


def judge(weights: dict, case, answer: str, articles: dict, cache) -> dict | None:
    """One recorded answer: right?, confirmed?, and what verification does with its stating sentences."""
    from bot.answering.compose import draft_of
    from bot.answering.confirm import states
    from bot.answering.flow import verify_draft
    from bot.answering.short_answer import logistic

    found = model_bar.looked_up(weights, case, answer, articles, cache)
    if found is None:
        return None
    row = {"id": case.id, "right": found.right, "question": case.question, "answer": answer}
    if found.index is None:
        return {**row, "confirmed": False, "verdict": "not_stated"}
    c = weights["confirm"]
    p = logistic(c["coef"], c["mean"], c["scale"], model_bar.features_of(case, found))
    reasons, kept = [], False
    for s in found.scored[found.index:]:
        if not states(found.wanted, s.candidate.text):
            continue
        v = verify_draft(draft_of([s]), found.passages, False, case.question)
        if any(x.supported for x in v.sentences):
            kept = True
            break
        reasons.append(v.dropped[0].reason.split(":")[0] if v.dropped else "unsupported")
    return {**row, "confirmed": p >= c["threshold"], "probability": round(p, 3), "verdict": verdict(kept, reasons),
            "sentence": found.scored[found.index].candidate.text[:200]}


def table(rows: Sequence[dict]) -> dict[str, dict[str, int]]:
    """verdict → {"right": n, "wrong": n} over the confirmed answers."""
    out: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in rows:
        if r["confirmed"]:
            out[r["verdict"]]["right" if r["right"] else "wrong"] += 1
    return {k: {"right": v["right"], "wrong": v["wrong"]} for k, v in sorted(out.items())}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=realtimeqa.DEFAULT_DIR)
    ap.add_argument("--weights", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--cache", type=Path, default=None, help="the .npz of sentence embeddings make train keeps")
    ap.add_argument("--rows", type=Path, default=None, help="also write every answer's verdict here (JSON)")
    args = ap.parse_args(argv)

    from bot.core.settings import load_settings
    from index.embedders import build_embedder

    weights = json.loads(args.weights.read_text(encoding="utf-8"))
    embedder = build_embedder(load_settings({}, embedder_backend=TRAIN_BACKEND), role="query")
    cache = td.EmbeddingCache(embedder, args.cache, tag=f"{embedder.name}/{TRAIN_BACKEND}")
    answers = model_bar.recorded(args.data / "predictions-2023.json")
    year = realtimeqa.load_cases(2023, args.data)
    cases = [c for s in ("train", "calibration") for c in realtimeqa.cases_in(year, s) if c.id in answers]
    articles = realtimeqa.load_articles(2023, {a for c in cases for a in c.retrieved}, args.data)
    rows = [r for c in cases if (r := judge(weights, c, answers[c.id], articles, cache)) is not None]
    cache.save()
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(table(rows), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
