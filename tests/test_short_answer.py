"""bot/answering/short_answer.py and its cutoff (evals/train_scorer.py), on invented news text."""

from __future__ import annotations

import numpy as np

from bot.answering.short_answer import SPAN_FEATURES, phrases, span_features
from bot.text.question import analyse_question
from evals import train_scorer


def _features(question: str, sentence: str) -> dict[str, dict[str, float]]:
    q = analyse_question(question)
    spans = phrases(q, sentence)
    return {s.text: dict(zip(SPAN_FEATURES, row)) for s, row in zip(spans, span_features(q, sentence, spans))}


def test_a_word_capitalised_by_its_place_is_marked_and_a_dateline_is_no_answer():
    f = _features("Which city had its largest cash heist?",
                  "Thieves took $30 million from a vault in Harbor City on Easter Sunday.")
    assert f["Thieves"]["lone_opener"] == 1.0 and f["Harbor City"]["lone_opener"] == 0.0
    f = _features("Which film opened in Japan?", "OSAKA, Japan — The film Tidewater opened on Friday.")
    assert "OSAKA" not in f and "Tidewater" in f
    assert "NASA" in _features("Which agency spoke?", "NASA said on Friday it would fly.")  # no dash: a name


def test_a_piece_of_a_longer_phrase_is_marked_inner():
    f = _features("Which bank raised rates?", "Rates were raised by the Bank of England on Thursday.")
    assert f["Bank of England"]["inner"] == 0.0 and f["England"]["inner"] == 1.0


def test_the_cutoff_counts_only_phrases_of_sentences_that_state_the_answer():
    weights = {"coef": [0.0, 1.0], "mean": [0.0, 0.0], "scale": [1.0, 1.0]}
    n = train_scorer.MIN_PHRASES
    # column 1 is the logit: right phrases at probability 0.73 (n questions whose sentence is
    # right), wrong phrases of wrong sentences at 0.73 too (n more questions)
    x = np.array([[1.0, 1.0]] * (2 * n))
    y = np.array([1.0] * n + [0.0] * n)
    qids = [(f"r{i}", 0, True) for i in range(n)] + [(f"w{i}", 0, False) for i in range(n)]
    # the phrases of wrong sentences do not pull the cutoff up
    assert train_scorer.span_threshold(weights, x, y, qids, 0.9) <= 0.73
    # fewer phrases than MIN_PHRASES measure nothing: no cutoff, no short answer
    assert train_scorer.span_threshold(weights, x[:n - 1], y[:n - 1], qids[:n - 1], 0.9) == train_scorer.NEVER
    # right sentences whose phrases are wrong: no cutoff
    assert train_scorer.span_threshold(weights, x, 1 - y, qids[:n] + qids[:n], 0.9) == train_scorer.NEVER


def test_what_the_question_asks_for_next_to_a_phrase_is_marked():
    f = _features("A door panel blew out on a flight operated by which airline?",
                  "The panel blew out on a Harbor Airlines flight from Lisbon on Friday.")
    assert f["Harbor Airlines"]["head_near"] == 1.0 and f["Lisbon"]["head_near"] == 0.0
    f = _features("Which singer criticised the campaign?", "The campaign was criticised by singer Ada Lind on Monday.")
    assert f["Ada Lind"]["head_near"] == 1.0 and f["Monday"]["head_near"] == 0.0


def test_the_only_phrase_of_the_asked_kind_is_marked():
    f = _features("How old did the harbor master turn?", "Ada Lind, the harbor master, turned 100 on Tuesday in Oslo.")
    assert f["100"]["only_of_kind"] == 1.0 and f["Oslo"]["only_of_kind"] == 0.0
    f = _features("How many ferries sailed?", "Twelve ferries sailed on Monday and 3 were cancelled.")
    assert all(v["only_of_kind"] == 0.0 for v in f.values())
