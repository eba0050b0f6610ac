"""Answers over wire copies and dates: three syndicated copies give one cited story with "also
reported by"; source lines show title, outlet and date; an untitled article gets its lead as
title; quotes are not double-quoted; answers from several days say "as of"; a question about
"today" with no article from today is refused naming the newest article's date."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answerers.extractive import ExtractiveAnswerer
from bot.answering.pipeline import build_pipeline
from bot.core.errors import InvalidQuestionError
from bot.core.records import Citation
from bot.core.settings import load_settings
from bot.surfaces.display import quoted, source_line
from bot.surfaces.render import answer_plain
from index.indexer import index_paths
from index.sources.article import Article
from tests.fakes import FakeEmbedder, InMemoryStore
from tests.test_dedup import STORY, copies
from tests.test_feeds import BUDGET

ORCHARD = ("Growers in the northern valley began the apple harvest a week early after a warm spring. "
           "The regional cooperative said it expected a record crop of ninety thousand tonnes. "
           "Pickers arrived from neighbouring towns and a second packing shed was opened.")


def _pipeline(tmp_path, articles, **overrides):
    settings = load_settings({}, store=tmp_path / "store", chunk_tokens=60, chunk_overlap_tokens=8, top_k=4,
                             refusal_threshold=0.05, llm="extractive", **overrides)
    store, embedder = InMemoryStore(), FakeEmbedder()
    index_paths(settings, [], embedder=embedder, store=store, extra=articles)
    return build_pipeline(settings, embedder=embedder, store=store,
                          answerers={"extractive": ExtractiveAnswerer()})


def test_three_syndicated_copies_give_one_cited_story_with_also_reported_by(tmp_path):
    pipeline = _pipeline(tmp_path, [*copies(), Article("budget", " ".join(BUDGET), title="Budget passes",
                                                       source="Harbor Gazette", published="2024-03-04")],
                         as_of="2024-03-06")
    answer = pipeline.ask("How many rivets did engineers replace on the harbor bridge?")
    assert not answer.refused, answer.notes
    cited = {c.article_id for c in answer.citations}
    assert len(cited) == 1 and cited <= {"wire-a", "wire-b", "wire-c"}, answer.citations
    assert {p.chunk.story_id for p in answer.passages} <= {"wire-a", "budget"}
    assert len({p.article_id for p in answer.passages if p.chunk.story_id == "wire-a"}) == 1  # one copy retrieved
    [c] = [c for c in answer.citations][:1]
    outlets = {"Harbor Gazette", "Valley Courier", "Coast Times"}
    assert set(c.also_reported_by) == outlets - {c.source} and len(c.also_reported_by) == 2
    assert answer.independent_sources == 1 and answer.to_json()["independent_sources"] == 1
    plain = answer_plain(answer)
    assert "also reported by: " + ", ".join(c.also_reported_by) in plain
    sources = plain.partition("Sources:")[2]
    assert sources.count("also reported by: ") == len(answer.citations)
    assert sum(o in sources for o in outlets) == 3  # each outlet named, none as a second citation


def test_answer_from_different_days_says_as_of_the_newest(tmp_path):
    articles = [Article("orchard-1", ORCHARD, title="Harvest starts early", source="Valley Courier",
                        published="2024-03-01"),
                Article("orchard-2", "The apple harvest cooperative reported that ninety thousand tonnes were "
                        "expected and that the apple harvest packing shed opened.", title="Harvest update",
                        source="Coast Times", published="2024-03-05T10:00:00+00:00")]
    pipeline = _pipeline(tmp_path, articles, as_of="2024-03-06")
    answer = pipeline.ask("How many tonnes of apples does the harvest cooperative expect?")
    assert not answer.refused, answer.notes
    assert {c.published[:10] for c in answer.citations} == {"2024-03-01", "2024-03-05"}
    assert answer.dated == "as of 2024-03-05" and answer.answer.endswith("(as of 2024-03-05)")
    assert answer.to_json()["dated"] == "as of 2024-03-05"
    fresh = _pipeline(tmp_path / "fresh", articles[:1], as_of="2024-03-02").ask(
        "How many tonnes of apples does the harvest cooperative expect?")
    assert not fresh.refused and fresh.dated is None and "as of" not in fresh.answer


def test_stale_single_day_answer_says_as_of(tmp_path):
    articles = [Article("orchard-1", ORCHARD, title="Harvest starts early", source="Valley Courier",
                        published="2024-03-01")]
    answer = _pipeline(tmp_path, articles, as_of="2024-03-20").ask("How big is the apple harvest crop expected to be?")
    assert not answer.refused and answer.dated == "as of 2024-03-01" and "(as of 2024-03-01)" in answer.answer


def test_question_about_today_with_no_article_from_today_is_refused_as_such(tmp_path):
    articles = [Article("orchard-1", ORCHARD, title="Harvest starts early", source="Valley Courier",
                        published="2024-03-01")]
    pipeline = _pipeline(tmp_path, articles, as_of="2024-03-20")
    answer = pipeline.ask("What happened with the apple harvest today?")
    assert answer.refused and "the newest article on this is from 2024-03-01" in answer.answer
    assert answer.refusal_reason == "out_of_window"
    same_day = _pipeline(tmp_path / "b", articles, as_of="2024-03-01").ask("What happened with the apple harvest today?")
    assert not same_day.refused
    week = _pipeline(tmp_path / "c", articles, as_of="2024-03-06").ask("What happened with the apple harvest this week?")
    assert not week.refused


def test_bad_as_of_is_a_clear_error(tmp_path):
    pipeline = _pipeline(tmp_path, [Article("o", ORCHARD, title="Harvest", published="2024-03-01")], as_of="March")
    with pytest.raises(InvalidQuestionError, match="'March'"):
        pipeline.ask("How big is the apple harvest crop expected to be?")


def test_untitled_article_gets_its_lead_as_title(tmp_path):
    pipeline = _pipeline(tmp_path, [Article("001_abc", ORCHARD, source="Valley Courier")])
    answer = pipeline.ask("How big is the apple harvest crop expected to be?")
    assert not answer.refused
    title = "Growers in the northern valley began the apple harvest a week early after a warm spring"
    assert answer.citations[0].title == title
    assert source_line(answer.citations[0]) == f"{title} (Valley Courier, undated)"
    assert "001_abc" not in answer_plain(answer)


def test_source_line_always_names_title_outlet_and_date_and_quotes_are_not_doubled():
    bare = Citation(1, "x", "Bridge reopens", None, None, None, "“We are open,” the mayor said.", 0, 30, 1.0)
    assert source_line(bare) == "Bridge reopens (outlet unknown, undated)"
    assert quoted(bare.quote) == "“We are open,” the mayor said."
    assert quoted("The bridge is open.") == "“The bridge is open.”"
    from bot.core.records import Answer, AnswerSentence

    answer = Answer("q", "The mayor said they are open [1].", False, (bare,),
                    (AnswerSentence("The mayor said they are open [1].", (1,), True),), "extractive", "extractive", {})
    assert "““" not in answer_plain(answer) and "    “We are open,” the mayor said." in answer_plain(answer)


def test_story_text_is_long_enough_to_fold():
    assert len(STORY.split()) > 100


@pytest.mark.parametrize("question, window", [
    ("Which network aired the interview this week?", "this week"),
    ("This week, which city hosted the summit?", "this week"),
    ("“Today,” the mayor said — what did she announce?", "today"),
    ("Which strip did the USA TODAY Network drop after the remarks?", None),   # a newspaper's name
    ("Who became a co-host of NBC's Today show in 2021?", None),               # a programme's name
    ("What did the band This Week release in May?", None),
])
def test_a_window_phrase_capitalised_inside_a_sentence_names_something_and_asks_no_time(question, window):
    from datetime import date

    from bot.answering.dating import asked_window

    got = asked_window(question, date(2024, 3, 8))
    assert (got[0] if got else None) == window


def test_a_question_asked_in_the_past_is_answered_from_its_past(tmp_path):
    """Many later reports of the same harvest fill every first slot; asked on a day before them,
    the answer still has top_k passages, all from articles published by that day."""
    later = [Article(f"later{i}", f"Growers in the northern valley finished the apple harvest, report {i}. "
                     "The cooperative counted the crop.", title="Harvest ends", published=f"2024-04-{10 + i}")
             for i in range(12)]
    early = [Article("orchard", ORCHARD, title="Harvest begins", published="2024-03-01")]
    pipeline = _pipeline(tmp_path, later + early, as_of="2024-03-06")
    answer = pipeline.ask("How big is the apple harvest crop in the northern valley expected to be?")
    assert answer.passages and all(p.chunk.published <= "2024-03-06" for p in answer.passages)
    assert {c.article_id for c in answer.citations} == {"orchard"}, answer.notes
    assert not any("published after" in n for n in answer.notes)  # left out before fusion, not after


def test_the_length_fit_counts_an_answer_as_the_reader_sees_it(tmp_path):
    """evals/runner_up.py fits the runner-up cutoff on answer lengths: its count of a shown
    answer (sentences, markers, dating note) is the length of the text the pipeline shows."""
    from evals.runner_up import reader_words

    articles = [Article("orchard-1", ORCHARD, title="Harvest starts early", source="Valley Courier",
                        published="2024-03-01")]
    for as_of in ("2024-03-20", "2024-03-02"):  # stale: "(as of …)"; fresh: no note
        answer = _pipeline(tmp_path / as_of, articles, as_of=as_of).ask("How big is the apple harvest crop expected to be?")
        assert not answer.refused and answer.short_answer is None, answer.notes
        shown = [(s.text, c.published) for s in answer.sentences for c in answer.citations if c.marker == s.citations[0]]
        assert len(shown) == len(answer.sentences)
        assert reader_words(shown, dt.date.fromisoformat(as_of)) == len(answer.answer.split()), answer.answer
