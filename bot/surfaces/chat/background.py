"""The REPL's worker thread: an answer runs in the background so Ctrl-C can cancel it."""

from __future__ import annotations

import threading


class Cancelled(BaseException):
    """Raised in the worker (from on_text) to stop an answer the user cancelled.
    A BaseException so answerers' ``except Exception`` blocks let it through."""


class Background:
    """``fn`` in a daemon thread; :meth:`wait` returns often enough for Ctrl-C to land."""

    def __init__(self, fn, name: str):
        self.result = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(fn,), name=name, daemon=True)

    def start(self) -> "Background":
        self.thread.start()
        return self

    def _run(self, fn) -> None:
        try:
            self.result = fn()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            self.error = error
        finally:
            self.done.set()

    def wait(self) -> None:
        # A timed wait returns to the interpreter between slices, where SIGINT is raised.
        while not self.done.wait(0.1):
            pass

    def alive(self) -> bool:
        return self.thread.is_alive()
