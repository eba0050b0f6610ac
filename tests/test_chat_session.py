"""The chat session's pure parts (state, commands, /sources /why /help views) and the
REPL loop in line mode over a recording pipeline double."""

from __future__ import annotations

import io

import pytest

from bot.core.errors import ConfigError, InvalidQuestionError, LLMError, StoreMissingError
from bot.core.passage import Passage
from bot.core.records import Answer, AnswerSentence, Citation, Turn
from bot.core.settings import load_settings
from bot.surfaces.chat.repl import Chat
from bot.surfaces.chat.session import (
    MAX_HISTORY_TURNS,
    ChatState,
    help_lines,
    parse_command,
    passage_for,
    plain,
    searched_differs,
    sources_lines,
    unknown_command_line,
    why_lines,
)
from bot.surfaces.render import answer_plain
from index.chunking import Chunk

ARTICLE = ("Talks in Miami. From the U.S. side the negotiations are led by Steve Witkoff, while Russia is "
           "represented by Kirill Dmitriev, head of the country's sovereign wealth fund. Ushakov spoke later.")
QUOTE = "Russia is represented by Kirill Dmitriev, head of the country's sovereign wealth fund."


def make_answer(question="Who is representing Russia in the talks?", standalone=None, refused=False, **kw) -> Answer:
    chunk = Chunk("a1#0000", "a1", ARTICLE, 0, len(ARTICLE), title="Kremlin denies talks", source="Kyiv Independent",
                  published="2025-12-21T10:00:00")
    other = Chunk("a2#0003", "a2", "Ushakov said Dmitriev would return.", 500, 535, title="Kremlin plays down")
    passages = (Passage(chunk, 0.61, 7.25, 1, 0.0328), Passage(other, None, 3.1, 2, 0.0161))
    start = ARTICLE.index(QUOTE)
    citations = () if refused else (
        Citation(1, "a1", "Kremlin denies talks", "Kyiv Independent", "https://example.org/a1", "2025-12-21",
                 QUOTE, start, start + len(QUOTE), 0.9),)
    sentences = () if refused else (AnswerSentence("Russia is represented by Kirill Dmitriev.", (1,), True),)
    text = ("The articles don't cover this. Closest articles searched: “Kremlin denies talks”." if refused
            else "Russia is represented by Kirill Dmitriev [1].")
    base = dict(question=question, answer=text, refused=refused, citations=citations, sentences=sentences,
                backend="extractive", model="extractive", timings_ms={"retrieve": 12.0, "total": 20.0},
                standalone_question=standalone or question, passages=passages)
    base.update(kw)
    return Answer(**base)


# --- commands and state ------------------------------------------------------------------------

@pytest.mark.parametrize("line,name,arg", [
    ("/sources", "sources", ""), ("  /WHY ", "why", ""), ("/reset", "reset", ""), ("/llm local", "llm", "local"),
    ("/llm", "llm", ""), ("/help", "help", ""), ("/?", "help", ""), ("/quit", "quit", ""), ("/exit", "quit", ""),
    ("/frobnicate now", "unknown", "now"),
])
def test_parse_command(line, name, arg):
    command = parse_command(line)
    assert (command.name, command.arg) == (name, arg)


def test_questions_are_not_commands():
    assert parse_command("Who is Dmitriev?") is None
    assert parse_command("what does 1/2 mean") is None


def test_unknown_command_line_names_it_and_lists_commands():
    line = unknown_command_line(parse_command("/frobnicate now"))
    assert line.startswith("unknown command /frobnicate:")
    for name in ("/sources", "/why", "/reset", "/llm", "/help", "/quit"):
        assert name in line
    assert "\n" not in line


def test_state_records_the_searched_question_and_caps_history():
    state = ChatState().after(make_answer("What is his job?", standalone="What is Kirill Dmitriev's job?"))
    assert state.history == (Turn("What is Kirill Dmitriev's job?", "Russia is represented by Kirill Dmitriev [1]."),)
    assert state.last.question == "What is his job?"
    for i in range(MAX_HISTORY_TURNS + 3):
        state = state.after(make_answer(f"question {i}?"))
    assert len(state.history) == MAX_HISTORY_TURNS
    assert state.history[-1].question == f"question {MAX_HISTORY_TURNS + 2}?"
    assert state.reset() == ChatState()


def test_searched_differs_ignores_spacing_and_final_mark():
    assert not searched_differs(make_answer("Who  is it", standalone="Who is it?"))
    assert searched_differs(make_answer("What is his job?", standalone="What is Kirill Dmitriev's job?"))


# --- views ------------------------------------------------------------------------------------

def test_sources_show_the_whole_passage_with_the_quote_marked():
    answer = make_answer()
    assert passage_for(answer.citations[0], answer.passages) is answer.passages[0]
    lines = sources_lines(answer)
    text = "\n".join(plain(lines))
    assert "[1] Kremlin denies talks  Kyiv Independent, 2025-12-21" in text
    assert "https://example.org/a1" in text
    assert ARTICLE in text  # the full passage, not only the quote
    bold = [seg for line in lines for seg, style in line if style == "bold"]
    assert QUOTE in bold


def test_sources_of_a_refusal_list_the_passages_searched():
    text = "\n".join(plain(sources_lines(make_answer(refused=True))))
    assert "cites nothing" in text
    assert ARTICLE in text and "Ushakov said Dmitriev would return." in text


def test_views_before_any_answer():
    assert "ask a question first" in plain(sources_lines(None))[0]
    assert "ask a question first" in plain(why_lines(None))[0]


def test_why_shows_scores_ranks_dropped_sentences_and_notes():
    answer = make_answer("What is his job?", standalone="What is Kirill Dmitriev's job?",
                         dropped=(AnswerSentence("He is 95 years old.", (1,), False, "number 95 not in cited passages"),),
                         notes=("fell back to extractive evidence",))
    text = "\n".join(plain(why_lines(answer)))
    assert "Searched: What is Kirill Dmitriev's job?  (rewritten from: What is his job?)" in text
    assert "#1  dense  0.61  lexical  7.25  fused 0.0328" in text
    assert "→ cited [1]" in text
    assert "#2  dense   –    lexical  3.10" in text  # BM25-only hit
    assert "He is 95 years old.  — number 95 not in cited passages" in text
    assert "fell back to extractive evidence" in text
    assert "retrieve 12 ms" in text


def test_help_lists_every_command():
    text = "\n".join(plain(help_lines()))
    for usage in ("/sources", "/why", "/reset", "/llm NAME", "/help", "/quit"):
        assert usage in text


# --- the loop in line mode ----------------------------------------------------------------------

class RecordingPipeline:
    """Answers from a script and records the history each question came with."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls: list[tuple[str, tuple]] = []
        self.llm = "extractive"
        self.warmed = 0

    def warm_up(self):
        self.warmed += 1

    def use(self, name):
        if name not in ("extractive", "local"):
            raise ConfigError(f"unknown answerer {name!r}: use one of auto, openai, local, extractive")
        self.llm = name
        return name

    def ask(self, question, history=(), *, llm=None, on_text=None):
        self.calls.append((question, tuple(history)))
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply(question) if callable(reply) else reply


def run_lines(pipeline, *lines):
    out, err = io.StringIO(), io.StringIO()
    chat = Chat(pipeline, load_settings({}), interactive=False, out=out, err=err)
    code = chat.run([line + "\n" for line in lines])
    chat.warm.wait()
    return code, out.getvalue(), err.getvalue(), chat


def test_line_mode_prints_one_block_per_question_and_keeps_history():
    first = make_answer()
    second = make_answer("What is his job?", standalone="What is Kirill Dmitriev's job?")
    pipeline = RecordingPipeline([first, second])
    code, out, err, chat = run_lines(pipeline, first.question, "", second.question)
    assert code == 0 and err == ""
    assert pipeline.warmed == 1
    assert out == answer_plain(first) + "\n" + answer_plain(second) + "\n"  # a blank line after each block
    assert out.count("Sources:") == 2
    assert "> " not in out
    assert pipeline.calls[0] == (first.question, ())
    assert pipeline.calls[1] == (second.question, (Turn(first.question, first.answer),))


def test_line_mode_reset_forgets_history():
    pipeline = RecordingPipeline([make_answer(), make_answer("What is his job?")])
    run_lines(pipeline, "Who is representing Russia in the talks?", "/reset", "What is his job?")
    assert pipeline.calls[1] == ("What is his job?", ())


def test_line_mode_commands_sources_and_why_use_the_last_answer():
    pipeline = RecordingPipeline([make_answer()])
    code, out, err, _ = run_lines(pipeline, "Who is representing Russia in the talks?", "/sources", "/why")
    assert code == 0
    assert ARTICLE in out and "Retrieval hits" in out and "fused 0.0328" in out


def test_line_mode_errors_are_one_line_and_the_session_goes_on():
    pipeline = RecordingPipeline([LLMError("cannot reach the LLM endpoint http://127.0.0.1:9/v1: check OPENAI_BASE_URL"),
                                  InvalidQuestionError("the question is 2,400 characters long: ask something shorter"),
                                  make_answer("q3")])
    code, out, err, chat = run_lines(pipeline, "q1", "q2", "q3", "/frobnicate", "/llm nonsense", "/llm local")
    lines = err.splitlines()
    assert lines[0] == ("newsbot: error: cannot reach the LLM endpoint http://127.0.0.1:9/v1: check OPENAI_BASE_URL"
                        " (type /llm extractive to go on without the model)")
    assert lines[1].startswith("newsbot: error: the question is 2,400 characters long")
    assert lines[2].startswith("newsbot: error: unknown command /frobnicate: try /sources")
    assert lines[3].startswith("newsbot: error: unknown answerer 'nonsense'") and lines[3].endswith(
        "still answering with extractive")
    assert lines[4] == "now answering with local" and pipeline.llm == "local"
    assert "Russia is represented by Kirill Dmitriev [1]." in out  # q3 still answered
    assert code == 1  # some lines failed
    assert [q for q, _ in pipeline.calls] == ["q1", "q2", "q3"]
    assert chat.state.history == (Turn("q3", make_answer("q3").answer),)  # failures are not remembered


def test_line_mode_quit_stops_reading():
    pipeline = RecordingPipeline([make_answer()])
    code, out, err, _ = run_lines(pipeline, "/quit", "never asked?")
    assert code == 0 and out == "" and pipeline.calls == []


def test_store_errors_end_the_session():
    pipeline = RecordingPipeline([StoreMissingError("the store .newsbot is empty: run `newsbot index <folder>` first")])
    with pytest.raises(StoreMissingError):
        run_lines(pipeline, "q1", "q2")
    assert len(pipeline.calls) == 1
