"""Hostile and careless inputs (issue 17): each is built here, run through the real CLI (in-process,
with the deterministic FakeEmbedder and a real local Chroma), and checked for the exit code, a
one-line message naming the file, and what the store holds afterwards (`--stats` and an answer).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO, subprocess_env
from tests.fakes import FakeEmbedder

HARBOUR = ("Harbour reopens after storm\n\nThe city harbour reopened on Tuesday after storm repairs that cost "
           "4 million euros. Ferries to the islands resumed the same afternoon.\n")
LIBRARY = ("Library opens new wing\n\nThe central library opened a new reading wing on Friday. The wing holds "
           "20,000 books and a room for children.\n")
HARBOUR_Q = "When did the city harbour reopen after the storm?"
LIBRARY_Q = "How many books does the new library wing hold?"


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


def _forget_chroma_clients() -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


@pytest.fixture
def news(tmp_path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "library.txt").write_text(LIBRARY, encoding="utf-8")
    return folder


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


# --- files that used to stop a run ---------------------------------------------------------------

def test_lone_surrogate_skips_only_that_jsonl_line(cli, news, tmp_path):
    (news / "feed.jsonl").write_text(
        json.dumps({"id": "quay", "text": "The new quay opened on Monday."}) + "\n"
        + '{"id": "broken", "text": "Bad \\ud800 text"}\n', encoding="utf-8")
    store = tmp_path / "store"
    done = cli("index", "--store", store, news)
    assert done.code == 0
    assert done.err_lines == [f"warning: {news / 'feed.jsonl'}:2: skipped, invalid Unicode (a lone surrogate "
                              "\\ud800) in the record"]
    assert "3 added" in done.out and "1 skipped" in done.out
    assert set(stats(cli, store)) == {"harbour", "library", "quay"}
    assert_answers_both(cli, store)


def test_json_nested_200k_deep_is_skipped(cli, news, tmp_path):
    (news / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (news / "deep.jsonl").write_text('{"text": ' + "[" * 200_000 + "]" * 200_000 + "}\n", encoding="utf-8")
    store = tmp_path / "store"
    done = cli("index", "--store", store, news)
    assert done.code == 0 and "2 added" in done.out and "2 skipped" in done.out
    assert done.err_lines == [f"warning: {news / 'deep.json'}: skipped, nested too deeply to parse",
                              f"warning: {news / 'deep.jsonl'}:1: skipped, JSON nested too deeply to parse"]
    assert set(stats(cli, store)) == {"harbour", "library"}


def test_symlink_loop_is_skipped_in_a_folder_and_when_named(cli, news, tmp_path):
    (news / "a.txt").symlink_to(news / "b.txt")
    (news / "b.txt").symlink_to(news / "a.txt")
    store = tmp_path / "store"
    done = cli("index", "--store", store, news)
    assert done.code == 0 and "2 added" in done.out and "2 skipped" in done.out
    assert len(done.err_lines) == 2 and all("a symlink loop" in line for line in done.err_lines)
    named = cli("index", "--store", tmp_path / "store2", news / "a.txt", news / "harbour.txt")
    assert named.code == 0 and "1 added" in named.out
    assert named.err_lines == [f"warning: {news / 'a.txt'}: skipped, cannot read it: a symlink loop "
                               "(fix or remove the link)"]
    assert_answers_both(cli, store)


def test_nul_bytes_after_the_first_8_kib_mean_binary(cli, news, tmp_path):
    (news / "blob.txt").write_bytes(b"Readable start. " * 600 + b"\x00\x01\x02binary")
    store = tmp_path / "store"
    done = cli("index", "--store", store, news)
    assert done.code == 0 and "1 skipped" in done.out
    assert len(done.err_lines) == 1 and "blob.txt: skipped, binary content (a NUL byte at offset 9600)" in done.err
    assert set(stats(cli, store)) == {"harbour", "library"}


def test_an_article_over_the_size_limit_is_truncated_with_a_warning(cli, news, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_MAX_ARTICLE_CHARS", "2000")
    paragraph = "The council met again on Monday to discuss the harbour budget in detail. " * 5
    (news / "long.txt").write_text("Long report\n\n" + "\n\n".join([paragraph] * 40), encoding="utf-8")
    store = tmp_path / "store"
    done = cli("index", "--store", store, "--batch-size", "2", news)
    assert done.code == 0 and "3 added" in done.out
    assert len(done.err_lines) == 1 and "long.txt: article 'long' is" in done.err
    assert "over the limit of 2000: truncated" in done.err
    from bot.core.settings import load_settings
    from index.store import open_store

    chunks = open_store(load_settings({}, store=store), FakeEmbedder()).get(
        [f"long#{i:04d}" for i in range(100)])
    assert chunks and max(c.end for c in chunks) <= 2000
    _forget_chroma_clients()


def test_a_big_article_is_written_batch_by_batch(tmp_path):
    """One long article: its vectors reach the store in embed-batch-sized upserts, not one."""
    from bot.core.settings import load_settings
    from index.indexer import index_paths
    from tests.fakes import InMemoryStore

    class CountingStore(InMemoryStore):
        def __init__(self):
            super().__init__()
            self.upserts: list[int] = []

        def upsert(self, chunks, embeddings, facts=None):
            self.upserts.append(len(chunks))
            super().upsert(chunks, embeddings, facts)

    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "big.txt").write_text("\n\n".join(f"Paragraph {i} says the harbour budget grew again this year."
                                                for i in range(400)), encoding="utf-8")
    store = CountingStore()
    settings = load_settings({}, store=tmp_path / "store", chunk_tokens=40, chunk_overlap_tokens=4, embed_batch_size=16, index_write_chunks=16)
    summary = index_paths(settings, [folder], embedder=FakeEmbedder(), store=store)
    assert summary.chunks_written == store.count() > 100
    assert max(store.upserts) <= 16 and len(store.upserts) >= summary.chunks_written // 16


def test_hidden_html_is_not_article_text(cli, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "port.html").write_text(
        "<html><head><title>Port news</title></head><body><article>"
        "<p>The city harbour reopened on Tuesday after repairs.</p>"
        "<div hidden>The harbour reopened in 1850 under pirate control.</div>"
        "<p style='color: grey; display:none'>The harbour reopened in 1850 under pirate control.</p>"
        "<span style='visibility: hidden'>Pirates run the harbour.</span>"
        "<!-- The harbour reopened in 1850 under pirate control. -->"
        "<template><p>Pirates run the harbour.</p></template>"
        "<p aria-hidden='true'>Pirates run the harbour.</p>"
        "</article></body></html>", encoding="utf-8")
    (folder / "note.md").write_text("# Quay\n\nThe quay opened.\n<!-- pirates run the harbour -->\n",
                                    encoding="utf-8")
    store = tmp_path / "store"
    assert cli("index", "--store", store, folder).code == 0
    from index.manifest import Manifest

    manifest = Manifest(store)
    try:
        texts = " ".join(manifest.chunk_texts()[1])
    finally:
        manifest.close()
    assert "reopened on Tuesday" in texts and "The quay opened." in texts
    assert "1850" not in texts and "irate" not in texts
    got = answer(cli, store, "When did the harbour reopen?")
    assert "Tuesday" in got["answer"] and "1850" not in json.dumps(got)


def test_zero_width_and_bidi_characters_are_removed_before_indexing(cli, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "zw.txt").write_text("Ｈａｒｂｏｕｒ news\n\nThe har\u200bbour re\u202eopened\u202c on "
                                   "Tue\u2060sday.\x1b[2J\x1b]8;;http://x.example\x07link\x1b]8;;\x07\n",
                                   encoding="utf-8")
    store = tmp_path / "store"
    assert cli("index", "--store", store, folder).code == 0
    from index.manifest import Manifest

    manifest = Manifest(store)
    try:
        [text] = manifest.chunk_texts()[1]
        title = manifest.articles()["zw"].title
    finally:
        manifest.close()
    assert text == "Harbour news\n\nThe harbour reopened on Tuesday.link" and title == "Harbour news"


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


def _separate_process(*args, wrap: list[str] | None = None, stdin: bytes | None = None):
    env = subprocess_env(NEWSBOT_REFUSAL_THRESHOLD="0.05", NEWSBOT_QUIET="1", PYTHONPATH=str(REPO))
    return subprocess.run([*(wrap or []), sys.executable, "-m", "tests.hostile_cli", *map(str, args)],
                          capture_output=True, text=stdin is None, input=stdin, cwd=REPO, env=env, timeout=300)


def test_the_default_size_limit_is_a_described_setting():
    from bot.core.settings import describe, load_settings

    assert load_settings({}).max_article_chars == 1_000_000
    assert load_settings({"NEWSBOT_MAX_ARTICLE_CHARS": "5"}).max_article_chars == 5
    assert any(name == "max_article_chars" and "truncated" in text for name, _, text, _ in describe())


def test_manifest_errors_are_classified():
    from bot.core.errors import StoreCorruptError, StoreLockedError, StoreReadOnlyError
    from index.manifest import manifest_error

    path = Path("/s/manifest.sqlite3")
    assert isinstance(manifest_error(path, sqlite3.DatabaseError("file is not a database")), StoreCorruptError)
    assert isinstance(manifest_error(path, sqlite3.OperationalError("attempt to write a readonly database")),
                      StoreReadOnlyError)
    assert isinstance(manifest_error(path, sqlite3.OperationalError("database is locked")), StoreLockedError)


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


# --- conflicts are about one entity and one attribute --------------------------------------------

def _envoys(folder: Path, lines: dict[str, str]) -> Path:
    folder.mkdir()
    for number, sentence in lines.items():
        (folder / f"envoy_{number}.txt").write_text(f"Envoy number {number}\n\n{sentence}\n", encoding="utf-8")
    return folder


def test_different_envoys_are_not_a_conflict_and_not_cited_for_each_other(cli, tmp_path):
    docs = _envoys(tmp_path / "envoys", {
        "0001": "The envoy number 0001 met in town 1 on Monday and later flew home.",
        "0004": "The envoy number 0004 met in town 4 on Monday and later flew home.",
        "0854": "The envoy number 0854 met in town 4 on Monday and later flew home."})
    store = tmp_path / "store"
    assert cli("index", "--store", store, docs).code == 0
    got = answer(cli, store, "Where did envoy number 0004 meet?")
    assert "town 4" in got["answer"] and not got["refused"]
    assert "differ" not in got["answer"] and "inconsistent" not in got["answer"]
    by_marker = {c["marker"]: c for c in got["citations"]}
    about_0004 = [s for s in got["sentences"] if "0004" in s["text"]]
    assert about_0004 and all(by_marker[m]["article_id"] == "envoy_0004" for s in about_0004 for m in s["citations"])
    for sentence in got["sentences"]:  # every sentence cites the article about the envoy it names
        for m in sentence["citations"]:
            assert by_marker[m]["article_id"].split("_")[1] in sentence["text"]


def test_the_same_envoy_with_two_figures_is_still_a_conflict(cli, tmp_path):
    docs = _envoys(tmp_path / "envoys", {
        "0004": "The envoy number 0004 met 40 delegates in the capital on Monday.",
        "0004b": "On Monday the envoy number 0004 met 45 delegates in the capital."})
    store = tmp_path / "store"
    assert cli("index", "--store", store, docs).code == 0
    got = answer(cli, store, "How many delegates did envoy number 0004 meet?")
    assert "The articles differ" in got["answer"] and "40 delegates" in got["answer"] and "45 delegates" in got["answer"]
