"""Prompt files in ``prompts/`` rendered with named placeholders.

A prompt is a Markdown file with ``{name}`` placeholders (literal braces doubled).
:data:`PROMPT_VARIABLES` lists, for every prompt, exactly the variables the code
supplies; :func:`render` refuses a missing *or* an extra variable, so a prompt edited
to use ``{context}`` fails loudly instead of sending the model a literal "{context}".

Example::

    >>> sorted(placeholders("Q: {question}\\n{passages} {{literal}}"))
    ['passages', 'question']
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from bot.core.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

# name -> the variables the code passes when rendering it (tests/test_prompts.py checks
# every file in prompts/ against this table).
PROMPT_VARIABLES: dict[str, frozenset[str]] = {
    "answer_system": frozenset(),
    "answer_user": frozenset({"question", "passages"}),
    "condense": frozenset({"history", "question"}),
}


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` in a template (ignores ``{{escaped}}`` braces)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            if not field.isidentifier():
                raise ConfigError(f"prompt placeholder {{{field}}} is not a plain name: use {{name}}, double literal braces")
            names.add(field)
    return names


@lru_cache(maxsize=None)
def load(name: str, directory: Path = PROMPTS_DIR) -> str:
    path = directory / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8").strip() + "\n"
    except FileNotFoundError:
        raise ConfigError(f"prompt file {path} is missing: restore it from the repository") from None


def render(name: str, values: Mapping[str, str] | None = None, *, directory: Path = PROMPTS_DIR, **kw: str) -> str:
    """``prompts/<name>.md`` with its placeholders filled; missing or extra names fail."""
    given = dict(values or {}, **kw)
    template = load(name, directory)
    wanted = placeholders(template)
    missing, extra = wanted - given.keys(), given.keys() - wanted
    if missing or extra:
        path = directory / f"{name}.md"
        raise ConfigError(
            f"prompt {path} does not match the code: "
            f"placeholders without a value {sorted(missing)}, values without a placeholder {sorted(extra)}"
        )
    return template.format_map(given)
