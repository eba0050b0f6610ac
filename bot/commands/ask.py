"""`newsbot ask` (not yet built)."""

from __future__ import annotations

from bot.errors import NewsbotError


def add_arguments(parser) -> None:
    pass


def run(args, settings) -> int:
    raise NewsbotError("`newsbot ask` is not built yet")
