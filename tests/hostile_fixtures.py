"""The hostile-input tests' fixtures (loaded with `pytest_plugins`): `cli` runs newsbot in-process, `news` a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes import FakeEmbedder
from tests.hostile_helpers import HARBOUR, LIBRARY, _forget_chroma_clients


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def cli(monkeypatch, capsys):
    """``cli(*args)`` runs `newsbot ARGS` in this process and returns its exit code and output."""
    import index.embedders

    monkeypatch.setattr(index.embedders, "build_embedder", lambda settings, **_: FakeEmbedder())
    monkeypatch.setenv("NEWSBOT_REFUSAL_THRESHOLD", "0.05")  # bag-of-words similarities are low
    monkeypatch.setenv("NEWSBOT_QUIET", "1")

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        _forget_chroma_clients()  # a new process each time, as for a user
        assert "Traceback" not in out.err
        return Run(code, out.out, out.err)

    return run


@pytest.fixture
def news(tmp_path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "library.txt").write_text(LIBRARY, encoding="utf-8")
    return folder
