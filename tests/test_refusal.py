"""refusal.py: the evidence gate, on hand-made passages and on the seeds with the real MiniLM."""

from __future__ import annotations

import pytest

from bot.answering.refusal import assess_evidence
from bot.answering.retrieve import Retriever
from bot.core.passage import Passage
from bot.core.settings import load_settings
from index.chunking import Chunk
from tests.conftest import SEEDS
from tests.fakes import InMemoryStore, ScriptedAnswerer, line_chunks

THRESHOLD = load_settings({}).refusal_threshold

ANSWERABLE = [
    "Who is representing Russia in the talks?",
    "How many points does the proposal have now?",
    "Who leads the U.S. side of the negotiations?",
    "When did Dmitriev describe the talks as constructive?",
    "What did Ushakov say about trilateral talks?",
    "How big is the EU loan package for Kyiv?",
    "What did Rubio say?",
    "Will Putin and Trump have a phone call?",
    "Who will Putin meet in St. Petersburg?",
    "What security guarantees were discussed in Berlin?",
    "What did Trump pressure Kyiv to accept?",
    "What is Kirill Dmitriev's job?",
]
UNANSWERABLE = [
    "What is the capital of France?",
    "What did the Chinese foreign minister say about the talks?",
    "Who is Sergei Lavrov?",
    "What is the weather in Miami?",
    "What is the best recipe for chocolate cake?",
    "Who won the 2022 World Cup?",
]


def passage(text, dense=0.6, rank=1, aid="a"):
    return Passage(Chunk(f"{aid}#{rank:04d}", aid, text, 0, len(text), title=aid.upper()), dense, None, rank, 0.01)


TALKS = passage("Kirill Dmitriev represents Russia in the Miami talks with U.S. envoy Steve Witkoff.")


def test_no_passages_is_refused():
    e = assess_evidence("Who represents Russia?", [], THRESHOLD)
    assert e.refuse and e.best_dense is None and e.closest == ()


def test_low_similarity_is_refused_whatever_the_words():
    e = assess_evidence("Who represents Russia in the talks?", [passage(TALKS.text, dense=0.1)], 0.3)
    assert e.refuse and e.best_dense == pytest.approx(0.1) and "below the threshold" in e.reason


def test_covered_question_with_good_similarity_passes():
    e = assess_evidence("Who represents Russia in the talks?", [TALKS], 0.3)
    assert not e.refuse and e.coverage == 1.0 and e.reason == ""


def test_a_name_in_no_passage_is_refused():
    e = assess_evidence("What did Sergei Lavrov say about the talks?", [TALKS], 0.3)
    assert e.refuse and set(e.missing) == {"Sergei", "Lavrov"}


def test_inflected_names_still_count_as_found():
    e = assess_evidence("Who speaks for the Russian side in the talks?", [TALKS], 0.3)
    assert not e.refuse


def test_no_key_word_found_is_refused():
    e = assess_evidence("What is the weather in Miami?", [TALKS], 0.3)
    assert e.refuse and "key word" in e.reason


def test_bm25_only_hits_have_no_similarity_but_can_still_pass():
    e = assess_evidence("Who represents Russia?", [passage(TALKS.text, dense=None)], 0.3)
    assert e.best_dense is None and not e.refuse


def test_closest_articles_are_ordered_by_best_similarity():
    ps = [passage("Talks in Miami.", 0.4, 1, "b"), passage("Talks in Berlin.", 0.7, 2, "c"),
          passage("More talks.", 0.2, 3, "b")]
    assert assess_evidence("talks", ps, 0.3).closest == ("c", "b")


# --- with the real embedder on the seeds --------------------------------------------------

@pytest.fixture(scope="module")
def seed_retriever(minilm):
    chunks = [c for p in sorted(SEEDS.glob("*.txt")) for c in line_chunks(p.stem, p.read_text(encoding="utf-8"))]
    store = InMemoryStore()
    store.upsert(chunks, minilm.embed([c.text for c in chunks]))
    return Retriever(minilm, store, None, load_settings({}, top_k=4))


@pytest.mark.parametrize("question", ANSWERABLE)
def test_answerable_seed_questions_pass_the_gate(seed_retriever, question):
    e = assess_evidence(question, seed_retriever.search(question, 4), THRESHOLD)
    assert not e.refuse, e


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_questions_are_refused(seed_retriever, question):
    e = assess_evidence(question, seed_retriever.search(question, 4), THRESHOLD)
    assert e.refuse, e
    assert e.closest  # the refusal can name the closest articles


def test_threshold_separates_off_topic_questions_on_similarity_alone(seed_retriever):
    """The dense threshold alone refuses clearly unrelated questions; the coverage rules are
    for on-topic questions the articles still don't answer."""
    def best(q):
        return max(p.dense_score for p in seed_retriever.search(q, 4))
    off_topic = ["What is the capital of France?", "What is the best recipe for chocolate cake?",
                 "Who won the 2022 World Cup?"]
    assert max(best(q) for q in off_topic) < THRESHOLD < min(best(q) for q in ANSWERABLE)


@pytest.mark.parametrize("llm", ["extractive", "local"])
def test_every_embedded_answerer_refuses_out_of_corpus_questions_without_drafting(seed_retriever, llm):
    from bot.answering.pipeline import build_pipeline

    spy = ScriptedAnswerer("Paris is the capital of France [1].", name=llm)
    p = build_pipeline(load_settings({}, llm=llm, top_k=4), embedder=seed_retriever.embedder,
                       store=seed_retriever.store, answerers={llm: spy})
    for q in ("What is the capital of France?", "What did the Chinese foreign minister say about the talks?"):
        out = p.ask(q)
        assert out.refused and out.backend == llm and "Paris" not in out.answer
    assert spy.calls == []


@pytest.mark.parametrize("llm", ["extractive", "local"])
def test_the_real_embedded_answerers_refuse_out_of_corpus_questions(seed_retriever, llm):
    from bot.answering.pipeline import build_pipeline

    p = build_pipeline(load_settings({}, llm=llm, top_k=4), embedder=seed_retriever.embedder,
                       store=seed_retriever.store)
    out = p.ask("What is the capital of France?")
    assert out.refused and out.backend == llm and out.citations == ()
    assert "Paris" not in out.answer and out.timings_ms["generate"] == 0.0


@pytest.mark.parametrize("dense, question, refuse", [
    (0.25, "Who represents Russia in the Miami talks?", False),  # every key word there: lexical evidence wins
    (0.15, "Who represents Russia in the Miami talks?", True),   # under half the threshold: refuse anyway
    (0.35, "Which hotel in Miami hosted the talks with Russia?", True),  # below threshold, key words missing
    (0.45, "Which hotel in Miami hosted the talks with Russia?", False),  # above it: the answerer decides
])
def test_similarity_below_the_threshold_refuses_only_without_strong_lexical_evidence(dense, question, refuse):
    e = assess_evidence(question, [passage(TALKS.text, dense=dense)], 0.4)
    assert e.refuse is refuse, e
