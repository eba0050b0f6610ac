"""bot/verify: table-driven verification cases built from the seed articles.

Every case checks quote fidelity too: ``article_text[start:end] == quote`` for each citation.
"""

from __future__ import annotations

import pytest

from bot.surfaces.display import sentence_display
from bot.verify.policy import verify_answer, verify_sentence
from index.chunking import Chunk
from tests.conftest import SEEDS
from tests.fakes import as_passages, line_chunks

TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
PASSAGES = as_passages([c for aid, t in TEXTS.items() for c in line_chunks(aid, t)])


def at(needle: str) -> int:
    """The 1-based number of the passage containing ``needle``."""
    return next(i for i, p in enumerate(PASSAGES, 1) if needle in p.text)


def fill(draft: str) -> str:
    """``{needle}`` → the marker number of the passage containing it."""
    import re

    return re.sub(r"\{([^}]+)\}", lambda m: str(at(m.group(1))), draft)


def check_fidelity(v, texts=TEXTS):
    markers = [c.marker for c in v.citations]
    assert markers == list(range(1, len(markers) + 1))
    for c in v.citations:
        assert texts[c.article_id][c.start:c.end] == c.quote
    for s in v.sentences:
        assert set(s.citations) <= set(markers) and s.citations


# (case, draft with {needle} markers, substring expected in the shown answer or None,
#  substring that must not be shown, expected reason / note fragment)
CASES = [
    ("wrong figure", "The proposal has now been reduced to 12 points [{20 points}].",
     None, "12", "figure 12"),
    ("wrong figure in words", "The proposal has now been reduced to twelve points [{20 points}].",
     None, "twelve", "figure 12"),
    ("right figure of another thing in the same passage", "The proposal has now been reduced to 28 points [{20 points}].",
     None, "28", "figure 28"),
    ("figure swapped between two claims", "Trump pressured Kyiv to accept a 20-point proposal [{28-point}].",
     None, "20", "figure 20"),
    ("wrong money", "An EU summit approved a $160 billion loan package for Kyiv [{106 billion}].",
     None, "160", "figure 160000000000"),
    ("wrong name", "Russia is represented by Sergei Lavrov [{Kirill Dmitriev, head}].",
     None, "Lavrov", "name Lavrov"),
    ("name stitched from the next sentence", "Rustem Umerov is head of the country's sovereign wealth fund [{Kirill Dmitriev, head}].",
     None, "Umerov", "not said together"),
    ("negation flipped", "There are plans for a phone call between Putin and Trump [{phone call}].",
     None, "phone call", "negates"),
    ("figure from no passage, uncited", "Dmitriev is 95 years old.", None, "95", "figure 95"),
    ("right claim, right citation", "Russia is represented by Kirill Dmitriev [{Kirill Dmitriev, head}].",
     "Kirill Dmitriev", None, None),
    ("right claim, wrong citation", "Russia is represented by Kirill Dmitriev [{The Miami talks are expected}].",
     "Kirill Dmitriev", None, "re-cited"),
    ("right claim, uncited", "Reports suggest the proposal has now been reduced to 20 points.", "20 points", None, "cited"),
    ("hedge dropped: the article only reports a suggestion", "The proposal has now been reduced to 20 points [{20 points}].",
     None, "20", "may be so"),
    ("hedge dropped: might participate", "Rubio participated in the weekend talks [{weekend talks}].",
     None, "Rubio", "may be so"),
    ("hedged claim kept", "Rubio said he might participate in the weekend talks [{weekend talks}].",
     "weekend talks", None, None),
    ("half dropped from a figure", "Putin held a four-hour press conference [{press conference}].",
     None, "four", "figure 4"),
    ("order of magnitude changed", "The war has claimed hundreds of thousands of lives [{tens of thousands}].",
     None, "hundreds", "figure ~100000"),
    ("a denial the article does not report", "Ukraine rejected the 28-point proposal [{28-point}].",
     None, "rejected", "key words"),
    ("claim stitched from two passages, uncited", "Ushakov said trilateral talks are being prepared.",
     None, "prepared", None),
    ("markers out of range", "Reports suggest the proposal has been reduced to 20 points [99].",
     "20 points", None, "dropped marker(s) [99]"),
    ("month spelled out where the article abbreviates it",
     "Dmitriev described the talks as constructive on December 20 [{Dec. 20, Dmitriev}].",
     "December 20", None, None),
    ("paraphrase with inflections", "Ushakov said Dmitriev would return to Russia and submit a report [{submit a report}].",
     "submit a report", None, None),
]


@pytest.mark.parametrize("case, draft, shown, hidden, why", CASES, ids=[c[0] for c in CASES])
def test_verification_cases(case, draft, shown, hidden, why):
    v = verify_answer(fill(draft), PASSAGES)
    text = " ".join(sentence_display(s) for s in v.sentences)
    check_fidelity(v)
    if shown:
        assert shown in text and all(s.supported for s in v.sentences)
        cited = " ".join(c.quote for c in v.citations)
        assert shown in cited  # the claim is backed by the quote it shows
    else:
        assert v.sentences == () and v.citations == ()
    if hidden:
        assert hidden not in text
    if why:
        assert any(why in d.reason for d in v.dropped) or any(why in n for n in v.notes), (v.dropped, v.notes)


def test_show_unsupported_keeps_the_sentence_flagged_with_its_reason():
    v = verify_answer(fill("Russia is represented by Kirill Dmitriev [{Kirill Dmitriev, head}]. "
                           "Dmitriev is 95 years old [{Kirill Dmitriev, head}]."), PASSAGES, show_unsupported=True)
    assert [s.supported for s in v.sentences] == [True, False]
    assert "figure 95" in v.sentences[1].reason and v.dropped == ()
    assert sentence_display(v.sentences[1]).startswith("[unsupported] ")
    check_fidelity(v)


def test_several_articles_supporting_a_claim_are_all_cited():
    v = verify_answer(fill("Dmitriev described the talks as constructive [{Dec. 20, Dmitriev}]."), PASSAGES)
    [s] = v.sentences
    assert len(s.citations) == 2
    assert {c.article_id for c in v.citations} == set(TEXTS)
    check_fidelity(v)


def test_markers_are_renumbered_in_order_of_first_use():
    draft = fill("The EU approved a $106 billion loan package [{106 billion}]. "
                 "Russia is represented by Kirill Dmitriev [{Kirill Dmitriev, head}].")
    v = verify_answer(draft, PASSAGES)
    assert [s.citations for s in v.sentences] == [(1,), (2,)]
    assert "106 billion" in v.citations[0].quote and "Dmitriev" in v.citations[1].quote


def test_the_trump_conflict_is_stated_with_both_sides_cited():
    v = verify_answer(fill("In November, former U.S. President Donald Trump began pressuring Kyiv to accept "
                           "a 28-point proposal [{28-point}]."), PASSAGES)
    check_fidelity(v)
    claim, conflict = v.sentences
    assert claim.supported and conflict.supported
    assert conflict.text.startswith(("The articles differ", "The article is inconsistent"))
    assert "“former U.S. President Donald Trump”" in conflict.text
    a, b = (next(c for c in v.citations if c.marker == m) for m in conflict.citations)
    assert "former U.S. President Donald Trump" in a.quote
    assert "President Donald Trump" in b.quote and "former U.S. President Donald Trump" not in b.quote
    assert f"[{a.marker}] says" in conflict.text and f"[{b.marker}] says" in conflict.text
    assert any(n.startswith("conflict:") for n in v.notes)


def test_a_sentence_without_a_role_raises_no_conflict():
    v = verify_answer(fill("Rubio insisted that Washington would not force either side into an agreement [{Rubio insisted}]."),
                      PASSAGES)
    assert len(v.sentences) == 1 and not any("conflict" in n for n in v.notes)


def _chunk(aid, text):
    return Chunk(f"{aid}#0000", aid, text, 0, len(text), title=aid.upper(), source="test")


def test_different_figures_for_the_same_thing_across_articles_are_stated():
    texts = {"a": "Officials said the peace proposal has been reduced to 20 points after talks.",
             "b": "Officials said the peace proposal now has 24 points after the talks in Berlin."}
    passages = as_passages([_chunk(k, t) for k, t in texts.items()])
    v = verify_answer("The peace proposal has been reduced to 20 points [1].", passages)
    check_fidelity(v, texts)
    assert [s.text for s in v.sentences][1] == "The articles differ: [1] says “20 points” while [2] says “24 points”."


def test_a_figure_that_changed_within_one_article_is_not_a_conflict():
    v = verify_answer(fill("Reports suggest the proposal has now been reduced to 20 points [{20 points}]."), PASSAGES)
    assert len(v.sentences) == 1 and not any("conflict" in n for n in v.notes)


def test_duplicate_and_empty_sentences_are_dropped():
    v = verify_answer(fill("Russia is represented by Kirill Dmitriev [{Kirill Dmitriev, head}]. "
                           "Russia is represented by Kirill Dmitriev [{Kirill Dmitriev, head}]. [1]"), PASSAGES)
    assert len(v.sentences) == 1


def test_verification_of_a_prefix_is_a_prefix_of_the_whole():
    """Streaming verifies growing prefixes: sentences and markers must not change meaning."""
    draft = fill("The EU approved a $106 billion loan package [{106 billion}]. Dmitriev is 95 [1]. "
                 "Dmitriev described the talks as constructive [{Dec. 20, Dmitriev}]. "
                 "In November, former U.S. President Donald Trump began pressuring Kyiv [{28-point}].")
    full = verify_answer(draft, PASSAGES)
    parts = draft.split("]. ")
    for k in range(1, len(parts)):
        prefix = verify_answer("]. ".join(parts[:k]) + "].", PASSAGES)
        assert prefix.sentences
        assert full.sentences[:len(prefix.sentences)] == prefix.sentences
        assert full.citations[:len(prefix.citations)] == prefix.citations


@pytest.mark.parametrize("sentence, needle, ok", [
    ("Russia is represented by Kirill Dmitriev.", "Kirill Dmitriev, head", True),
    ("Russia is represented by Sergei Lavrov.", "Kirill Dmitriev, head", False),
    ("Reports suggest the proposal has been reduced to 20 points.", "20 points", True),
    ("The proposal has been reduced to 20 points.", "Kirill Dmitriev, head", False),
    ("The White House commented on the talks.", "White House", False),
    ("The White House has not commented on the talks.", "White House", True),
    ("Yes.", "White House", False),
])
def test_verify_sentence(sentence, needle, ok):
    support = verify_sentence(sentence, [PASSAGES[at(needle) - 1]])
    assert support.supported is ok
    assert bool(support.reason) is (not ok)
    assert 0.0 <= support.score <= 1.0


def test_verify_sentence_without_passages_is_unsupported():
    assert not verify_sentence("Russia is represented by Kirill Dmitriev.", []).supported


def test_a_conflict_is_stated_once_per_answer():
    v = verify_answer(fill("Peskov said there are no plans for a phone call between Putin and U.S. President Donald Trump "
                           "[{phone call}]. In November, former U.S. President Donald Trump began pressuring Kyiv "
                           "to accept a 28-point proposal [{28-point}]."), PASSAGES)
    conflicts = [s for s in v.sentences if s.text.startswith(("The articles differ", "The article is inconsistent"))]
    assert len(conflicts) == 1 and len(v.sentences) == 3
    check_fidelity(v)


@pytest.mark.parametrize("draft", [
    "Dmitriev leads the U.S. side of the negotiations [{Kirill Dmitriev, head}].",
    "Witkoff represents Russia in the talks [{Kirill Dmitriev, head}].",
    "Jared Kushner is head of the country's sovereign wealth fund [{Kirill Dmitriev, head}].",
    "Andrii Hnatov is secretary of Ukraine's National Security and Defense Council [{Rustem Umerov}].",
])
def test_swapped_roles_are_not_supported_although_every_word_is_in_the_quote(draft):
    v = verify_answer(fill(draft), PASSAGES)
    assert v.sentences == () and "not said together" in v.dropped[0].reason


@pytest.mark.parametrize("draft", [
    "Peskov said Putin will meet Lukashenko in St. Petersburg.",
    "Dmitriev is Russia's chief negotiator.",
    "Rustem Umerov is secretary of Ukraine's National Security and Defense Council.",
    "Ushakov dismissed Zelensky's claim that Washington had proposed trilateral talks.",
])
def test_faithful_paraphrases_are_supported(draft):
    v = verify_answer(draft, PASSAGES)
    assert len(v.sentences) == 1 and v.sentences[0].supported
    check_fidelity(v)


def test_every_verbatim_seed_sentence_verifies_against_its_own_passage():
    """No false alarms on the articles' own words (what the extractive answerer shows)."""
    from bot.text.sentences import sentence_spans

    checked = 0
    for n, p in enumerate(PASSAGES, 1):
        for s, e in sentence_spans(p.text):
            sentence = p.text[s:e]
            if len(sentence.split()) < 4:
                continue
            v = verify_answer(f"{sentence} [{n}]", PASSAGES)
            assert v.sentences and all(x.supported for x in v.sentences), (sentence, v.dropped)
            check_fidelity(v)
            checked += 1
    assert checked > 30


def test_a_title_said_only_in_passing_raises_no_conflict():
    """'President Donald Trump's son-in-law Jared Kushner' asserts nothing about Trump himself."""
    v = verify_answer(fill("From the U.S. side the negotiations are led by Special Envoy Steve Witkoff and President "
                           "Donald Trump’s son-in-law Jared Kushner [{Kirill Dmitriev, head}]."), PASSAGES)
    assert len(v.sentences) == 1 and not any("conflict" in n for n in v.notes)
