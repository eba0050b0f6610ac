"""Question analysis and answer phrases, on invented news-like text (not the seeds)."""

import pytest

from bot.text.answer_spans import date_spans, figure_spans, name_spans
from bot.text.question import analyse_question, answer_kind


@pytest.mark.parametrize("question, kind", [
    ("Who won the 2021 Tour de France?", "person"),
    ("Whose album topped the charts this week?", "person"),
    ("Which actor was cast as the new lead?", "person"),
    ("How many astronauts will fly on the mission?", "number"),
    ("What is the interest rate on the new loan?", "number"),
    ("What percentage of voters backed the measure?", "number"),
    ("When did the bridge reopen?", "date"),
    ("What year was the treaty signed?", "date"),
    ("Where did the summit take place?", "place"),
    ("Which country will host the next games?", "place"),
    ("Which company agreed to buy the chipmaker?", "name"),
    ("What is the name of the storm that hit the coast?", "name"),
    ("Why did the strike end?", "other"),
    ("In a surprise move, who resigned on Monday?", "person"),
])
def test_answer_kind_from_the_wh_phrase(question, kind):
    assert answer_kind(question) == kind


def test_constraints_years_figures_quotes_names_and_recency():
    q = analyse_question('Which team won the 58th "Harbor Cup" in 2019 in Lisbon?')
    assert q.years == ("2019",)
    assert q.figures == ("58",)
    assert q.quoted == ("Harbor Cup",)
    assert "Lisbon" in q.names
    assert not q.recent
    assert analyse_question("Who was named coach this week?").recent
    assert analyse_question("What is the latest forecast?").recent


def test_name_spans_keep_particles_and_drop_sentence_initial_function_words():
    spans = name_spans("The Guild of Bakers elected Anna van der Berg in Rotterdam.")
    texts = [s.text for s in spans]
    assert "Anna van der Berg" in texts and "Rotterdam" in texts
    assert "The" not in " ".join(texts).split()[:1]


def test_span_offsets_are_exact():
    sentence = "Shares of Orbital Dynamics rose 4.5% to $135 on Tuesday, Feb. 6, 2024."
    for span in name_spans(sentence) + date_spans(sentence) + figure_spans(sentence):
        assert sentence[span.start:span.end] == span.text


def test_figures_are_not_years_or_days_of_a_date():
    texts = [s.text for s in figure_spans("On March 3, 2022, 12 ministers met; the 2021 deal cost $2 billion.")]
    assert "12 ministers" in texts
    assert "$2 billion" in texts
    assert not any(t.startswith(("3", "2022", "2021")) for t in texts)


def test_dates():
    texts = [s.text for s in date_spans("It closed on 4 July 2023, reopened Sept. 9 and was sold on Friday.")]
    assert texts == ["4 July 2023", "Sept. 9", "Friday"]


@pytest.mark.parametrize("question, kind", [
    # news quizzes open with context, or ask at the end of a statement
    ("Summer is peak season for fairs. Where was the first carousel built?", "place"),
    ("The committee said the 2034 games will be hosted by which city?", "place"),
    ("The outgoing president of which African nation postponed the vote?", "place"),
    ("The campaign said it raised $8 million in how many hours?", "number"),
    ("The harbor's new mayor is the youngest in its history. How old is she?", "number"),
    ("The city expects its reservoirs to run dry by the end of which month?", "date"),
    ("A door panel blew out on a flight operated by which airline?", "name"),
    # a wh-word after a comma opens a relative clause, not the question
    ("The river rose after the storm, which forecasters missed.", "other"),
    ("Ada Lind, who won in 2019, now coaches which team?", "name"),
])
def test_answer_kind_from_a_wh_phrase_anywhere_in_the_question(question, kind):
    assert answer_kind(question) == kind


def test_new_opens_a_name_and_joined_names_are_answer_phrases():
    from bot.text.answer_spans import answer_names

    assert [s.text for s in name_spans("New Zealand beat New South Wales.")] == ["New Zealand", "New South Wales"]
    assert [s.text for s in name_spans("New rules took effect in Oslo.")] == ["Oslo"]
    sentence = "Harbor City Mayor Ada Lind met Kool & The Gang, AT&T and the Bank of England."
    texts = [s.text for s in answer_names(sentence)]
    assert {"Ada Lind", "Harbor City Mayor Ada Lind", "Kool & The Gang", "AT&T", "Bank of England"} <= set(texts)
    assert "T" not in texts  # not a piece of "AT&T"
    for s in answer_names(sentence):
        assert sentence[s.start:s.end] == s.text


@pytest.mark.parametrize("question, head", [
    ("Which U.S. state is it?", ("state",)),  # dotted initials say whose, not what
    ("Which major U.N. agency is it?", ("major", "agency")),
    ("Which R&B singer is touring?", ("r&b", "singer")),
    ("Which X rival is growing?", ("x", "rival")),  # a one-letter name is still a word of the head
])
def test_the_head_noun_skips_dotted_initials(question, head):
    assert analyse_question(question).head == head
