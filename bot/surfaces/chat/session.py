"""Pure: what a `newsbot chat` session knows and how its commands read.

The REPL (``bot/repl.py``) does the I/O; this module holds the conversation state
(earlier turns, the last answer), parses ``/commands`` and lays out what ``/sources``,
``/why`` and ``/help`` show. Views are lists of :data:`Line` — segments of
``(text, style)`` — so one layout serves the rich terminal and plain pipes.

Example::

    >>> parse_command("/llm  local")
    Command(name='llm', arg='local', raw='/llm  local')
    >>> parse_command("Who is Okafor?") is None
    True
    >>> plain(help_lines())[0]
    'Ask a question about the articles, or type a command:'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from bot.core.passage import Passage
from bot.core.records import Answer, Citation, Turn
from bot.surfaces.display import sentence_display, source_meta

MAX_HISTORY_TURNS = 6  # earlier exchanges handed to the pipeline for follow-up rewriting

# name → (argument, help); aliases map onto these names.
COMMANDS: dict[str, tuple[str, str]] = {
    "sources": ("", "full passages behind the last answer, quotes marked"),
    "why": ("", "retrieval hits with scores, sentences dropped by verification, notes"),
    "reset": ("", "forget the conversation (follow-ups start fresh)"),
    "llm": ("NAME", "switch answerer: extractive | local | openai | auto (no NAME: show current)"),
    "help": ("", "this list"),
    "quit": ("", "leave (Ctrl-D works too)"),
}
ALIASES = {"exit": "quit", "q": "quit", "bye": "quit", "?": "help", "h": "help", "source": "sources",
           "clear": "reset", "model": "llm"}

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = tuple[Segment, ...]


@dataclass(frozen=True)
class Command:
    name: str  # a key of COMMANDS, or "unknown"
    arg: str
    raw: str


@dataclass(frozen=True)
class ChatState:
    """The conversation so far. Immutable: every change returns a new state."""

    history: tuple[Turn, ...] = ()
    last: Answer | None = None

    def after(self, answer: Answer) -> "ChatState":
        """The state once ``answer`` has been shown. The turn records the question as
        searched (``standalone_question``), so a later "he" can still resolve through it."""
        asked = answer.standalone_question or answer.question
        turns = (self.history + (Turn(asked, answer.answer, answer.refused),))[-MAX_HISTORY_TURNS:]
        return replace(self, history=turns, last=answer)

    def reset(self) -> "ChatState":
        return ChatState()


def parse_command(line: str) -> Command | None:
    """The command typed on ``line``, or None when the line is a question."""
    text = line.strip()
    if not text.startswith("/"):
        return None
    word, _, arg = text[1:].partition(" ")
    word = word.lower()
    name = ALIASES.get(word, word)
    return Command(name if name in COMMANDS else "unknown", arg.strip(), text)


def unknown_command_line(command: Command) -> str:
    word = command.raw.split()[0] if command.raw.split() else "/"
    return f"unknown command {word}: try " + " ".join(f"/{name}" for name in COMMANDS)


def searched_differs(answer: Answer) -> bool:
    """Was the question rewritten (follow-up resolved) before searching?"""
    return bool(answer.standalone_question) and _norm(answer.standalone_question) != _norm(answer.question)


def _norm(text: str) -> str:
    return " ".join(text.split()).rstrip("?.! ").lower()


def plain(lines: Sequence[Line]) -> list[str]:
    """The lines as plain text (pipes, tests)."""
    return ["".join(text for text, _ in line) for line in lines]


# --- /help ------------------------------------------------------------------------------------

def help_lines() -> list[Line]:
    out: list[Line] = [(("Ask a question about the articles, or type a command:", ""),)]
    for name, (arg, text) in COMMANDS.items():
        usage = f"/{name}" + (f" {arg}" if arg else "")
        out.append(((f"  {usage:<12}", "bold cyan"), (text, "")))
    out.append((("Follow-ups (“What is his job?”) use the conversation; Ctrl-C cancels an answer.", "dim"),))
    return out


# --- /sources ---------------------------------------------------------------------------------

def passage_for(citation: Citation, passages: Sequence[Passage]) -> Passage | None:
    """The retrieved passage that contains the citation's quote (spans are in article coordinates)."""
    for p in passages:
        c = p.chunk
        if c.article_id == citation.article_id and c.start <= citation.start and citation.end <= c.end:
            return p
    return None


def sources_lines(answer: Answer | None) -> list[Line]:
    """Every cited passage in full with its quote marked; for a refusal, the passages searched."""
    if answer is None:
        return [(("No answer yet: ask a question first.", "dim"),)]
    out: list[Line] = []
    if not answer.citations:
        if not answer.passages:
            return [(("The last answer has no sources and nothing was retrieved.", "dim"),)]
        out.append((("The last answer cites nothing; these are the passages that were searched:", "dim"),))
        for p in answer.passages:
            out += _passage_block(f"#{p.fused_rank}", p.chunk.title or p.article_id, _meta(p.chunk.source, p.chunk.published),
                                  p.chunk.url, p.chunk.text, None)
        return out
    for c in answer.citations:
        p = passage_for(c, answer.passages)
        if p is None:  # the quote is all we have
            out += _passage_block(f"[{c.marker}]", c.title or c.article_id, _meta(c.source, c.published), c.url,
                                  c.quote, (0, len(c.quote)))
            continue
        span = (c.start - p.chunk.start, c.end - p.chunk.start)
        out += _passage_block(f"[{c.marker}]", c.title or c.article_id, _meta(c.source, c.published), c.url,
                              p.chunk.text, span)
    return out


def _meta(source: str | None, published: str | None) -> str:
    return source_meta(source, published)


def _passage_block(label: str, title: str, meta: str, url: str | None, text: str,
                   quote: tuple[int, int] | None) -> list[Line]:
    head: list[Segment] = [(f"{label} ", "bold cyan"), (title, "bold")]
    if meta:
        head.append((f"  {meta}", "dim"))
    out: list[Line] = [tuple(head)]
    if url:
        out.append(((f"    {url}", "dim underline"),))
    body: list[Segment] = [("    ", "")]
    if quote is None or not (0 <= quote[0] < quote[1] <= len(text)):
        body.append((text, ""))
    else:
        a, b = quote
        body += [(text[:a], "dim"), (text[a:b], "bold"), (text[b:], "dim")]
    out.append(tuple(s for s in body if s[0]))
    out.append(())
    return out


# --- /why -------------------------------------------------------------------------------------

def why_lines(answer: Answer | None) -> list[Line]:
    """How the last answer came about: searched text, hits with scores, dropped sentences, notes."""
    if answer is None:
        return [(("No answer yet: ask a question first.", "dim"),)]
    out: list[Line] = []
    searched = answer.standalone_question or answer.question
    line: list[Segment] = [("Searched: ", "bold"), (searched, "")]
    if searched_differs(answer):
        line.append((f"  (rewritten from: {answer.question})", "dim"))
    out.append(tuple(line))
    times = ", ".join(f"{k} {v:,.0f} ms" for k, v in answer.timings_ms.items() if v)
    out.append((("Answerer: ", "bold"), (f"{answer.backend} ({answer.model})", ""),
                (f"  {times}" if times else "", "dim")))
    cited = _cited_ranks(answer)
    if answer.retrieval is not None:
        out.append((("Retrievers: ", "bold"), ("dense on, " + answer.retrieval.line(),
                                               "" if answer.retrieval.lexical else "bold yellow")))
    out.append((("Retrieval hits", "bold"), (" (dense = cosine similarity, lexical = BM25, fused = reciprocal rank fusion):", "dim")))
    if not answer.passages:
        out.append((("  none", "dim"),))
    for p in sorted(answer.passages, key=lambda p: p.fused_rank):
        marks = cited.get(id(p), ())
        out.append((
            (f"  #{p.fused_rank:<2} ", "bold"),
            (_score("dense", p.dense_score) + "  " + _score("lexical", p.lexical_score)
             + f"  fused {p.fused_score:.4f}  ", "cyan"),
            (p.chunk.title or p.article_id, ""),
            (f"  {p.chunk.id}", "dim"),
            ("  → cited " + "".join(f"[{m}]" for m in marks) if marks else "", "bold green"),
        ))
    out.append((("Dropped by verification: ", "bold"), ("none" if not answer.dropped else "", "dim")))
    for s in answer.dropped:
        out.append((("  ✗ ", "red"), (sentence_display(s) if s.supported else s.text, "strike"),
                    (f"  — {s.reason or 'not supported by the cited passages'}", "yellow")))
    if answer.notes:
        out.append((("Notes:", "bold"),))
        out += [((f"  • {note}", ""),) for note in answer.notes]
    return out


def _score(label: str, value: float | None) -> str:
    return f"{label} {'  –  ' if value is None else f'{value:5.2f}'}"


def _cited_ranks(answer: Answer) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for c in answer.citations:
        p = passage_for(c, answer.passages)
        if p is not None:
            found.setdefault(id(p), []).append(c.marker)
    return {k: tuple(v) for k, v in found.items()}
