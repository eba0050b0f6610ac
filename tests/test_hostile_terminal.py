"""Hostile stdin and escape sequences in articles (issue 17): a bad line is its own error, terminals see no controls."""

from __future__ import annotations

import json

from tests.hostile_helpers import HARBOUR_Q, LIBRARY_Q, _separate_process

pytest_plugins = ["tests.hostile_fixtures"]  # the `cli` and `news` fixtures


# --- stdin, terminals ----------------------------------------------------------------------------

def test_invalid_utf8_line_on_stdin_is_that_lines_error_and_the_batch_goes_on(cli, news, tmp_path):
    store = tmp_path / "store"
    assert cli("index", "--store", store, news).code == 0
    stdin = HARBOUR_Q.encode() + b"\n" + b"When did the \xff\xfe harbour reopen?\n" + LIBRARY_Q.encode() + b"\n"
    done = _separate_process("ask", "--json", "--llm", "extractive", "--store", store, "-", stdin=stdin)
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    first, bad, third = (json.loads(line) for line in done.stdout.decode().splitlines())
    assert "Tuesday" in first["answer"] and "20,000" in third["answer"]
    assert bad["line"] == 2 and "not valid UTF-8 (byte 0xff at position 13)" in bad["error"]


ESCAPES = "\x1b[2J\x1b[31m\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\x9b6n\x07"


def _no_controls(text: str) -> bool:
    return not any((ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f for c in text)


def test_escape_sequences_in_articles_never_reach_a_terminal(cli, tmp_path):
    folder = tmp_path / "esc"
    folder.mkdir()
    (folder / "esc\x1b[31m.txt").write_text(f"Harbour {ESCAPES} news\n\nThe city harbour reopened{ESCAPES} on "
                                            "Tuesday after storm repairs.\n", encoding="utf-8")
    store = tmp_path / "store"
    assert cli("index", "--store", store, folder).code == 0
    listed = cli("index", "--stats", "--store", store)
    asked = cli("ask", "--llm", "extractive", "--store", store, HARBOUR_Q)
    as_json = cli("ask", "--json", "--llm", "extractive", "--store", store, HARBOUR_Q)
    chat = _separate_process("chat", "--llm", "extractive", "--store", store, stdin=HARBOUR_Q.encode() + b"\n")
    for out in (listed.out, asked.out, as_json.out, chat.stdout.decode(), chat.stderr.decode()):
        assert _no_controls(out), repr(out)
    assert "Tuesday" in asked.out and "Tuesday" in chat.stdout.decode() and "click" in listed.out


def test_render_sanitises_answers_from_a_store_indexed_before_normalisation():
    """An old store may still hold raw escapes: render is the last line of defence."""
    from io import StringIO

    from rich.console import Console

    from bot.core.records import Answer, AnswerSentence, Citation
    from bot.surfaces.render import answer_json_line, answer_plain, render_terminal

    quote = f"The harbour reopened {ESCAPES} on Tuesday."
    answer = Answer("q", f"The harbour reopened {ESCAPES} on Tuesday [1].", False,
                    (Citation(1, "a\x1b[2J", f"T{ESCAPES}", f"S{ESCAPES}", f"http://x/{ESCAPES}", None, quote, 0,
                              len(quote), 1.0),),
                    (AnswerSentence(f"The harbour reopened {ESCAPES} on Tuesday.", (1,), True),), "extractive",
                    "", {})
    shown = StringIO()
    render_terminal(answer, Console(file=shown, force_terminal=False, color_system=None, width=200))
    line = answer_json_line(answer)
    for out in (answer_plain(answer), shown.getvalue(), line):
        assert _no_controls(out), repr(out)
    assert json.loads(line)["citations"][0]["quote"] == quote  # JSON stays faithful, only escaped
