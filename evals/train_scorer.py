"""Fit the evidence scorer's weights and refusal threshold on RealTime QA (``make train``).

Data: the 2024 questions of the ``train`` weeks fit the weights; the ``calibration`` weeks
choose the regularisation and the refusal threshold (see ``evals/realtimeqa.py`` for the
split). No ``test`` week is ever read here; of 2023, only the train and calibration weeks, by
the confirmation model of a real model's answers (``evals/model_bar.py``).

Each question's candidates, features and labels are built by ``evals/train_data.py`` (the
sentences of the top BM25 passages of its own retrieved articles; 1 = contains the gold answer).

A logistic regression (scikit-learn) over standardised features gives P(sentence answers); the
question's evidence is its best candidate's probability. The refusal threshold maximises, on the
calibration weeks, balanced accuracy — the mean of the share of answerable questions answered
right and the share of unanswerable ones refused — and the precision reached there (answered
questions whose best sentence is right) is recorded beside it; ``--objective precision``
instead takes the lowest threshold reaching ``--target-precision``. The short-answer phrase
model is fitted on the phrases of each training question's best sentences; its cutoff is the
lowest at which, among calibration questions whose best sentence states the answer, the best
phrase is the answer at least :data:`SPAN_TARGET` (4 in 5) of the time. The runner-up sentence
joins an answer above its own cutoff (``evals/runner_up.py``: the most right answers within a
median answer of 45 words as the reader sees it); a cutoff fitted on the pipeline's own answers
(``make runner-up``, ``evals/runner_up_curve.py``) is kept while the sentence model is unchanged. The result is written as plain JSON (``bot/answering/scorer_weights.json``): the runtime
needs no scikit-learn. Deterministic: sentences are embedded by the ONNX fp32 export the
pipeline embeds questions and candidates with (:data:`TRAIN_BACKEND`), which gives a text the
same vector whatever shares its batch, so a cold run and one over a cache filled by earlier
runs write the same file. (Until 2026-12-04 training used torch bf16 where the CPU had it:
batch-dependent by up to 9e-4, so the committed file came from no run one could repeat; a cold
run moved a coefficient by 0.19 and the refusal threshold 0.21 → 0.23.)

    python -m evals.train_scorer [--out bot/answering/scorer_weights.json] [--cache DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.answering.features import FEATURES
from bot.text.question import analyse_question
from evals import realtimeqa, runner_up, runner_up_curve
from evals.cutoffs import GRID, NEVER
from evals.learners import fit_logistic as fit_rows
from evals.train_data import EmbeddingCache, Example, K, build_examples, norm, states_gold

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "bot" / "answering" / "scorer_weights.json"
def fit(examples: Sequence[Example], c: float):
    x = np.concatenate([e.x for e in examples if len(e.y)])
    y = np.concatenate([e.y for e in examples if len(e.y)])
    return fit_rows(x, y, c)


TRAIN_BACKEND = "onnx"  # see main()


def probabilities(weights: dict, x: np.ndarray) -> np.ndarray:
    z = ((x - np.array(weights["mean"])) / np.array(weights["scale"])) @ np.array(weights["coef"])
    return 1.0 / (1.0 + np.exp(-z))


def question_outcomes(weights: dict, examples: Sequence[Example]) -> list[tuple[float, bool, bool, bool]]:
    """(best probability, best sentence right, answerable, some candidate right) per question."""
    return outcomes(lambda x: probabilities(weights, x), examples)


def outcomes(score, examples: Sequence[Example]) -> list[tuple[float, bool, bool, bool]]:
    """:func:`question_outcomes` of any model: ``score`` maps a question's feature rows to probabilities."""
    out = []
    for e in examples:
        if not len(e.y):
            out.append((0.0, False, e.case.answerable, False))
            continue
        p = score(e.x)
        i = int(np.argmax(p))
        out.append((float(p[i]), bool(e.y[i]), e.case.answerable, bool(e.y.max() > 0)))
    return out


def log_loss(weights: dict, examples: Sequence[Example]) -> float:
    x = np.concatenate([e.x for e in examples if len(e.y)])
    y = np.concatenate([e.y for e in examples if len(e.y)])
    p = np.clip(probabilities(weights, x), 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


TIE = 0.01  # balanced accuracies this close are a tie on a calibration set of this size


def balanced_threshold(outcomes) -> float:
    """The threshold that maximises balanced accuracy: the mean of (answerable questions answered
    right) and (unanswerable questions refused), equal weight to both errors. The curve is flat
    near its top, so among thresholds within TIE of the best the lowest wins: refusing more
    buys nothing measurable there, answering more helps the reader."""
    scores = {t: summary_score(outcomes, t) for t in GRID}
    best = max(scores.values())
    return min(t for t, v in scores.items() if v >= best - TIE)


def summary_score(outcomes, t: float) -> float:
    s = summary(outcomes, t)
    return round((s["accuracy_answerable_after_refusal"] + s["refusal_unanswerable"]) / 2, 4)


def choose_threshold(outcomes, target_precision: float) -> float:
    """Lowest threshold whose answered questions are right >= target_precision of the time."""
    for t in GRID:
        answered = [right for p, right, *_ in outcomes if p >= t]
        if answered and sum(answered) / len(answered) >= target_precision:
            return t
    return 0.95


def summary(outcomes, t: float) -> dict:
    ans = [(p, r) for p, r, a, _ in outcomes if a]
    una = [p for p, _, a, _ in outcomes if not a]
    answered = [r for p, r, *_ in outcomes if p >= t]
    return {"questions": len(outcomes), "answerable": len(ans),
            "candidates_hold_gold": round(sum(o for _, _, a, o in outcomes if a) / max(1, len(ans)), 3),
            "top1_accuracy_answerable": round(sum(r for _, r in ans) / max(1, len(ans)), 3),
            "accuracy_answerable_after_refusal": round(sum(1 for p, r in ans if r and p >= t) / max(1, len(ans)), 3),
            "refusal_unanswerable": round(sum(1 for p in una if p < t) / max(1, len(una)), 3),
            "precision_answered": round(sum(answered) / max(1, len(answered)), 3)}


# A short answer is a second claim on top of its sentence ("Ada Lind — <sentence>"): when the
# sentence states the answer, the phrase shown must be the answer at least 4 times in 5.
SPAN_TARGET = 0.8
MIN_PHRASES = 10  # a cutoff is chosen on at least this many calibration phrases


def span_label(span_text: str, gold: str) -> bool:
    """The phrase says the gold answer (as whole words), with at most two words more."""
    return states_gold(gold, span_text) and len(norm(span_text).split()) <= len(norm(gold).split()) + 2


def span_examples(weights: dict, examples: Sequence[Example], top: int = 3):
    """(features, label, (question id, sentence index, sentence right)) of the answer phrases of
    each question's best sentences."""
    from bot.answering.short_answer import phrases, span_features

    rows, labels, qids = [], [], []
    for e in examples:
        if not len(e.y):
            continue
        p = probabilities(weights, e.x)
        q = analyse_question(e.case.question)
        for i in np.argsort(-p, kind="stable")[:top]:
            c = e.cands[int(i)]
            spans = phrases(q, c.text)
            others = [o.text for o in e.cands if o.article_id != c.article_id]
            for x, sp in zip(span_features(q, c.text, spans, c.title, others, float(p[i])), spans):
                rows.append(x)
                labels.append(1.0 if e.case.answerable and span_label(sp.text, e.case.gold) else 0.0)
                qids.append((e.case.id, int(i), bool(e.y[int(i)])))
    return np.array(rows, dtype=np.float64), np.array(labels), qids


def span_threshold(span_w: dict, x: np.ndarray, y: np.ndarray, qids, target: float) -> float:
    """Lowest cutoff at which the best phrase of a sentence that states the answer is right >=
    target of the time. The phrase model's own error: a phrase of a wrong sentence is wrong
    whatever the phrase model does, and the sentence scorer's threshold already decided that.
    A share of fewer than MIN_PHRASES phrases measures nothing: where no cutoff reaches the
    target on that many, the answer is NEVER (no short answer is shown)."""
    p = probabilities(span_w, x)
    best: dict = {}
    for pi, yi, q in zip(p, y, qids):
        if q[2] and (q not in best or pi > best[q][0]):
            best[q] = (pi, yi)
    for t in GRID:
        shown = [yi for pi, yi in best.values() if pi >= t]
        if len(shown) >= MIN_PHRASES and sum(shown) / len(shown) >= target:
            return t
    return NEVER


def train(train_cases, cal_cases, articles: dict[str, dict], embedder, cache: EmbeddingCache | None = None,
          target_precision: float = 0.6, objective: str = "balanced") -> dict:
    """Fit both models and choose both cutoffs; returns the weights document."""
    from bot.answering.short_answer import SPAN_FEATURES

    cache = cache or EmbeddingCache(embedder, None)
    data = {}
    for name, cases in (("train", train_cases), ("calibration", cal_cases)):
        print(f"{name}: {len(cases)} questions", flush=True)
        data[name] = build_examples(cases, articles, embedder, cache)
        cache.save()
    fits = {c: fit(data["train"], c) for c in (0.01, 0.1, 1.0, 10.0)}
    losses = {c: log_loss(w, data["calibration"]) for c, w in fits.items()}
    best_c = min(losses, key=lambda c: (round(losses[c], 4), c))
    weights = fits[best_c]
    cal = question_outcomes(weights, data["calibration"])
    threshold = balanced_threshold(cal) if objective == "balanced" else choose_threshold(cal, target_precision)
    sx, sy, _ = span_examples(weights, data["train"])
    span_w = fit_rows(sx, sy, best_c)
    cx, cy, cq = span_examples(weights, data["calibration"], top=1)  # as answering uses it: the best sentence
    span_w["threshold"] = span_threshold(span_w, cx, cy, cq, SPAN_TARGET)
    span_w["target_precision"] = SPAN_TARGET
    span_w["features"] = list(SPAN_FEATURES)
    top = runner_up.top_two([probabilities(weights, e.x) if len(e.y) else np.zeros(0) for e in data["calibration"]],
                            [e.y for e in data["calibration"]],
                            [[(c.text, c.published) for c in e.cands] for e in data["calibration"]],
                            [dt.date.fromisoformat(e.case.date) for e in data["calibration"]])
    answerable = [e.case.answerable for e in data["calibration"]]
    second = runner_up.runner_up_summary(top, answerable, threshold, runner_up.fit_runner_up(top, threshold))
    return {"features": list(FEATURES), **weights, "threshold": threshold, "span": span_w, "runner_up": second,
            "objective": objective, "target_precision": target_precision if objective == "precision" else None,
            "k": K, "C": best_c,
            "calibration_log_loss": {str(c): round(v, 5) for c, v in losses.items()},
            "train": summary(question_outcomes(weights, data["train"]), threshold),
            "calibration": summary(cal, threshold)}


def load_splits(year: int, data: Path, every: int = 1, train_unanswerable: bool = False) -> tuple[dict, dict]:
    """The train and calibration questions of ``year`` (every ``every``-th week) and their articles."""
    all_cases = realtimeqa.load_cases(year, data)
    split = {s: realtimeqa.every_nth_week(realtimeqa.cases_in(all_cases, s), every) for s in ("train", "calibration")}
    # Unanswerable questions have no positive sentence: they teach the weights little and cost
    # as much to featurise; they matter for the threshold, so calibration keeps them all.
    split["train"] = [c for c in split["train"] if c.answerable or train_unanswerable]
    ids = {i for cs in split.values() for c in cs for i in c.retrieved}
    return split, realtimeqa.load_articles(year, ids, data)


def train_embedder():
    """The encoder training embeds with (:data:`TRAIN_BACKEND`, role "query") and its cache tag."""
    from bot.core.settings import load_settings
    from index.embedders import build_embedder

    embedder = build_embedder(load_settings({}, embedder_backend=TRAIN_BACKEND), role="query")
    return embedder, f"{embedder.name}/{TRAIN_BACKEND}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fit the evidence scorer (see module docstring).")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--data", type=Path, default=realtimeqa.DEFAULT_DIR)
    ap.add_argument("--cache", type=Path, default=None, help="an .npz of sentence embeddings reused across runs")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--objective", choices=("balanced", "precision"), default="balanced",
                    help="refusal threshold: best balanced accuracy (default) or the lowest reaching --target-precision")
    ap.add_argument("--target-precision", type=float, default=0.6, help="precision of answered questions (--objective precision)")
    ap.add_argument("--train-unanswerable", action="store_true", help="also fit on unanswerable questions")
    ap.add_argument("--every", type=int, default=1, help="use every Nth week of each split (faster, less data)")
    ap.add_argument("--model-answers", type=Path, default=None,
                    help="recorded model answers (default: DATA/predictions-2023.json) to fit the model that "
                         "confirms a real model's answer on (evals/model_bar.py); 'none': no confirmation model")
    ap.add_argument("--confirm-only", action="store_true",
                    help="keep the sentence and short-answer models of --out; refit only the confirmation model")
    args = ap.parse_args(argv)

    # The vectors the pipeline's question path computes (role "query": ONNX fp32), which give a
    # sentence the same vector in any batch, so a cache filled over many runs equals a cold one.
    embedder, tag = train_embedder()
    cache = EmbeddingCache(embedder, args.cache, tag=tag)
    answers = args.model_answers or args.data / "predictions-2023.json"
    if args.confirm_only:
        result = json.loads(args.out.read_text(encoding="utf-8"))
        _fit_confirm(result, answers, args, cache)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    split, articles = load_splits(args.year, args.data, args.every, args.train_unanswerable)
    result = train(split["train"], split["calibration"], articles, embedder, cache, args.target_precision, args.objective)
    result["every"] = args.every
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else None
    result["runner_up"] = runner_up_curve.keep_pipeline_fit(previous, result)
    if result["runner_up"].get("fitted_on") != "pipeline":
        print("runner-up cutoff: the mirror's; `make runner-up` fits it on the pipeline's answers", flush=True)
    _fit_confirm(result, answers, args, cache)
    result["trained_on"] = (f"RealTime QA {args.year} train weeks {split['train'][0].week}..{split['train'][-1].week}"
                            f" (answerable questions), calibration weeks {split['calibration'][0].week}.."
                            f"{split['calibration'][-1].week}")
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("threshold", "C", "train", "calibration")}, indent=1))
    print(f"wrote {args.out}")
    return 0


def _fit_confirm(result: dict, answers: Path, args, cache: EmbeddingCache) -> None:
    """The confirmation model of a real model's answers (``evals/model_bar.py``), into ``result``."""
    for stale in ("confirm", "phrase_threshold", "phrase_threshold_proxy", "model_bar"):  # older files' bar
        result.pop(stale, None)
    if str(answers) == "none" or not answers.exists():
        return
    from evals import model_bar

    print("confirmation model: recorded model answers", flush=True)
    result["confirm"] = model_bar.fit(result, answers, args.data, cache, every=args.every)
    print(json.dumps({k: result["confirm"][k] for k in ("threshold", "train", "calibration")}, indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
