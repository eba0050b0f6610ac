"""Chat messages for the generating answerers, built from the prompt files.

Both LLM answerers (openai, local) send the same messages, so a prompt change is made
once in ``prompts/`` and measured once by the eval.
"""

from __future__ import annotations

from typing import Sequence

from bot.answering import prompts
from bot.answering.untrusted import format_passages, neutralise
from bot.core.passage import Passage
from bot.core.records import Turn
from bot.text.markers import strip_markers

HISTORY_TURNS = 3  # a follow-up leans on the last few exchanges; older ones only add noise


def answer_messages(question: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": prompts.render("answer_system")},
        {"role": "user", "content": prompts.render(
            "answer_user", question=question.strip(), passages=format_passages(passages))},
    ]


def format_history(history: Sequence[Turn]) -> str:
    lines = []
    for turn in list(history)[-HISTORY_TURNS:]:
        lines.append(f"User: {' '.join(turn.question.split())}")
        lines.append(f"Assistant: {strip_markers(neutralise(turn.answer))}")
    return "\n".join(lines)


def condense_messages(question: str, history: Sequence[Turn]) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompts.render(
        "condense", question=question.strip(), history=format_history(history))}]
