"""The real Slack HTTP endpoint (bot/slack_app.make_server + a real bolt App) against hostile
requests on a loopback port: size and signature are checked before anything is parsed, and a
malformed body is a 400 — never a 500, a traceback, or a dropped connection."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import pytest

from bot.surfaces.slack.guard import sign
from tests.conftest import find_free_port

SECRET = "hardening-secret"
pytest.importorskip("slack_bolt")


@pytest.fixture(scope="module")
def endpoint():
    from slack_bolt import App

    from bot.surfaces.slack.app import make_server

    app = App(token="xoxb-hardening", signing_secret=SECRET, token_verification_enabled=False,
              request_verification_enabled=True, logger=logging.getLogger("test.bolt"))
    seen = []

    @app.event("app_mention")
    def on_mention(event):
        seen.append(event)

    port = find_free_port()
    server = make_server(app, "127.0.0.1", port, SECRET)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield port, seen
    server.shutdown()
    server.server_close()


def raw_post(port: int, head: str, body: bytes = b"", *, wait_s: float = 5.0) -> tuple[int, bytes]:
    """Send ``head`` (request line + headers, no blank line) and ``body``; (status, response body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


def _length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def head(length: str | None, *, content_type="application/json", stamp: str | None = None, signature=None) -> str:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if stamp is not None:
        lines += [f"X-Slack-Request-Timestamp: {stamp}", f"X-Slack-Signature: {signature}"]
    return "\r\n".join(lines)


def signed_post(port, body: bytes, content_type="application/json"):
    stamp = str(int(time.time()))
    return raw_post(port, head(str(len(body)), content_type=content_type, stamp=stamp,
                               signature=sign(SECRET, stamp, body)), body)


def test_negative_length_is_400_without_reading_a_body(endpoint):
    port, _ = endpoint
    started = time.monotonic()
    status, body = raw_post(port, head("-1"), b"x" * (2 << 20))
    assert status == 400 and json.loads(body) == {"error": "invalid Content-Length"}
    assert time.monotonic() - started < 3


def test_non_numeric_length_is_400_not_a_dropped_connection(endpoint):
    assert raw_post(endpoint[0], head("abc"))[0] == 400
    assert raw_post(endpoint[0], head(None))[0] == 411


def test_oversized_body_is_413_before_it_is_sent(endpoint):
    status, body = raw_post(endpoint[0], head(str(20 * 2**20)))
    assert status == 413 and json.loads(body) == {"error": "request body too large"}


def test_unsigned_non_json_body_is_401_and_logs_no_traceback(endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    status, _ = raw_post(endpoint[0], head("11", content_type="text/plain"), b"not json {{")
    assert status == 401
    stale = str(int(time.time()) - 3600)
    assert raw_post(endpoint[0], head("2", stamp=stale, signature=sign(SECRET, stale, b"{}")), b"{}")[0] == 401
    assert raw_post(endpoint[0], head("2", stamp="abc", signature="v0=00"), b"{}")[0] == 401
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("body, content_type", [
    (b'{"type": "event_callback", ', "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"[" * 50_000, "application/json"),
    (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
])
def test_signed_malformed_bodies_are_400(endpoint, caplog, body, content_type):
    status, reply = signed_post(endpoint[0], body, content_type)
    assert status == 400 and "error" in json.loads(reply)
    assert not any(r.exc_info for r in caplog.records)


def test_a_good_signed_request_still_works(endpoint):
    port, seen = endpoint
    status, reply = signed_post(port, json.dumps({"type": "url_verification", "challenge": "c-123"}).encode())
    assert status == 200 and b"c-123" in reply
