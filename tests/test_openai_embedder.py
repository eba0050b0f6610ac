"""The openai embedder against a real OpenAI-compatible /embeddings server on loopback
(llama.cpp's server in embedding mode with the bundled GGUF), and its error messages."""

from __future__ import annotations

import math
import subprocess
import sys
import time
import urllib.request

import pytest

from bot.core.errors import ConfigError, NewsbotError
from bot.core.settings import load_settings
from index.embedders import OpenAIEmbedder, build_embedder
from tests.conftest import find_free_port, subprocess_env


@pytest.fixture(scope="module")
def embeddings_server(bundled_gguf, tmp_path_factory):
    pytest.importorskip("llama_cpp.server")
    port = find_free_port()
    log = tmp_path_factory.mktemp("emb_server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf),
                                 "--host", "127.0.0.1", "--port", str(port), "--embedding", "true",
                                 "--n_ctx", "512"], stdout=out, stderr=subprocess.STDOUT, env=subprocess_env())
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"embedding server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_embeds_through_a_real_endpoint(embeddings_server):
    settings = load_settings({}, embedder="openai:smollm2", embeddings_base_url=embeddings_server, embed_batch_size=2)
    embedder = build_embedder(settings)
    assert embedder.name == "openai:smollm2"
    texts = ["Dmitriev leads the Russian side.", "The talks were held in Riyadh.", "Dmitriev leads the Russian side."]
    vectors = embedder.embed(texts)  # three texts, batches of two: order must survive
    assert len(vectors) == 3 and embedder.dimension == len(vectors[0]) > 16
    assert all(math.isclose(sum(v * v for v in vec), 1.0, rel_tol=1e-4) for vec in vectors)
    assert vectors[0] == pytest.approx(vectors[2], abs=1e-5)
    assert vectors[0] != pytest.approx(vectors[1], abs=1e-3)
    assert embedder.count_tokens("Dmitriev leads") >= 2


def test_unreachable_endpoint_names_the_url():
    url = f"http://127.0.0.1:{find_free_port()}/v1"
    embedder = OpenAIEmbedder("m", base_url=url, api_key=None, timeout_s=2)
    with pytest.raises(NewsbotError, match="127.0.0.1"):
        embedder.embed(["x"])


def test_missing_url_is_a_config_error():
    with pytest.raises(ConfigError, match="NEWSBOT_EMBEDDINGS_BASE_URL"):
        build_embedder(load_settings({}, embedder="openai:text-embedding-3-small"))
