"""Where a replayed model's right answers went (evals/losses.py): one code per lost answer."""

import pytest

from evals.losses import loss_code, lost_right_answers


def row(answer="x", refused=True, reason="unverified", notes=(), dropped=(), model="Ada Lind", gold="Ada Lind"):
    return {"answerable": True, "expected": [[gold]], "model_answer": model, "answer": answer, "refused": refused,
            "refusal_reason": reason, "error": None, "notes": list(notes), "dropped": list(dropped)}


@pytest.mark.parametrize("case, code", [
    (row(reason="out_of_window"), "out_of_window"),
    (row(reason="low_evidence", notes=["refused before drafting (low_evidence): …"]), "low_evidence"),
    (row(notes=["searched again for the model's answer 'Ada Lind': 8 more passage(s)",
                "no passage sentence states the model's answer 'Ada Lind'"]), "not_stated"),
    (row(notes=["the model's answer 'Ada Lind' is stated by passage [3], but it is right with probability 0.10 < 0.17"]),
     "under_cutoff"),
    (row(refused=False, reason="", notes=["the model's answer 'Ada Lind' is stated by passage [3] (right with probability 0.60)",
                                          "no sentence of the openai draft was supported by the passages; fell back"],
         dropped=["off-topic: shares no word with the question"]), "dropped:off-topic"),
    (row(notes=["the model's answer 'Ada Lind' is stated by passage [1] (right with probability 0.44)"],
         dropped=["year_mismatch: about another year than the question's 2023"]), "dropped:year_mismatch"),
    (row(reason="model_refused"), "other"),
])
def test_each_lost_answer_gets_the_code_of_where_it_was_lost(case, code):
    assert loss_code(case) == code


def test_only_right_answers_that_are_not_shown_are_counted():
    shown = row(answer="Ada Lind — Ada Lind won [1].", refused=False, reason="")
    wrong = row(model="Bo Ek", reason="out_of_window")
    unanswerable = {**row(reason="out_of_window"), "answerable": False}
    lost = row(reason="out_of_window")
    assert lost_right_answers([shown, wrong, unanswerable, lost, lost]) == {"out_of_window": 2}


def test_the_codes_read_what_answering_really_writes():
    from dataclasses import asdict

    from bot.answering.retrieve import Retriever
    from bot.core.passage import Chunk
    from bot.core.settings import load_settings
    from evals.runner import Case, to_result
    from tests import test_model_answers as tm
    from tests.fakes import FakeEmbedder, InMemoryStore

    embedder, store = FakeEmbedder(), InMemoryStore()
    chunks = [Chunk(f"{aid}#0000", aid, text, 0, len(text), title=title, published=day)
              for aid, (title, day, text) in tm.ARTICLES.items()]
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    retriever = Retriever(embedder, store, None, load_settings({}, top_k=3))
    case = Case("c1", tm.QUESTION, (("Coast Gulls",),), ("cup",), True)  # say it were right: no article states it
    answer = tm.ask(retriever, "Coast Gulls")
    row = asdict(to_result(case, answer, {}, asked="openai", model_answer="Coast Gulls"))
    assert loss_code(row) == "not_stated"


def test_a_report_without_the_answerer_or_not_a_report_is_one_line(tmp_path):
    import json

    from evals.losses import main

    report = tmp_path / "report.json"
    report.write_text(json.dumps({"results": {"extractive": []}}), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"report.json: no results of answerer 'openai' \(it has: extractive\)"):
        main([str(report)])
    assert main([str(report), "--answerer", "extractive"]) == 0
    report.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SystemExit, match="report.json: not a newsbot eval report"):
        main([str(report)])
    with pytest.raises(SystemExit, match="missing.json: No such file"):
        main([str(tmp_path / "missing.json")])
