"""Eval metrics, table-tested against hand-computed values."""

from __future__ import annotations

import pytest

from evals.metrics import (
    CaseResult,
    SentenceRecord,
    case_correct,
    citation_scores,
    percentile,
    recall_at_k,
    reciprocal_rank,
    refusal_scores,
    rgb_correct,
    summarise,
)


@pytest.mark.parametrize("answer, expected, right", [
    ("Kirill Dmitriev, head of the sovereign wealth fund", [["dmitriev"]], True),
    ("Witkoff and Kushner lead", [["Witkoff"], ["Kushner"]], True),
    ("Witkoff leads", [["Witkoff"], ["Kushner"]], False),  # every part must be present
    ("reduced to 20 points", [["twenty", "20"]], True),  # any alternative of a part
    ("anything", [], False),  # nothing expected: never counted right
])
def test_rgb_rule(answer, expected, right):
    assert rgb_correct(answer, expected) is right


@pytest.mark.parametrize("retrieved, sources, k, recall, rr", [
    (["a", "b", "c"], ["a"], 5, 1.0, 1.0),
    (["b", "a"], ["a"], 1, 0.0, 0.5),  # outside the top 1, second rank
    (["b", "c", "a"], ["a", "d"], 5, 0.5, 1 / 3),  # one of two sources found, at rank 3
    (["a", "a", "a"], ["a", "b"], 2, 0.5, 1.0),  # repeats of one article count once
    ([], ["a"], 5, 0.0, 0.0),
])
def test_recall_and_reciprocal_rank(retrieved, sources, k, recall, rr):
    assert recall_at_k(retrieved, sources, k) == pytest.approx(recall)
    assert reciprocal_rank(retrieved, sources) == pytest.approx(rr)


def _r(answerable, refused, answer="", expected=(("x",),), **kw):
    return CaseResult("c", (), answerable, expected, ("a",), answer, refused, ("a",), **kw)


def test_case_correctness_and_refusal_scores():
    results = [_r(True, False, "x"), _r(True, True), _r(False, True), _r(False, False, "made up"),
               _r(False, True), _r(True, False, "x", error="timeout")]
    assert [case_correct(r) for r in results] == [True, False, True, False, True, False]
    scores = refusal_scores(results)  # errors are left out
    # refused: 3 (one answerable) → precision 2/3; unanswerable: 3, refused 2 → recall 2/3
    assert (scores.refused, scores.unanswerable) == (3, 3)
    assert scores.precision == pytest.approx(2 / 3) and scores.recall == pytest.approx(2 / 3)
    assert refusal_scores([_r(True, False, "x")]).precision is None


def _supports(sentence, quotes):
    """A sentence is supported when every word of it appears in the quotes together."""
    words = set(" ".join(quotes).split())
    return all(w in words for w in sentence.split())


@pytest.mark.parametrize("sentences, recall, precision", [
    # one sentence, one supporting citation
    ([SentenceRecord("a b", ("a b",))], 1.0, 1.0),
    # ALCE's edge case: the second citation is redundant (alone it doesn't support, and the
    # first supports without it) → precision 1/2
    ([SentenceRecord("a b", ("a b", "c"))], 1.0, 0.5),
    # both needed: neither alone supports, together they do → both precise
    ([SentenceRecord("a b", ("a", "b"))], 1.0, 1.0),
    # both support alone: each supports by itself → both precise (ALCE condition A)
    ([SentenceRecord("a", ("a", "a c"))], 1.0, 1.0),
    # unsupported sentence: recall 0 and its citation is not precise
    ([SentenceRecord("a z", ("a",))], 0.0, 0.0),
    # uncited sentence: counts against recall, adds no citation
    ([SentenceRecord("a", ()), SentenceRecord("a", ("a",))], 0.5, 1.0),
])
def test_alce_citation_recall_and_precision(sentences, recall, precision):
    scores = citation_scores(sentences, _supports)
    assert scores.recall == pytest.approx(recall)
    assert scores.precision == pytest.approx(precision)


def test_percentiles_nearest_rank():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 100 and percentile([], 50) is None


def test_summarise_counts_quote_fidelity_and_latency():
    good = _r(True, False, "x", sentences=(SentenceRecord("a", ("a",)),), quotes_verbatim=(True, True),
              timings_ms={"retrieve": 10.0, "total": 30.0})
    bad = _r(True, False, "y", sentences=(SentenceRecord("a", ("a",)),), quotes_verbatim=(False,),
             timings_ms={"retrieve": 20.0, "total": 50.0})
    m = summarise([good, bad], _supports, 5)
    assert m["quote_fidelity"] == pytest.approx(2 / 3)
    assert m["answer_accuracy"] == 0.5 and m["recall@5"] == 1.0 and m["citation_recall"] == 1.0
    assert (m["retrieve_ms_p50"], m["total_ms_p95"]) == (10.0, 50.0)
