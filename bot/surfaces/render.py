"""Showing an :class:`Answer`: rich terminal output, plain text for pipes, JSON.

The answer text carries ``[n]`` markers; the numbered sources below it give title,
source, date and the verbatim quote. Refusals are marked as such and name the closest
articles searched; sentences kept by ``--show-unsupported`` are visibly flagged.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.records import Answer
from bot.surfaces.display import FLAG, also_reported, quoted, sentence_display, source_line, source_meta, source_title
from bot.text.markers import MARKER

QUOTE_LIMIT = 600  # characters of a quote shown in the terminal (JSON keeps it whole)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `newsbot ask --json` object."""
    return answer.to_json()


def answer_json_line(answer: Answer) -> str:
    return json.dumps(answer_json(answer), ensure_ascii=False)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1].rstrip() + "…"


def answer_plain(answer: Answer) -> str:
    """Plain text (no colour, no wrapping) for pipes and logs."""
    lines: list[str] = []
    if answer.refused:
        lines.append(f"[no answer] {answer.answer}")
    else:
        lines.append(answer.answer)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.marker}] {source_line(c)}")
            if c.url:
                lines.append(f"    {c.url}")
            lines.append(f"    {quoted(_quote(c.quote))}")
    return "\n".join(lines) + "\n"


def render_answer_text(answer: Answer, console) -> None:
    """The answer body: sentences with markers, flagged ones marked, refusals marked."""
    from rich.text import Text

    if answer.refused:
        body = Text("No answer: ", style="bold yellow")
        body.append(answer.answer, style="yellow")
        console.print(body)
        return
    body = Text()
    for i, s in enumerate(answer.sentences):
        if i:
            body.append(" ")
        shown = sentence_display(s)
        if not s.supported:
            body.append("⚠ unsupported: ", style="bold red")
            body.append(shown[len(FLAG):] if shown.startswith(FLAG) else shown, style="red strike")
        else:
            body.append_text(marked_text(shown))
    if not answer.sentences:
        body.append(answer.answer)
    console.print(body)


def render_sources(answer: Answer, console) -> None:
    """The numbered sources of an answer: title, source, date, link, verbatim quote."""
    from rich.text import Text

    if not answer.citations:
        return
    console.print(Text("Sources", style="bold"))
    for c in answer.citations:
        head = Text()
        head.append(f"[{c.marker}] ", style="bold cyan")
        head.append(source_title(c.title, c.article_id), style="bold")
        head.append(f"  {source_meta(c.source, c.published)}", style="dim")
        also = also_reported(c)
        if also:
            head.append(f"  · {also}", style="dim")
        console.print(head)
        if c.url:
            console.print(Text(f"    {c.url}", style="dim underline"))
        console.print(Text(f"    {quoted(_quote(c.quote))}", style="italic"))


def render_terminal(answer: Answer, console) -> None:
    """Answer text, then its numbered sources (``newsbot ask`` and each chat answer)."""
    render_answer_text(answer, console)
    if answer.citations:
        console.print()
        render_sources(answer, console)


def marked_text(text: str):
    """``text`` as rich Text with its ``[n]`` markers highlighted (also for streamed text)."""
    from rich.text import Text

    out, last = Text(), 0
    for m in MARKER.finditer(text):
        out.append(text[last:m.start()])
        out.append(m.group(0), style="bold cyan")
        last = m.end()
    out.append(text[last:])
    return out
