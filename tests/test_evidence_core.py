"""The evidence core on small invented corpora: candidates, features, the learned scorer, constraints."""

import datetime as dt

import pytest

from bot.answering.evidence import EvidenceScorer, Reason, Weights, load_weights
from bot.answering.features import FEATURES, answer_phrases, candidates, featurise
from bot.core.passage import Passage
from bot.text.question import analyse_question
from bot.verify.constraints import Context, check
from bot.verify.constraints import Reason as Constraint
from index.chunking import Chunk


def passage(aid, text, rank=1, title="", published=None, start=0):
    return Passage(Chunk(f"{aid}#0", aid, text, start, start + len(text), title=title, published=published),
                   0.5, 1.0, rank, 1.0 / rank)


def feature(rows, i, name):
    return rows[i][FEATURES.index(name)]


def test_candidates_are_whole_sentences_once_with_exact_offsets():
    text = "Storm Aldo reached the coast on Monday. Ferries were cancelled all day. Ok."
    p1, p2 = passage("a", text), passage("a", text, rank=2)
    cands = candidates([p1, p2])
    assert [c.text for c in cands] == ["Storm Aldo reached the coast on Monday.", "Ferries were cancelled all day."]
    for c in cands:
        assert text[c.start:c.end] == c.text


def test_year_constraint_features():
    q = analyse_question("Who won the 2021 harbour regatta?")
    cands = candidates([passage("a", "Lena Moss won the 2019 harbour regatta in fog."),
                        passage("b", "Piet Laan won the 2021 harbour regatta by a minute.", rank=2)])
    rows = featurise(q, cands, [0.8, 0.7])
    assert feature(rows, 0, "year_conflict") == 1.0 and feature(rows, 0, "year_ok") == 0.0
    assert feature(rows, 1, "year_ok") == 1.0 and feature(rows, 1, "year_conflict") == 0.0


def test_year_satisfied_by_the_article_date():
    q = analyse_question("Who won the 2021 harbour regatta?")
    cands = candidates([passage("a", "Piet Laan won the harbour regatta by a minute.", published="2021-06-02")])
    assert feature(featurise(q, cands, [0.5]), 0, "year_ok") == 1.0


def test_answer_kind_present_and_new():
    q = analyse_question("How many ferries were cancelled on Monday?")
    spans = answer_phrases(q, "Twelve ferries were cancelled on Monday.")
    assert [s.text for s in spans] == ["Twelve ferries"]
    assert answer_phrases(q, "Ferries were cancelled on Monday.") == []
    who = analyse_question("Who leads the Harbour Guild?")
    assert [s.text for s in answer_phrases(who, "The Harbour Guild is led by Mara Quint.")] == ["Mara Quint"]


def test_agreement_counts_other_articles_only():
    q = analyse_question("Who leads the Harbour Guild?")
    cands = candidates([passage("a", "Mara Quint leads the Harbour Guild."),
                        passage("b", "The Harbour Guild, led by Mara Quint, met.", rank=2),
                        passage("a", "Mara Quint spoke first at the meeting.", rank=3, start=500)])
    rows = featurise(q, cands, [0.6, 0.5, 0.4])
    assert feature(rows, 0, "kind_agree") > 0.0
    assert feature(rows, 2, "kind_agree") > 0.0  # said by article b too


def test_freshness_relative_to_as_of():
    q = analyse_question("Who resigned this week?")
    cands = candidates([passage("a", "The minister Ida Brun resigned on Tuesday.", published="2024-03-05"),
                        passage("b", "The minister Ola Dahl resigned after a vote.", published="2023-01-10", rank=2)])
    rows = featurise(q, cands, [0.5, 0.5], dt.date(2024, 3, 8))
    assert feature(rows, 0, "fresh") == 1.0 and feature(rows, 1, "fresh") == 0.0
    assert feature(rows, 1, "stale") == 1.0


def test_committed_weights_load_and_prefer_the_answering_sentence():
    weights = load_weights()
    assert weights.features == FEATURES and 0.0 < weights.threshold < 1.0
    scorer = EvidenceScorer(weights)
    text = ("The council met on Tuesday evening. Officials discussed the budget at length. "
            "The council approved 240 new bus stops for the city.")
    ev = scorer.assess("How many new bus stops did the council approve?", [passage("a", text, title="Council")])
    assert ev.scored[0].candidate.text == "The council approved 240 new bus stops for the city."
    assert ev.scored[0].probability > ev.scored[-1].probability


def test_refusal_codes():
    scorer = EvidenceScorer(load_weights())
    assert scorer.assess("Who won?", []).reason is Reason.NOTHING_RETRIEVED
    strict = EvidenceScorer(Weights(FEATURES, (0.0,) * len(FEATURES), (0.0,) * len(FEATURES),
                                    (1.0,) * len(FEATURES), 0.9, 0.6))
    ev = strict.assess("Who won the race?", [passage("a", "The race was held in heavy rain on Sunday.")])
    assert ev.refuse and ev.reason is Reason.LOW_EVIDENCE and "0.50" in ev.message


def test_constraint_year_mismatch_and_its_date_escape():
    q = analyse_question("Who won the 2021 harbour regatta?")
    ctx = [Context("Lena Moss won the 2019 harbour regatta.", "Regatta results", "2019-06-01")]
    assert check(q, "Lena Moss won the 2019 harbour regatta.", ctx) is Constraint.YEAR_MISMATCH
    assert check(q, "Lena Moss won the regatta.", ctx) is None  # states no other year


def test_constraint_edition_and_missing_name():
    q = analyse_question("Where was the 58th film festival held?")
    ctx = [Context("The 57th film festival was held in Porto.", "Festival")]
    assert check(q, "The 57th film festival was held in Porto.", ctx) is Constraint.EDITION_MISMATCH
    q2 = analyse_question("What did Ines Varga say about the dam?")
    assert check(q2, "Engineers said the dam is safe.", [Context("Engineers said the dam is safe.", "Dam")]) \
        is Constraint.NAME_MISSING
    assert check(q2, "She said it is safe.", [Context("Varga spoke. She said it is safe.", "Dam")]) is None


def test_a_question_naming_an_abbreviation_is_matched_with_or_without_dots():
    q = analyse_question("What number did the US launch for crisis calls?")
    said = "The U.S. launched 988 for crisis calls in July."
    assert check(q, said, [Context(said, "Crisis line")]) is None
    assert check(q, "It launched 988.", [Context("It launched 988 for callers.", "Crisis line")]) is Constraint.NAME_MISSING


@pytest.mark.parametrize("question, passage", [
    ("Which snack was removed from school menus across the United States?",
     "The meal kits will leave U.S. school menus next year, the company said."),
    ("Which snack was removed from school menus across the United States?", "Schools across the USA drop the kits."),
    ("Which bank raised rates in the United Kingdom?", "The Bank of England raised UK rates on Thursday."),
])
def test_a_name_the_question_spells_out_is_found_in_its_short_form(question, passage):
    q = analyse_question(question)
    assert check(q, passage, [Context(passage, "School menus")]) is None
    elsewhere = "The meal kits will leave school menus next year."
    assert check(q, elsewhere, [Context(elsewhere, "School menus")]) is Constraint.NAME_MISSING


@pytest.mark.parametrize("passage, found", [
    ("Mira Osei won the gold medal on the beam at the Lisbon Games.", True),
    ("Osei took gold on the beam at the Lisbon Games.", True),  # a surname is enough
    ("Tara Lund won the all-around gold at the Lisbon Games.", False),  # the Games, not the gymnast
])
def test_every_full_name_the_question_asks_about_is_named_by_the_passage(passage, found):
    q = analyse_question("Which event did gymnast Mira Osei win at the Lisbon Games?")
    assert {"Mira Osei", "Lisbon Games"} <= set(q.names)
    got = check(q, passage, [Context(passage, "Gymnastics results")])
    assert (got is None) is found, got


def test_a_one_word_name_is_context_and_need_not_be_named():
    q = analyse_question("Which French cyclist won the mountain stage of the Tour of Lorraine?")
    assert "French" in q.names
    said = "Luc Barre won the mountain stage of the Tour of Lorraine, his team said."
    assert check(q, said, [Context(said, "Stage results", "2024-07-15")]) is None
    elsewhere = "Luc Barre won the mountain stage, his team said."  # the race asked about is not named
    assert check(q, elsewhere, [Context(elsewhere, "Stage results")]) is Constraint.NAME_MISSING


def test_a_dropped_sentence_names_only_the_full_name_its_passages_miss():
    """The reason a reader sees for a name_missing drop names what is missing, not every name of
    the question (the passage does name the Games)."""
    from bot.answering.flow import verify_draft
    from bot.verify.constraints import unnamed

    q = "Which event did gymnast Mira Osei win at the Lisbon Games?"
    text = "Tara Lund won the all-around gold at the Lisbon Games."
    assert unnamed(analyse_question(q), [Context(text)]) == ("Mira Osei",)
    v = verify_draft(f"{text} [1]", [passage("a", text, title="Gymnastics results")], False, question=q)
    assert v.sentences == ()
    assert [d.reason for d in v.dropped] == ["name_missing: the cited passages never mention Mira Osei"]
    nothing = "Rain delayed the final day."
    assert unnamed(analyse_question(q), [Context(nothing)]) == analyse_question(q).names  # none named: all missing


@pytest.mark.parametrize("content, says", [
    (None, "No such file"),
    ("{not json", "not a scorer weights file"),
    ('{"features": 3}', "not a scorer weights file"),
    ("STALE", "the confirmation model was trained on other features"),
])
def test_a_bad_weights_file_is_a_config_error_naming_it(tmp_path, content, says):
    import json

    from bot.answering.evidence import WEIGHTS_FILE
    from bot.core.errors import ConfigError

    path = tmp_path / "weights.json"
    if content == "STALE":
        raw = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
        raw["confirm"]["features"] = raw["confirm"]["features"][:-1]
        content = json.dumps(raw)
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=says) as err:
        load_weights(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("passage, found", [
    ("Subscribers in the United States will pay more from May.", True),
    ("US subscribers will pay more from May.", True),
    ("Subscribers across the USA will pay more from May.", True),
    ("Tell us what you think: subscribers will pay more from May.", False),  # the pronoun is not the country
])
def test_a_question_writing_us_with_dots_is_found_in_any_spelling(passage, found):
    q = analyse_question("Which streaming service told its U.S. subscribers to pay more?")
    assert q.names == ("U.S.",)
    got = check(q, passage, [Context(passage, "Streaming prices")])
    assert (got is None) is found


def test_the_place_a_place_question_asks_within_is_not_required_of_the_answer():
    q = analyse_question("Which U.S. state cleared the names of accused witches?")
    assert q.kind == "place" and q.within == ("U.S.",)
    said = "Lawmakers in Vermont cleared the names of people accused of witchcraft."
    assert check(q, said, [Context(said, "Vermont clears accused witches")]) is None
    other = analyse_question("Which city did the U.S. delegation visit?")  # the U.S. is the subject here
    assert other.within == ()
    visit = "The delegation visited Lyon on Monday."
    assert check(other, visit, [Context(visit, "Delegation tour")]) is Constraint.NAME_MISSING


@pytest.mark.parametrize("question, passage, found", [
    ("Which diners did a chef ban from his Australian restaurant?", "A chef in Australia banned vegans on Friday.", True),
    ("Which ports did Chinese officials close?", "Officials in China closed two ports.", True),
    ("Which diners did a chef ban from his Austrian restaurant?", "A chef in Australia banned vegans on Friday.", False),
])
def test_a_name_the_question_says_as_an_adjective_is_found_as_the_country(question, passage, found):
    q = analyse_question(question)
    assert (check(q, passage, [Context(passage, "Restaurant news")]) is None) is found


def test_features_are_the_same_to_the_last_bit_in_every_process():
    """The lexical features sum idf weights over the question's words; summed in set order they
    differed in the last bit between processes (Python salts string hashes), which is enough to
    move a tree learner's splits. Two interpreters with different hash seeds give equal rows."""
    import os
    import subprocess
    import sys

    code = ("from bot.answering.features import featurise\n"
            "from tests.test_evidence_core import _many_word_rows\n"
            "print(repr(_many_word_rows()))\n")
    rows = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(rows) == 1 and rows.pop().startswith("[(")


def _many_word_rows():
    q = analyse_question("Which coastal ferry operator cancelled winter crossings after storm damage to harbour piers?")
    text = ("The ferry operator cancelled winter crossings. Storm damage closed two harbour piers. "
            "Coastal towns asked the operator for extra buses. Crossings resume after repairs to the piers.")
    cands = candidates([passage("a", text, title="Ferry crossings cancelled", published="2024-01-05")])
    return featurise(q, cands, [0.1 * (i + 1) for i in range(len(cands))], dt.date(2024, 1, 8))
