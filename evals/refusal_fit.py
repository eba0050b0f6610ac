"""Choose the refusal threshold on the pipeline's own evidence (``make calibrate``).

``make train`` chooses a threshold on a mirror of retrieval: each calibration question's
candidates are the sentences of the best BM25 passages of *its own* retrieved articles. The bot
searches a whole index instead (hybrid, every article of every week), where an unanswerable
question finds likelier-looking sentences than its own articles hold, so the mirror's threshold
refuses less in use than it did when chosen. This step re-chooses it where it is used: from the
report of ``newsbot eval`` over the calibration weeks (all their articles indexed) with the gate
open (``NEWSBOT_REFUSAL_THRESHOLD=0``), by the objective ``make train`` uses (the balanced
accuracy of :func:`evals.train_scorer.balanced_threshold`), and writes it into the weights file
as ``"pipeline"``; the scorer then refuses below it. Outcomes read from the report:

- a question the bot answered is *answered* at a threshold t when its evidence reaches t, and
  *right* when its answer contains the gold (the eval's rule, :func:`evals.metrics.case_correct`);
- one refused for another reason (nothing retrieved, no retrieved article from the time asked
  about, nothing verifiable) stays refused at any t.

Above the runner-up cutoff (``"runner_up"``), raising the threshold also drops second sentences,
which the report cannot show: a chosen threshold above it is re-measured by an eval run at it.

    NEWSBOT_REFUSAL_THRESHOLD=0 newsbot eval --cases C --corpus A --index-store S --llm extractive --report R
    python -m evals.refusal_fit R/report.json [--weights bot/answering/scorer_weights.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

from bot.answering.evidence import WEIGHTS_FILE
from evals.metrics import CaseResult, case_correct

Outcome = tuple[float, bool, bool, bool]  # (evidence, answered right, answerable, -) as train_scorer's


def outcomes(results: Sequence[CaseResult]) -> list[Outcome]:
    """One outcome per case, as :func:`evals.train_scorer.summary` reads them.

    >>> r = CaseResult("q1", (), True, (("Ada",),), (), "Ada Lind won [1].", False, (), evidence=0.4)
    >>> outcomes([r, CaseResult("q2", (), False, (), (), "No.", True, (), evidence=0.9)])
    [(0.4, True, True, False), (0.0, False, False, False)]
    """
    out = []
    for r in results:
        if r.error is not None:
            raise ValueError(f"case {r.case_id}: the run failed on it ({r.error}); re-run the eval")
        if r.evidence is None:
            raise ValueError(f"case {r.case_id}: no evidence probability in the report (an older report?)")
        p = 0.0 if r.refused else float(r.evidence)
        out.append((p, bool(not r.refused and case_correct(r)), r.answerable, False))
    return out


def load_results(report: Path, answerer: str = "extractive") -> list[CaseResult]:
    """The case results of one answerer of a ``newsbot eval`` report.json."""
    raw = json.loads(report.read_text(encoding="utf-8"))
    if raw.get("refusal_threshold") not in (0, 0.0):
        raise ValueError(f"{report}: run with NEWSBOT_REFUSAL_THRESHOLD=0 (it was {raw.get('refusal_threshold')})")
    if answerer not in raw.get("results", {}):
        raise ValueError(f"{report}: no results of the {answerer!r} answerer")
    fields = CaseResult.__dataclass_fields__
    return [CaseResult(**{k: _tuples(v) for k, v in r.items() if k in fields}) for r in raw["results"][answerer]]


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def fit(results: Sequence[CaseResult], runner_up: float | None) -> dict:
    """The balanced threshold of these results and what it gives them."""
    from evals.train_scorer import balanced_threshold, summary

    cal = outcomes(results)
    t = balanced_threshold(cal)
    s = summary(cal, t)
    for k in ("candidates_hold_gold", "top1_accuracy_answerable"):  # mirror-only figures
        s.pop(k)
    return {"threshold": t, "objective": "balanced", "calibration": s,
            "gate_open": summary(cal, 0.0)["accuracy_answerable_after_refusal"],
            "above_runner_up": runner_up is not None and t > runner_up}


def keep_choice(result: dict, out: Path) -> None:
    """Keep the refusal threshold chosen on the pipeline's evidence when
    this fit reproduced the weights it was chosen for; else it is dropped and must be re-chosen."""
    try:
        previous = json.loads(out.read_text(encoding="utf-8")).get("pipeline")
    except (OSError, ValueError):
        return
    if previous and previous.get("weights_coef") == result["coef"]:
        result["pipeline"] = previous
    elif previous:
        print("the refusal threshold chosen on the pipeline's evidence was for other weights: dropped; "
              "run `make calibrate` to choose it again", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", type=Path, help="report.json of `newsbot eval` over the calibration weeks, gate open")
    ap.add_argument("--weights", type=Path, default=WEIGHTS_FILE, help="the weights file to write 'pipeline' into")
    ap.add_argument("--answerer", default="extractive")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = ap.parse_args(argv)
    try:
        results = load_results(args.report, args.answerer)
        weights = json.loads(args.weights.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise SystemExit(f"refusal_fit: {exc}") from None
    runner = weights.get("runner_up", {}).get("threshold")
    result = fit(results, runner)
    result["cases"] = len(results)
    result["weights_coef"] = weights["coef"]  # the fit it was chosen for: another fit ignores it
    print(json.dumps(result, indent=1))
    if result["above_runner_up"]:
        print(f"note: above the runner-up cutoff {runner}: re-measure with an eval run at {result['threshold']}")
    if not args.dry_run:
        weights["pipeline"] = result
        args.weights.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.weights}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
