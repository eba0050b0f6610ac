"""The runner-up cutoff fitted on the pipeline's own answers (evals/runner_up_curve.py), and the
evidence probability each shown sentence carries for it."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from bot.answerers.extractive import ExtractiveAnswerer
from bot.answering import flow as qa
from bot.answering.evidence import EvidenceScorer, load_weights
from bot.answering.pipeline import build_pipeline
from bot.core.settings import load_settings
from evals import runner_up, runner_up_curve
from evals.metrics import CaseResult, SentenceRecord
from evals.runner import Case, to_result
from evals.train_scorer import DEFAULT_OUT
from tests.fakes import InMemoryStore, ScriptedAnswerer
from tests.test_qa import one_article

HARBOUR = """Ferry crossings to Tarn Island were suspended on Tuesday after a storm damaged the pier.
The harbour master said the pier would reopen on Friday once divers had inspected its pilings.
Repairs to the pier are expected to cost 40,000 pounds, the council said.
Local shops on the island reported fewer visitors during the closure."""

QUESTION = "When will the pier at Tarn Island reopen?"


def _record(text: str, p: float | None, published: str | None = "2024-03-01") -> SentenceRecord:
    return SentenceRecord(text, ("quote",), published, p)


def _answered(i: int, first: tuple[str, float], second: tuple[str, float] | None = None, gold: str = "Friday",
              as_of: str = "2024-03-02") -> CaseResult:
    sentences = (_record(*first),) + ((_record(*second),) if second else ())
    answer = " ".join(f"{s.text} [1]" for s in sentences)
    return CaseResult(f"q{i}", (), True, ((gold,),), (), answer, False, (), sentences, as_of=as_of)


def test_a_shown_sentence_carries_its_evidence_probability_into_json_and_the_eval_record(minilm):
    settings = load_settings({}, top_k=4, as_of="2024-03-02")
    retriever = one_article(minilm, settings, "harbour", HARBOUR)
    scorer = EvidenceScorer(load_weights(), minilm.embed, threshold=0.0, runner_up=0.0)  # both sentences shown
    answer = qa.answer(QUESTION, retriever=retriever, answerer=ExtractiveAnswerer(), settings=settings, scorer=scorer)
    evidence = scorer.assess(QUESTION, retriever.search(QUESTION, 4), None)
    by_text = {s.candidate.text: s.probability for s in evidence.scored}
    assert len(answer.sentences) == 2
    assert [s.evidence for s in answer.sentences] == [by_text[s.text] for s in answer.sentences]
    assert answer.sentences[0].evidence >= answer.sentences[1].evidence
    assert [s["evidence"] for s in answer.to_json()["sentences"]] == [round(by_text[s.text], 4) for s in answer.sentences]
    record = to_result(Case("c1", QUESTION, (("Friday",),), ("harbour",), True), answer, {})
    assert [s.evidence for s in record.sentences] == [s.evidence for s in answer.sentences]
    assert record.as_of == "2024-03-02" and all(s.published == answer.citations[0].published for s in record.sentences)
    rows = runner_up_curve.pipeline_rows([record])
    shown = [(s.text, s.published) for s in record.sentences]
    assert sum(t[2] for t in rows[0]) == runner_up.reader_words(shown, None)


def test_a_model_s_own_wording_has_no_evidence_probability(minilm):
    settings = load_settings({}, top_k=4)
    retriever = one_article(minilm, settings, "harbour", HARBOUR)
    scorer = EvidenceScorer(load_weights(), minilm.embed, threshold=0.0)
    drafted = ScriptedAnswerer(lambda q, passages: "The pier reopens on Friday once divers have checked it [1].")
    answer = qa.answer(QUESTION, retriever=retriever, answerer=drafted, settings=settings, scorer=scorer)
    assert [(s.text, s.evidence) for s in answer.sentences] == [(
        "The pier reopens on Friday once divers have checked it.", None)]


def test_the_setting_opens_the_runner_up_and_never_lowers_it_under_the_threshold(minilm):
    store = InMemoryStore()
    open_ = build_pipeline(load_settings({}, runner_up_cutoff=0.0), embedder=minilm, store=store).scorer
    assert open_.runner_up == open_.threshold
    high = build_pipeline(load_settings({}, runner_up_cutoff=0.9), embedder=minilm, store=store).scorer
    assert high.runner_up == 0.9
    default = build_pipeline(load_settings({}), embedder=minilm, store=store).scorer
    assert default.runner_up == load_weights().runner_up


def test_the_fit_takes_the_lowest_cutoff_whose_median_answer_is_within_budget():
    long = "word " * 24 + "Friday."  # 25 words + marker = 26
    results = [_answered(i, (long, 0.6), (long.replace("Friday", "Monday"), 0.30 + 0.01 * i)) for i in range(5)]
    results += [_answered(10 + i, (long, 0.6)) for i in range(2)]
    fit = runner_up_curve.fit(results, threshold=0.2)
    # seven answers, five with a runner-up at 0.30 .. 0.34: the median (the 4th) is one sentence once two drop
    assert fit["threshold"] == 0.32 and fit["median_words"] == 26 and fit["two_sentences"] == 3
    assert fit["fitted_on"] == "pipeline" and fit["accuracy_answerable_after_refusal"] == 1.0


def test_a_runner_up_without_its_probability_is_an_error_naming_the_case():
    with pytest.raises(ValueError, match="q3.*evidence probability"):
        runner_up_curve.pipeline_rows([_answered(3, ("Friday it is.", 0.5), ("Monday was windy.", None))])  # type: ignore[arg-type]


def test_a_first_sentence_matching_no_candidate_is_still_shown_at_its_answer_s_evidence():
    record = _answered(5, ("It reopens Friday.", None), ("Divers check it first.", 0.3))  # type: ignore[arg-type]
    (first, second), = runner_up_curve.pipeline_rows([CaseResult(**{**record.__dict__, "evidence": 0.45})])
    assert first[0] == 0.45 and second[0] == 0.3


def test_a_note_goes_and_counts_with_the_sentence_it_is_about():
    note = SentenceRecord("The articles differ: [1] says “Friday” while [2] says “Monday”.", ("q",), None, None, True)
    record = _answered(4, ("It reopens Friday.", 0.5), ("Divers check it first.", 0.3))
    with_note = CaseResult(**{**record.__dict__, "sentences": (record.sentences[0], note, record.sentences[1])})
    (first, second), = runner_up_curve.pipeline_rows([with_note])
    assert first == (0.5, True, 3 + 1 + 10) and second == (0.3, True, 4 + 1)  # the note's markers are its own


def _report(tmp_path, cutoff, results):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"runner_up_cutoff": cutoff, "results": {"extractive": [asdict(r) for r in results]}}),
                    encoding="utf-8")
    return path


def test_main_writes_the_fit_with_the_sentence_model_it_was_measured_with(tmp_path, capsys):
    weights = tmp_path / "weights.json"
    weights.write_text(DEFAULT_OUT.read_text(encoding="utf-8"), encoding="utf-8")
    before = json.loads(weights.read_text(encoding="utf-8"))
    long = "word " * 24 + "Friday."
    results = [_answered(i, (long, 0.6), ("Monday was windy.", 0.3 + 0.01 * i)) for i in range(5)]
    assert runner_up_curve.main([str(_report(tmp_path, 0, results)), "--weights", str(weights), "--write"]) == 0
    assert "fitted on the pipeline's answers" in capsys.readouterr().out
    after = json.loads(weights.read_text(encoding="utf-8"))
    entry = after["runner_up"]
    mirror = before["runner_up"].get("mirror_threshold", before["runner_up"]["threshold"])  # kept over a second --write
    assert entry["fitted_on"] == "pipeline" and entry["mirror_threshold"] == mirror
    assert entry["sentence_model"] == runner_up_curve.sentence_model_digest(before)
    assert {k: v for k, v in after.items() if k != "runner_up"} == {k: v for k, v in before.items() if k != "runner_up"}
    # a refit with the same sentence model keeps it; another sentence model gets the mirror's
    refit = {**before, "runner_up": {"threshold": 0.5}}
    assert runner_up_curve.keep_pipeline_fit(after, refit)["threshold"] == entry["threshold"]
    assert runner_up_curve.keep_pipeline_fit(after, {**refit, "coef": [0.0] * len(before["coef"])}) == {"threshold": 0.5}


def test_a_report_run_with_the_runner_up_closed_is_one_line_naming_the_setting(tmp_path):
    report = _report(tmp_path, None, [_answered(1, ("Friday it is.", 0.5))])
    with pytest.raises(SystemExit) as err:
        runner_up_curve.main([str(report)])
    assert "NEWSBOT_RUNNER_UP_CUTOFF=0" in str(err.value) and "\n" not in str(err.value)
