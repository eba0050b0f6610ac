"""The refusal threshold measured on the pipeline's own evidence (evals/refusal_curve.py)."""

import json
from dataclasses import asdict

import pytest

from evals import refusal_curve
from evals.metrics import CaseResult


def _case(i: int, answerable: bool, evidence: float, right: bool = True, refused: bool = False) -> CaseResult:
    gold = (("Tarn Valley",),) if answerable else ()
    answer = "It went to Tarn Valley [1]." if right else "It went to Moor Edge [1]."
    return CaseResult(f"q{i}", (), answerable, gold, (), "No answer." if refused else answer, refused, (),
                      evidence=evidence)


def test_outcomes_count_a_refusal_for_another_reason_as_refused_at_any_threshold():
    out = refusal_curve.outcomes([_case(1, True, 0.8, refused=True), _case(2, True, 0.3, right=False),
                                  _case(3, False, 0.5)])
    assert out == [(0.0, False, True, False), (0.3, False, True, False), (0.5, False, False, False)]


def test_the_balanced_choice_lies_between_right_answers_and_unanswerable_evidence():
    # answerable questions answered right score 0.5-0.68; unanswerable ones 0.1-0.31
    results = [_case(i, True, 0.5 + 0.02 * i) for i in range(10)]
    results += [_case(100 + i, False, 0.1 + 0.03 * i) for i in range(8)]
    result = refusal_curve.curve(results)
    assert 0.31 < result["balanced_choice"] <= 0.5
    at = {r["threshold"]: r for r in result["rows"]}
    assert at[0.4]["refusal_unanswerable"] == 1.0 and at[0.4]["accuracy_answerable_after_refusal"] == 1.0
    assert at[0.2]["refusal_unanswerable"] == 0.5 and at[0.2]["answered"] == 14  # 0.22 .. 0.31 answered
    assert at[0.6]["accuracy_answerable_after_refusal"] == 0.5  # five right answers under 0.6 refused


def test_a_failed_case_or_an_older_report_is_an_error_naming_the_case():
    broken = CaseResult("q7", (), True, (("x",),), (), "", False, (), error="boom", evidence=0.2)
    with pytest.raises(ValueError, match="q7"):
        refusal_curve.outcomes([broken])
    with pytest.raises(ValueError, match="q8.*no evidence"):
        refusal_curve.outcomes([CaseResult("q8", (), True, (("x",),), (), "x", False, ())])


def _report(tmp_path, threshold, results):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"refusal_threshold": threshold,
                                "results": {"extractive": [asdict(r) for r in results]}}), encoding="utf-8")
    return path


def test_main_reads_a_report_run_with_the_gate_open(tmp_path, capsys):
    results = [_case(i, True, 0.6 + 0.01 * i) for i in range(8)] + [_case(50 + i, False, 0.4 + 0.01 * i) for i in range(8)]
    assert refusal_curve.main([str(_report(tmp_path, 0.0, results)), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cases"] == 16 and 0.47 < printed["balanced_choice"] <= 0.6


def test_a_report_run_with_the_gate_closed_is_refused(tmp_path):
    report = _report(tmp_path, None, [_case(1, True, 0.6)])
    with pytest.raises(SystemExit, match="NEWSBOT_REFUSAL_THRESHOLD=0"):
        refusal_curve.main([str(report)])


@pytest.mark.parametrize("content, says", [(None, "No such file"), ("{not json", "Expecting"),
                                           ('{"refusal_threshold": 0, "results": {"extractive": [{"case_id": "x"}]}}',
                                            "missing")])
def test_a_bad_report_is_one_line_naming_it(tmp_path, content, says):
    report = tmp_path / "report.json"
    if content is not None:
        report.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as err:
        refusal_curve.main([str(report)])
    message = str(err.value)
    assert message.startswith(f"refusal_curve: {report}: ") and says in message and "\n" not in message
