"""Shared by the `newsbot slack` end-to-end tests: request signing, the running-bot handle, start and stop."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, find_free_port, subprocess_env
from tests.fake_slack_api import BOT_USER_ID, FakeSlackAPI

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret-8f2a"


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Bot:
    """A running `newsbot slack` subprocess and the fake API it talks to."""

    def __init__(self, api: FakeSlackAPI, proc: subprocess.Popen, port: int, log: Path, feedback: Path):
        self.api, self.proc, self.port, self.log, self.feedback = api, proc, port, log, feedback
        self._n = 0

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, secret: str = SECRET,
             headers: dict[str, str] | None = None) -> tuple[int, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp),
                     "X-Slack-Signature": sign(body, timestamp, secret), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def event(self, event: dict, **kw) -> tuple[int, str]:
        self._n += 1
        envelope = {"token": "legacy", "team_id": "T0FAKE", "api_app_id": "A0FAKE", "type": "event_callback",
                    "event_id": f"Ev{self._n:04d}{event.get('ts', '')}", "event_time": int(time.time()),
                    "event": {"event_ts": event.get("ts"), **event}}
        return self.post(json.dumps(envelope), "application/json", **kw)

    def interaction(self, payload: dict, **kw) -> tuple[int, str]:
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded", **kw)

    def mention(self, channel: str, text: str, **extra) -> dict:
        """A person's post mentioning the bot (stored in the fake, as Slack would) and its event."""
        message = self.api.add_message(channel, {"user": "U0ALICE", "text": f"<@{BOT_USER_ID}> {text}", **extra})
        return {**message, "type": "app_mention", "channel": channel}

    def final_update(self, channel: str, placeholder_ts: str) -> dict:
        """The update that carries the finished reply (an answer with metadata, or an apology)."""
        def finished(c):
            return (c.params.get("channel") == channel and c.params.get("ts") == placeholder_ts
                    and ("metadata" in c.params or "Sorry" in c.params.get("text", "")
                         or "error id" in c.params.get("text", "")))
        return self.api.wait_for("chat.update", finished)[-1].params

    def placeholder(self, channel: str, thread_ts: str) -> dict:
        return self.api.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel
                                 and c.params.get("thread_ts") == thread_ts)[0].params

    def placeholder_ts(self, channel: str, thread_ts: str) -> str:
        self.placeholder(channel, thread_ts)
        return next(m["ts"] for m in self.api.messages[channel] if m.get("thread_ts") == thread_ts
                    and m.get("user") == BOT_USER_ID)


def _start_bot(tmp: Path, store: Path, api: FakeSlackAPI, *args: str, env: dict | None = None) -> Bot:
    port = find_free_port()
    log = tmp / "slack.log"
    feedback = tmp / "feedback.jsonl"
    environment = subprocess_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                                 NEWSBOT_FEEDBACK=str(feedback), **(env or {}))
    out = open(log, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "slack", "--host", "127.0.0.1", "--port", str(port),
         "--slack-api-url", api.url, "--store", str(store), *args],
        stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=REPO)
    deadline = time.monotonic() + 300
    while True:
        if proc.poll() is not None:
            pytest.fail(f"newsbot slack exited with {proc.returncode}: {log.read_text()[-3000:]}")
        if b"models loaded" in log.read_bytes():
            break
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"newsbot slack did not become ready: {log.read_text()[-3000:]}")
        time.sleep(0.2)
    return Bot(api, proc, port, log, feedback)


def _stop(bot: Bot) -> None:
    bot.proc.terminate()
    try:
        bot.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        bot.proc.kill()

