"""The 👍/👎 feedback file: one JSON object per line, read by `newsbot eval --import-feedback`.

Record format::

    {"question": str, "answer": str, "citations": [objects as in `newsbot ask --json`],
     "vote": "up"|"down", "correction": str|null, "user": str, "channel": str, "ts": str,
     "recorded_at": ISO-8601 str, "backend": str, "feedback_id": str}

``feedback_id`` is ``channel:ts:user`` (``ts`` = the answer message): a user who changes their
vote, or adds a correction in the 👎 modal, updates their one record instead of adding another.
Writes are atomic (temporary file + rename) and serialised across threads and processes.

Example::

    >>> log = FeedbackLog(Path("/tmp/feedback.jsonl"))               # doctest: +SKIP
    >>> log.save(feedback_record(question="Q", answer="A", citations=[], vote="down",
    ...          user="U1", channel="C1", ts="1.2", backend="extractive"))  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

VOTES = ("up", "down")


def feedback_id(channel: str, ts: str, user: str) -> str:
    return f"{channel}:{ts}:{user}"


def feedback_record(*, question: str, answer: str, citations: Sequence[dict[str, Any]], vote: str,
                    user: str, channel: str, ts: str, backend: str, correction: str | None = None,
                    recorded_at: str | None = None, refused: bool = False) -> dict[str, Any]:
    """One feedback line. ``vote`` must be "up" or "down"; a blank correction is None."""
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
    correction = (correction or "").strip() or None
    return {
        "question": question, "answer": answer, "refused": bool(refused), "citations": list(citations), "vote": vote,
        "correction": correction, "user": user, "channel": channel, "ts": ts,
        "recorded_at": recorded_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "backend": backend, "feedback_id": feedback_id(channel, ts, user),
    }


class FeedbackLog:
    """The feedback JSONL file at ``path`` (its folder is created on first write)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def records(self) -> list[dict[str, Any]]:
        """Every readable record (a damaged line is skipped, not fatal)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    out.append(record)
        return out

    def find(self, fid: str) -> dict[str, Any] | None:
        return next((r for r in self.records() if r.get("feedback_id") == fid), None)

    def save(self, record: dict[str, Any]) -> dict[str, Any]:
        """Insert ``record``, replacing the one with the same feedback_id (its place kept)."""
        return self._change(record["feedback_id"], lambda old: record)

    def set_correction(self, fid: str, correction: str | None, fallback: dict[str, Any] | None = None):
        """Add the 👎 modal's correction to record ``fid`` (or save ``fallback`` with it)."""
        def change(old):
            base = old or fallback
            if base is None:
                return None
            return {**base, "vote": "down", "correction": (correction or "").strip() or base.get("correction")}
        return self._change(fid, change)

    def _change(self, fid: str, change) -> dict[str, Any] | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, _file_lock(self.path.with_name(self.path.name + ".lock")):
            try:
                lines = self.path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                lines = []
            index, old = _locate(lines, fid)
            new = change(old)
            if new is None:
                return None
            line = json.dumps(new, ensure_ascii=False)
            if index is None:
                lines.append(line)
            else:
                lines[index] = line
            _write_atomic(self.path, "".join(f"{x}\n" for x in lines))
            return new


def _locate(lines: list[str], fid: str) -> tuple[int | None, dict[str, Any] | None]:
    for i, line in enumerate(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("feedback_id") == fid:
            return i, record
    return None, None


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _file_lock(path: Path):
    """An advisory lock between processes (two bots writing one file); no-op where unsupported."""
    try:
        import fcntl
    except ImportError:  # Windows: the thread lock still serialises this process
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
