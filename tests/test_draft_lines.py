"""Extractive drafts keep every chosen sentence its own answer sentence, even a headline or
subhead without a full stop (news writes them that way): it must not run into the next one
and be shown, and verified, as one long sentence citing both."""

from __future__ import annotations

from bot.answering.compose import draft_of, joined
from bot.answering.evidence import Scored
from bot.answering.features import candidates
from bot.answering.flow import verify_draft
from bot.core.passage import Passage
from bot.text.draft import parse_draft
from index.chunking import Chunk

SUBHEAD = ("The storm turned north overnight.\n\nCounties order evacuations ahead of the storm\n\n"
           "At least 22 coastal counties ordered residents to leave by Thursday.")
FERRIES = "Ferry crossings to the islands were stopped on Wednesday."


def _passages() -> list[Passage]:
    return [Passage(Chunk("storm#0000", "storm", SUBHEAD, 0, len(SUBHEAD), title="Storm"), 0.5, 1.0, 1, 1.0),
            Passage(Chunk("ferry#0000", "ferry", FERRIES, 0, len(FERRIES), title="Ferries"), 0.5, 1.0, 2, 0.5)]


def test_a_subhead_and_the_next_sentence_stay_two_cited_sentences():
    passages = _passages()
    by_text = {c.text: c for c in candidates(passages)}
    assert "Counties order evacuations ahead of the storm" in by_text  # the premise: a line is a sentence
    chosen = [Scored(by_text["Counties order evacuations ahead of the storm"], 0.6, ()), Scored(by_text[FERRIES], 0.5, ())]
    draft = draft_of(chosen)
    assert [(s.text, s.markers) for s in parse_draft(draft, 2)] == [
        ("Counties order evacuations ahead of the storm", (1,)), (FERRIES, (2,))]
    result = verify_draft(draft, passages, show=False)
    shown = [(s.text, len(s.citations)) for s in result.sentences if s.supported]
    assert shown == [("Counties order evacuations ahead of the storm", 1), (FERRIES, 1)], result.sentences


def test_pieces_that_end_their_sentence_are_joined_by_a_space():
    assert joined(["Ferries stopped. [1]", "Schools closed. [2]"]) == "Ferries stopped. [1] Schools closed. [2]"
    assert joined(["Schools closed [1]", "Ferries stopped. [2]"]) == "Schools closed [1]\nFerries stopped. [2]"
