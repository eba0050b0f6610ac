"""bot/verify/conflicts.py: only reports of the same moment can disagree (invented news, not the seeds).

A title, a toll or a jackpot changes over time: two articles published weeks apart that give
different values describe two moments, and saying "the articles differ" would claim a
disagreement no article makes. A year is not an amount.
"""

from __future__ import annotations

import pytest

from bot.core.dates import same_news_cycle
from bot.verify.policy import verify_answer
from index.chunking import Chunk
from tests.fakes import as_passages

NOTE = ("The articles differ", "The article is inconsistent")


def _passages(texts: dict[str, tuple[str, str | None]]):
    chunks = [Chunk(f"{aid}#0000", aid, text, 0, len(text), title=aid.upper(), source="test", published=day)
              for aid, (text, day) in texts.items()]
    return as_passages(chunks)


def _notes(draft: str, texts) -> list[str]:
    v = verify_answer(draft, _passages(texts))
    assert v.sentences and v.sentences[0].supported
    return [s.text for s in v.sentences if s.text.startswith(NOTE)]


@pytest.mark.parametrize("later, differ", [("2024-03-04", True), ("2024-03-29", False), (None, True)])
def test_a_toll_differs_only_between_reports_of_the_same_week(later, differ):
    texts = {"a": ("Rescuers said the flooding in the river valley has killed 12 people so far.", "2024-03-02"),
             "b": ("Rescuers said the flooding in the river valley has killed 31 people.", later)}
    notes = _notes("The flooding in the river valley has killed 12 people [1].", texts)
    assert bool(notes) is differ, notes
    if differ:
        assert notes == ["The articles differ: [1] says “12 people” while [2] says “31 people”."]


@pytest.mark.parametrize("later, differ", [("2021-06-03", True), ("2024-09-14", False)])
def test_a_title_that_changed_between_years_is_not_a_disagreement(later, differ):
    texts = {"a": ("Former Mayor Ana Reyes opened the new harbor bridge on Saturday.", "2021-06-01"),
             "b": ("Mayor Ana Reyes said the harbor bridge would open on time.", later)}
    notes = _notes("Former Mayor Ana Reyes opened the new harbor bridge on Saturday [1].", texts)
    assert bool(notes) is differ, notes


def test_a_year_is_not_an_amount():
    texts = {"a": ("The federation said the 2026 men's tournament will be held in three countries.", "2024-03-02"),
             "b": ("The federation said the 2030 men's tournament will be held in three countries.", "2024-03-03")}
    assert _notes("The 2026 men's tournament will be held in three countries [1].", texts) == []


def test_reports_a_news_cycle_apart_are_two_moments():
    assert same_news_cycle("2024-03-01", "2024-03-08") and not same_news_cycle("2024-03-01", "2024-03-09")
    assert same_news_cycle("2024-03-01T23:00:00Z", None) and same_news_cycle(None, None)


@pytest.mark.parametrize("other, differ", [("outgoing Mayor Ana Reyes", False), ("current Mayor Ana Reyes", False),
                                           ("former Mayor Ana Reyes", True)])
def test_a_qualifier_that_says_the_title_is_held_agrees_with_the_bare_title(other, differ):
    texts = {"a": ("Mayor Ana Reyes opened the new harbor bridge on Saturday.", "2024-06-01"),
             "b": (f"The bridge was opened by {other}, officials said on Saturday.", "2024-06-02")}
    notes = _notes("Mayor Ana Reyes opened the new harbor bridge on Saturday [1].", texts)
    assert bool(notes) is differ, notes


def test_two_quantities_with_one_unit_are_not_a_disagreement():
    texts = {"a": ("Rebels ended the rule of the Harbor family, who ruled the republic for more than 50 years.",
                   "2024-03-02"),
             "b": ("The Harbor family fled the republic amid the sudden and stunning collapse of its regime after "
                   "13 years of war.", "2024-03-02")}
    assert _notes("The Harbor family ruled the republic for more than 50 years [1].", texts) == []


def test_reports_that_each_state_both_figures_agree():
    texts = {"a": ("A gunman killed at least 9 people and injured more than 50 at the harbor fair, police said.",
                   "2024-03-02"),
             "b": ("The gunman opened fire on the harbor fair, killing at least 9 and injuring over 50 people.",
                   "2024-03-02")}
    assert _notes("A gunman killed at least 9 people at the harbor fair [1].", texts) == []


@pytest.mark.parametrize("other, differ", [
    ("Piet Laan's contract with the Coast Gulls ended up being 12 years, worth $400 million.", False),
    ("Ada Lind's deal with the Harbor Hawks will run 12 years, worth $700 million.", True),
])
def test_figures_differ_only_between_reports_of_one_subject(other, differ):
    texts = {"a": ("Ada Lind signed with the Harbor Hawks, a 10-year deal worth $700 million.", "2024-03-02"),
             "b": (other, "2024-03-03")}
    notes = _notes("Ada Lind signed with the Harbor Hawks, a 10-year deal worth $700 million [1].", texts)
    assert bool(notes) is differ, notes


def test_a_note_is_dropped_with_the_sentence_it_is_about():
    """A sentence the question's constraints drop takes its note on differing passages with it:
    alone, "The articles differ: …" would be an answer about nothing asked."""
    from bot.answering.flow import verify_draft

    texts = {"a": ("Rescuers said the 2019 flood in the river valley killed 12 people.", "2024-03-02"),
             "b": ("Rescuers said the 2019 flood in the river valley killed 31 people.", "2024-03-03")}
    draft = "Rescuers said the 2019 flood in the river valley killed 12 people [1]."
    assert len(verify_answer(draft, _passages(texts)).sentences) == 2  # the sentence and its note
    v = verify_draft(draft, _passages(texts), False, question="How many people did the 2021 flood in the river valley kill?")
    assert v.sentences == ()
    assert [d.reason for d in v.dropped if d.note] == ["its sentence was dropped"]
    kept = verify_draft(draft, _passages(texts), False, question="How many people did the 2019 flood in the river valley kill?")
    assert [s.note for s in kept.sentences] == [False, True]
