"""What verification does with the shapes real models answer in, over a tiny corpus written here.

A capable model answers with a bare phrase, one sentence without markers, markers pointing at the
wrong passage, a hedge, a refusal in its own words, or a paraphrase; newsbot must keep what is
right (worded its own way) and stop what the articles do not say.
"""

import pytest

from bot.answering import flow as qa
from bot.answering.evidence import EvidenceScorer, load_weights
from bot.answering.retrieve import Retriever
from bot.core.passage import Chunk
from bot.core.settings import load_settings
from tests.fakes import FakeEmbedder, InMemoryStore, ScriptedAnswerer

ARTICLES = {
    "cup": ("Harbor Hawks win the coastal cup", "2024-05-12",
            "The Harbor Hawks won the coastal cup on Sunday, beating the River Owls 3-1 in Porto. "
            "Coach Ada Lind said the team had trained for months. About 20,000 fans watched the final."),
    "old": ("Cup final history", "2019-05-20",
            "The River Owls won the 2019 coastal cup in Lagos. Their coach at the time was Piet Laan."),
    "rain": ("Storm closes roads", "2024-05-11",
             "Heavy rain closed two roads near Porto on Saturday. Officials said the roads reopened by noon."),
}
QUESTION = "Which team won the coastal cup?"


@pytest.fixture(scope="module")
def retriever():
    embedder, store = FakeEmbedder(), InMemoryStore()
    chunks = [Chunk(f"{aid}#0000", aid, text, 0, len(text), title=title, published=day)
              for aid, (title, day, text) in ARTICLES.items()]
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    return Retriever(embedder, store, None, load_settings({}, top_k=3))


def ask(retriever, draft, question=QUESTION, as_of="2024-05-14"):
    answerer = ScriptedAnswerer(draft, name="openai")
    scorer = EvidenceScorer(load_weights(), retriever.embedder.embed, threshold=0.05)
    return qa.answer(question, (), retriever=retriever, answerer=answerer, settings=load_settings({}, top_k=3),
                     scorer=scorer, as_of=as_of)


def cup_marker(passages):
    return next(i for i, p in enumerate(passages, 1) if p.article_id == "cup")


def test_bare_phrase_is_kept_as_the_short_answer_with_the_sentence_that_states_it(retriever):
    out = ask(retriever, "Harbor Hawks")
    assert not out.refused and out.backend == "openai"
    assert out.short_answer == "Harbor Hawks"
    assert out.answer.startswith("Harbor Hawks — The Harbor Hawks won the coastal cup")
    assert out.citations[0].article_id == "cup"


def test_bare_phrase_the_articles_do_not_state_is_not_shown(retriever):
    out = ask(retriever, "Coast Gulls")
    assert "Coast Gulls" not in out.answer


def test_one_sentence_without_markers_is_cited(retriever):
    out = ask(retriever, "The Harbor Hawks won the coastal cup on Sunday.")
    assert not out.refused and out.sentences[0].supported and out.citations[0].article_id == "cup"


def test_markers_pointing_at_the_wrong_passage_are_re_cited(retriever):
    def draft(question, passages):
        wrong = next(i for i, p in enumerate(passages, 1) if p.article_id != "cup")
        return f"The Harbor Hawks won the coastal cup on Sunday [{wrong}]."
    out = ask(retriever, draft)
    assert not out.refused and {c.article_id for c in out.citations} == {"cup"}


def test_a_hedge_is_framing_not_a_reason_to_drop(retriever):
    out = ask(retriever, lambda q, ps: f"It appears that the Harbor Hawks won the coastal cup [{cup_marker(ps)}].")
    assert not out.refused and "Harbor Hawks won the coastal cup" in out.answer
    assert "appears" not in out.answer


@pytest.mark.parametrize("words", ["The articles do not mention who won the cup.", "I cannot determine the winner.",
                                   "Not specified.", "The passages don't say."])
def test_a_refusal_in_the_models_own_words_is_a_refusal(retriever, words):
    out = ask(retriever, words)
    assert out.refused and out.refusal_reason == "model_refused"
    assert out.sentences == ()


def test_a_correct_paraphrase_is_replaced_by_the_sentence_that_states_it(retriever):
    out = ask(retriever, lambda q, ps: f"Victory went to the Harbor Hawks [{cup_marker(ps)}].")
    assert not out.refused
    assert "The Harbor Hawks won the coastal cup on Sunday" in out.answer
    assert "Victory went" not in out.answer
    assert any("replaced the model's wording" in n for n in out.notes)


def test_an_answer_about_another_year_is_not_supported(retriever):
    out = ask(retriever, lambda q, ps: next(f"The River Owls won the 2019 coastal cup [{i}]."
                                            for i, p in enumerate(ps, 1) if p.article_id == "old"),
              question="Which team won the 2024 coastal cup?")
    assert "River Owls won the 2019" not in out.answer


def test_articles_published_after_the_as_of_date_are_not_searched(retriever):
    out = ask(retriever, "Harbor Hawks", as_of="2024-05-01")
    assert all(p.article_id != "cup" for p in out.passages)
    assert "Harbor Hawks —" not in out.answer


def test_the_json_says_why_a_model_answer_was_not_shown(retriever):
    data = ask(retriever, "Coast Gulls").to_json()
    assert any("Coast Gulls" in note for note in data["notes"])  # no passage states it, said in its words
    year = ask(retriever, lambda q, ps: next(f"The River Owls won the 2019 coastal cup [{i}]."
                                             for i, p in enumerate(ps, 1) if p.article_id == "old"),
               question="Which team won the 2024 coastal cup?").to_json()
    assert {d["reason"].split(":")[0] for d in year["dropped"]} == {"year_mismatch"}
    assert "2019" in year["dropped"][0]["text"] and year["dropped"][0]["citations"]
