"""A small fake Slack Web API on a loopback port, for the Slack app's end-to-end tests.

It answers like Slack (``{"ok": true, ...}`` / ``{"ok": false, "error": ...}``) for the methods
newsbot uses, keeps the messages it was sent so ``conversations.replies`` returns a real thread,
records every call, and accepts ``response_url`` posts at ``/response/<id>``.

    with FakeSlackAPI(token="xoxb-test") as api:
        ... start `newsbot slack --slack-api-url {api.url}` ...
        api.wait_for(lambda c: c.method == "chat.update")
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
_JSON_FIELDS = ("blocks", "attachments", "metadata", "view")


@dataclass
class Call:
    method: str  # "chat.update", or "response" for a response_url post
    params: dict[str, Any]
    path: str = ""
    at: float = field(default_factory=time.monotonic)


class FakeSlackAPI:
    def __init__(self, token: str = "xoxb-test-token", app_token: str | None = None):
        self.token = token
        self.app_token = app_token  # accepted by apps.connections.open (Socket Mode) only
        self.socket_url = "ws://127.0.0.1:9/link"  # where Socket Mode is told to connect
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.fail: dict[str, str] = {}  # method → error to answer with
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def __enter__(self) -> "FakeSlackAPI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- for tests ------------------------------------------------------------------------
    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def add_message(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        """A message a person posted (Slack would have it; the bot never posts it)."""
        message = {"type": "message", "ts": self.next_ts(), **message}
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return message

    def find_calls(self, method: str | None = None, where: Callable[[Call], bool] | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if (method is None or c.method == method) and (where is None or where(c))]

    def wait_for(self, method: str, where: Callable[[Call], bool] | None = None, *, count: int = 1,
                 timeout: float = 120.0) -> list[Call]:
        """The matching calls once there are ``count`` of them (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {count}× {method} within {timeout:.0f}s; calls: "
                                         f"{[(c.method, c.params.get('text', '')[:60]) for c in self.calls]}")
                self._lock.wait(min(left, 0.5))

    # -- the API ----------------------------------------------------------------------------
    def _answer(self, method: str, params: dict[str, Any], auth: str) -> dict[str, Any]:
        if method == "apps.connections.open":
            if not self.app_token or auth != f"Bearer {self.app_token}":
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.socket_url}
        if auth != f"Bearer {self.token}" and params.get("token") != self.token:
            return {"ok": False, "error": "invalid_auth"}
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self._lock:
            return handler(params)

    def _m_auth_test(self, p):
        return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake Team", "user": "newsbot",
                "team_id": "T0FAKE", "user_id": BOT_USER_ID, "bot_id": BOT_ID}

    def _m_chat_postMessage(self, p):
        if not p.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (p.get("text") or p.get("blocks")):
            return {"ok": False, "error": "no_text"}
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": self.next_ts(),
                   "text": p.get("text", ""), "blocks": p.get("blocks") or []}
        if p.get("thread_ts"):
            message["thread_ts"] = str(p["thread_ts"])
        if p.get("metadata"):
            message["metadata"] = p["metadata"]
        self.messages.setdefault(p["channel"], []).append(message)
        return {"ok": True, "channel": p["channel"], "ts": message["ts"], "message": message}

    def _m_chat_update(self, p):
        for message in self.messages.get(p.get("channel"), []):
            if message["ts"] == p.get("ts"):
                message.update({k: p[k] for k in ("text", "blocks", "metadata") if k in p})
                return {"ok": True, "channel": p["channel"], "ts": p["ts"], "text": message.get("text", "")}
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_postEphemeral(self, p):
        if not p.get("channel") or not p.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": self.next_ts()}

    def _m_conversations_replies(self, p):
        root = str(p.get("ts") or "")
        thread = [m for m in self.messages.get(p.get("channel"), [])
                  if m["ts"] == root or m.get("thread_ts") == root]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        wants_metadata = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        out = [dict(m) if wants_metadata else {k: v for k, v in m.items() if k != "metadata"}
               for m in sorted(thread, key=lambda m: float(m["ts"]))]
        return {"ok": True, "messages": out, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _m_views_open(self, p):
        view = p.get("view")
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        if not isinstance(view, dict) or view.get("type") != "modal":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": "V0FAKE", **view}}

    # -- HTTP ---------------------------------------------------------------------------------
    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002
                pass

            def do_GET(self):
                self._handle()

            def do_POST(self):
                self._handle()

            def _handle(self):
                path, _, query = self.path.partition("?")
                params: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params.update(json.loads(raw))
                    else:
                        params.update(urllib.parse.parse_qsl(raw))
                for key in _JSON_FIELDS:
                    if isinstance(params.get(key), str):
                        try:
                            params[key] = json.loads(params[key])
                        except ValueError:
                            pass
                if path.startswith("/response/"):
                    api._record(Call("response", params, path))
                    self._send({"ok": True})
                    return
                if not path.startswith("/api/"):
                    self._send({"ok": False, "error": "not_found"}, 404)
                    return
                method = path[len("/api/"):]
                reply = api._answer(method, params, self.headers.get("Authorization") or "")
                api._record(Call(method, params, path))
                self._send(reply)

            def _send(self, obj, status=200):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
