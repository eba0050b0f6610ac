"""The `newsbot chat` loop: prompt_toolkit reads lines (the only module importing it), rich writes.

Interactive (stdin and stdout are terminals): a prompt with line editing and history kept
in ``<store>/chat_history``. Models load in a background thread while the prompt is
already up. Each answer runs in a worker thread so Ctrl-C cancels that answer and the
session goes on; a transient rich Live region shows a spinner, then the *verified* text
as it streams (``Pipeline.ask(on_text=...)``), and is replaced by the final Answer — the
authoritative version — with its numbered sources.

Piped (``printf 'q1\\nq2\\n' | newsbot chat``): no decorations, one plain answer block per
input line with a blank line after it. Commands work there too; history applies
across lines either way.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Iterable

from bot.core.errors import EmbedderMismatchError, LLMError, NewsbotError, StoreMissingError, StoreUnreachableError
from bot.core.normalize import terminal_line, terminal_safe
from bot.surfaces.chat.background import Background, Cancelled
from bot.surfaces.chat.session import (
    ChatState,
    Line,
    help_lines,
    parse_command,
    plain,
    searched_differs,
    sources_lines,
    unknown_command_line,
    why_lines,
)

PROMPT = "> "
# Nothing can be answered after these: the session ends with their one-line fix.
FATAL = (StoreMissingError, StoreUnreachableError, EmbedderMismatchError)


def catch_ctrl_c() -> bool:
    """Make Ctrl-C raise KeyboardInterrupt even if this process was started with SIGINT ignored.

    A program started as a background job of a non-interactive shell (``cmd &`` in a script,
    as CI may run tests) or by a launcher that ignores SIGINT inherits SIGINT ignored, and
    Python keeps it ignored: at the prompt Ctrl-C still works (prompt_toolkit reads it as a
    key), but pressed during an answer it was lost and the answer printed anyway. At a
    terminal, Ctrl-C is the user's "cancel this answer" (``/help``). A
    handler the embedding program installed is left alone. True when the handler was changed.
    """
    if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, signal.SIG_DFL, None):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        return True
    return False


class Chat:
    """One conversation over ``pipeline``. ``interactive`` picks prompt + rich output or
    plain line mode; ``out``/``err`` default to stdout/stderr."""

    def __init__(self, pipeline, settings, *, interactive: bool, stream: bool = True, out=None, err=None):
        self.pipeline = pipeline
        self.settings = settings
        self.interactive = interactive
        self.stream = stream
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.state = ChatState()
        self.failures = 0
        self.warm = Background(pipeline.warm_up, "newsbot-warm-up")
        self._threads: list[Background] = [self.warm]
        self.console = None
        if interactive:
            from rich.console import Console

            self.console = Console(file=self.out, highlight=False)

    # -- loops -----------------------------------------------------------------------------
    def run(self, lines: Iterable[str] | None = None) -> int:
        if self.interactive:
            return self._run_terminal()
        self.warm.start()
        for line in (sys.stdin if lines is None else lines):
            if not self.handle(line.rstrip("\r\n")):
                break
        return 1 if self.failures else 0

    def _run_terminal(self) -> int:
        from prompt_toolkit import PromptSession

        session = PromptSession(history=self._history())
        catch_ctrl_c()
        where = self.settings.chroma_url or str(self.settings.store)
        self._say(f"newsbot chat · answering with {self.pipeline.llm} · store {where} · "
                  "/help for commands, Ctrl-D to quit")
        # Started only now: importing torch in a thread slows this one's imports too.
        self.warm.start()
        hinted = False
        while True:
            try:
                line = session.prompt(PROMPT)
            except KeyboardInterrupt:  # like a shell: drop the line, keep the session
                if not hinted:
                    self._say("(Ctrl-D or /quit to leave)")
                    hinted = True
                continue
            except EOFError:
                return 0
            if not self.handle(line):
                return 0

    def busy(self) -> bool:
        """Is a model still loading or a cancelled answer still finishing?"""
        return any(t.alive() for t in self._threads)

    # -- one line ----------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Act on one input line; False means "leave"."""
        text = line.strip()
        if not text:
            return True
        command = parse_command(text)
        if command is None:
            self._question(text)
            return True
        if command.name == "quit":
            return False
        if command.name == "sources":
            self._show(sources_lines(self.state.last))
        elif command.name == "why":
            self._show(why_lines(self.state.last))
        elif command.name == "help":
            self._show(help_lines())
        elif command.name == "reset":
            self.state = self.state.reset()
            self._say("Conversation forgotten: the next question starts fresh.")
        elif command.name == "llm":
            self._switch(command.arg)
        else:
            self._error(unknown_command_line(command))
        return True

    def _switch(self, name: str) -> None:
        if not name:
            self._say(f"answering with {self.pipeline.llm}; switch with /llm extractive | local | openai | auto")
            return
        try:
            concrete = self.pipeline.use(name)
        except NewsbotError as error:
            self._error(f"{error}; still answering with {self.pipeline.llm}")
            return
        self._say(f"now answering with {concrete}")
        # Load the new model while the user types (the next question waits for it).
        self.warm = Background(self.pipeline.warm_up, "newsbot-warm-up").start()
        self._threads.append(self.warm)

    def _question(self, question: str) -> None:
        history = self.state.history
        try:
            answer = self._answer_live(question, history) if self.interactive else \
                self.pipeline.ask(question, history)
        except FATAL:
            raise
        except LLMError as error:
            hint = "" if "/llm" in str(error) else " (type /llm extractive to go on without the model)"
            self._error(f"{error}{hint}")
            return
        except NewsbotError as error:
            self._error(str(error))
            return
        if answer is None:  # cancelled: nothing shown, nothing remembered
            return
        if self.interactive:
            self._render(answer)
        else:
            from bot.surfaces.render import answer_plain

            self.out.write(answer_plain(answer) + "\n")
            self.out.flush()
        self.state = self.state.after(answer)

    # -- interactive answering -----------------------------------------------------------------
    def _answer_live(self, question: str, history):
        """The Answer, or None when the user pressed Ctrl-C (the worker is told to stop
        and its result is discarded)."""
        from rich.live import Live

        cancel = threading.Event()
        pieces: list[str] = []
        live = None

        def on_text(piece: str) -> None:
            if cancel.is_set():
                raise Cancelled()
            pieces.append(piece)
            if live is not None:
                live.update(_streamed(pieces))

        on_text_arg = on_text if self.stream else None
        job = Background(lambda: self.pipeline.ask(question, history, on_text=on_text_arg), "newsbot-answer")
        loading = not self.warm.done.is_set()
        try:
            with Live(self._spinner("Loading models…" if loading else "Answering…"), console=self.console,
                      transient=True, refresh_per_second=12) as live:
                if loading:
                    self.warm.wait()
                    if isinstance(self.warm.error, FATAL):
                        raise self.warm.error
                    live.update(self._spinner("Answering…"))
                self._threads.append(job.start())
                job.wait()
        except KeyboardInterrupt:
            cancel.set()
            self._say("Cancelled.")
            return None
        if job.error is not None:
            raise job.error
        return job.result

    def _render(self, answer) -> None:
        from rich.text import Text

        from bot.surfaces.render import render_terminal

        if searched_differs(answer):
            self.console.print(Text(f"↳ searched: {terminal_line(answer.standalone_question)}", style="dim"))
        render_terminal(answer, self.console)
        self.console.print()

    def _spinner(self, message: str):
        from rich.spinner import Spinner
        from rich.text import Text

        return Text("") if self.settings.quiet else Spinner("dots", text=Text(message, style="dim"))

    # -- output ----------------------------------------------------------------------------
    def _show(self, lines: list[Line]) -> None:
        if not self.interactive:
            self.out.write("\n".join(terminal_safe(line) for line in plain(lines)) + "\n")
            self.out.flush()
            return
        from rich.text import Text

        for line in lines:
            text = Text()
            for segment, style in line:
                text.append(terminal_safe(segment), style=style or None)
            self.console.print(text)

    def _say(self, message: str) -> None:
        """A short notice: dim on the terminal; stderr in pipes (stdout carries only answers)."""
        if self.interactive:
            from rich.text import Text

            self.console.print(Text(terminal_safe(message), style="dim"))
        else:
            print(terminal_safe(message), file=self.err, flush=True)

    def _error(self, message: str) -> None:
        if self.interactive:
            from rich.text import Text

            self.console.print(Text(f"error: {terminal_line(message)}", style="red"))
        else:
            self.failures += 1
            print(f"newsbot: error: {terminal_line(message)}", file=self.err, flush=True)

    def _history(self):
        """Arrow-key history persisted in the store folder (in memory if that is not writable)."""
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        path = Path(self.settings.store) / "chat_history"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
        except OSError as error:
            self._say(f"history will not be saved: cannot write {path} ({error.strerror})")
            return InMemoryHistory()
        return FileHistory(str(path))


def _streamed(pieces: list[str]):
    """The verified text so far, markers highlighted."""
    from bot.surfaces.render import marked_text

    return marked_text(terminal_safe("".join(pieces)))
