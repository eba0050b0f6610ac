"""The `tokenizers` library (the only module that imports it): a model's fast tokenizer straight
from its files, without torch or transformers, for encoding and for counting tokens.

    >>> from index.embedders import bundled_minilm_path
    >>> load_tokenizer(bundled_minilm_path(), None).encode("Harbor bridge", add_special_tokens=False).tokens
    ['harbor', 'bridge']
"""

from __future__ import annotations

from pathlib import Path


def load_tokenizer(model_path: Path, max_length: int | None):
    """The model's fast tokenizer straight from its tokenizer.json (the `tokenizers` library:
    no torch, no transformers import), truncating at ``max_length`` tokens with specials."""
    from tokenizers import Tokenizer

    return _unpadded(Tokenizer.from_file(str(Path(model_path) / "tokenizer.json")), max_length)


def bare_counter(tokenizer):
    """A copy of a transformers fast tokenizer's own `tokenizers` backend, never truncating:
    the same token ids at a fraction of the per-call cost (None for a slow tokenizer)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    return _unpadded(Tokenizer.from_str(backend.to_str()), None)


def token_count(tokenizer, text: str) -> int:
    """Tokens of ``text`` without the model's special tokens, by a tokenizer from this module.

    >>> from index.embedders import bundled_minilm_path
    >>> token_count(load_tokenizer(bundled_minilm_path(), None), "Harbor bridge")
    2
    """
    return len(tokenizer.encode(text, add_special_tokens=False).ids)


def _unpadded(tokenizer, max_length: int | None):
    """``tokenizer`` set to pad nothing and to truncate at ``max_length`` tokens (None: never)."""
    tokenizer.no_padding()
    if max_length:
        tokenizer.enable_truncation(max_length)
    else:
        tokenizer.no_truncation()
    return tokenizer
