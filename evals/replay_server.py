"""An OpenAI-compatible server that answers with recorded model answers (tests and evals).

Real models' answers to real questions, replayed: newsbot's ``openai`` answerer talks to it
exactly as to OpenAI, Ollama or vLLM (``--llm openai`` with ``OPENAI_BASE_URL``), so what the
verifier does with a capable model's text can be measured without one. Each chat request is
answered with the recorded answer of the question found in its last user message (the line
``Question: …`` of ``prompts/answer_user.md``); a question with no recording gets
``NO_RECORDING``. Serves ``GET /v1/models`` and ``POST /v1/chat/completions`` (``stream`` true
or false). Binds to 127.0.0.1 only. Standard library only.

    python -m evals.replay_server --answers answers.json [--port 0]   # {"question": "answer", ...}

Example::

    >>> server = ReplayServer({"Who won?": "The Blue Team [1]."}).start()
    >>> import json, urllib.request
    >>> body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "Question: Who won?"}]})
    >>> req = urllib.request.Request(server.url + "/chat/completions", body.encode(), {"Content-Type": "application/json"})
    >>> json.load(urllib.request.urlopen(req))["choices"][0]["message"]["content"]
    'The Blue Team [1].'
    >>> server.stop()
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Mapping

MODEL = "replay"
NO_RECORDING = "The articles don't say."
_QUESTION = re.compile(r"^Question:\s*(.+?)\s*$", re.MULTILINE)
MAX_BODY = 4 << 20


def question_of(messages: list) -> str | None:
    """The question of the last user message that states one."""
    for message in reversed(messages or []):
        if isinstance(message, dict) and message.get("role") == "user":
            found = _QUESTION.findall(str(message.get("content") or ""))
            if found:
                return found[-1]
    return None


def _key(question: str) -> str:
    return " ".join(question.split()).casefold()


class ReplayServer:
    def __init__(self, answers: Mapping[str, str], *, port: int = 0):
        self.answers = {_key(q): a for q, a in answers.items()}
        self.requests: list[dict] = []  # what clients sent (tests inspect it)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                if self.path.rstrip("/") in ("/v1/models", "/models"):
                    self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "replay"}]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self):
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    if not 0 <= length <= MAX_BODY:
                        raise ValueError("bad length")
                    body = json.loads(self.rfile.read(length) or b"{}")
                except (ValueError, json.JSONDecodeError):
                    return self._json(400, {"error": {"message": "malformed JSON body"}})
                server.requests.append(body)
                answer = server.answer_for(body.get("messages") or [])
                if body.get("stream"):
                    self._stream(answer)
                else:
                    self._json(200, _completion(answer))

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, answer: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = re.findall(r"\S+\s*|\s+", answer) or [""]
                for piece in pieces:
                    self.wfile.write(b"data: " + json.dumps(_chunk(piece)).encode() + b"\n\n")
                self.wfile.write(b"data: " + json.dumps(_chunk("", finish="stop")).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    def answer_for(self, messages: list) -> str:
        question = question_of(messages)
        if question is None:  # a follow-up rewrite request, or no question: echo the last user text
            last = next((m.get("content") for m in reversed(messages) if isinstance(m, dict)
                         and m.get("role") == "user"), "")
            return str(last or NO_RECORDING).strip().splitlines()[-1] if last else NO_RECORDING
        return self.answers.get(_key(question), NO_RECORDING)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "ReplayServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _completion(answer: str) -> dict:
    return {"id": "replay-1", "object": "chat.completion", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": len(answer.split()), "total_tokens": len(answer.split())}}


def _chunk(piece: str, finish: str | None = None) -> dict:
    delta = {"content": piece} if piece else {}
    return {"id": "replay-1", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Replay recorded answers as an OpenAI-compatible server (127.0.0.1).")
    ap.add_argument("--answers", required=True, help='JSON object {"question": "answer"}')
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    with open(args.answers, encoding="utf-8") as fh:
        server = ReplayServer(json.load(fh), port=args.port).start()
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
