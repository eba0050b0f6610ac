"""The OpenAI-compatible ``/embeddings`` adapter (the only module calling that endpoint).

Example::

    >>> embedder = OpenAIEmbedder("nomic-embed-text", base_url="http://127.0.0.1:11434/v1",
    ...                           api_key=None)                      # doctest: +SKIP
    >>> embedder.name                                                  # doctest: +SKIP
    'openai:nomic-embed-text'
"""

from __future__ import annotations

import math
from typing import Sequence

from bot.core.errors import ConfigError, NewsbotError
from index.tokenizers_adapter import load_tokenizer, token_count


class OpenAIEmbedder:
    """An OpenAI-compatible ``/embeddings`` endpoint (OpenAI, vLLM, Ollama, llama.cpp
    server, a GPU box): for corpora that outgrow one CPU. Vectors are L2-normalised here
    because not every server normalises. Token counts use the bundled MiniLM tokenizer as
    an estimate (remote models accept 512+ tokens; chunks stay at ``chunk_tokens``)."""

    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, timeout_s: float = 60.0,
                 batch_size: int = 64):
        if not base_url:
            raise ConfigError("the openai embedder needs a URL: set NEWSBOT_EMBEDDINGS_BASE_URL or OPENAI_BASE_URL")
        import openai

        self.name = f"openai:{model}"
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self.max_tokens = 510
        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s,
                                     max_retries=1)
        self._dimension: int | None = None
        self._tokenizer = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = len(self.embed(["dimension probe"])[0])
        return self._dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i:i + self.batch_size])
            try:
                reply = self._client.embeddings.create(model=self.model, input=batch)
            except self._openai.APIConnectionError:
                raise NewsbotError(f"cannot reach the embeddings endpoint {self.base_url}: check "
                                   "NEWSBOT_EMBEDDINGS_BASE_URL / OPENAI_BASE_URL and that the server is running") from None
            except self._openai.APIStatusError as exc:
                raise NewsbotError(f"the embeddings endpoint {self.base_url} answered HTTP {exc.status_code}: "
                                   f"check the model name {self.model!r} and OPENAI_API_KEY") from None
            rows = sorted(reply.data, key=lambda d: d.index)
            out.extend(_unit(_pooled(r.embedding)) for r in rows)
        if out and self._dimension is None:
            self._dimension = len(out[0])
        return out

    def count_tokens(self, text: str) -> int:
        if self._tokenizer is None:
            from index.embedders import bundled_minilm_path

            self._tokenizer = load_tokenizer(bundled_minilm_path(), max_length=None)
        return token_count(self._tokenizer, text)


def _pooled(embedding) -> list[float]:
    """One vector per text. Servers without pooling (llama.cpp's, by default) return one
    vector per token: their mean is the text's vector."""
    if embedding and isinstance(embedding[0], (list, tuple)):
        width = len(embedding[0])
        return [sum(tok[i] for tok in embedding) / len(embedding) for i in range(width)]
    return list(embedding)


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
