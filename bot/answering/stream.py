"""Progressive output of verified sentences while an LLM streams its draft.

Buffers the stream and passes on each sentence once it is complete (the one sentence
splitter, :func:`bot.text.sentences.complete_prefix_end`) *and* verified. Unverified model
text never reaches ``on_text``.
"""

from __future__ import annotations

from time import perf_counter
from typing import Callable

from bot.surfaces.display import sentence_display
from bot.text.sentences import complete_prefix_end
from bot.verify.policy import Verified

TextCallback = Callable[[str], None]


class VerifiedStream:
    """``verify(draft_so_far)`` checks a prefix of the draft; ``feed`` takes the model's pieces."""

    def __init__(self, verify: Callable[[str], Verified], on_text: TextCallback):
        self.verify, self.on_text = verify, on_text
        self.buffer = ""
        self.checked_upto = 0
        self.sent = 0  # sentences already passed on
        self.emitted = ""
        self.verify_ms = 0.0

    def feed(self, piece: str) -> None:
        self.buffer += piece
        end = complete_prefix_end(self.buffer)
        if end <= self.checked_upto:
            return
        self.checked_upto = end
        t = perf_counter()
        result = self.verify(self.buffer[:end])
        self.verify_ms += round((perf_counter() - t) * 1000.0, 1)
        fresh = result.sentences[self.sent:]
        if fresh:
            self._emit(" ".join(sentence_display(s) for s in fresh))
            self.sent = len(result.sentences)

    def finish(self, final_text: str) -> None:
        """Pass on what the final verification adds to what was already shown."""
        if final_text.startswith(self.emitted):
            rest = final_text[len(self.emitted):]
            if rest.strip():
                self.on_text(rest)
        elif not self.emitted:
            self.on_text(final_text)

    def _emit(self, text: str) -> None:
        if self.emitted:
            text = " " + text
        self.emitted += text
        self.on_text(text)
