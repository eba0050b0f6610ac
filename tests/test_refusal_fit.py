"""The refusal threshold chosen on the pipeline's own evidence (evals/refusal_fit.py)."""

import json

import pytest

from bot.answering.evidence import WEIGHTS_FILE, load_weights
from evals import refusal_fit
from evals.metrics import CaseResult


def _case(i: int, answerable: bool, evidence: float, right: bool = True, refused: bool = False) -> CaseResult:
    gold = (("Tarn Valley",),) if answerable else ()
    answer = "It went to Tarn Valley [1]." if right else "It went to Moor Edge [1]."
    return CaseResult(f"q{i}", (), answerable, gold, (), "No answer." if refused else answer, refused, (),
                      evidence=evidence)


def test_outcomes_count_a_refusal_for_another_reason_as_refused_at_any_threshold():
    out = refusal_fit.outcomes([_case(1, True, 0.8, refused=True), _case(2, True, 0.3, right=False),
                                _case(3, False, 0.5)])
    assert out == [(0.0, False, True, False), (0.3, False, True, False), (0.5, False, False, False)]


def test_the_balanced_threshold_lies_between_right_answers_and_unanswerable_evidence():
    # answerable questions answered right score 0.5-0.68; unanswerable ones 0.1-0.31
    results = [_case(i, True, 0.5 + 0.02 * i) for i in range(10)]
    results += [_case(100 + i, False, 0.1 + 0.03 * i) for i in range(8)]
    chosen = refusal_fit.fit(results, runner_up=0.27)
    assert 0.31 < chosen["threshold"] <= 0.5
    assert chosen["calibration"]["refusal_unanswerable"] == 1.0
    assert chosen["calibration"]["accuracy_answerable_after_refusal"] == 1.0
    assert chosen["above_runner_up"] is True
    assert chosen["gate_open"] == 1.0


def test_a_failed_case_or_an_older_report_is_an_error_naming_the_case():
    broken = CaseResult("q7", (), True, (("x",),), (), "", False, (), error="boom", evidence=0.2)
    with pytest.raises(ValueError, match="q7"):
        refusal_fit.outcomes([broken])
    with pytest.raises(ValueError, match="q8.*no evidence"):
        refusal_fit.outcomes([CaseResult("q8", (), True, (("x",),), (), "x", False, ())])


def _report(tmp_path, threshold, results):
    from dataclasses import asdict

    path = tmp_path / "report.json"
    path.write_text(json.dumps({"refusal_threshold": threshold,
                                "results": {"extractive": [asdict(r) for r in results]}}), encoding="utf-8")
    return path


def test_main_writes_the_choice_the_scorer_then_refuses_by(tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text(WEIGHTS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    results = [_case(i, True, 0.6 + 0.01 * i) for i in range(8)] + [_case(50 + i, False, 0.4 + 0.01 * i) for i in range(8)]
    report = _report(tmp_path, 0.0, results)
    assert refusal_fit.main([str(report), "--weights", str(weights)]) == 0
    chosen = json.loads(weights.read_text(encoding="utf-8"))["pipeline"]
    assert 0.47 < chosen["threshold"] <= 0.6
    assert load_weights(weights).threshold == chosen["threshold"]


def test_a_report_run_with_the_gate_closed_is_refused(tmp_path):
    report = _report(tmp_path, None, [_case(1, True, 0.6)])
    with pytest.raises(SystemExit, match="NEWSBOT_REFUSAL_THRESHOLD=0"):
        refusal_fit.main([str(report), "--dry-run"])


def test_a_refit_keeps_the_choice_only_for_the_weights_it_was_chosen_for(tmp_path, capsys):
    out = tmp_path / "w.json"
    out.write_text(json.dumps({"coef": [0.5, 1.0], "pipeline": {"threshold": 0.4, "weights_coef": [0.5, 1.0]}}))
    same = {"coef": [0.5, 1.0]}
    refusal_fit.keep_choice(same, out)
    assert same["pipeline"]["threshold"] == 0.4
    other = {"coef": [0.5, 1.1]}
    refusal_fit.keep_choice(other, out)
    assert "pipeline" not in other and "make calibrate" in capsys.readouterr().out
