"""`newsbot eval` end to end on a tiny corpus (real index, real MiniLM, extractive answerer),
the baseline gate (passes, then fails on an injected regression), case-file errors, and the
CI gate: the seed cases with the embedded default against the committed evals/baseline.json."""

from __future__ import annotations

import json

import pytest

from evals.runner import load_cases
from tests.conftest import REPO, run_newsbot, subprocess_env

ARTICLES = {
    "bridge.txt": "Harbour bridge reopens\n\nThe Harbour Bridge in Sydney reopened on Monday after repairs costing "
                  "12 million dollars. Engineer Maria Lopez led the repair team.\n",
    "orchard.txt": "Record apple harvest in Kent\n\nApple growers in Kent reported a record harvest of 40,000 tonnes "
                   "this year. Farmer John Reed said the mild weather helped the orchards.\n",
}
CASES = [
    {"id": "lopez", "question": "Who led the repair team of the Harbour Bridge?", "answers": [["Lopez"]],
     "sources": ["bridge"], "answerable": True, "tags": ["people"]},
    {"id": "tonnes", "question": "How many tonnes of apples did growers in Kent harvest?", "answers": [["40,000"]],
     "sources": ["orchard"], "answerable": True, "tags": ["numbers"]},
    {"id": "france", "question": "What is the capital of France?", "answers": [], "sources": [],
     "answerable": False, "tags": ["unrelated"]},
    {"id": "chess", "question": "Who won the chess championship in Oslo?", "answers": [], "sources": [],
     "answerable": False, "tags": ["unanswerable"]},
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_eval")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    cases = root / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in CASES), encoding="utf-8")
    return root, corpus, cases


@pytest.mark.slow
def test_eval_end_to_end_and_baseline_gate(tiny):
    root, corpus, cases = tiny
    common = ["eval", "-q", "--corpus", str(corpus), "--cases", str(cases), "--llm", "extractive"]
    done = run_newsbot(*common, "--report", str(root / "r1"), "--write-baseline", str(root / "baseline.json"))
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "r1" / "report.json").read_text())
    m = report["metrics"]["extractive"]
    # By hand: both answerable cases answered with the right fact, both others refused.
    assert m["cases"] == 4 and m["accuracy"] == 1.0 and m["answer_accuracy"] == 1.0
    assert m["refusal_precision"] == 1.0 and m["refusal_recall"] == 1.0
    assert m["recall@8"] == 1.0 and m["mrr"] == 1.0
    assert m["quote_fidelity"] == 1.0 and m["citation_recall"] == 1.0
    assert report["per_tag"]["extractive"]["numbers"]["cases"] == 1
    assert report["failures"]["extractive"] == []
    # each case records its evidence probability: what evals/refusal_fit.py chooses the threshold on
    scored = {r["case_id"]: r["evidence"] for r in report["results"]["extractive"]}
    assert len(scored) == 4 and all(isinstance(p, float) and 0.0 <= p <= 1.0 for p in scored.values())
    md = (root / "r1" / "report.md").read_text()
    assert "<svg" in md and "| accuracy |" in md

    same = run_newsbot(*common, "--report", str(root / "r2"), "--baseline", str(root / "baseline.json"))
    assert same.returncode == 0, same.stderr

    # An injected regression: a refusal threshold so high that every question is refused
    # (the gate refuses below half the threshold whatever the words).
    worse = run_newsbot(*common, "--report", str(root / "r3"), "--baseline", str(root / "baseline.json"),
                        env=subprocess_env(NEWSBOT_REFUSAL_THRESHOLD="1.9"))
    assert worse.returncode == 3
    assert "regression" in worse.stderr and "answer_accuracy" in worse.stderr
    failing = json.loads((root / "r3" / "report.json").read_text())["failures"]["extractive"]
    assert {f["id"] for f in failing} == {"lopez", "tonnes"}
    assert "Lopez" in worse.stdout or "lopez" in worse.stdout  # failing cases are listed


def test_bad_case_line_names_file_and_line(tmp_path):
    bad = tmp_path / "cases.jsonl"
    bad.write_text(json.dumps(CASES[0]) + "\n" + '{"id": "x", "question": "q"}\n', encoding="utf-8")
    from bot.core.errors import InputError

    with pytest.raises(InputError, match=r"cases.jsonl:2: bad eval case \(missing field 'answerable'\)"):
        load_cases(bad)


def test_committed_cases_cover_the_required_kinds():
    cases = load_cases(REPO / "evals" / "cases")
    reporting = load_cases(REPO / "evals" / "cases" / "seeds.jsonl")
    calibration = load_cases(REPO / "evals" / "cases" / "calibration.jsonl")
    assert len(cases) >= 40
    assert not {c.question for c in reporting} & {c.question for c in calibration}  # kept apart
    tags = {t for c in cases for t in c.tags}
    assert {"one-article", "both-articles", "numbers", "people", "unanswerable", "unrelated", "follow-up",
            "conflict"} <= tags
    assert all(c.history for c in cases if "follow-up" in c.tags)
    seeds = {p.stem: p.read_text(encoding="utf-8").lower() for p in (REPO / "seeds").glob("*.txt")}
    for c in cases:
        assert set(c.sources) <= set(seeds), c.id
        if c.answerable and "conflict" not in c.tags:
            # every expected part is said by one of its source articles
            text = " ".join(seeds[s] for s in c.sources)
            assert all(any(alt.lower() in text for alt in part) for part in c.answers), c.id


@pytest.mark.slow
def test_seed_cases_hold_the_committed_baseline(tmp_path):
    done = run_newsbot("eval", "-q", "--baseline", str(REPO / "evals" / "baseline.json"), "--report", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.slow
def test_eval_says_which_store_it_indexes_into_and_keeps_it(tiny):
    root, corpus, cases = tiny
    store = root / "kept-store"
    done = run_newsbot("eval", "--corpus", str(corpus), "--cases", str(cases), "--llm", "extractive",
                       "--index-store", str(store), "--report", str(root / "r-kept"))
    assert done.returncode == 0, done.stderr
    assert f"into {store}" in done.stderr and "temporary" not in done.stderr
    assert (store / "manifest.sqlite3").exists()


def test_calibrate_searches_each_case_as_of_its_date():
    """The threshold sweep sees what `ask` would: passages from before each case's date, scored
    on that date (a case dated in the past must not be calibrated on later articles)."""
    import datetime as dt
    from types import SimpleNamespace

    from evals.runner import Case, calibrate

    searched, assessed = [], []

    class Retriever:
        def search(self, question, k, published_by=None):
            searched.append((question, k, published_by))
            return []

    class Scorer:
        def assess(self, question, passages, as_of):
            assessed.append(as_of)
            return SimpleNamespace(best=0.5 if "harbor" in question else 0.1)

    pipeline = SimpleNamespace(retriever=Retriever(), scorer=Scorer(), settings=SimpleNamespace(top_k=8))
    cases = [Case("a", "Who won the harbor cup?", (("Hawks",),), ("x",), True, as_of="2024-03-01"),
             Case("b", "Who won the chess final?", (), (), False, as_of="2023-12-24")]
    [row] = calibrate(pipeline, cases, [0.3])
    assert [s[2] for s in searched] == [dt.date(2024, 3, 1), dt.date(2023, 12, 24)] == assessed
    assert row["refusal_precision"] == 1.0 and row["answerable_kept"] == 1.0
