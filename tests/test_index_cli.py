"""The real `newsbot index` process with the bundled MiniLM: summaries, --stats, a
`kill -9` mid-run repaired by a re-run, and a real `chroma run` server via --chroma-url."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS, find_free_port, run_newsbot, subprocess_env

RUSSIA_Q = "Who is representing Russia in the talks?"


def test_index_seeds_twice_then_stats(tmp_path):
    store = tmp_path / "store"
    first = run_newsbot("index", "--store", str(store), str(SEEDS))
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout and "0 skipped" in first.stdout
    second = run_newsbot("index", "--store", str(store), str(SEEDS))
    assert second.returncode == 0, second.stderr
    assert "0 added, 0 updated, 2 unchanged" in second.stdout and "0 chunks written" in second.stdout
    stats = run_newsbot("index", "--stats", "--store", str(store))
    assert stats.returncode == 0
    assert "000_c3020e762289b85b" in stats.stdout and "001_fed5e9e3e43d509c" in stats.stdout
    assert "2 articles" in stats.stdout


def test_bad_inputs_are_one_line_errors(tmp_path):
    missing = run_newsbot("index", "--store", str(tmp_path / "s"), str(tmp_path / "nope"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert "nope" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    no_store = run_newsbot("index", "--stats", "--store", str(tmp_path / "empty"))
    assert no_store.returncode != 0 and "newsbot index" in no_store.stderr
    unreachable = run_newsbot("index", "--chroma-url", f"http://127.0.0.1:{find_free_port()}",
                              "--store", str(tmp_path / "s2"), str(SEEDS))
    assert unreachable.returncode != 0 and "does not answer" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def _many_articles(folder: Path, n: int) -> None:
    """n distinct articles built from the seed paragraphs (so each embeds differently)."""
    folder.mkdir()
    paragraphs = [p for path in sorted(SEEDS.glob("*.txt"))
                  for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    for i in range(n):
        body = "\n\n".join(paragraphs[(i + j) % len(paragraphs)] for j in range(6))
        (folder / f"story_{i:03d}.txt").write_text(f"Story number {i}\n\n{body}\n", encoding="utf-8")


def _done_articles(store: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{store / 'manifest.sqlite3'}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT count(*) FROM articles WHERE state = 'done'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _dump(store: Path) -> dict:
    """Chunk ids and texts as the store and BM25 hold them, through a fresh process."""
    code = (
        "import json,sys; from bot.core.settings import load_settings; from index.embedders import build_embedder;"
        "from index.store import open_store; from index.lexical import LexicalIndex;"
        "s=load_settings({}, store=sys.argv[1]); st=open_store(s, build_embedder(s));"
        "print(json.dumps({'chunks': {c.id: [c.text, c.start, c.end] for c in st.get(st.all_ids())},"
        "'bm25': sorted(LexicalIndex.load(s.store).ids)}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True,
                         env=subprocess_env(), cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_equals_a_clean_run(tmp_path):
    corpus = tmp_path / "corpus"
    _many_articles(corpus, 30)
    env = subprocess_env(NEWSBOT_EMBED_BATCH_SIZE="8", NEWSBOT_INDEX_WRITE_CHUNKS="8")
    clean = run_newsbot("index", "--quiet", "--store", str(tmp_path / "clean"), str(corpus), env=env)
    assert clean.returncode == 0, clean.stderr

    store = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "index", "--quiet", "--store", str(store), str(corpus)],
                            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _done_articles(store) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed: make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < _done_articles(store) < 30

    rerun = run_newsbot("index", "--quiet", "--store", str(store), str(corpus), env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert "repaired" in rerun.stderr
    assert _dump(store) == _dump(tmp_path / "clean")


@pytest.fixture
def chroma_server(tmp_path):
    port = find_free_port()
    log = open(tmp_path / "chroma.log", "wb")
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "chroma-data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=subprocess_env())
    url = f"http://127.0.0.1:{port}"
    import urllib.request

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.mark.slow
def test_index_and_two_concurrent_asks_through_a_chroma_server(tmp_path, chroma_server):
    store = tmp_path / "local"
    done = run_newsbot("index", "--chroma-url", chroma_server, "--store", str(store), str(SEEDS))
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout
    assert not (store / "chroma").exists()  # vectors live in the server, not locally
    again = run_newsbot("index", "--chroma-url", chroma_server, "--store", str(store), str(SEEDS))
    assert "2 unchanged" in again.stdout
    elsewhere = tmp_path / "another-machine"  # no local manifest: the server is the truth
    stats = run_newsbot("index", "--stats", "--chroma-url", chroma_server, "--store", str(elsewhere))
    assert stats.returncode == 0, stats.stderr
    assert "2 articles" in stats.stdout and "000_c3020e762289b85b" in stats.stdout and " done " in stats.stdout

    args = [sys.executable, "-m", "bot", "ask", "--json", "--llm", "extractive", "--chroma-url", chroma_server,
            "--store", str(store), RUSSIA_Q]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
                              cwd=REPO) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        answer = json.loads(out)
        assert not answer["refused"] and "Dmitriev" in answer["answer"]
        assert answer["citations"] and answer["citations"][0]["article_id"].endswith("c3020e762289b85b")
    assert json.loads(outs[0][0])["answer"] == json.loads(outs[1][0])["answer"]
