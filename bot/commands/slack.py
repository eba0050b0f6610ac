"""`newsbot slack` (not yet built)."""

from __future__ import annotations

from bot.errors import NewsbotError


def add_arguments(parser) -> None:
    pass


def run(args, settings) -> int:
    raise NewsbotError("`newsbot slack` is not built yet")
