"""Every surface with realistic model text: `newsbot chat` and the Slack bot talking to the
recorded-answer OpenAI-compatible server (evals/replay_server.py) exactly as to a real model.

The recorded answers take the shapes capable models use: a bare phrase, and a refusal in the
model's own words. The seed store is the end-to-end example corpus.
"""

from __future__ import annotations

import pytest

from evals.replay_server import ReplayServer
from tests.conftest import subprocess_env
from tests.fake_slack_api import FakeSlackAPI
from tests.slack_helpers import TOKEN, _start_bot, _stop
from tests.test_chat import Terminal, answer_part

pytestmark = pytest.mark.slow

WHO = "Who is representing Russia in the talks?"
WEATHER = "What was the weather like in the city during the talks?"
RECORDED = {WHO: "Kirill Dmitriev", WEATHER: "The articles do not mention the weather."}


@pytest.fixture(scope="module")
def replay():
    server = ReplayServer(RECORDED).start()
    yield server
    server.stop()


def test_chat_with_a_replayed_model(seed_store_dir, replay):
    env = subprocess_env(OPENAI_BASE_URL=replay.url, OPENAI_API_KEY="replay")
    chat = Terminal(seed_store_dir, "--llm", "openai", "--model", "replay", env=env)
    try:
        first = chat.line(WHO)
        assert "Kirill Dmitriev —" in answer_part(first), first  # the bare phrase leads, verified
        assert "[1]" in answer_part(first) and "Sources" in first
        refused = chat.line(WEATHER)
        assert "don't cover this" in refused or "don't say" in refused, refused
        assert "weather" not in answer_part(refused).split("Closest")[0].lower()
    finally:
        chat.close()
    asked = [r for r in replay.requests if r.get("messages")]
    assert any(WHO in m["content"] for r in asked for m in r["messages"] if m["role"] == "user")


def test_slack_with_a_replayed_model(seed_store_dir, replay, tmp_path):
    with FakeSlackAPI(token=TOKEN) as api:
        bot = _start_bot(tmp_path, seed_store_dir, api, "--llm", "openai", "--model", "replay",
                         env={"OPENAI_BASE_URL": replay.url, "OPENAI_API_KEY": "replay"})
        try:
            event = bot.mention("C0REPLAY", WHO)
            status, _ = bot.event(event)
            assert status == 200
            final = bot.final_update("C0REPLAY", bot.placeholder_ts("C0REPLAY", event["ts"]))
        finally:
            _stop(bot)
    assert "Kirill Dmitriev" in final["text"]
    assert "Sources" in str(final.get("blocks")) or "[1]" in final["text"]
