"""`newsbot slack` end to end: the real app in HTTP mode on a loopback port, a fake Slack Web API
(tests/fake_slack_api.py) as its --slack-api-url, and real signed HTTP requests from the test."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fake_slack_api import BOT_USER_ID, FakeSlackAPI
from tests.slack_helpers import TOKEN, _start_bot, _stop

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(seed_store_dir, tmp_path_factory):
    with FakeSlackAPI(token=TOKEN) as api:
        running = _start_bot(tmp_path_factory.mktemp("slack"), seed_store_dir, api, "--llm", "extractive")
        yield running
        _stop(running)


def _all_text(message: dict) -> str:
    return json.dumps(message.get("blocks") or [], ensure_ascii=False) + message.get("text", "")


# --- answering ------------------------------------------------------------------------------

def test_mention_gets_threaded_placeholder_then_cited_answer(bot):
    event = bot.mention("C0NEWS", "Who is representing Russia in the talks?")
    status, _ = bot.event(event)
    assert status == 200
    placeholder = bot.placeholder("C0NEWS", event["ts"])
    assert placeholder["thread_ts"] == event["ts"]  # in a thread under the question
    assert "Searching" in placeholder["text"]
    final = bot.final_update("C0NEWS", bot.placeholder_ts("C0NEWS", event["ts"]))
    assert "Dmitriev" in final["text"] and "[1]" in final["text"]
    shown = _all_text(final)
    assert "*Sources*" in shown
    assert "Kremlin denies preparations for trilateral" in shown  # the seed article holding the fact
    assert "Kirill Dmitriev, head of the country" in shown  # its verbatim quote
    actions = [b for b in final["blocks"] if b["type"] == "actions"]
    assert {e["action_id"] for e in actions[0]["elements"]} == {"newsbot_feedback_up", "newsbot_feedback_down"}
    assert final["metadata"]["event_payload"]["question"] == "Who is representing Russia in the talks?"


def test_thread_follow_up_uses_the_thread_as_history(bot):
    first = bot.mention("C0FOLLOW", "Who is representing Russia in the talks?")
    bot.event(first)
    first_answer = bot.final_update("C0FOLLOW", bot.placeholder_ts("C0FOLLOW", first["ts"]))["text"]
    follow = bot.mention("C0FOLLOW", "What is his job?", thread_ts=first["ts"])
    bot.event(follow)
    replies = bot.api.wait_for("conversations.replies", lambda c: c.params.get("channel") == "C0FOLLOW")
    assert replies[0].params["ts"] == first["ts"]
    bot.api.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == first["ts"], count=2)
    second = [m["ts"] for m in bot.api.messages["C0FOLLOW"] if m.get("user") == BOT_USER_ID][-1]
    final = bot.final_update("C0FOLLOW", second)
    assert final["metadata"]["event_payload"]["question"] == "What is his job?"
    # "his" was resolved from the thread: the search names a person from the first answer
    searched = re.search(r"Searched for: _What is (.+?)'s job\?_", _all_text(final))
    assert searched, _all_text(final)
    assert searched.group(1).split()[-1] in first_answer


def test_direct_message_is_answered_in_a_thread(bot):
    message = bot.api.add_message("D0DM", {"user": "U0BOB", "text": "What did Ushakov say about trilateral talks?"})
    bot.event({**message, "type": "message", "channel": "D0DM", "channel_type": "im"})
    placeholder = bot.placeholder("D0DM", message["ts"])
    assert placeholder["thread_ts"] == message["ts"]
    final = bot.final_update("D0DM", bot.placeholder_ts("D0DM", message["ts"]))
    assert "Ushakov" in final["text"] and "*Sources*" in _all_text(final)


def test_refusal_is_plain_with_no_sources(bot):
    event = bot.mention("C0REFUSE", "What is the capital of France?")
    bot.event(event)
    final = bot.final_update("C0REFUSE", bot.placeholder_ts("C0REFUSE", event["ts"]))
    assert final["metadata"]["event_payload"]["refused"] is True
    assert "articles don" in final["text"]
    assert "*Sources*" not in _all_text(final) and "> “" not in _all_text(final)


def test_retry_and_message_twin_are_answered_once(bot):
    event = bot.mention("C0DUP", "Who leads the negotiations for the U.S.?")
    assert bot.event(event)[0] == 200
    assert bot.event(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})[0] == 200
    twin = {**event, "type": "message", "channel_type": "channel"}  # the `message` event of the same post
    assert bot.event(twin)[0] == 200
    bot.final_update("C0DUP", bot.placeholder_ts("C0DUP", event["ts"]))
    later = bot.mention("C0DUP", "Who is Yuri Ushakov?")  # a later question flushes the queue
    bot.event(later)
    bot.final_update("C0DUP", bot.placeholder_ts("C0DUP", later["ts"]))
    assert "Slack retry 1" in bot.log.read_text()  # the retry header was read (and the retry dropped)
    posts = bot.api.find_calls("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])
    assert len(posts) == 1


def test_a_person_in_a_channel_without_mention_is_ignored(bot):
    message = bot.api.add_message("C0QUIET", {"user": "U0ALICE", "text": "lunch anyone?"})
    bot.event({**message, "type": "message", "channel": "C0QUIET", "channel_type": "channel"})
    bot_msg = {"type": "message", "channel": "D0DM2", "channel_type": "im", "user": BOT_USER_ID,
               "bot_id": "BBOT", "text": "my own reply", "ts": bot.api.next_ts()}
    assert bot.event(bot_msg)[0] == 200
    edited = {"type": "message", "subtype": "message_changed", "channel": "D0DM2", "channel_type": "im",
              "ts": bot.api.next_ts(), "message": {"user": "U0BOB", "text": "edited", "ts": "1.0"}}
    assert bot.event(edited)[0] == 200  # acked (not a 404 Slack would retry), not answered
    marker = bot.mention("C0QUIET", "Who is Yuri Ushakov?")
    bot.event(marker)
    bot.final_update("C0QUIET", bot.placeholder_ts("C0QUIET", marker["ts"]))
    assert not bot.api.find_calls("chat.postMessage", lambda c: c.params.get("thread_ts") == message["ts"])
    assert not bot.api.find_calls("chat.postMessage", lambda c: c.params.get("channel") == "D0DM2")


# --- feedback -------------------------------------------------------------------------------

def _answered(bot, channel: str, question: str) -> tuple[dict, str]:
    event = bot.mention(channel, question)
    bot.event(event)
    ts = bot.placeholder_ts(channel, event["ts"])
    return bot.final_update(channel, ts), ts


def _click(bot, final: dict, channel: str, ts: str, action_id: str, user: str = "U0CAROL"):
    button = next(e for b in final["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id)
    payload = {"type": "block_actions", "user": {"id": user, "name": "carol"}, "team": {"id": "T0FAKE"},
               "api_app_id": "A0FAKE", "trigger_id": "1234.5678.abcd",
               "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
               "channel": {"id": channel, "name": "news"},
               "message": {"type": "message", "ts": ts, "text": final["text"], "user": BOT_USER_ID},
               "response_url": bot.api.response_url("click"),
               "actions": [{"type": "button", "action_id": action_id, "block_id": "feedback",
                            "value": button["value"], "action_ts": str(time.time())}]}
    return bot.interaction(payload)


def _records(bot, channel: str) -> list[dict]:
    """The feedback records of one channel, once there is one: the file is shared by the module's
    tests, so a record of another channel being there says nothing of this one's."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if bot.feedback.exists():
            records = [json.loads(x) for x in bot.feedback.read_text().splitlines() if x.strip()]
            mine = [r for r in records if r["channel"] == channel]
            if mine:
                return mine
        time.sleep(0.2)
    raise AssertionError(f"no feedback record of {channel} written")


def test_thumbs_up_appends_a_feedback_record(bot):
    final, ts = _answered(bot, "C0VOTE", "Who is representing Russia in the talks?")
    assert _click(bot, final, "C0VOTE", ts, "newsbot_feedback_up")[0] == 200
    record = _records(bot, "C0VOTE")[0]
    assert record["vote"] == "up" and record["user"] == "U0CAROL" and record["ts"] == ts
    assert record["question"] == "Who is representing Russia in the talks?"
    assert record["answer"] == final["metadata"]["event_payload"]["answer"]
    assert record["citations"] and record["citations"][0]["quote"] in Path(
        REPO, "seeds", "000_c3020e762289b85b.txt").read_text() + Path(REPO, "seeds", "001_fed5e9e3e43d509c.txt").read_text()
    assert record["backend"] == "extractive" and record["correction"] is None and record["recorded_at"]


def test_thumbs_down_opens_a_modal_and_the_correction_is_recorded(bot):
    final, ts = _answered(bot, "C0DOWN", "Who is Yuri Ushakov?")
    assert _click(bot, final, "C0DOWN", ts, "newsbot_feedback_down", user="U0DAN")[0] == 200
    opened = bot.api.wait_for("views.open")[-1].params
    assert opened["trigger_id"] == "1234.5678.abcd" and opened["view"]["type"] == "modal"
    record = _records(bot, "C0DOWN")[0]
    assert record["vote"] == "down" and record["correction"] is None
    submission = {"type": "view_submission", "user": {"id": "U0DAN"}, "team": {"id": "T0FAKE"},
                  "api_app_id": "A0FAKE", "trigger_id": "1.2.3",
                  "view": {**opened["view"], "id": "V0FAKE", "state": {"values": {
                      "correction": {"correction_text": {"type": "plain_text_input",
                                                          "value": "He is Putin's foreign policy adviser."}}}}}}
    status, body = bot.interaction(submission)
    assert status == 200 and "errors" not in body
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mine = _records(bot, "C0DOWN")
        if mine and mine[0]["correction"]:
            break
        time.sleep(0.2)
    assert len(mine) == 1  # updated in place, not a second record
    assert mine[0]["correction"] == "He is Putin's foreign policy adviser." and mine[0]["vote"] == "down"


# --- slash command ----------------------------------------------------------------------------

def test_slash_command_answers_only_the_asker(bot):
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T0FAKE", "channel_id": "C0SLASH", "user_id": "U0ERIN", "command": "/newsbot",
        "text": "Who is representing Russia in the talks?", "response_url": bot.api.response_url("slash"),
        "trigger_id": "9.9.9", "api_app_id": "A0FAKE"})
    status, ack = bot.post(body, "application/x-www-form-urlencoded")
    assert status == 200 and json.loads(ack)["response_type"] == "ephemeral"
    reply = bot.api.wait_for("response", lambda c: c.path.endswith("/slash"))[0].params
    assert reply["response_type"] == "ephemeral" and "Dmitriev" in reply["text"]
    assert "*Sources*" in json.dumps(reply["blocks"], ensure_ascii=False)


# --- request verification ------------------------------------------------------------------

def test_bad_signature_is_rejected_with_401(bot):
    event = bot.mention("C0SIG", "Who is Yuri Ushakov?")
    status, _ = bot.event(event, secret="not-the-secret")
    assert status == 401
    status, _ = bot.event(event, timestamp=int(time.time()) - 6 * 60)  # signed right, but stale
    assert status == 401
    time.sleep(1.0)  # give a wrongly accepted event the chance to post (nothing to wait for otherwise)
    assert not bot.api.find_calls("chat.postMessage", lambda c: c.params.get("channel") == "C0SIG")


def test_unknown_path_is_404_and_health_check_answers(bot):
    request = urllib.request.Request(f"http://127.0.0.1:{bot.port}/elsewhere", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 404
    with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=30) as response:
        assert response.status == 200


def test_url_verification_challenge(bot):
    status, body = bot.post(json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}),
                            "application/json")
    assert status == 200 and "c-123" in body
