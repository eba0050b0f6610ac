"""Pure Slack parts: Block Kit building and limits, mrkdwn escaping, reading threads back,
the feedback file, and the app manifest."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bot.core.records import Answer, AnswerSentence, Citation, Turn
from bot.surfaces.slack import blocks as sb
from bot.surfaces.slack.feedback import FeedbackLog, feedback_record

REPO = Path(__file__).resolve().parent.parent


def citation(marker: int, *, url: str | None = None, quote: str = "Dmitriev described the talks as constructive.",
             title: str | None = "Kremlin denies talks", source: str | None = "kyiv independent",
             published: str | None = "2025-12-21T10:00:00") -> Citation:
    return Citation(marker, f"art{marker}", title, source, url, published, quote, 0, len(quote), 0.9)


def answer(text: str = "Dmitriev described the talks as constructive [1].", citations=None, refused=False,
           question: str = "How did Dmitriev describe the talks?") -> Answer:
    cites = tuple(citations if citations is not None else ([] if refused else [citation(1)]))
    sentences = () if refused else (AnswerSentence(text, tuple(c.marker for c in cites), True),)
    return Answer(question, text, refused, cites, sentences, "extractive", "extractive", {})


def blocks_text(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


# --- escaping ------------------------------------------------------------------------------

def test_escape_neutralises_slack_control_characters():
    assert sb.escape("a & b <!channel> <@U1> <https://evil|x>") == \
        "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &lt;https://evil|x&gt;"
    assert sb.unescape(sb.escape("x < y && z > w")) == "x < y && z > w"


def test_answer_and_quote_text_cannot_ping_or_link():
    hostile = citation(1, quote="Click <https://phish.example|here> <!here> & win")
    msg = sb.answer_message(answer("Markets fell <!channel> [1].", [hostile]), "a1")
    shown = blocks_text(msg)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://phish" not in shown
    assert "&lt;!channel&gt;" in shown and "&amp; win" in shown
    assert "<!channel>" not in msg["text"]
    answer_sections = [b for b in msg["blocks"] if b["type"] == "section" and "Markets" in b["text"]["text"]]
    assert answer_sections[0]["text"]["verbatim"] is True  # no auto-linking either


def test_links_come_only_from_the_stored_url():
    with_url = sb.source_block(citation(1, url="https://example.com/a?x=1|2"))
    assert "<https://example.com/a?x=1%7C2|Kremlin denies talks>" in with_url["text"]["text"]
    without = sb.source_block(citation(2, quote="See https://model-made.example/link for details."))
    assert "<http" not in without["text"]["text"]  # the quote's url stays text (and verbatim)
    assert sb.safe_url("javascript:alert(1)") is None and sb.safe_url("https://a b") is None


def test_source_block_has_title_source_date_and_quote():
    text = sb.source_block(citation(3))["text"]["text"]
    assert text.startswith("*[3]* *Kremlin denies talks*")
    assert "kyiv independent · 2025-12-21" in text and "> “Dmitriev described the talks as constructive.”" in text
    bare = sb.source_block(citation(4, title=None, source=None, published=None))["text"]["text"]
    assert "*art4*  _outlet unknown · undated_" in bare.split("\n")[0]  # an unknown outlet/date is said so


def test_source_block_names_other_outlets_and_does_not_double_quote():
    import dataclasses

    c = dataclasses.replace(citation(5, quote="“We are open,” she said."), also_reported_by=("Valley Courier", "Coast <Times>"))
    text = sb.source_block(c)["text"]["text"]
    assert "also reported by: Valley Courier, Coast &lt;Times&gt;" in text
    assert "> “We are open,” she said." in text and "““" not in text


# --- limits --------------------------------------------------------------------------------

def test_long_answer_is_split_into_sections_within_3000_chars():
    sentence = "Ushakov said no one had seriously discussed the initiative [1]. "
    long = (sentence * 120).strip()
    msg = sb.answer_message(answer(long), "a1")
    for block in msg["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= sb.SECTION_LIMIT
    body = " ".join(b["text"]["text"] for b in msg["blocks"] if b["type"] == "section"
                    and not b["text"]["text"].startswith(("*Sources*", "*[")))
    assert body == long  # cut between sentences, nothing lost
    assert len(msg["text"]) <= sb.FALLBACK_LIMIT


def test_many_sources_stay_within_50_blocks():
    cites = [citation(i) for i in range(1, 80)]
    msg = sb.answer_message(answer("A [1].", cites), "a1")
    assert len(msg["blocks"]) <= sb.BLOCK_LIMIT
    assert "more sources not shown" in blocks_text(msg)
    assert msg["blocks"][-1]["type"] == "actions"  # feedback buttons survive the cut


def test_giant_sentence_and_giant_quote_are_clipped():
    assert all(len(p) <= 100 for p in sb.split_text("x" * 350, 100))
    block = sb.source_block(citation(1, quote="word " * 2000))
    assert len(block["text"]["text"]) <= sb.SECTION_LIMIT and "…" in block["text"]["text"]


def test_context_blocks_hold_at_most_ten_elements():
    block = sb._context(*[f"e{i}" for i in range(25)])
    assert len(block["elements"]) == sb.CONTEXT_ELEMENTS


def test_button_value_stays_under_2000_chars():
    msg = sb.answer_message(answer(question="q" * 1999), "abc")
    buttons = [e for b in msg["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {e["action_id"] for e in buttons} == {sb.ACTION_UP, sb.ACTION_DOWN}
    for e in buttons:
        assert len(e["value"]) <= sb.BUTTON_VALUE_LIMIT
        assert sb.answer_value(e["value"])["id"] == "abc"


# --- refusals, apologies, progress ----------------------------------------------------------

def test_refusal_has_no_sources_but_names_closest_articles():
    text = "The articles don't cover this. Closest articles searched: “Kremlin denies talks”."
    msg = sb.answer_message(answer(text, refused=True, question="What is the capital of France?"), "r1")
    shown = blocks_text(msg)
    assert "Kremlin denies talks" in shown and "*Sources*" not in shown and "> “" not in shown
    assert msg["blocks"][-1]["type"] == "actions"


def test_apology_carries_the_error_id():
    msg = sb.apology_message("abc123def0")
    assert "abc123def0" in msg["text"] and msg["text"].startswith("Sorry")


def test_progress_message_escapes_and_says_it_is_not_done():
    msg = sb.progress_message("A & B [1].")
    assert msg["text"] == "A &amp; B [1]." and "Still answering" in blocks_text(msg)


def test_metadata_round_trips_an_exchange():
    meta = sb.answer_metadata(answer(), "a9")
    assert meta["event_type"] == sb.METADATA_EVENT
    assert meta["event_payload"]["question"] == "How did Dmitriev describe the talks?"


# --- reading Slack back ------------------------------------------------------------------------

def test_slack_to_plain_strips_only_the_bot_mention():
    text = "<@UBOT> what did <@U77|ann> say in <#C1|news> about <https://x.org/a|this> &amp; <!here>?"
    assert sb.slack_to_plain(text, "UBOT") == "what did @U77 say in #news about this & @here?"
    assert sb.slack_to_plain("  <@UBOT>  ", "UBOT") == ""


def test_thread_turns_pair_questions_with_bot_answers():
    msgs = [
        {"ts": "1.0", "user": "U1", "text": "<@UBOT> Who represents Russia?"},
        {"ts": "1.1", "user": "UBOT", "bot_id": "B1", "text": "Kirill Dmitriev &amp; co [1].",
         "metadata": {"event_type": sb.METADATA_EVENT,
                      "event_payload": {"question": "Who represents Russia?", "answer": "Kirill Dmitriev & co [1]."}}},
        {"ts": "1.2", "user": "U2", "text": "nice"},  # chatter, never answered
        {"ts": "1.3", "user": "U1", "text": "<@UBOT> And Ukraine?"},
        {"ts": "1.4", "user": "UBOT", "bot_id": "B1", "text": "Rustem Umerov [1]."},  # no metadata
        {"ts": "1.5", "user": "U1", "text": "<@UBOT> What is his job?"},  # the current question
        {"ts": "1.6", "user": "UBOT", "bot_id": "B1", "text": sb.PLACEHOLDER},
    ]
    turns = sb.thread_turns(msgs, bot_user_id="UBOT", bot_id="B1", before_ts="1.5")
    assert turns == [Turn("Who represents Russia?", "Kirill Dmitriev & co [1]."),
                     Turn("And Ukraine?", "Rustem Umerov [1].")]


def test_thread_turns_skip_apologies_and_placeholders():
    msgs = [{"ts": "2.0", "user": "U1", "text": "<@UBOT> Q1"},
            {"ts": "2.1", "user": "UBOT", "text": "Sorry — something went wrong (error id x)"},
            {"ts": "2.2", "user": "UBOT", "text": sb.PLACEHOLDER}]
    assert sb.thread_turns(msgs, bot_user_id="UBOT", bot_id=None, before_ts="9.0") == []


# --- the feedback file -------------------------------------------------------------------------

def _record(vote="up", user="U1", correction=None):
    return feedback_record(question="Q?", answer="A [1].", citations=[{"marker": 1}], vote=vote, user=user,
                           channel="C1", ts="5.5", backend="extractive", correction=correction)


def test_feedback_record_has_the_shared_format():
    r = _record()
    assert set(r) >= {"question", "answer", "citations", "vote", "correction", "user", "channel", "ts",
                      "recorded_at", "backend"}
    assert r["recorded_at"].endswith("+00:00")
    with pytest.raises(ValueError):
        _record(vote="meh")


def test_feedback_log_appends_and_updates_one_record_per_user(tmp_path):
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    log.save(_record("up", "U1"))
    log.save(_record("up", "U2"))
    log.save(_record("down", "U1"))  # U1 changes their mind: same record
    assert log.set_correction(_record(user="U1")["feedback_id"], "  It was Umerov.  ")["correction"] == "It was Umerov."
    lines = (tmp_path / "sub" / "feedback.jsonl").read_text().splitlines()
    records = [json.loads(x) for x in lines]
    assert [(r["user"], r["vote"], r["correction"]) for r in records] == [("U1", "down", "It was Umerov."),
                                                                          ("U2", "up", None)]
    assert log.set_correction("nope", "x") is None


def test_feedback_log_survives_concurrent_writers(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    threads = [threading.Thread(target=log.save, args=(_record(user=f"U{i}"),)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["user"] for r in log.records()) == sorted(f"U{i}" for i in range(20))


# --- the manifest ------------------------------------------------------------------------------

def test_manifest_subscribes_to_what_the_app_handles():
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load((REPO / "slack" / "manifest.yaml").read_text())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/newsbot"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "im:history", "channels:history", "commands"} <= scopes


def test_a_rewritten_follow_up_shows_what_was_searched():
    import dataclasses

    a = dataclasses.replace(answer(question="What is his job?"), standalone_question="What is Kirill Dmitriev's job?")
    assert "Searched for: _What is Kirill Dmitriev's job?_" in blocks_text(sb.answer_message(a, "x"))
    same = dataclasses.replace(answer(), standalone_question=answer().question)
    assert "Searched for" not in blocks_text(sb.answer_message(same, "x"))


def test_feedback_records_import_as_eval_drafts(tmp_path):
    """What the bot writes is what `newsbot eval --import-feedback` reads."""
    feedback = pytest.importorskip("evals.feedback")
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.save(feedback_record(question="Who represents Russia?", answer="Kirill Dmitriev [1].",
                             citations=sb.citations_json([citation(1, quote="Russia is represented by Kirill Dmitriev")]),
                             vote="up", user="U1", channel="C1", ts="1.1", backend="extractive"))
    down = feedback_record(question="Who is Ushakov?", answer="A [1].", citations=[], vote="down", user="U2",
                           channel="C1", ts="1.2", backend="extractive")
    log.save(down)
    log.set_correction(down["feedback_id"], "Putin's foreign policy adviser")
    summary = feedback.import_feedback(tmp_path / "feedback.jsonl", tmp_path / "drafts.jsonl")
    drafts = [json.loads(x) for x in (tmp_path / "drafts.jsonl").read_text().splitlines()]
    assert summary.drafted == 2 and not summary.warnings
    assert drafts[0]["sources"] == ["art1"] and drafts[0]["answers"] == [["Russia is represented by Kirill Dmitriev"]]
    assert drafts[1]["answers"] == [["Putin's foreign policy adviser"]]
