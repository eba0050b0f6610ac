"""The `openai` answerer against a real OpenAI-compatible server (llama.cpp's) on loopback."""

from __future__ import annotations

import socket
import threading

import pytest

from bot.answerers.openai_chat import OpenAIChatAnswerer
from bot.core.errors import LLMError
from bot.core.passage import Passage
from bot.core.records import Turn
from bot.core.settings import load_settings
from index.chunking import Chunk

TEXT = ("From the U.S. side the negotiations are led by Special Envoy Steve Witkoff and President Donald "
        "Trump’s son-in-law Jared Kushner, while Russia is represented by Kirill Dmitriev, head of the "
        "country's sovereign wealth fund.")
PASSAGES = [Passage(Chunk("000#0000", "000", TEXT, 0, len(TEXT), title="Kremlin denies talks"), 0.7, 4.0, 1, 0.03)]


def answerer(url: str, key: str | None = None, **env: str) -> OpenAIChatAnswerer:
    environ = {"OPENAI_BASE_URL": url, **env}
    if key is not None:
        environ["OPENAI_API_KEY"] = key
    return OpenAIChatAnswerer(load_settings(environ))


@pytest.mark.slow
def test_draft_streams_from_a_real_server_and_is_deterministic(llama_server):
    url, key = llama_server
    a = answerer(url, key, NEWSBOT_MAX_ANSWER_TOKENS="60")
    pieces: list[str] = []
    text = a.draft("Who is representing Russia in the talks?", PASSAGES, on_token=pieces.append)
    assert text.strip()
    assert len(pieces) > 1 and "".join(pieces) == text  # it streamed
    assert a.model.endswith(".gguf")  # no --model: the server's only model is used
    assert a.draft("Who is representing Russia in the talks?", PASSAGES) == text


@pytest.mark.slow
def test_rewrite_question_goes_through_the_server(llama_server):
    url, key = llama_server
    history = [Turn("Who represents Russia?", "Kirill Dmitriev [1].")]
    out = answerer(url, key).rewrite_question("What is his job?", history)
    assert out, "the server's model answers the rewrite prompt with text"
    assert out == out.strip() and not out.startswith('"')
    assert answerer(url, key).rewrite_question("What is his job?", history) == out  # temperature 0 + seed


@pytest.mark.slow
def test_bad_key_is_one_line_naming_the_url_and_the_key(llama_server):
    url, _ = llama_server
    with pytest.raises(LLMError) as err:
        answerer(url, "wrong-key").draft("q?", PASSAGES)
    msg = str(err.value)
    assert url in msg and "OPENAI_API_KEY" in msg and "\n" not in msg


def test_unreachable_endpoint_is_one_line_naming_the_url(free_port):
    url = f"http://127.0.0.1:{free_port}/v1"  # nothing listens there
    with pytest.raises(LLMError) as err:
        answerer(url, NEWSBOT_MODEL="any").draft("q?", PASSAGES)
    msg = str(err.value)
    assert url in msg and "OPENAI_BASE_URL" in msg and "\n" not in msg
    with pytest.raises(LLMError, match="cannot reach"):
        answerer(url).check()


def test_a_server_that_never_answers_times_out_after_one_retry():
    """A TCP listener that accepts and stays silent: the timeout, not a hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        with pytest.raises(LLMError) as err:
            answerer(url, NEWSBOT_MODEL="m", NEWSBOT_LLM_TIMEOUT="0.5").draft("q?", PASSAGES)
        assert "did not answer within 0.5s" in str(err.value) and url in str(err.value)
        assert len(accepted) == 2  # the first try and exactly one retry
    finally:
        stop.set()
        thread.join()
        for s in accepted:
            s.close()
        listener.close()
