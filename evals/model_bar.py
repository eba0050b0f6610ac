"""Fit the model that decides whether a real model's answer is shown, on a real model's answers.

A capable model behind ``--llm openai`` often answers with a bare phrase ("Chicago Marathon") or
a sentence whose names and figures can be looked up. newsbot shows that answer only when a
sentence of the passages states it *and* the confirmation model (``bot/answering/confirm.py``:
logistic regression over how the stating sentence stands among the candidates) gives it a
probability at or above a cutoff. Both are fitted here on recorded answers:
``predictions-2023.json`` holds GPT-3's answers to the RealTime QA 2023 questions given the
retrieved articles. The weights are fitted on the 2023 **train** weeks and the cutoff chosen on
held-out answers of the train and **calibration** weeks (below; ``evals/realtimeqa.py``); the 2023
test weeks are what the README reports.

For each question whose recorded answer is not a refusal, the candidates are built as
``train_scorer`` builds them (BM25 top-k chunks of its retrieved articles); when none states the
model's answer, the search is repeated with the answer added to the question, as the pipeline
does (``bot/answering/flow.py``). A recorded answer is *right* when the question is answerable
and the answer contains the gold (case and quotes ignored); answers to unanswerable questions are
wrong. The cutoff is the highest that still keeps :data:`KEEP_TARGET` (90 %) of the right answers
among held-out probabilities: the calibration weeks' (from the model fitted on the train weeks)
together with the train weeks' own, each predicted by a model fitted on the other train weeks
(:func:`out_of_fold`, :data:`FOLDS` folds of whole weeks). The calibration weeks alone hold ~40
right answers, so one of them more or less under the 90 % point moved the cutoff by a tenth
(bootstrap 10–90 %: 0.08–0.41); pooled with ~270 out-of-fold ones, 0.13–0.20. Right answers come
first: a user who plugs in a capable model mostly gets right answers, and losing
one of them costs more trust than showing a wrong one the model itself gave (every shown answer
is still a verbatim, cited sentence). Whatever share of wrong answers that cutoff stops is
reported beside it (``fit``: ``calibration.stopped_wrong``; ``train`` holds the train weeks'
out-of-fold figures). ``keep=None`` gives the balanced
cutoff instead — the mean of right kept and wrong stopped is maximised, the lowest within ``TIE``
of the best wins.

Example (both right answers must be kept; the wrong ones fall below it)::

    >>> fit_bar([(0.9, True), (0.6, True), (0.3, False), (0.05, False)])
    0.6
    >>> fit_bar([(0.9, True), (0.6, True), (0.3, False), (0.05, False)], keep=None)
    0.31
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from evals import realtimeqa
from evals import train_data as td
from evals import train_scorer as ts

SYSTEM = "open_gpt3"
KEEP_TARGET = 0.90  # share of the calibration weeks' right model answers the cutoff keeps
C = 1.0  # regularisation of the confirmation model (few features, ~1,000 answers)
FOLDS = 5  # out-of-fold predictions over the train weeks, for the cutoff


def recorded(path: Path, system: str = SYSTEM) -> dict[str, str]:
    """case id → the recorded answer of ``system``."""
    return json.loads(path.read_text(encoding="utf-8"))[system]


def outcome(weights: dict, case, answer: str, articles: dict, cache) -> tuple[tuple[float, ...], bool] | None:
    """(confirmation features of the model's answer, the answer is right); None when the model
    refused or its answer names nothing to look for."""
    found = looked_up(weights, case, answer, articles, cache)
    return None if found is None else (features_of(case, found), found.right)


@dataclass(frozen=True)
class LookedUp:
    """A recorded answer looked up in the candidates, as the pipeline looks it up."""

    right: bool  # the question is answerable and the answer contains the gold
    wanted: list  # the phrases looked for (the variant found, else the first)
    whole: list  # the first variant: the model's whole answer
    scored: list  # the candidates, best first
    passages: list  # the passages they come from
    researched: bool  # found only by searching again with the answer
    index: int | None  # the best candidate stating it, None when none does


def features_of(case, found: LookedUp) -> tuple[float, ...]:
    """The confirmation features of a looked-up answer, as the pipeline computes them."""
    from bot.answering.confirm import confirm_features
    from bot.text.question import analyse_question

    return confirm_features(analyse_question(case.question), found.wanted, found.scored, found.researched,
                            found.whole, dt.date.fromisoformat(case.date))


def looked_up(weights: dict, case, answer: str, articles: dict, cache) -> LookedUp | None:
    """The candidates of ``case`` and where they state ``answer``; None when the model refused or
    its answer names nothing to look for."""
    from bot.answering.compose import wanted_variants
    from bot.answering.confirm import stating
    from bot.answering.evidence import Scored, best_first
    from bot.verify.model_text import is_refusal

    if not answer.strip() or is_refusal(answer):
        return None
    right = case.answerable and bool(td.norm(case.gold)) and td.norm(case.gold) in td.norm(answer)
    variants = wanted_variants(answer, case.question)
    if not variants:
        return None

    def scored_of(passages) -> list[Scored]:
        e = td.example_of(case, passages, cache)
        if not len(e.y):
            return []
        return best_first(Scored(c, float(p), ()) for c, p in zip(e.cands, ts.probabilities(weights, e.x)))

    passages = td.question_passages(case, articles, td.approx_tokens)
    scored, researched = scored_of(passages), False
    hit = stating(variants, scored)
    if hit is None:
        seen = frozenset(p.chunk.id for p in passages)
        more = td.question_passages(case, articles, td.approx_tokens, 2 * td.K,
                                    query=f"{case.question} {' '.join(variants[0])}", exclude=seen)[:td.K]
        if more:
            again = scored_of(passages + more)
            hit = stating(variants, again)
            if hit is not None:
                scored, researched, passages = again, True, passages + more
    return LookedUp(bool(right), hit[1] if hit else variants[0], variants[0], scored, passages, researched,
                    hit[0] if hit else None)


def out_of_fold(x: np.ndarray, y: np.ndarray, weeks: Sequence, folds: int = FOLDS) -> np.ndarray:
    """P(right) of each row from a model fitted without its week's fold (week ``i`` of the
    sorted weeks is in fold ``i % folds``), so train rows can calibrate like held-out ones."""
    order = sorted(set(weeks))
    fold = np.array([order.index(w) % folds for w in weeks])
    out = np.zeros(len(y))
    for f in range(min(folds, len(order))):
        held = fold == f
        if len(set(y[~held].tolist())) < 2:  # a fold whose rest holds one class fits nothing
            out[held] = float(y[~held].mean()) if (~held).any() else 0.5
            continue
        out[held] = ts.probabilities(ts.fit_rows(x[~held], y[~held], C), x[held])
    return out


def spread(outcomes: Sequence[tuple[float, bool]], resamples: int = 200, seed: int = 0) -> list[float]:
    """10th and 90th percentile of :func:`fit_bar` over bootstrap resamples of ``outcomes``:
    how far the cutoff would move on another draw of as many answers."""
    rng = np.random.default_rng(seed)
    bars = [fit_bar([outcomes[i] for i in rng.integers(0, len(outcomes), len(outcomes))]) for _ in range(resamples)]
    return [round(float(v), 2) for v in np.percentile(bars, [10, 90])]


def fit_bar(outcomes: Sequence[tuple[float, bool]], keep: float | None = KEEP_TARGET) -> float:
    """The highest cutoff keeping ``keep`` of the right answers (``None``: the lowest within TIE of
    the best balanced accuracy); 0.5 when the outcomes hold only one class."""
    right = [p for p, r in outcomes if r]
    wrong = [p for p, r in outcomes if not r]
    if not right or not wrong:
        return 0.5
    grid = [float(t) for t in np.round(np.arange(0.01, 0.96, 0.01), 2)]
    kept = {t: float(np.mean([p >= t for p in right])) for t in grid}
    if keep is not None:
        return max((t for t in grid if kept[t] >= keep), default=grid[0])
    score = {t: round((kept[t] + np.mean([p < t for p in wrong])) / 2, 4) for t in grid}
    top = max(score.values())
    return min(t for t, v in score.items() if v >= top - ts.TIE)


def rows_of(weights: dict, cases, answers: dict[str, str], articles: dict, cache, label: str):
    rows = []
    for n, case in enumerate(cases, 1):
        got = outcome(weights, case, answers[case.id], articles, cache)
        if got is not None:
            rows.append((*got, case.week))
        if n % 50 == 0:
            print(f"  model answers ({label}): {n}/{len(cases)} questions", flush=True)
            cache.save()
    cache.save()
    return rows


def rates(probs: Sequence[float], rights: Sequence[bool], cutoff: float) -> dict:
    right = [p for p, r in zip(probs, rights) if r]
    wrong = [p for p, r in zip(probs, rights) if not r]
    return {"answers": len(probs), "right": len(right),
            "kept_right": round(float(np.mean([p >= cutoff for p in right])), 3) if right else None,
            "stopped_wrong": round(float(np.mean([p < cutoff for p in wrong])), 3) if wrong else None}


def fit(weights: dict, answers_path: Path, data: Path, cache, year: int = 2023, every: int = 1) -> dict:
    """The confirmation model, its cutoff and what it does on the calibration weeks, as recorded
    in scorer_weights.json (key ``confirm``)."""
    from bot.answering.confirm import CONFIRM_FEATURES

    answers = recorded(answers_path)
    all_cases = realtimeqa.load_cases(year, data)
    split = {s: [c for c in realtimeqa.every_nth_week(realtimeqa.cases_in(all_cases, s), every) if c.id in answers]
             for s in ("train", "calibration")}
    articles = realtimeqa.load_articles(year, {a for cs in split.values() for c in cs for a in c.retrieved}, data)
    rows = {s: rows_of(weights, cs, answers, articles, cache, s) for s, cs in split.items()}
    x = {s: np.array([f for f, _, _ in r], dtype=np.float64) for s, r in rows.items()}
    y = {s: np.array([1.0 if ok else 0.0 for _, ok, _ in r]) for s, r in rows.items()}
    model = ts.fit_rows(x["train"], y["train"], C)
    cal_p = ts.probabilities(model, x["calibration"]).tolist()
    train_p = out_of_fold(x["train"], y["train"], [w for _, _, w in rows["train"]]).tolist()
    held = list(zip(train_p + cal_p, (bool(v) for v in [*y["train"], *y["calibration"]])))
    cutoff = fit_bar(held)
    weeks = {s: f"{cs[0].week}..{cs[-1].week}" if cs else "" for s, cs in split.items()}
    return {"features": list(CONFIRM_FEATURES), **model, "threshold": cutoff, "C": C, "keep_target": KEEP_TARGET,
            "fitted_on": f"{SYSTEM} answers to RealTime QA {year}: weights on train weeks {weeks['train']}, "
                         f"cutoff keeping {KEEP_TARGET:.0%} of right answers held out: calibration weeks {weeks['calibration']} "
                         f"and the train weeks out of fold ({FOLDS} folds of weeks)",
            "cutoff_spread": {"calibration_only": spread(held[len(train_p):]), "held_out": spread(held)},
            "train": rates(train_p, [bool(v) for v in y["train"]], cutoff),
            "calibration": rates(cal_p, [bool(v) for v in y["calibration"]], cutoff)}
