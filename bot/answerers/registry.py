"""Answerer names → answerers, and what `auto` means.

``auto`` picks ``openai`` when an endpoint or key is configured (the user asked for a
real model), otherwise :data:`EMBEDDED_DEFAULT`, the offline answerer that scores best on
the project's eval (`newsbot eval` measures both; see the README table).
"""

from __future__ import annotations

from bot.core.errors import ConfigError

# The embedded (offline) answerer `auto` falls back to. The bundled SmolLM2-135M invents
# figures and names; extractive answers are verified quotes by construction. Change this
# only on the strength of `newsbot eval` numbers (evals/baseline.json).
EMBEDDED_DEFAULT = "extractive"

NAMES = ("auto", "openai", "local", "extractive")


def resolve_name(name: str | None, settings) -> str:
    """The concrete answerer name for ``name`` (``auto`` or None → openai or the embedded default)."""
    name = (name or settings.llm or "auto").strip().lower()
    if name not in NAMES:
        raise ConfigError(f"unknown answerer {name!r}: use one of {', '.join(NAMES)} (--llm / NEWSBOT_LLM)")
    if name == "auto":
        return "openai" if (settings.openai_base_url or settings.openai_api_key) else EMBEDDED_DEFAULT
    return name


def build_answerer(name: str, settings):
    """A new answerer for a concrete name (construction is cheap; models load on first use)."""
    name = resolve_name(name, settings)
    if name == "extractive":
        from bot.answerers.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer()
    if name == "openai":
        from bot.answerers.openai_chat import OpenAIChatAnswerer

        return OpenAIChatAnswerer(settings)
    from bot.answerers.local_llama import LocalLlamaAnswerer

    return LocalLlamaAnswerer(settings)
