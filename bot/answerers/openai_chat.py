"""The `openai` answerer: any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM,
llama.cpp's server) through the ``openai`` package — the only module that imports it
for chat.

Requests have an explicit timeout and at most one retry; answers stream. Every failure
becomes an :class:`LLMError` whose one line names the URL and what to check.
"""

from __future__ import annotations

from typing import Sequence

from bot.answerers.messages import answer_messages, condense_messages
from bot.core.errors import LLMError
from bot.core.passage import Passage
from bot.core.records import Turn

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
SEED = 0  # with temperature 0: identical input → identical answer where the server allows


class OpenAIChatAnswerer:
    name = "openai"
    generates = True

    def __init__(self, settings, *, client=None):
        self.settings = settings
        self.base_url = (settings.openai_base_url or OPENAI_DEFAULT_URL).rstrip("/")
        self.timeout = float(settings.llm_timeout_s)
        self.max_tokens = int(settings.max_answer_tokens)
        self._client = client
        self._model = settings.model

    # -- construction ---------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                base_url=self.base_url,
                # Local servers (llama.cpp, Ollama, vLLM) accept any key; the package insists on one.
                api_key=self.settings.openai_api_key or "not-needed",
                timeout=self.timeout,
                max_retries=1,
            )
        return self._client

    @property
    def model(self) -> str:
        """--model / $NEWSBOT_MODEL; else the server's first model (local servers serve one),
        else OpenAI's small default."""
        if self._model is None:
            if self.settings.openai_base_url:
                with self._errors():
                    models = list(self.client.models.list())
                self._model = models[0].id if models else OPENAI_DEFAULT_MODEL
            else:
                self._model = OPENAI_DEFAULT_MODEL
        return self._model

    def check(self) -> None:
        """Fail now (one clear line) if the endpoint is unreachable or rejects the key."""
        with self._errors():
            self.client.models.list()

    # -- Answerer protocol ----------------------------------------------------------------
    def draft(self, question: str, passages: Sequence[Passage], on_token=None, evidence=None) -> str:
        return self._complete(answer_messages(question, passages), on_token, self.max_tokens)

    def rewrite_question(self, question: str, history: Sequence[Turn]) -> str | None:
        text = self._complete(condense_messages(question, history), None, 64)
        return text.strip().strip('"').strip() or None

    def _complete(self, messages: list[dict], on_token, max_tokens: int) -> str:
        pieces: list[str] = []
        model = self.model
        with self._errors():
            stream = self.client.chat.completions.create(
                model=model, messages=messages, stream=True,
                temperature=0, seed=SEED, max_tokens=max_tokens,
            )
            for event in stream:
                if not event.choices:
                    continue
                delta = event.choices[0].delta.content or ""
                if delta:
                    pieces.append(delta)
                    if on_token is not None:
                        on_token(delta)
        return "".join(pieces)

    def _errors(self):
        return _TranslateErrors(self)


class _TranslateErrors:
    """openai exceptions → one-line LLMError naming the URL and what to check."""

    def __init__(self, answerer: OpenAIChatAnswerer):
        self.a = answerer

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is None:
            return False
        import openai

        url, t = self.a.base_url, self.a.timeout
        if isinstance(error, openai.APITimeoutError):
            msg = (f"the LLM endpoint {url} did not answer within {t:g}s (one retry): check the server "
                   f"or raise NEWSBOT_LLM_TIMEOUT")
        elif isinstance(error, openai.APIConnectionError):
            msg = (f"cannot reach the LLM endpoint {url}: check OPENAI_BASE_URL and that the server is "
                   f"running, or use --llm extractive")
        elif isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
            msg = f"the LLM endpoint {url} rejected the API key (HTTP {error.status_code}): check OPENAI_API_KEY"
        elif isinstance(error, openai.NotFoundError):
            msg = (f"the LLM endpoint {url} has no model {self.a._model!r} (HTTP 404): check --model / "
                   f"NEWSBOT_MODEL and the base URL (it usually ends in /v1)")
        elif isinstance(error, openai.APIStatusError):
            detail = " ".join(str(getattr(error, "message", "") or error).split())[:200]
            msg = f"the LLM endpoint {url} returned HTTP {error.status_code}: {detail}"
        elif isinstance(error, openai.OpenAIError):
            msg = f"the LLM endpoint {url} failed: {' '.join(str(error).split())[:200]}"
        else:
            return False
        raise LLMError(msg) from error
