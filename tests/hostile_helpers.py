"""Shared by the hostile-input tests: two small articles and their questions, store checks, a separate process."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, subprocess_env

HARBOUR = ("Harbour reopens after storm\n\nThe city harbour reopened on Tuesday after storm repairs that cost "
           "4 million euros. Ferries to the islands resumed the same afternoon.\n")
LIBRARY = ("Library opens new wing\n\nThe central library opened a new reading wing on Friday. The wing holds "
           "20,000 books and a room for children.\n")
HARBOUR_Q = "When did the city harbour reopen after the storm?"
LIBRARY_Q = "How many books does the new library wing hold?"


def _forget_chroma_clients() -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def stats(cli, store) -> dict[str, tuple[int, str]]:
    """article id → (chunks, state) from `newsbot index --stats`."""
    done = cli("index", "--stats", "--store", store)
    assert done.code == 0, done.err
    rows = {}
    for line in done.out.splitlines()[1:-1]:
        article, chunks, state, *_ = line.split()
        rows[article] = (int(chunks), state)
    return rows


def answer(cli, store, question) -> dict:
    done = cli("ask", "--json", "--llm", "extractive", "--store", store, question)
    assert done.code == 0, done.err
    return json.loads(done.out)


def assert_answers_both(cli, store) -> None:
    harbour, library = answer(cli, store, HARBOUR_Q), answer(cli, store, LIBRARY_Q)
    assert "Tuesday" in harbour["answer"] and not harbour["refused"]
    assert "20,000" in library["answer"] and not library["refused"]


def _separate_process(*args, wrap: list[str] | None = None, stdin: bytes | None = None):
    env = subprocess_env(NEWSBOT_REFUSAL_THRESHOLD="0.05", NEWSBOT_QUIET="1", PYTHONPATH=str(REPO))
    return subprocess.run([*(wrap or []), sys.executable, "-m", "tests.hostile_cli", *map(str, args)],
                          capture_output=True, text=stdin is None, input=stdin, cwd=REPO, env=env, timeout=300)
