"""The refusal threshold measured on the pipeline's own evidence (``make refusal-curve``).

``make train`` chooses the threshold on a mirror of retrieval: each calibration question's
candidates are the sentences of the best BM25 passages of *its own* retrieved articles. The bot
searches a whole index instead (hybrid, every article of every week), where an unanswerable
question can find likelier-looking sentences than its own articles hold. This measures what each
threshold does where it is used: from the report of ``newsbot eval`` over the calibration weeks
(all their articles indexed) with the gate open (``NEWSBOT_REFUSAL_THRESHOLD=0``; each result
records its ``evidence``), per threshold t:

- a question the bot answered is *answered* at t when its evidence reaches t, and *right* when
  its answer contains the gold (the eval's rule, :func:`evals.metrics.case_correct`);
- one refused for another reason (nothing retrieved, no article from the time asked about,
  nothing verifiable) stays refused at any t;

and prints accuracy, refusal, precision and the balanced accuracy ``make train`` maximises, with
the threshold that objective would choose here. Above the runner-up cutoff a higher threshold
also drops second sentences, which the report cannot show (an eval run at it can).

    NEWSBOT_REFUSAL_THRESHOLD=0 newsbot eval --cases C --corpus A --index-store S --llm extractive --report R
    python -m evals.refusal_curve R/report.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from evals.metrics import CaseResult, SentenceRecord, case_correct

Outcome = tuple[float, bool, bool, bool]  # (evidence, answered right, answerable, -) as train_scorer's
GRID = tuple(float(t) for t in np.round(np.arange(0.02, 0.96, 0.02), 2))


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


def load_results(report: Path, answerer: str = "extractive", opened: str = "refusal_threshold") -> list[CaseResult]:
    """The case results of one answerer of a ``newsbot eval`` report.json run with the setting
    ``opened`` at 0 (the refusal gate open; or the runner-up cutoff, ``evals/runner_up_curve.py``)."""
    raw = json.loads(report.read_text(encoding="utf-8"))
    if raw.get(opened) not in (0, 0.0):
        raise ValueError(f"run with NEWSBOT_{opened.upper()}=0 (it was {raw.get(opened)})")
    if answerer not in raw.get("results", {}):
        raise ValueError(f"no results of the {answerer!r} answerer")
    fields, sentence = CaseResult.__dataclass_fields__, SentenceRecord.__dataclass_fields__
    return [CaseResult(**{k: _tuples(v) for k, v in r.items() if k in fields and k != "sentences"},
                       sentences=tuple(SentenceRecord(**{k: _tuples(v) for k, v in s.items() if k in sentence})
                                       for s in r.get("sentences", ())))
            for r in raw["results"][answerer]]


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def curve(results: Sequence[CaseResult], grid: Sequence[float] = GRID) -> dict:
    """Per threshold what it gives these results, and the balanced objective's choice."""
    from evals.train_scorer import balanced_threshold, summary, summary_score

    cal = outcomes(results)
    rows = [{"threshold": t, **_plain(summary(cal, t)), "balanced": summary_score(cal, t),
             "answered": sum(1 for p, *_ in cal if p >= t)} for t in grid]
    return {"cases": len(cal), "balanced_choice": balanced_threshold(cal), "rows": rows}


def _plain(s: dict) -> dict:
    return {k: s[k] for k in ("accuracy_answerable_after_refusal", "refusal_unanswerable", "precision_answered")}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", type=Path, help="report.json of `newsbot eval` over the calibration weeks, gate open")
    ap.add_argument("--answerer", default="extractive")
    ap.add_argument("--json", action="store_true", help="print the curve as JSON")
    args = ap.parse_args(argv)
    try:
        result = curve(load_results(args.report, args.answerer))
    except (OSError, ValueError, TypeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0]
        raise SystemExit(f"refusal_curve: {args.report}: {detail}") from None
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"{result['cases']} cases · threshold: accuracy (answerable) / refusal (unanswerable) / "
          "precision (answered) / balanced / answered")
    for r in result["rows"]:
        print(f"{r['threshold']:.2f}  {r['accuracy_answerable_after_refusal']:.3f}  {r['refusal_unanswerable']:.3f}"
              f"  {r['precision_answered']:.3f}  {r['balanced']:.3f}  {r['answered']}")
    print(f"balanced objective's choice on this evidence: {result['balanced_choice']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
