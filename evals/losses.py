"""Why a replayed model's right answers were not shown: each lost one given one code.

``newsbot eval --replay`` reports kept-correct, the share of a model's right answers that newsbot
shows. This reads the report's per-case notes, refusal code and dropped reasons to say where the
others went, one code per answer, in the order verification meets them:

* ``out_of_window`` — "this week" asked, and no retrieved article is from then (refused before drafting);
* ``low_evidence`` — refused before drafting: no candidate reached the refusal threshold and no
  confirmation model could judge the answer;
* ``not_stated`` — no passage sentence states the answer, even after searching again for it;
* ``under_cutoff`` — a sentence states it, but the confirmation model's probability is under its cutoff;
* ``dropped:<code>`` — confirmed, but verification dropped the stating sentence for the question's
  constraints (``year_mismatch``, ``name_missing``, …) or as ``off-topic``;
* ``other`` — anything else (read the case).

Example::

    >>> row = {"answerable": True, "expected": [["Ada Lind"]], "model_answer": "Ada Lind", "answer": "x",
    ...        "refused": True, "refusal_reason": "unverified", "error": None, "dropped": [],
    ...        "notes": ["the model's answer 'Ada Lind' is stated by passage [2], but it is right with probability 0.11 < 0.17"]}
    >>> loss_code(row)
    'under_cutoff'
    >>> lost_right_answers([row])
    {'under_cutoff': 1}

    python -m evals.losses REPORT_DIR/report.json [--answerer openai]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

from bot.answering.compose import NOT_STATED, REPLACED, STATED_BY, UNDER_CUTOFF
from evals.metrics import rgb_correct


def loss_code(row: Mapping) -> str:
    """Where a right model answer that newsbot did not show was lost (see the module docstring)."""
    notes = " ".join(row.get("notes") or ())
    if row.get("refusal_reason") == "out_of_window":
        return "out_of_window"
    if row.get("refusal_reason") in ("low_evidence", "nothing_retrieved", "no_sentences"):
        return "low_evidence"
    if NOT_STATED in notes:
        return "not_stated"
    if UNDER_CUTOFF in notes:
        return "under_cutoff"
    if STATED_BY in notes or REPLACED in notes:
        reasons = [r.split(":")[0] for r in row.get("dropped") or ()]
        return f"dropped:{reasons[0]}" if reasons else "other"
    return "other"


def lost_right_answers(rows: Sequence[Mapping]) -> dict[str, int]:
    """Counts by :func:`loss_code` of the model's right answers that the shown answer does not hold."""
    lost = [r for r in rows if r.get("answerable") and r.get("model_answer") is not None and not r.get("error")
            and rgb_correct(r["model_answer"], r["expected"]) and (r.get("refused") or not rgb_correct(r["answer"], r["expected"]))]
    return dict(Counter(loss_code(r) for r in lost).most_common())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report", type=Path, help="report.json of a `newsbot eval --replay` run")
    ap.add_argument("--answerer", default="openai")
    args = ap.parse_args(argv)
    rows = _rows(args.report, args.answerer)
    right = sum(1 for r in rows if r.get("answerable") and r.get("model_answer") is not None
                and rgb_correct(r["model_answer"], r["expected"]))
    counts = lost_right_answers(rows)
    print(f"{sum(counts.values())} of the model's {right} right answers not shown:")
    for code, n in counts.items():
        print(f"  {code:<24} {n}")
    return 0


def _rows(report: Path, answerer: str) -> list[dict]:
    """The report's results of ``answerer``; a bad file or an answerer it lacks is one line."""
    try:
        results = json.loads(report.read_text(encoding="utf-8"))["results"]
    except OSError as exc:
        raise SystemExit(f"losses: {report}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise SystemExit(f"losses: {report}: not a newsbot eval report (no 'results')") from None
    if not isinstance(results, dict) or answerer not in results:
        have = ", ".join(sorted(results)) if isinstance(results, dict) else "none"
        raise SystemExit(f"losses: {report}: no results of answerer {answerer!r} (it has: {have}); "
                         "run `newsbot eval --replay` for a model's, or pass --answerer")
    return results[answerer]


if __name__ == "__main__":
    raise SystemExit(main())
