"""A deterministic OpenAI-compatible ``/v1/embeddings`` server on a loopback port.

It lets subprocess tests run `newsbot --embedder openai:fake-bow` without loading a
model (the machine's CPU is shared). Vectors are bag-of-words hashed into buckets, like
``FakeEmbedder``, except that words containing a digit are left out: like a small real
model, it blurs codes ("QZ7781"), so only keyword search can find them; and a tiny
paraphrase table maps a few words onto others ("ship" → "freighter"), so, like a real
model, it matches paraphrases keyword search cannot. ``delay_s`` slows every request
(to kill a writer mid-run).

    with FakeEmbeddingsAPI(delay_s=0.1) as api:
        env["NEWSBOT_EMBEDDINGS_BASE_URL"] = api.url     # http://127.0.0.1:PORT/v1
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIMENSION = 64
PARAPHRASES = {"ship": "freighter", "transports": "carries", "freight": "cargo", "label": "code"}


def _words(text: str) -> list[str]:
    return [PARAPHRASES.get(w, w) for w in re.findall(r"\w+", text.lower()) if not any(ch.isdigit() for ch in w)]


def vector(text: str, dimension: int = DIMENSION) -> list[float]:
    vec = [0.0] * dimension
    for word in _words(text):
        bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
        vec[bucket % dimension] += 1.0
    if not any(vec):
        vec[0] = 1.0  # a text of codes only still gets a (uninformative) unit vector
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec]


class FakeEmbeddingsAPI:
    def __init__(self, delay_s: float = 0.0):
        self.delay_s = delay_s
        self.requests = 0
        self.texts = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if not self.path.rstrip("/").endswith("/embeddings"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                texts = body.get("input") or []
                texts = [texts] if isinstance(texts, str) else texts
                api.requests += 1
                api.texts += len(texts)
                if api.delay_s:
                    time.sleep(api.delay_s)
                self._send(200, {"object": "list", "model": body.get("model", "fake"),
                                 "data": [{"object": "embedding", "index": i, "embedding": vector(t)}
                                          for i, t in enumerate(texts)],
                                 "usage": {"prompt_tokens": 0, "total_tokens": 0}})

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client was killed: fine
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeEmbeddingsAPI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
