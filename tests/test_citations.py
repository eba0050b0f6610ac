"""bot/text and bot/verify/quotes.py: sentence splitting, marker parsing, claim features and verbatim quotes."""

from __future__ import annotations

import pytest

from bot.text.claims import claim_features
from bot.text.draft import out_of_range_markers, parse_draft
from bot.text.sentences import sentence_spans
from bot.text.tokens import numbers
from bot.verify.quotes import best_quote
from tests.conftest import SEEDS
from tests.fakes import as_passages, line_chunks

TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
PASSAGES = as_passages([c for aid, t in TEXTS.items() for c in line_chunks(aid, t)])


def sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize("text, expected", [
    ("Top Kremlin aide Yuri Ushakov on Dec. 21 denied it. Talks go on.",
     ["Top Kremlin aide Yuri Ushakov on Dec. 21 denied it.", "Talks go on."]),
    ("Mr. Smith met Dr. Jones in St. Petersburg. Then they left.",
     ["Mr. Smith met Dr. Jones in St. Petersburg.", "Then they left."]),
    ("Growth was 2.5 percent in the U.S. economy. It slowed.", ["Growth was 2.5 percent in the U.S. economy.", "It slowed."]),
    ("He met the U.S. representatives. They talked.", ["He met the U.S. representatives.", "They talked."]),
    ("Talks were held in the U.S. The envoys left.", ["Talks were held in the U.S.", "The envoys left."]),
    ("John F. Kennedy spoke. He left.", ["John F. Kennedy spoke.", "He left."]),
    ("Headline without stop\nBody sentence one. Body two!", ["Headline without stop", "Body sentence one.", "Body two!"]),
    ("“We cannot force Ukraine to make a deal. They have to want it,” he said. Talks went on.",
     ["“We cannot force Ukraine to make a deal. They have to want it,” he said.", "Talks went on."]),
    ('He said: "No talks. None." Then he left.', ['He said: "No talks. None."', "Then he left."]),
    ("the U.S.-mediated peace process continues.", ["the U.S.-mediated peace process continues."]),
])
def test_sentence_spans(text, expected):
    assert sentences(text) == expected


def test_sentence_spans_are_exact_offsets_on_the_seeds():
    for text in TEXTS.values():
        spans = sentence_spans(text)
        assert len(spans) > 10
        for s, e in spans:
            piece = text[s:e]
            assert piece == piece.strip() and piece
    assert "Top Kremlin aide Yuri Ushakov on Dec. 21 denied that trilateral talks involving Ukraine, Russia, and " \
           "the U.S. were even being considered." in sentences(TEXTS["000_c3020e762289b85b"])


@pytest.mark.parametrize("draft, n, expected", [
    ("A is B [1]. C is D [2].", 2, [("A is B.", (1,)), ("C is D.", (2,))]),
    ("A is B [1, 2]. C is D [1][3].", 3, [("A is B.", (1, 2)), ("C is D.", (1, 3))]),
    ("A is B. [2] C is D.", 2, [("A is B.", (2,)), ("C is D.", ())]),
    ("A is B.[2]", 2, [("A is B.", (2,))]),
    ("A is B [7]. C is D [0][2].", 2, [("A is B.", ()), ("C is D.", (2,))]),
    ("A is B [passage 2].", 2, [("A is B.", (2,))]),
    ("He said progress [in the process] was made [1].", 1, [("He said progress [in the process] was made.", (1,))]),
    ("A is B [1] [1].", 1, [("A is B.", (1,))]),
    ("A is B.\n[2]", 2, [("A is B.", (2,))]),
    ("", 3, []),
])
def test_parse_draft(draft, n, expected):
    assert [(s.text, s.markers) for s in parse_draft(draft, n)] == expected


def test_out_of_range_markers_are_reported():
    assert out_of_range_markers("x [1] y [4][0] z [2, 9]", 3) == [0, 4, 9]


@pytest.mark.parametrize("text, expected", [
    ("reduced to 20 points", {(20.0, "")}),
    ("a 28-point proposal", {(28.0, "")}),
    ("twenty-eight points", {(28.0, "")}),
    ("a $106 billion loan", {(106e9, "")}),
    ("rose 20% or 20 percent", {(20.0, "%")}),
    ("December 21–22, 2025", {(21.0, ""), (22.0, ""), (2025.0, "")}),
    ("1,250 troops", {(1250.0, "")}),
    ("its fourth year", {(4.0, "")}),
])
def test_numbers(text, expected):
    assert numbers(text) == expected


def test_claim_features_names_numbers_content():
    f = claim_features("In November, former U.S. President Donald Trump pressured Kyiv to accept a 28-point plan [2].")
    assert {"November", "U.S.", "President", "Donald", "Trump", "Kyiv"} <= f.names
    assert f.numbers == {(28.0, "")}
    assert {"press", "accep", "plan"} <= f.content and not f.negated
    assert "In" not in f.names  # sentence-initial capital is not a name
    assert claim_features("Dmitriev leads the talks.").names == {"Dmitriev"}
    assert claim_features("There are no plans for a call.").negated


def test_best_quote_is_the_supporting_sentence_in_article_coordinates():
    p = next(p for p in PASSAGES if "Kirill Dmitriev, head" in p.text)
    q = best_quote("Russia is represented by Kirill Dmitriev.", p)
    assert q.text.startswith("From the U.S. side") and q.text.endswith("sovereign wealth fund.")
    assert TEXTS[p.article_id][q.start:q.end] == q.text
    assert q.start >= p.chunk.start and q.score == 1.0


def test_best_quote_spans_two_sentences_only_when_needed():
    p = next(p for p in PASSAGES if "28-point" in p.text)
    one = best_quote("The proposal has now been reduced to 20 points.", p)
    assert one.text == "Reports suggest the proposal has now been reduced to 20 points and reflects more of Kyiv’s demands."
    two = best_quote("Trump pushed a 28-point proposal that was reduced to 20 points.", p)
    assert "28-point" in two.text and "20 points" in two.text
    assert TEXTS[p.article_id][two.start:two.end] == two.text


def test_every_best_quote_on_the_seeds_is_verbatim():
    claims = ["Ushakov denied the talks.", "Dmitriev described the talks as constructive.",
              "The EU approved a $106 billion loan.", "Rubio said Washington would not force a deal."]
    for p in PASSAGES:
        for claim in claims:
            q = best_quote(claim, p)
            assert TEXTS[p.article_id][q.start:q.end] == q.text and 0.0 <= q.score <= 1.0


def test_spellings_of_one_name_are_normalised():
    from bot.text.claims import index_text, name_found

    idx = index_text("The United States sent envoys to Kyiv and the U.S. Senate voted.")
    for name in ("US", "USA", "U.S.", "Kyiv"):
        assert name_found(name, idx)
    assert {"Kyiv", "U.S."} <= claim_features("Did the USA send envoys to Kyiv?").names
    assert not name_found("Moscow", idx)


@pytest.mark.parametrize("name, found", [
    ("Dmitriev", True), ("Russia", True), ("Ukraine", True), ("December", True), ("Zelensky", True),
    ("Europeans", True), ("Belarusian", True), ("Dmitry", False), ("Dmitri", False), ("Putin", False),
])
def test_name_spellings_that_match_and_names_that_only_share_a_prefix(name, found):
    from bot.text.claims import index_text, name_found

    idx = index_text("Kirill Dmitriev met Ukrainian and Russian envoys on Dec. 21 with Zelenskyy in Europe and Belarus.")
    assert name_found(name, idx) is found
