"""The runner-up cutoff fitted on the pipeline's own answers (``make runner-up``).

``make train`` fits the runner-up cutoff (``evals/runner_up.py``) on a mirror of retrieval:
each calibration question's candidates come from *its own* articles. The bot searches a whole
index instead, where the runner-up passes a cutoff more often, so its answers ran a word or
two over the budget the mirror kept. This fits the same rule — the lowest cutoff whose median
answer, as the reader sees it, stays within :data:`~evals.runner_up.MAX_MEDIAN_WORDS` — on the
answers the pipeline gives: a ``newsbot eval`` of the calibration weeks (all their articles
indexed) with the runner-up open (``NEWSBOT_RUNNER_UP_CUTOFF=0``: every runner-up that
verification keeps above the refusal threshold is shown, each sentence recording its evidence
probability). A higher cutoff only takes second sentences away (the best candidate and the
refusals do not change, and a runner-up under the cutoff has no weaker replacement above it),
so the report holds every answer any cutoff would give.

``--write`` stores the fit in the weights file's ``runner_up`` with the digest of the sentence
model it was measured with; ``make train`` keeps it while that model is unchanged.

    NEWSBOT_RUNNER_UP_CUTOFF=0 newsbot eval --cases C --corpus A --index-store S --llm extractive --report R
    python -m evals.runner_up_curve R/report.json [--write bot/answering/scorer_weights.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Sequence

from evals import runner_up
from evals.metrics import CaseResult, SentenceRecord, case_correct, rgb_correct
from evals.refusal_curve import load_results


def pipeline_rows(results: Sequence[CaseResult]) -> list[tuple[runner_up.Top, ...]]:
    """Per case, its answer's sentences as :func:`evals.runner_up.fit_runner_up` reads them:
    (evidence probability, right, words it adds as the reader sees it); ``()`` for a refusal.
    The first sentence is right when it alone holds the gold, a later one when the answer
    with it does.

    >>> s = [SentenceRecord("Ada Lind won the race.", ("q",), "2024-03-01", 0.6),
    ...      SentenceRecord("The race ran in May.", ("q",), "2024-03-01", 0.3)]
    >>> r = CaseResult("q1", (), True, (("May",),), (), "Ada Lind won the race [1]. The race ran in May [1].",
    ...                False, (), s, as_of="2024-03-02")
    >>> pipeline_rows([r, CaseResult("q2", (), False, (), (), "No.", True, ())])
    [((0.6, False, 6), (0.3, True, 6)), ()]
    """
    rows = []
    for r in results:
        if r.error is not None:
            raise ValueError(f"case {r.case_id}: the run failed on it ({r.error}); re-run the eval")
        if r.refused or not r.sentences:
            rows.append(())
            continue
        units = _units(r)
        day = date.fromisoformat(r.as_of) if r.as_of else None
        lengths = [runner_up.reader_words([(u[0].text, u[0].published) for u in units[:n]], day)
                   + sum(len(note.text.split()) for u in units[:n] for note in u[1:])  # its markers are in it
                   for n in range(len(units) + 1)]
        first = " ".join(s.text for s in units[0])
        right = [r.answerable and rgb_correct(first, r.expected)] + [case_correct(r)] * (len(units) - 1)
        # the first sentence is shown at any cutoff: when its text matched no candidate, the answer's best evidence
        probability = [units[0][0].evidence if units[0][0].evidence is not None else float(r.evidence or 0.0)]
        probability += [float(u[0].evidence or 0.0) for u in units[1:]]
        rows.append(tuple((p, bool(ok), lengths[i + 1] - lengths[i]) for i, (p, ok) in enumerate(zip(probability, right))))
    return rows


def _units(r: CaseResult) -> list[list[SentenceRecord]]:
    """The answer's evidence sentences, each with the notes on it (shown, or not, with it)."""
    units: list[list[SentenceRecord]] = []
    for s in r.sentences:
        if s.note and units:
            units[-1].append(s)
        elif s.evidence is None and units:
            raise ValueError(f"case {r.case_id}: a sentence without its evidence probability "
                             "(an older report, or not the extractive answerer?)")
        else:
            units.append([s])
    return units


def sentence_model_digest(weights: dict) -> str:
    """What the pipeline's probabilities depend on: the sentence model's features and numbers.

    >>> sentence_model_digest({"features": ["bias"], "coef": [1.0], "mean": [0.0], "scale": [1.0]})[:12]
    '2d9249d4ef12'
    """
    part = {k: weights[k] for k in ("features", "coef", "mean", "scale")}
    return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()


def keep_pipeline_fit(previous: dict | None, new: dict) -> dict:
    """The runner-up entry a refit writes: the previous file's pipeline fit while it was measured
    with the same sentence model as the new one (the pipeline's answers are then the same), with
    the new mirror fit beside it; else the new mirror fit (``make runner-up`` measures again).

    >>> new = {"features": ["bias"], "coef": [1.0], "mean": [0.0], "scale": [1.0], "runner_up": {"threshold": 0.3}}
    >>> old = {"runner_up": {"threshold": 0.35, "fitted_on": "pipeline", "sentence_model": sentence_model_digest(new)}}
    >>> keep_pipeline_fit(old, new)["threshold"], keep_pipeline_fit(old, {**new, "coef": [2.0]})["threshold"]
    (0.35, 0.3)
    """
    old = (previous or {}).get("runner_up") or {}
    if old.get("fitted_on") == "pipeline" and old.get("sentence_model") == sentence_model_digest(new):
        return {**old, "mirror_threshold": new["runner_up"]["threshold"]}
    return new["runner_up"]


def fit(results: Sequence[CaseResult], threshold: float) -> dict:
    """The cutoff fitted on these answers, what it gives, and the curve around it."""
    rows = pipeline_rows(results)
    answerable = [r.answerable for r in results]
    cutoff = runner_up.fit_runner_up(rows, threshold)
    grid = sorted({threshold, cutoff, *(round(threshold + 0.01 * i, 2) for i in range(1, 21))})
    return {**runner_up.runner_up_summary(rows, answerable, threshold, cutoff), "fitted_on": "pipeline",
            "curve": [runner_up.runner_up_summary(rows, answerable, threshold, t) for t in grid if t <= 1.0]}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", type=Path, help="report.json of `newsbot eval` over the calibration weeks, runner-up open")
    ap.add_argument("--weights", type=Path, default=None, help="the weights the eval ran with (default: the committed ones)")
    ap.add_argument("--write", action="store_true", help="store the fit in the weights file's runner_up")
    args = ap.parse_args(argv)
    from evals.train_scorer import DEFAULT_OUT

    path = args.weights or DEFAULT_OUT
    try:
        weights = json.loads(path.read_text(encoding="utf-8"))
        threshold = float(weights["threshold"])
        result = fit(load_results(args.report, opened="runner_up_cutoff"), threshold)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0]
        raise SystemExit(f"runner_up_curve: {args.report} / {path}: {detail}") from None
    print("cutoff: accuracy (answerable) / median words / answers of two sentences / answered")
    for row in result["curve"]:
        print(f"{row['threshold']:.2f}  {row['accuracy_answerable_after_refusal']:.3f}  {row['median_words']}"
              f"  {row['two_sentences']}  {row['answered']}")
    before = weights.get("runner_up", {})
    mirror = before.get("mirror_threshold", before.get("threshold"))  # a file written here keeps the mirror's beside it
    print(f"fitted on the pipeline's answers: {result['threshold']:.2f} (the mirror's: {mirror})")
    if args.write:
        weights["runner_up"] = {**{k: v for k, v in result.items() if k != "curve"}, "mirror_threshold": mirror,
                                "sentence_model": sentence_model_digest(weights)}
        path.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
