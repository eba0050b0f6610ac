"""A store emptied, deleted, damaged or read-only (issue 17): nothing indexed is lost, each failure is one line."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.hostile_helpers import HARBOUR_Q, _separate_process, assert_answers_both, stats

pytest_plugins = ["tests.hostile_fixtures"]  # the `cli` and `news` fixtures


# --- nothing indexed is ever lost ----------------------------------------------------------------

def test_a_file_with_an_indexed_id_never_replaces_that_article(cli, news, tmp_path):
    store = tmp_path / "store"
    assert cli("index", "--store", store, news).code == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.txt").write_text("Harbour closed\n\nThe harbour closed for good on Sunday.\n",
                                       encoding="utf-8")
    (other / "feed.jsonl").write_text(json.dumps({"id": "library", "text": "The library burned down."}) + "\n",
                                      encoding="utf-8")
    done = cli("index", "--store", store, other)
    assert done.code == 0
    assert "0 added, 0 updated" in done.out and "2 skipped" in done.out
    assert done.err_lines == [
        f"warning: {(other / 'feed.jsonl').resolve()}: skipped article 'library', that id is already indexed "
        f"from {(news / 'library.txt').resolve()}; rename the file (or give the record another \"id\") to keep both",
        f"warning: {(other / 'harbour.txt').resolve()}: skipped article 'harbour', that id is already indexed "
        f"from {(news / 'harbour.txt').resolve()}; rename the file (or give the record another \"id\") to keep both"]
    assert stats(cli, store) == {"harbour": (1, "done"), "library": (1, "done")}
    assert_answers_both(cli, store)
    # the same id from the same file is an ordinary update; a moved file takes its id along
    (news / "harbour.txt").rename(other / "harbour.txt")
    moved = cli("index", "--store", store, other)
    assert "1 unchanged" in moved.out and "1 skipped" in moved.out
    again = cli("index", "--store", store, news)  # its old folder: nothing to prune
    assert "0 removed" in again.out and "1 unchanged" in again.out
    assert stats(cli, store) == {"harbour": (1, "done"), "library": (1, "done")}


def test_an_emptied_manifest_loses_no_other_articles(cli, news, tmp_path):
    store = tmp_path / "store"
    more = tmp_path / "more"
    more.mkdir()
    (more / "quay.txt").write_text("Quay\n\nThe new quay opened on Monday with 12 berths.\n", encoding="utf-8")
    assert cli("index", "--store", store, news).code == 0
    assert cli("index", "--store", store, more).code == 0
    (store / "manifest.sqlite3").write_bytes(b"")
    for extra in ("manifest.sqlite3-wal", "manifest.sqlite3-shm"):
        (store / extra).unlink(missing_ok=True)
    done = cli("index", "--store", store, more)
    assert done.code == 0 and "1 updated" in done.out
    assert "the manifest did not list 3 article(s)" in done.err and "they were kept" in done.err
    assert stats(cli, store) == {"harbour": (1, "done"), "library": (1, "done"), "quay": (1, "done")}
    assert_answers_both(cli, store)


def test_deleted_chroma_folder_is_detected_and_re_embedded(cli, news, tmp_path):
    store = tmp_path / "store"
    assert cli("index", "--store", store, news).code == 0
    shutil.rmtree(store / "chroma")
    done = cli("index", "--store", store, news)
    assert done.code == 0 and "2 updated" in done.out and "2 chunks written" in done.out
    assert "2 indexed article(s) had no vectors in the store" in done.err
    assert stats(cli, store) == {"harbour": (1, "done"), "library": (1, "done")}
    assert_answers_both(cli, store)


def test_half_overwritten_manifest_is_a_one_line_error_and_rebuild_fixes_it(cli, news, tmp_path):
    store = tmp_path / "store"
    assert cli("index", "--store", store, news).code == 0
    path = store / "manifest.sqlite3"
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2] + os.urandom(len(data) - len(data) // 2))
    with path.open("r+b") as f:  # and the header: "file is not a database"
        f.write(os.urandom(100))
    for args in (("index", "--store", store, news), ("index", "--stats", "--store", store)):
        done = cli(*args)
        assert done.code == 1 and len(done.err_lines) == 1, done.err
        assert f"the manifest {path} is damaged" in done.err and "newsbot index --rebuild" in done.err
    rebuilt = cli("index", "--rebuild", "--store", store, news)
    assert rebuilt.code == 0 and "2 added" in rebuilt.out, rebuilt.err
    assert stats(cli, store) == {"harbour": (1, "done"), "library": (1, "done")}
    assert_answers_both(cli, store)


@pytest.mark.slow  # four separate processes (the store must be read-only for another process)
def test_read_only_store_is_a_one_line_message(news, tmp_path):
    """A store nobody may write to: `index` says so in one line; `--stats` and `ask` only read it.

    Root ignores file modes, so as root the store is bind-mounted read-only in a private mount
    namespace (``unshare -m``); otherwise its files lose their write bits."""
    docs, store = news, tmp_path / "store"
    built = _separate_process("index", "--store", store, docs)
    assert built.returncode == 0, built.stderr
    readonly = _read_only_runner(store)
    try:
        index = _separate_process("index", "--store", store, docs, wrap=readonly)
        assert index.returncode == 1 and len(index.stderr.strip().splitlines()) == 1, index.stderr
        assert f"cannot write to the store {store}" in index.stderr and "Traceback" not in index.stderr
        listed = _separate_process("index", "--stats", "--store", store, wrap=readonly)
        assert listed.returncode == 0 and "2 articles, 2 chunks" in listed.stdout, listed.stderr
        asked = _separate_process("ask", "--llm", "extractive", "--store", store, HARBOUR_Q, wrap=readonly)
        assert "Traceback" not in asked.stderr
        if asked.returncode == 0:
            assert "Tuesday" in asked.stdout
        else:
            assert len(asked.stderr.strip().splitlines()) == 1 and "read-only" in asked.stderr, asked.stderr
    finally:
        for path in [store, *store.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def _read_only_runner(store: Path) -> list[str]:
    if os.geteuid() != 0:
        for path in [store, *store.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        return []
    if not shutil.which("unshare"):
        pytest.skip("running as root without unshare: cannot make a store read-only")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0"', str(store)],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"running as root and cannot bind-mount read-only: {probe.stderr.decode()[:200]}")
    return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && shift && exec "$@"', str(store), "--"]


def test_manifest_errors_are_classified():
    from bot.core.errors import StoreCorruptError, StoreLockedError, StoreReadOnlyError
    from index.manifest import manifest_error

    path = Path("/s/manifest.sqlite3")
    assert isinstance(manifest_error(path, sqlite3.DatabaseError("file is not a database")), StoreCorruptError)
    assert isinstance(manifest_error(path, sqlite3.OperationalError("attempt to write a readonly database")),
                      StoreReadOnlyError)
    assert isinstance(manifest_error(path, sqlite3.OperationalError("database is locked")), StoreLockedError)
