"""One Chroma server, many machines: real `chroma run` on a loopback port, real `newsbot`
processes each with its own empty --store folder (a different machine, as far as newsbot
can tell), and a deterministic /embeddings server (tests/fake_embeddings_api.py) so no
model is loaded. Covered: a writer indexing from an empty folder, a long-running chat
worker that finds by keyword an article indexed after it started, a one-shot ask from
a third folder, SIGKILL mid-run repaired from yet another folder, and two writers at once.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import REPO, find_free_port, run_newsbot, subprocess_env
from tests.fake_embeddings_api import DIMENSION, FakeEmbeddingsAPI

pytestmark = pytest.mark.slow

EMBEDDER = "openai:fake-bow"
CODE_Q = "Which freighter carries cargo code QZ7781?"
TARGET = ("The Marisol manifest\n\nThe freighter Marisol carries cargo code QZ7781 to the northern port. "
          "Its captain, Ilse Varnhagen, signed the manifest at dawn after the customs officers counted every "
          "crate twice, sealed the hold with wax and left for the old town before the bells rang.\n")


@pytest.fixture
def chroma_url(tmp_path):
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


@pytest.fixture
def embeddings():
    with FakeEmbeddingsAPI() as api:
        yield api


def env_for(chroma_url: str, embeddings_url: str, **extra: str) -> dict[str, str]:
    return subprocess_env(NEWSBOT_CHROMA_URL=chroma_url, NEWSBOT_EMBEDDER=EMBEDDER,
                          NEWSBOT_EMBEDDINGS_BASE_URL=embeddings_url, NEWSBOT_LLM="extractive",
                          NEWSBOT_QUIET="1", **extra)


def write_distractors(folder: Path, n: int, words: int = 40) -> None:
    """Short articles that paraphrase CODE_Q ("ship transports freight", which the fake
    embedder reads as "freighter carries cargo"), so dense search ranks them above the
    article with the code, while keyword search sees none of the question's words in them."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["Alba", "Borealis", "Corvina", "Dunmore", "Estrella", "Fjordland", "Galene", "Halcyon"]
    filler = ("The harbour office logged the crossing and the crew reported calm water and steady wind "
              "while the pilot boat waited beyond the breakwater for the tide to turn").split()
    for i in range(n):
        name = f"{names[i % len(names)]}{'' if i < len(names) else i}"
        body = " ".join(filler[(i + j) % len(filler)] for j in range(words))
        (folder / f"ship_{i:03d}.txt").write_text(
            f"The {name} log\n\nThe ship {name} transports freight with label RT{1000 + i} under seal. "
            f"{body}.\n", encoding="utf-8")


def server_store(chroma_url: str, collection: str = "newsbot"):
    from bot.core.settings import load_settings
    from index.store import open_store

    settings = load_settings({}, chroma_url=chroma_url, collection=collection, store="/nonexistent")
    return open_store(settings, SimpleNamespace(name=EMBEDDER, dimension=DIMENSION))


def dump(chroma_url: str, collection: str) -> dict:
    """Every chunk on the server: document and metadata, minus the stamp of the batch that wrote
    it (bookkeeping for readers' refreshes: it differs between a killed+repaired and a clean run)
    and the story id (wire-copy grouping is kept per writer machine, in <store>/stories.sqlite3)."""
    from index.store import VERSION_KEY

    store = server_store(chroma_url, collection)
    return {cid: (doc, {k: v for k, v in meta.items() if k not in (VERSION_KEY, "story_id")})
            for page in store.scan() for cid, doc, meta in page}


def index(tmp_path: Path, env: dict, corpus: Path, *extra: str, store: str | None = None):
    folder = store or str(tmp_path / f"machine-{time.monotonic_ns()}")
    return run_newsbot("index", "--store", folder, *extra, str(corpus), env=env, timeout=900)


def test_writer_from_empty_folders_recognises_unchanged_and_replaces_edited(tmp_path, chroma_url, embeddings):
    env = env_for(chroma_url, embeddings.url)
    corpus = tmp_path / "corpus"
    write_distractors(corpus, 4)
    first = index(tmp_path, env, corpus)
    assert first.returncode == 0, first.stderr
    assert "4 added" in first.stdout
    before = embeddings.texts
    again = index(tmp_path, env, corpus)  # another machine: empty --store
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 4 unchanged" in again.stdout and "0 chunks written" in again.stdout
    assert embeddings.texts - before <= 1  # at most the dimension probe: nothing re-embedded
    (corpus / "ship_001.txt").write_text("The Borealis log\n\nThe Borealis was renamed Aurora.\n", encoding="utf-8")
    edited = index(tmp_path, env, corpus)
    assert "1 updated, 3 unchanged" in edited.stdout, edited.stdout + edited.stderr
    docs = [doc for doc, meta in dump(chroma_url, "newsbot").values() if meta["article_id"] == "ship_001"]
    assert docs == ["The Borealis was renamed Aurora."] or all("Aurora" in d for d in docs)
    version = server_store(chroma_url).version()
    assert version is not None and int(version) >= 2  # bumped by the two runs that wrote

    # What a writer killed mid-upsert leaves: half of a new version of one article (a chunk
    # with another hash and count), and an article missing one of its chunks.
    good = dump(chroma_url, "newsbot")
    store = server_store(chroma_url)
    [(chunk, _)] = [(c, 0) for c in store.get(["ship_002#0000"])]
    store.upsert([dataclasses.replace(chunk, id="ship_002#0007", text="half written")], [[1.0] + [0.0] * 63],
                 facts={"ship_002": {"content_hash": "other", "n_chunks": 8}})
    victim = next(cid for cid, (_, meta) in good.items() if meta["article_id"] == "ship_003")
    store.delete([victim])
    repaired = index(tmp_path, env, corpus)
    assert repaired.returncode == 0, repaired.stderr
    assert "repaired" in repaired.stderr and "2 unchanged" in repaired.stdout and "2 chunks written" in repaired.stdout
    assert dump(chroma_url, "newsbot") == good


def _version(chroma_url: str, collection: str) -> int:
    try:
        return int(server_store(chroma_url, collection).version() or 0)
    except Exception:
        return 0


def test_sigkill_mid_run_then_rerun_from_another_empty_folder_equals_a_clean_run(tmp_path, chroma_url):
    corpus = tmp_path / "corpus"
    write_distractors(corpus, 60, words=400)  # ~3 chunks each
    with FakeEmbeddingsAPI(delay_s=0.15) as slow:
        env = env_for(chroma_url, slow.url, NEWSBOT_EMBED_BATCH_SIZE="4", NEWSBOT_INDEX_WRITE_CHUNKS="4", NEWSBOT_LEASE_TTL_S="40")
        clean = index(tmp_path, {**env, "NEWSBOT_COLLECTION": "clean-run"}, corpus)
        assert clean.returncode == 0, clean.stderr

        proc = subprocess.Popen([sys.executable, "-m", "bot", "index", "--store", str(tmp_path / "killed-machine"),
                                 str(corpus)], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        while _version(chroma_url, "newsbot") < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the run finished before it could be killed: make the corpus bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        partial = dump(chroma_url, "newsbot")
        assert 0 < len({m["article_id"] for _, m in partial.values()}) < 60

        # The dead writer's lease still stands until it expires: without waiting, a clear refusal.
        refused = index(tmp_path, env, corpus)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert "holds the write lease" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
        rerun = index(tmp_path, env, corpus, "--wait", "120")
        assert rerun.returncode == 0, rerun.stderr
    assert dump(chroma_url, "newsbot") == dump(chroma_url, "clean-run")


def test_two_concurrent_writers_one_fails_clearly_one_waits(tmp_path, chroma_url):
    corpus = tmp_path / "corpus"
    write_distractors(corpus, 30, words=200)
    with FakeEmbeddingsAPI(delay_s=0.4) as slow:
        env = env_for(chroma_url, slow.url, NEWSBOT_EMBED_BATCH_SIZE="4", NEWSBOT_INDEX_WRITE_CHUNKS="4")
        first = subprocess.Popen([sys.executable, "-m", "bot", "index", "--store", str(tmp_path / "a"), str(corpus)],
                                 env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        from bot.core.settings import load_settings
        from index.store import open_lease_slot

        slot = open_lease_slot(load_settings({}, chroma_url=chroma_url))
        deadline = time.monotonic() + 120
        while slot.read() is None and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the first writer finished before the second started"
        second = index(tmp_path, env, corpus)
        waiter = index(tmp_path, env, corpus, "--wait", "120")
        out, err = first.communicate(timeout=900)
    assert first.returncode == 0, err
    assert "30 added" in out
    assert second.returncode != 0 and "Traceback" not in second.stderr
    line = second.stderr.strip()
    assert len(line.splitlines()) == 1 and "holds the write lease" in line and "--wait" in line
    assert waiter.returncode == 0, waiter.stderr
    assert "30 unchanged" in waiter.stdout
    assert slot.read() is None  # released at the end of each run


def test_worker_finds_by_keyword_an_article_indexed_after_it_started(tmp_path, chroma_url, embeddings):
    """Writer, long-running chat worker and one-shot ask: three processes, three empty folders."""
    from tests.test_chat import Terminal

    env = env_for(chroma_url, embeddings.url, NEWSBOT_LEXICAL_REFRESH_S="0.5")
    corpus = tmp_path / "corpus"
    write_distractors(corpus, 6, words=12)
    first = index(tmp_path, env, corpus)
    assert first.returncode == 0, first.stderr

    worker = Terminal(tmp_path / "worker-machine", env=dict(env))
    try:
        before = worker.line(CODE_Q)
        assert "Marisol" not in before  # not indexed yet
        (corpus / "marisol.txt").write_text(TARGET, encoding="utf-8")
        added = index(tmp_path, env, corpus)
        assert "1 added" in added.stdout and "6 unchanged" in added.stdout, added.stdout + added.stderr
        time.sleep(1.0)  # one check interval (0.5 s) and then some
        after = worker.line(CODE_Q)
        assert "Marisol" in after and "QZ7781" in after, after
        why = worker.line("/why")
        assert "keyword search (BM25) on" in why
        hit = re.search(r"lexical\s+([\d.]+)\s+fused [\d.]+\s+The Marisol manifest\s+marisol#0000", why)
        assert hit and float(hit.group(1)) > 0, why  # a BM25 score, not a dash
    finally:
        worker.close()

    oneshot = run_newsbot("ask", "--json", "--store", str(tmp_path / "third-machine"), CODE_Q, env=env)
    assert oneshot.returncode == 0, oneshot.stderr
    answer = json.loads(oneshot.stdout)
    assert answer["retrieval"]["lexical"] is True and answer["retrieval"]["lexical_chunks"] == 7
    top = answer["passages"][0]
    assert top["article_id"] == "marisol" and top["lexical_score"] and top["fused_rank"] == 1
    # The code is all that singles it out, and only BM25 sees codes: dense ranks it below others.
    assert any(p["dense_score"] > (top["dense_score"] or 0) for p in answer["passages"][1:])
    assert "QZ7781" in answer["answer"]


def test_ask_says_dense_only_when_a_local_store_has_no_bm25(tmp_path, embeddings):
    env = env_for("", embeddings.url)
    env.pop("NEWSBOT_CHROMA_URL")
    corpus = tmp_path / "corpus"
    write_distractors(corpus, 3, words=12)
    store = tmp_path / "local"
    assert index(tmp_path, env, corpus, store=str(store)).returncode == 0
    (store / "bm25.current").unlink()
    out = run_newsbot("ask", "--json", "--store", str(store), "Which freighter carries cargo?", env=env)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["retrieval"]["lexical"] is False and answer["retrieval"]["reason"] == "no_index"
    assert all(p["lexical_score"] is None for p in answer["passages"])
