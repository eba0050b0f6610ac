"""A RealTime QA subset as newsbot files, on invented cases and articles (not the research data):
the cases file, the article shards, and the recording of a model that is always right."""

import gzip
import json

from evals import realtimeqa
from evals.runner import load_cases, load_recorded

CASES = [
    realtimeqa.RtCase("w1_0", "Which team won the coastal cup?", "2024-05-14", "Harbor Hawks", True, ("a1",), ("a1", "a2")),
    realtimeqa.RtCase("w1_1", "Who opened the bridge?", "2024-05-14", "Mayor Ada Lind", False, (), ("a2",)),
]
ARTICLES = {
    "a1": {"id": "a1", "title": "Hawks win", "url": None, "published": "2024-05-12", "text": "The Harbor Hawks won the cup."},
    "a2": {"id": "a2", "title": "Rain", "url": None, "published": "", "text": "Heavy rain closed two roads."},
}


def test_a_subset_is_cases_articles_and_a_perfect_models_recording(tmp_path):
    cases_path, corpus = realtimeqa.write_subset(CASES, ARTICLES, tmp_path / "sub")
    rows = [json.loads(line) for line in gzip.open(next(corpus.iterdir()), "rt")]
    assert sorted(r["id"] for r in rows) == ["a1", "a2"]
    cases = load_cases(cases_path)
    oracle = load_recorded(tmp_path / "sub" / "oracle.json", "oracle", cases)
    # what `newsbot eval --replay DIR/oracle.json --replay-system oracle` serves: the gold when
    # the articles hold it, a refusal in a model's words when they do not
    assert oracle == {"w1_0": "Harbor Hawks", "w1_1": realtimeqa.ORACLE_REFUSAL}
    from bot.verify.model_text import is_refusal

    assert is_refusal(oracle["w1_1"]) and not is_refusal(oracle["w1_0"])
