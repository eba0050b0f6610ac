"""Fit the bar a sentence must reach to confirm a real model's answer, on a real model's answers.

A capable model behind ``--llm openai`` often answers with a bare phrase ("Chicago Marathon").
newsbot shows it only when a sentence of the passages states that phrase *in answer to this
question*: a candidate stating it whose evidence probability (the fitted sentence model) reaches
a bar. This module fits that bar on recorded answers: ``predictions-2023.json`` holds GPT-3's
answers to the RealTime QA 2023 questions given the retrieved articles. Only the 2023
**calibration** weeks are read (``evals/realtimeqa.py``); the 2023 test weeks are what the README
reports.

For each question whose recorded answer is not a refusal, the candidates are built as
``train_scorer`` builds them (BM25 top-k chunks of its retrieved articles); when none states the
model's answer, the search is repeated with the answer added to the question, as the pipeline
does (``bot/answering/flow.py``). The question's value is the best probability of a candidate
stating the answer (``compose.confirmation``; 0 when none does). A recorded answer is *right* when
the question is answerable and the answer contains the gold (case and quotes ignored). The bar
maximises balanced accuracy — the mean of right answers kept and wrong answers stopped — and,
as for the refusal threshold, the lowest bar within ``TIE`` of the best wins.

Example::

    >>> fit_bar([(0.9, True), (0.6, True), (0.3, False), (0.05, False)])
    0.31
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from evals import realtimeqa
from evals import train_scorer as ts

SYSTEM = "open_gpt3"


def recorded(path: Path, system: str = SYSTEM) -> dict[str, str]:
    """case id → the recorded answer of ``system``."""
    return json.loads(path.read_text(encoding="utf-8"))[system]


def outcome(weights: dict, case, answer: str, articles: dict, cache) -> tuple[float, bool] | None:
    """(best probability of a candidate stating the model's answer, the answer is right); None
    when the model refused or its answer names nothing to look for."""
    from bot.answering.compose import confirmation, phrase_variants
    from bot.answering.evidence import Scored
    from bot.verify.model_text import answer_phrases_of, find_phrase, is_bare_phrase, is_refusal

    if not answer.strip() or is_refusal(answer):
        return None
    right = case.answerable and bool(ts.norm(case.gold)) and ts.norm(case.gold) in ts.norm(answer)
    bare = is_bare_phrase(answer)
    wanted = phrase_variants(answer) if bare else answer_phrases_of(answer, case.question)
    if not wanted:
        return None

    def best(passages) -> float:
        e = ts.example_of(case, passages, cache)
        if not len(e.y):
            return 0.0
        scored = [Scored(c, float(p), ()) for c, p in zip(e.cands, ts.probabilities(weights, e.x))]
        if bare:
            return confirmation(wanted, scored)
        return max((s.probability for s in scored if all(find_phrase(w, s.candidate.text) for w in wanted)),
                   default=0.0)

    passages = ts.question_passages(case, articles, ts.approx_tokens)
    value = best(passages)
    if value == 0.0 and bare:
        seen = {p.chunk.id for p in passages}
        more = [p for p in ts.question_passages(case, articles, ts.approx_tokens, 2 * ts.K,
                                                query=f"{case.question} {wanted[0]}") if p.chunk.id not in seen][:ts.K]
        if more:
            value = best(passages + more)
    return value, right


def fit_bar(outcomes: Sequence[tuple[float, bool]]) -> float:
    """The lowest bar within TIE of the best balanced accuracy (right kept, wrong stopped)."""
    right = [p for p, r in outcomes if r]
    wrong = [p for p, r in outcomes if not r]
    if not right or not wrong:
        return 0.5
    grid = [float(t) for t in np.round(np.arange(0.01, 0.96, 0.01), 2)]
    score = {t: round((np.mean([p >= t for p in right]) + np.mean([p < t for p in wrong])) / 2, 4) for t in grid}
    top = max(score.values())
    return min(t for t, v in score.items() if v >= top - ts.TIE)


def fit(weights: dict, answers_path: Path, data: Path, cache, year: int = 2023, every: int = 1) -> dict:
    """The bar and what it does on the calibration weeks, as recorded in scorer_weights.json."""
    answers = recorded(answers_path)
    cases = [c for c in ts._every(realtimeqa.cases_in(realtimeqa.load_cases(year, data), "calibration"), every)
             if c.id in answers]
    articles = realtimeqa.load_articles(year, {a for c in cases for a in c.retrieved}, data)
    rows = []
    for n, case in enumerate(cases, 1):
        got = outcome(weights, case, answers[case.id], articles, cache)
        if got is not None:
            rows.append(got)
        if n % 20 == 0:
            print(f"  model answers: {n}/{len(cases)} questions", flush=True)
            cache.save()
    cache.save()
    bar = fit_bar(rows)
    right = [p for p, r in rows if r]
    wrong = [p for p, r in rows if not r]
    return {"bar": bar, "fitted_on": f"{SYSTEM} answers to RealTime QA {year} calibration weeks "
                                     f"{cases[0].week}..{cases[-1].week}" if cases else "",
            "answers": len(rows), "right": len(right),
            "kept_right": round(float(np.mean([p >= bar for p in right])), 3) if right else None,
            "stopped_wrong": round(float(np.mean([p < bar for p in wrong])), 3) if wrong else None}
