"""`newsbot slack` failing well: a silent model, missing or rejected tokens, no store or Slack API; Socket Mode."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, find_free_port, run_newsbot, subprocess_env
from tests.fake_slack_api import FakeSlackAPI
from tests.slack_helpers import SECRET, TOKEN, _start_bot, _stop

pytestmark = pytest.mark.slow


# --- failures -----------------------------------------------------------------------------

class SilentServer:
    """Accepts connections on a loopback port and never answers: an LLM endpoint that hangs."""

    def __init__(self):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_answerer_timeout_edits_the_placeholder_into_an_apology(seed_store_dir, tmp_path):
    llm = SilentServer()
    with FakeSlackAPI(token=TOKEN) as api:
        bot = _start_bot(tmp_path, seed_store_dir, api, "--llm", "openai", "--model", "m",
                         env={"OPENAI_BASE_URL": f"http://127.0.0.1:{llm.port}/v1", "OPENAI_API_KEY": "k",
                              "NEWSBOT_LLM_TIMEOUT": "3"})
        try:
            event = bot.mention("C0FAIL", "Who is representing Russia in the talks?")
            status, _ = bot.event(event)
            assert status == 200
            assert not api.find_calls("chat.update")  # acked while the model is still silent
            final = bot.final_update("C0FAIL", bot.placeholder_ts("C0FAIL", event["ts"]))
        finally:
            _stop(bot)
            llm.close()
    assert "Sorry" in final["text"] and "language model did not answer" in final["text"]
    error_id = final["text"].rsplit("error id: ", 1)[1].strip()
    log = bot.log.read_text()
    assert f"error {error_id}" in log and "Traceback" in log  # the id leads to the logged traceback


def test_missing_token_exits_with_one_line(tmp_path):
    done = run_newsbot("slack", "--store", str(tmp_path), env=subprocess_env(SLACK_SIGNING_SECRET=SECRET), timeout=60)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]


def test_missing_signing_secret_in_http_mode_exits_with_one_line(tmp_path):
    done = run_newsbot("slack", "--store", str(tmp_path), env=subprocess_env(SLACK_BOT_TOKEN=TOKEN), timeout=60)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_SIGNING_SECRET" in lines[0]


def test_missing_store_exits_with_one_line(tmp_path):
    with FakeSlackAPI(token=TOKEN) as api:
        done = run_newsbot("slack", "--store", str(tmp_path / "none"), "--slack-api-url", api.url,
                           env=subprocess_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET), timeout=300)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("newsbot: error:")]
    assert len(errors) == 1 and "newsbot index" in errors[0] and "Traceback" not in done.stderr


def test_rejected_token_exits_with_one_line(tmp_path):
    with FakeSlackAPI(token="xoxb-the-real-one") as api:
        done = run_newsbot("slack", "--store", str(tmp_path), "--slack-api-url", api.url,
                           env=subprocess_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET), timeout=60)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "invalid_auth" in lines[0] and "SLACK_BOT_TOKEN" in lines[0]


# --- Socket Mode ------------------------------------------------------------------------------

def test_socket_mode_is_used_when_an_app_token_is_set(seed_store_dir, tmp_path):
    """No signing secret needed; the app asks Slack for a WebSocket URL with the app token
    (the fake hands out a closed loopback port, so the connection itself is not exercised)."""
    with FakeSlackAPI(token=TOKEN, app_token="xapp-test") as api:
        log = tmp_path / "socket.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "slack", "--slack-api-url", api.url, "--store", str(seed_store_dir),
                 "--llm", "extractive"], stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                env=subprocess_env(SLACK_BOT_TOKEN=TOKEN, SLACK_APP_TOKEN="xapp-test"))
        try:
            api.wait_for("apps.connections.open")
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert "Socket Mode" in log.read_text()
    assert not api.find_calls("chat.postMessage")


def test_rejected_app_token_exits_with_one_line(seed_store_dir):
    with FakeSlackAPI(token=TOKEN, app_token="xapp-the-real-one") as api:
        done = run_newsbot("slack", "--slack-api-url", api.url, "--store", str(seed_store_dir), "--llm", "extractive",
                           env=subprocess_env(SLACK_BOT_TOKEN=TOKEN, SLACK_APP_TOKEN="xapp-wrong"), timeout=300)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("newsbot: error:")]
    assert len(errors) == 1 and "Slack rejected SLACK_APP_TOKEN (invalid_auth)" in errors[0]
    assert "Traceback" not in done.stderr


def test_unreachable_slack_api_exits_with_one_line(tmp_path):
    closed = find_free_port()
    done = run_newsbot("slack", "--store", str(tmp_path), "--slack-api-url", f"http://127.0.0.1:{closed}/api",
                       env=subprocess_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET), timeout=120)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Slack Web API" in lines[0] and f":{closed}/api/" in lines[0]
