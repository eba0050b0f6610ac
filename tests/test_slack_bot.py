"""SlackBot in-process (no HTTP): progressive verified updates, the timeout apology, de-duplication,
bad questions, a thread Slack won't return, feedback after a restart — with an in-memory Web API
client, the real MiniLM over the seed articles, and scripted answerers."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.answering.pipeline import build_pipeline
from bot.core.settings import load_settings
from bot.surfaces.slack import blocks as sb
from bot.surfaces.slack.bot import SlackBot, Throttled
from bot.surfaces.slack.feedback import FeedbackLog
from tests.conftest import SEEDS
from tests.fakes import InMemoryStore, ScriptedAnswerer, line_chunks

RUSSIA_Q = "Who is representing Russia in the talks?"


class MemoryClient:
    """The Web API methods SlackBot calls, recorded; ``fail`` makes one raise."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.fail: set[str] = set()
        self._n = 0
        self._cond = threading.Condition()

    def _call(self, method, kwargs, reply):
        with self._cond:
            self.calls.append((method, kwargs))
            self._cond.notify_all()
        if method in self.fail:
            raise RuntimeError(f"{method} failed (test)")
        return reply

    def chat_postMessage(self, **kw):
        self._n += 1
        return self._call("chat_postMessage", kw, {"ok": True, "ts": f"9.{self._n:04d}"})

    def chat_update(self, **kw):
        return self._call("chat_update", kw, {"ok": True})

    def chat_postEphemeral(self, **kw):
        return self._call("chat_postEphemeral", kw, {"ok": True})

    def conversations_replies(self, **kw):
        return self._call("conversations_replies", kw, {"ok": True, "messages": []})

    def views_open(self, **kw):
        return self._call("views_open", kw, {"ok": True})

    def of(self, method):
        with self._cond:
            return [kw for m, kw in self.calls if m == method]

    def wait(self, predicate, timeout=60.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; calls: {[m for m, _ in self.calls]}")
                self._cond.wait(min(left, 0.2))


@pytest.fixture(scope="module")
def seed_store(minilm):
    chunks = []
    for path in sorted(SEEDS.glob("*.txt")):
        chunks += line_chunks(path.stem, path.read_text(encoding="utf-8"))
    store = InMemoryStore()
    store.upsert(chunks, minilm.embed([c.text for c in chunks]))
    return store


def make_bot(minilm, seed_store, tmp_path, draft, **kw):
    settings = load_settings({}, llm="openai", top_k=4, feedback_path=str(tmp_path / "fb.jsonl"))
    answerer = ScriptedAnswerer(draft, name="openai", model="scripted")
    pipeline = build_pipeline(settings, embedder=minilm, store=seed_store, lexical=None,
                              answerers={"openai": answerer})
    client = MemoryClient()
    bot = SlackBot(pipeline, settings, client, bot_user_id="UBOT", bot_id="BBOT",
                   feedback=FeedbackLog(settings.feedback_path), **kw)
    return bot, client


def cite(needle, claim):
    def draft(question, passages):
        n = next(i for i, p in enumerate(passages, 1) if needle in p.text)
        return claim.format(n=n)
    return draft


def mention(text, ts="1.0001", **extra):
    return {"type": "app_mention", "channel": "C1", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, **extra}


def final_of(client):
    client.wait(lambda: any("metadata" in kw or "error id" in kw.get("text", "") for kw in client.of("chat_update")))
    return [kw for kw in client.of("chat_update") if "metadata" in kw or "error id" in kw.get("text", "")][-1]


def test_updates_show_verified_sentences_as_they_stream(minilm, seed_store, tmp_path):
    draft = cite("Kirill Dmitriev, head",
                 "Russia is represented by Kirill Dmitriev [{n}]. Dmitriev is 95 years old [{n}]. "
                 "Kirill Dmitriev is head of the country's sovereign wealth fund [{n}].")
    bot, client = make_bot(minilm, seed_store, tmp_path, draft, update_interval=0.0)
    assert bot.handle_event(mention(RUSSIA_Q))
    final = final_of(client)
    progress = [kw for kw in client.of("chat_update") if "metadata" not in kw]
    assert progress, "no progressive update before the final answer"
    assert "Still answering" in json.dumps(progress[0]["blocks"])
    assert progress[0]["text"].startswith("Russia is represented by Kirill Dmitriev")
    assert all("95" not in kw["text"] for kw in client.of("chat_update"))  # unverified text never shown
    assert "sovereign wealth fund" in final["text"] and "*Sources*" in json.dumps(final["blocks"])
    assert client.of("chat_postMessage")[0]["thread_ts"] == "1.0001"
    bot.close()


def test_throttle_sends_at_most_one_update_per_interval():
    now = [0.0]
    shown: list[str] = []
    throttled = Throttled(shown.append, interval=1.0, clock=lambda: now[0])
    for t, piece in [(0.2, "A."), (0.5, " B."), (1.1, " C."), (1.5, " D."), (2.3, " E.")]:
        now[0] = t
        throttled(piece)
    assert shown == ["A. B. C.", "A. B. C. D. E."]


def test_a_slow_answer_becomes_an_apology_then_the_answer(minilm, seed_store, tmp_path):
    release = threading.Event()

    def slow(question, passages):
        release.wait(30)
        return cite("Kirill Dmitriev, head", "Russia is represented by Kirill Dmitriev [{n}].")(question, passages)

    bot, client = make_bot(minilm, seed_store, tmp_path, slow, answer_timeout_s=0.3)
    bot.handle_event(mention(RUSSIA_Q))
    client.wait(lambda: any("too long" in kw.get("text", "") for kw in client.of("chat_update")))
    release.set()
    client.wait(lambda: any("metadata" in kw for kw in client.of("chat_update")))
    assert "Dmitriev" in client.of("chat_update")[-1]["text"]
    bot.close()


def test_answerer_exception_is_an_apology_with_a_logged_id(minilm, seed_store, tmp_path, caplog):
    def broken(question, passages):
        raise KeyError("bug in the answerer")

    bot, client = make_bot(minilm, seed_store, tmp_path, broken)
    with caplog.at_level("ERROR", logger="newsbot.slack"):
        bot.handle_event(mention(RUSSIA_Q))
        final = final_of(client)
    error_id = final["text"].rsplit("error id: ", 1)[1]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the log
    bot.close()


def test_same_post_is_answered_once(minilm, seed_store, tmp_path):
    bot, client = make_bot(minilm, seed_store, tmp_path, "Nothing [1].")
    event = mention(RUSSIA_Q)
    assert bot.handle_event(event) is True
    assert bot.handle_event(event, retry_num="1") is False
    assert bot.handle_event({**event, "type": "message", "channel_type": "im"}) is False
    assert len(client.of("chat_postMessage")) == 1
    bot.close()


def test_what_is_not_a_question_to_the_bot_is_ignored(minilm, seed_store, tmp_path):
    bot, client = make_bot(minilm, seed_store, tmp_path, "x")
    assert not bot.handle_event({"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1",
                                 "text": "hello", "ts": "2.0"})
    assert not bot.handle_event({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1",
                                 "subtype": "message_changed", "ts": "2.1"})
    assert not bot.handle_event({"type": "message", "channel": "D1", "channel_type": "im", "user": "UBOT",
                                 "text": "my answer", "ts": "2.2"})
    assert not client.calls
    assert not bot.handle_event(mention("", ts="2.3"))  # a bare mention: help, no answer
    assert bot.handle_event({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1",
                             "subtype": "file_share", "text": "Who is Yuri Ushakov?", "ts": "2.4"})
    assert "Ask me a question" in client.of("chat_postMessage")[0]["text"]
    bot.close()


def test_too_long_question_gets_the_reason_not_an_apology(minilm, seed_store, tmp_path):
    bot, client = make_bot(minilm, seed_store, tmp_path, "x")
    bot.handle_event(mention("why " * 1000))
    client.wait(lambda: len(client.of("chat_update")) >= 1)
    text = client.of("chat_update")[-1]["text"]
    assert "limit is 2,000" in text and "error id" not in text
    bot.close()


def test_thread_history_failure_still_answers(minilm, seed_store, tmp_path):
    draft = cite("Kirill Dmitriev, head", "Russia is represented by Kirill Dmitriev [{n}].")
    bot, client = make_bot(minilm, seed_store, tmp_path, draft)
    client.fail.add("conversations_replies")
    bot.handle_event(mention(RUSSIA_Q, ts="3.5", thread_ts="3.0"))
    final = final_of(client)
    assert "Dmitriev" in final["text"]
    assert client.of("conversations_replies")[0]["ts"] == "3.0"
    assert client.of("chat_postMessage")[0]["thread_ts"] == "3.0"  # replies in the existing thread
    bot.close()


def test_vote_after_a_restart_is_recorded_from_the_click(minilm, seed_store, tmp_path):
    bot, client = make_bot(minilm, seed_store, tmp_path, "x")
    value = json.dumps({"id": "gone", "q": "Who is Ushakov?"})
    body = {"user": {"id": "U9"}, "channel": {"id": "C1"}, "trigger_id": "t.1",
            "container": {"message_ts": "7.7", "channel_id": "C1"},
            "message": {"ts": "7.7", "text": "Ushakov is an adviser &amp; aide [1]."},
            "actions": [{"action_id": sb.ACTION_DOWN, "value": value}]}
    record = bot.handle_vote(body, "down")
    assert record["question"] == "Who is Ushakov?" and record["answer"] == "Ushakov is an adviser & aide [1]."
    assert client.of("views_open")[0]["trigger_id"] == "t.1"
    meta = json.loads(client.of("views_open")[0]["view"]["private_metadata"])
    view = {"private_metadata": json.dumps(meta), "state": {"values": {sb.CORRECTION_BLOCK: {
        sb.CORRECTION_ACTION: {"value": "He is Putin's adviser."}}}}}
    assert bot.handle_correction(view)["correction"] == "He is Putin's adviser."
    assert len(bot.feedback.records()) == 1
    bot.close()


def test_a_click_racing_the_reply_still_records_the_full_answer(minilm, seed_store, tmp_path):
    """Slack can deliver a click before our chat.update call has returned."""
    draft = cite("Kirill Dmitriev, head", "Russia is represented by Kirill Dmitriev [{n}].")
    bot, client = make_bot(minilm, seed_store, tmp_path, draft)
    recorded = []
    plain_update = client.chat_update

    def update_then_click(**kw):
        reply = plain_update(**kw)
        if "metadata" in kw:
            button = next(e for b in kw["blocks"] if b["type"] == "actions" for e in b["elements"])
            recorded.append(bot.handle_vote({"user": {"id": "U5"}, "channel": {"id": "C1"},
                                             "container": {"message_ts": kw["ts"]},
                                             "actions": [{"action_id": sb.ACTION_UP, "value": button["value"]}]},
                                            "up"))
        return reply

    client.chat_update = update_then_click
    bot.handle_event(mention(RUSSIA_Q))
    client.wait(lambda: bool(recorded))
    assert recorded[0]["citations"] and recorded[0]["backend"] == "openai"
    assert recorded[0]["question"] == RUSSIA_Q
    bot.close()


@pytest.mark.parametrize("public, kind", [(False, "ephemeral"), (True, "in_channel")])
def test_slash_command_visibility_follows_public_slash(minilm, seed_store, tmp_path, public, kind):
    draft = cite("Kirill Dmitriev, head", "Russia is represented by Kirill Dmitriev [{n}].")
    bot, client = make_bot(minilm, seed_store, tmp_path, draft)
    bot.settings = bot.settings.replace(public_slash=public)
    acks, replies = [], []
    bot.handle_slash({"text": RUSSIA_Q, "channel_id": "C1", "user_id": "U1"},
                     lambda **kw: acks.append(kw), lambda **kw: replies.append(kw))
    client.wait(lambda: bool(replies))
    assert acks[0]["response_type"] == kind and replies[0]["response_type"] == kind
    assert "Dmitriev" in replies[0]["text"] and "*Sources*" in json.dumps(replies[0]["blocks"])
    bot.handle_slash({"text": "  ", "channel_id": "C1"}, lambda **kw: acks.append(kw), lambda **kw: replies.append(kw))
    assert acks[-1]["response_type"] == "ephemeral" and "Ask me a question" in acks[-1]["text"]
    bot.close()


def test_placeholder_says_how_many_questions_are_ahead(minilm, seed_store, tmp_path):
    release = threading.Event()

    def slow(question, passages):
        release.wait(30)
        return cite("Kirill Dmitriev, head", "Russia is represented by Kirill Dmitriev [{n}].")(question, passages)

    bot, client = make_bot(minilm, seed_store, tmp_path, slow)
    bot.handle_event(mention(RUSSIA_Q, ts="4.1"))
    client.wait(lambda: len(client.of("chat_postMessage")) == 1)
    bot.handle_event(mention(RUSSIA_Q, ts="4.2"))
    bot.handle_event(mention(RUSSIA_Q, ts="4.3"))
    texts = [kw["text"] for kw in client.of("chat_postMessage")]
    release.set()
    assert "ahead" not in texts[0]
    assert texts[1].endswith("(1 question ahead of yours)") and texts[2].endswith("(2 questions ahead of yours)")
    client.wait(lambda: len([kw for kw in client.of("chat_update") if "metadata" in kw]) == 3)
    bot.close()
