"""Rendering answers: terminal (rich), plain text for pipes, JSON."""

from __future__ import annotations

import io
import json

from rich.console import Console

from bot.core.records import Answer, AnswerSentence, Citation
from bot.surfaces.display import FLAG
from bot.surfaces.render import answer_json_line, answer_plain, render_terminal

CIT = Citation(1, "000_c3020e762289b85b", "Kremlin denies talks", "Kyiv Independent", "https://example.org/a",
               "2025-12-21T10:00:00", "Russia is represented by Kirill Dmitriev, head of the country's sovereign wealth fund.",
               980, 1064, 0.92)
OK = Answer(question="Who represents Russia?", answer="Russia is represented by Kirill Dmitriev [1].", refused=False,
            citations=(CIT,), sentences=(AnswerSentence("Russia is represented by Kirill Dmitriev [1].", (1,), True),),
            backend="extractive", model="extractive", timings_ms={"retrieve": 1.0, "generate": 0.5, "verify": 0.2, "total": 2.0})
REFUSED = Answer(question="Capital of France?", answer="The articles don't cover this. Closest articles searched: “Kremlin denies talks”.",
                 refused=True, citations=(), sentences=(), backend="extractive", model="extractive",
                 timings_ms={"retrieve": 1.0, "generate": 0.0, "verify": 0.0, "total": 1.0},
                 closest_articles=("Kremlin denies talks",))


def terminal(answer) -> str:
    buf = io.StringIO()
    render_terminal(answer, Console(file=buf, width=100, force_terminal=False, color_system=None))
    return buf.getvalue()


def test_plain_text_has_answer_then_numbered_sources_with_verbatim_quote():
    out = answer_plain(OK)
    answer, _, sources = out.partition("\nSources:\n")
    assert answer.strip() == OK.answer
    assert "[1] Kremlin denies talks (Kyiv Independent, 2025-12-21)" in sources
    assert "https://example.org/a" in sources and f"“{CIT.quote}”" in sources


def test_refusals_are_marked_and_have_no_sources():
    out = answer_plain(REFUSED)
    assert out.startswith("[no answer] ") and "Kremlin denies talks" in out and "Sources" not in out
    assert "No answer:" in terminal(REFUSED)


def test_terminal_rendering_shows_markers_sources_and_flags():
    out = terminal(OK)
    assert "Kirill Dmitriev [1]" in out and "Sources" in out and "[1] Kremlin denies talks" in out
    flagged = Answer(**{**OK.__dict__, "sentences": OK.sentences + (AnswerSentence("He is 95 [1].", (1,), False, "number 95"),),
                        "answer": OK.answer + " " + FLAG + "He is 95 [1]."})
    out = terminal(flagged)
    assert "unsupported: He is 95 [1]." in out
    assert "[unsupported] He is 95" in answer_plain(flagged)


def test_json_line_is_one_line_with_the_schema():
    line = answer_json_line(OK)
    assert "\n" not in line
    obj = json.loads(line)
    assert obj["citations"][0]["quote"] == CIT.quote and obj["sentences"][0]["citations"] == [1]
    assert set(obj["timings_ms"]) >= {"retrieve", "generate", "verify", "total"}
