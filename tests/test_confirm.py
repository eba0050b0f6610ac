"""The confirmation features of a model's answer, on invented news (not the seeds): each means
what its name says, and the decision follows the fitted model and its cutoff."""

import datetime as dt

import pytest

from bot.answering.compose import wanted_variants
from bot.answering.confirm import CONFIRM_FEATURES, UNDATED_AGE, ConfirmWeights, confirm, confirm_features
from bot.answering.evidence import Scored
from bot.answering.features import Candidate
from bot.text.question import analyse_question

Q = analyse_question("Which team won the coastal cup in Porto?")


def scored(*rows):
    """(text, article, probability) rows, best first as the scorer sorts them."""
    return [Scored(Candidate(text, i, 0, len(text), i + 1, article, "", None, 0), p, ())
            for i, (text, article, p) in enumerate(rows)]


CANDS = scored(
    ("The Harbor Hawks won the coastal cup in Porto on Sunday.", "a", 0.80),
    ("The River Owls lost the final 3-1.", "a", 0.30),
    ("The Harbor Hawks last won the cup in 2019.", "b", 0.20),
    ("Heavy rain closed two roads near Porto.", "c", 0.05),
)


def features(wanted, cands=CANDS, question=Q, researched=False, whole=None, as_of=None):
    return dict(zip(CONFIRM_FEATURES, confirm_features(question, wanted, cands, researched, whole, as_of)))


def test_a_phrase_stated_by_the_best_sentence_and_two_articles():
    f = features(["Harbor Hawks"])
    assert f["bias"] == 1.0 and f["stated"] == 1.0
    assert f["p_stating"] == 0.80 and f["p_top"] == 0.80 and f["p_ratio"] == 1.0 and f["rank"] == 1.0
    assert f["sentences"] == pytest.approx(1.0986, abs=1e-3)  # log(1 + 2)
    assert f["article_share"] == pytest.approx(2 / 3)
    assert f["echo"] == 0.0 and f["kind_match"] == 1.0 and f["researched"] == 0.0


def test_a_runner_up_phrase_stands_lower_than_the_answer():
    right, wrong = features(["Harbor Hawks"]), features(["River Owls"])
    assert wrong["stated"] == 1.0 and wrong["p_stating"] == 0.30
    assert wrong["p_ratio"] == pytest.approx(0.375) and wrong["rank"] == 0.5
    assert wrong["article_share"] == pytest.approx(1 / 3) and wrong["article_share"] < right["article_share"]


def test_a_phrase_no_sentence_states_has_nothing_behind_it():
    f = features(["Coast Gulls"])
    assert f["stated"] == f["p_stating"] == f["rank"] == f["sentences"] == f["article_share"] == 0.0
    assert f["p_top"] == 0.80  # the question itself still looks answerable


def test_age_is_how_old_the_stating_sentences_article_is_when_the_question_is_asked():
    dated = [Scored(Candidate("The Harbor Hawks won the coastal cup.", 0, 0, 36, 1, "a", "", published, 0), 0.8, ())
             for published in ("2025-05-02T09:00:00+00:00", None)]
    asked = dt.date(2025, 5, 9)
    week_old = features(["Harbor Hawks"], dated[:1], as_of=asked)["age"]
    assert week_old == pytest.approx(2.0794, abs=1e-3)  # log(1 + 7)
    assert features(["Harbor Hawks"], dated[:1], as_of=dt.date(2025, 5, 2))["age"] == 0.0  # same day
    assert features(["Harbor Hawks"], dated[:1], as_of=dt.date(2025, 4, 30))["age"] == 0.0  # newer than asked
    assert features(["Harbor Hawks"], dated[1:], as_of=asked)["age"] == UNDATED_AGE
    assert features(["Harbor Hawks"], dated[:1])["age"] == UNDATED_AGE  # no question date
    assert features(["Coast Gulls"], dated, as_of=asked)["age"] == 0.0  # stated nowhere: nothing to date


def test_echo_and_kind_of_answer():
    assert features(["Porto"])["echo"] == 1.0  # the question's own word is no answer
    how_many = analyse_question("How many fans watched the final?")
    cands = scored(("About 20,000 fans watched the final in Porto.", "a", 0.7))
    assert features(["20,000"], cands, how_many)["kind_match"] == 1.0
    assert features(["Porto"], cands, how_many)["kind_match"] == 0.0
    assert features(["fans"], cands, analyse_question("Why did fans cheer?"))["kind_match"] == 0.5
    assert features(["Harbor Hawks"], researched=True)["researched"] == 1.0


def test_the_decision_follows_the_model_and_its_cutoff():
    n = len(CONFIRM_FEATURES)
    coef = [0.0] * n
    coef[CONFIRM_FEATURES.index("bias")] = -2.0
    coef[CONFIRM_FEATURES.index("p_ratio")] = 4.0  # P = sigmoid(4·ratio − 2)
    weights = ConfirmWeights(tuple(coef), (0.0,) * n, (1.0,) * n, 0.6)
    right = confirm(weights, Q, wanted_variants("Harbor Hawks", Q.text), CANDS)
    wrong = confirm(weights, Q, wanted_variants("The River Owls", Q.text), CANDS)
    absent = confirm(weights, Q, wanted_variants("Coast Gulls", Q.text), CANDS)
    assert right.confirmed and right.index == 0 and right.probability == pytest.approx(0.881, abs=1e-3)
    assert not wrong.confirmed and wrong.index == 1 and wrong.wanted == ("The River Owls",)
    assert not absent.confirmed and absent.index is None and absent.probability == 0.0
    # without a fitted model, the stating sentence's own probability must reach the fallback cutoff
    assert confirm(None, Q, [["River Owls"]], CANDS, fallback_cutoff=0.25).confirmed
    assert not confirm(None, Q, [["River Owls"]], CANDS, fallback_cutoff=0.35).confirmed


def test_sentence_answers_want_all_their_names_together_first_then_each_alone():
    variants = wanted_variants("The cup went to the Harbor Hawks, who beat the River Owls.", Q.text)
    assert variants == [["Harbor Hawks", "River Owls"], ["Harbor Hawks"], ["River Owls"]]
    assert confirm(None, Q, variants[:1], CANDS, fallback_cutoff=0.1).index is None  # no one sentence says both
    c = confirm(None, Q, variants, CANDS, fallback_cutoff=0.1)
    assert c.index == 0 and c.wanted == ("Harbor Hawks",)
    # what the part leaves unsaid is a feature the fitted model weighs
    assert features(["Harbor Hawks"], whole=variants[0])["unstated"] == pytest.approx(0.5)


def test_a_part_of_the_answer_stated_says_how_much_is_left_out():
    full = features(["Harbor Hawks"], whole=["Harbor Hawks of Porto Bay"])
    assert full["stated"] == 1.0 and full["unstated"] == pytest.approx(0.5)
    assert features(["Harbor Hawks"], whole=["The Harbor Hawks"])["unstated"] == 0.0  # articles don't count
    assert features(["Coast Gulls"])["unstated"] == 1.0


@pytest.mark.parametrize("answer, sentence, found", [
    ("2", "She has now won two major titles.", "two"),            # news spells small numbers out
    ("Three", "The club has 3 coaches this season.", "3"),
    ("118 years", "She was 118 when she died in Toulon.", "118"),  # the amount without what it counts
    ("4 astronauts", "Four astronauts docked with the station.", "Four astronauts"),
    ("2", "The 2nd edition drew 20 teams.", None),                 # not the same number
])
def test_a_figure_is_found_as_news_writes_it(answer, sentence, found):
    question = analyse_question("How many did she win?")
    c = confirm(None, question, wanted_variants(answer, question.text), scored((sentence, "a", 0.9)))
    assert (c.wanted[0].lower() if c.index is not None else None) == (found.lower() if found else None)
