"""Showing an :class:`Answer`: rich terminal output, plain text for pipes, JSON.

The answer text carries ``[n]`` markers; the numbered sources below it give title,
source, date and the verbatim quote. Refusals are marked as such and name the closest
articles searched; sentences kept by ``--show-unsupported`` are visibly flagged.

Every piece of text shown (answer, titles, sources, links, quotes: all derived from untrusted
articles) goes through :func:`~bot.core.normalize.terminal_safe` — the one sanitiser — so no
escape sequence (colours, screen clearing, OSC 8 links, window titles) or other control
character reaches a terminal; the JSON line escapes C1 controls too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.normalize import terminal_line, terminal_safe
from bot.core.records import Answer
from bot.surfaces.display import FLAG, also_reported, quoted, sentence_display, source_line, source_meta, source_title
from bot.text.markers import MARKER

QUOTE_LIMIT = 600  # characters of a quote shown in the terminal (JSON keeps it whole)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `newsbot ask --json` object."""
    return answer.to_json()


def answer_json_line(answer: Answer) -> str:
    """One JSON line; C0 controls are escaped by json, DEL/C1 and line separators here."""
    line = json.dumps(answer_json(answer), ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029]")


def _quote(text: str) -> str:
    text = terminal_line(text)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1].rstrip() + "…"


def answer_plain(answer: Answer) -> str:
    """Plain text (no colour, no wrapping) for pipes and logs."""
    lines: list[str] = []
    if answer.refused:
        lines.append(f"[no answer] {terminal_safe(answer.answer)}")
    else:
        lines.append(terminal_safe(answer.answer))
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.marker}] {source_line(c)}")
            if c.url:
                lines.append(f"    {terminal_line(c.url)}")
            lines.append(f"    {quoted(_quote(c.quote))}")
    return "\n".join(lines) + "\n"


def render_answer_text(answer: Answer, console) -> None:
    """The answer body: sentences with markers, flagged ones marked, refusals marked."""
    from rich.text import Text

    if answer.refused:
        body = Text("No answer: ", style="bold yellow")
        body.append(terminal_safe(answer.answer), style="yellow")
        console.print(body)
        return
    body = Text()
    for i, s in enumerate(answer.sentences):
        if i:
            body.append(" ")
        shown = terminal_safe(sentence_display(s))
        if not s.supported:
            body.append("⚠ unsupported: ", style="bold red")
            body.append(shown[len(FLAG):] if shown.startswith(FLAG) else shown, style="red strike")
        else:
            body.append_text(marked_text(shown))
    if not answer.sentences:
        body.append(terminal_safe(answer.answer))
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
            console.print(Text(f"    {terminal_line(c.url)}", style="dim underline"))
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
