"""A real model's answer is checked against evidence for *it*: searched for when the passages miss
it, judged by the confirmation model when a sentence states it, and asked for below the refusal
threshold when there is a confirmation model — over a tiny corpus written here (not the seeds)."""

import dataclasses

import pytest

from bot.answering import flow as qa
from bot.answering.confirm import CONFIRM_FEATURES, ConfirmWeights
from bot.answering.evidence import EvidenceScorer, load_weights
from bot.answering.retrieve import Retriever
from bot.core.passage import Chunk
from bot.core.settings import load_settings
from evals.model_bar import fit_bar
from tests.fakes import FakeEmbedder, InMemoryStore, ScriptedAnswerer

ARTICLES = {
    "preview": ("Which team won the coastal cup? A preview", "2024-05-10",
                "Which team won the coastal cup last year, and which team won the coastal cup before? "
                "Fans of the coastal cup argue about which team won the coastal cup most often."),
    "result": ("Sunday's final in Porto", "2024-05-12",
               "The Harbor Hawks won the coastal cup on Sunday, beating the River Owls 3-1 in Porto. "
               "About 20,000 fans watched the final."),
    "rain": ("Storm closes roads", "2024-05-11",
             "Heavy rain closed two roads near Porto on Saturday. Officials said the roads reopened by noon."),
}
QUESTION = "Which team won the coastal cup?"


def build(top_k):
    embedder, store = FakeEmbedder(), InMemoryStore()
    chunks = [Chunk(f"{aid}#0000", aid, text, 0, len(text), title=title, published=day)
              for aid, (title, day, text) in ARTICLES.items()]
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    return Retriever(embedder, store, None, load_settings({}, top_k=top_k))


def judge(threshold: float, stated_weight: float = 10.0) -> ConfirmWeights:
    """A confirmation model that trusts any stated answer (P≈1 when stated, ≈0.007 when not),
    compared with ``threshold``: 0.5 confirms what a sentence states, 0.9999 nothing."""
    n = len(CONFIRM_FEATURES)
    coef = [0.0] * n
    coef[CONFIRM_FEATURES.index("bias")] = -5.0
    coef[CONFIRM_FEATURES.index("stated")] = stated_weight
    return ConfirmWeights(tuple(coef), (0.0,) * n, (1.0,) * n, threshold)


TRUSTING = dataclasses.replace(load_weights(), confirm=judge(0.5))


def ask(retriever, answerer, threshold, top_k, weights=TRUSTING):
    scorer = EvidenceScorer(weights, retriever.embedder.embed, threshold=threshold)
    return qa.answer(QUESTION, (), retriever=retriever, answerer=answerer, settings=load_settings({}, top_k=top_k),
                     scorer=scorer, as_of="2024-05-14")


def test_a_bare_answer_missing_from_the_passages_is_searched_for_and_then_confirmed():
    retriever = build(top_k=1)
    assert [p.article_id for p in retriever.search(QUESTION, 1)] == ["preview"]  # the premise
    out = ask(retriever, ScriptedAnswerer("Harbor Hawks", name="openai"), threshold=0.05, top_k=1)
    assert not out.refused and out.short_answer == "Harbor Hawks"
    assert out.citations[0].article_id == "result"
    assert any(n.startswith("searched again for the model's answer 'Harbor Hawks'") for n in out.notes)
    assert {p.article_id for p in out.passages} >= {"preview", "result"}


def test_a_sentence_answer_whose_names_the_passages_miss_is_searched_for_too():
    out = ask(build(top_k=1), ScriptedAnswerer("The coastal cup went to the Harbor Hawks.", name="openai"),
              threshold=0.05, top_k=1)
    assert any(n.startswith("searched again for the model's answer 'Harbor Hawks'") for n in out.notes)
    assert not out.refused and out.citations[0].article_id == "result"
    assert "Harbor Hawks won the coastal cup" in out.answer  # the passage sentence, not the model's wording


def test_a_bare_answer_no_article_states_is_still_not_shown_after_the_search():
    out = ask(build(top_k=1), ScriptedAnswerer("Coast Gulls", name="openai"), threshold=0.05, top_k=1)
    assert "Coast Gulls" not in out.answer
    assert not any(c.article_id == "preview" and "Coast Gulls" in c.quote for c in out.citations)


def test_below_the_refusal_threshold_a_model_is_still_asked_and_confirmed_by_a_sentence():
    retriever = build(top_k=3)
    extractive = ask(retriever, ScriptedAnswerer("", name="extractive", generates=False), 0.999, 3)
    assert extractive.refused and extractive.refusal_reason == "low_evidence"
    model = ScriptedAnswerer("Harbor Hawks", name="openai")
    out = ask(retriever, model, 0.999, 3)
    assert model.calls and not out.refused and out.short_answer == "Harbor Hawks"
    assert out.citations[0].article_id == "result"
    assert any("is stated by passage" in n and "right with probability" in n for n in out.notes)


def test_a_stated_answer_the_confirmation_model_judges_wrong_is_not_shown():
    model = ScriptedAnswerer("Harbor Hawks", name="openai")
    out = ask(build(top_k=3), model, 0.999, 3, dataclasses.replace(load_weights(), confirm=judge(0.9999)))
    assert model.calls and out.refused and out.refusal_reason == "unverified"
    assert "Harbor Hawks" not in out.answer
    assert any("right with probability" in n and "< 1.00" in n for n in out.notes)


def test_an_unsupported_model_sentence_is_replaced_only_when_its_answer_is_confirmed():
    said = "It appears the coastal cup went to the Harbor Hawks this year."  # shares few words with the quote
    shown = ask(build(top_k=3), ScriptedAnswerer(said, name="openai"), 0.05, 3)
    assert not shown.refused and shown.sentences[0].text.startswith("The Harbor Hawks won the coastal cup")
    assert any(n.startswith("replaced the model's wording") for n in shown.notes)
    strict = dataclasses.replace(load_weights(), confirm=judge(0.9999))
    stopped = ask(build(top_k=3), ScriptedAnswerer(said, name="openai"), 0.05, 3, strict)
    assert not any(n.startswith("replaced the model's wording") for n in stopped.notes)
    assert "appears" not in stopped.answer


def test_without_a_confirmation_model_the_model_is_not_asked_below_the_threshold():
    model = ScriptedAnswerer("Harbor Hawks", name="openai")
    out = ask(build(top_k=3), model, 0.999, 3, dataclasses.replace(load_weights(), confirm=None))
    assert out.refused and out.refusal_reason == "low_evidence" and not model.calls


def test_below_the_refusal_threshold_an_unconfirmed_model_answer_gets_no_extractive_fallback():
    out = ask(build(top_k=3), ScriptedAnswerer("Coast Gulls", name="openai"), 0.999, 3)
    assert out.refused and out.backend == "openai"
    assert out.refusal_reason == "unverified"
    assert not any("fell back to extractive" in n for n in out.notes)


@pytest.mark.parametrize("outcomes, bar", [
    ([(0.9, True), (0.6, True), (0.3, False), (0.05, False)], 0.6),   # keeps both right ones, no higher
    ([(0.9, True), (0.0, False)], 0.9),                               # wrong ones state nothing
    ([(0.95, True)] * 9 + [(0.2, True), (0.5, False)], 0.95),        # 9 of 10 kept reaches the target
    ([(0.95, True)] * 8 + [(0.2, True)] * 2 + [(0.5, False)], 0.2),  # 8 of 10 does not: down to the 9th
    ([(0.5, True)], 0.5),                                             # one class only: no evidence, middle
])
def test_the_confirmation_bar_is_the_highest_that_keeps_the_target_share_of_right_answers(outcomes, bar):
    assert fit_bar(outcomes) == bar


@pytest.mark.parametrize("outcomes, bar", [
    ([(0.9, True), (0.6, True), (0.3, False), (0.05, False)], 0.31),  # separable: just above the wrong ones
    ([(0.9, True), (0.0, False)], 0.01),                               # any bar works: the lowest
])
def test_the_balanced_bar_is_the_lowest_with_the_best_balanced_accuracy(outcomes, bar):
    assert fit_bar(outcomes, keep=None) == bar


def test_out_of_fold_probabilities_never_see_their_own_week():
    """The cutoff is chosen on held-out probabilities: a train row is predicted by a model fitted
    without its week, so relabelling a week changes no prediction of that week."""
    import numpy as np

    from evals.model_bar import out_of_fold

    rng = np.random.default_rng(0)
    weeks = [w for w in range(10) for _ in range(20)]
    x = np.column_stack([np.ones(200), rng.normal(size=200)])
    y = (x[:, 1] + rng.normal(scale=0.5, size=200) > 0).astype(float)
    p = out_of_fold(x, y, weeks, folds=5)
    flipped = y.copy()
    flipped[np.array(weeks) == 3] = 1 - flipped[np.array(weeks) == 3]
    q = out_of_fold(x, flipped, weeks, folds=5)
    mine = np.array(weeks) == 3
    assert np.allclose(p[mine], q[mine]) and not np.allclose(p[~mine], q[~mine])
    assert p[x[:, 1] > 1].mean() > 0.8 > 0.2 > p[x[:, 1] < -1].mean()  # and they still rank


def test_the_cutoff_spread_narrows_with_more_answers_of_the_same_kind():
    import numpy as np

    from evals.model_bar import spread

    rng = np.random.default_rng(1)

    def draw(n):
        return [(float(p), True) for p in rng.beta(4, 2, n)] + [(float(p), False) for p in rng.beta(2, 4, n)]

    few, many = spread(draw(40)), spread(draw(300))
    assert few[0] <= few[1] and many[1] - many[0] < few[1] - few[0]
    assert spread([(0.9, True)] * 20 + [(0.1, False)] * 20) == [0.9, 0.9]


def test_a_sentence_replaced_by_the_passage_that_states_a_part_of_it_says_which_part():
    out = ask(build(top_k=3), ScriptedAnswerer("The Harbor Hawks beat the Coast Gulls.", name="openai"),
              threshold=0.05, top_k=3)
    replaced = [n for n in out.notes if n.startswith("replaced the model's wording")]
    assert replaced and "states Harbor Hawks (" in replaced[0]  # not the Coast Gulls no passage names
    assert "Coast Gulls" not in out.answer
