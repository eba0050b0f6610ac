"""Pure parts of "the Chroma server is the truth": the write lease (with the in-memory slot),
the article facts read back from chunk metadata, and BM25 that follows a version stamp."""

from __future__ import annotations

import pytest

from bot.core.errors import StoreLockedError
from index.lease import Lease
from index.lexical import LexicalIndex
from index.live_lexical import LiveLexical, ServerLexical
from index.server_manifest import article_facts
from tests.fakes import MemorySlot


class Clock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


def test_second_writer_fails_with_one_clear_line_naming_the_holder():
    slot, clock = MemorySlot(), Clock()
    Lease(slot, "host-a:11:x", ttl_s=60, where="http://srv (collection 'news')", clock=clock).acquire()
    with pytest.raises(StoreLockedError) as err:
        Lease(slot, "host-b:22:y", ttl_s=60, where="http://srv (collection 'news')", clock=clock,
              sleep=clock.sleep).acquire(wait_s=0)
    message = str(err.value)
    assert "host-a:11:x" in message and "--wait" in message and "news" in message and "\n" not in message


def test_second_writer_waits_for_release():
    slot, clock = MemorySlot(), Clock()
    first = Lease(slot, "a", ttl_s=60, clock=clock)
    first.acquire()
    released = []

    def sleep(s):
        clock.sleep(s)
        if clock.t > 1003 and not released:
            first.release()
            released.append(clock.t)

    second = Lease(slot, "b", ttl_s=60, clock=clock, sleep=sleep)
    second.acquire(wait_s=30)
    assert released and slot.read()["owner"] == "b"


def test_an_expired_lease_of_a_killed_writer_is_taken_over_and_the_dead_one_cannot_renew():
    slot, clock = MemorySlot(), Clock()
    dead = Lease(slot, "dead", ttl_s=10, clock=clock)
    dead.acquire()
    clock.t += 11  # never renewed: expired
    Lease(slot, "alive", ttl_s=10, clock=clock).acquire(wait_s=0)
    assert slot.read()["owner"] == "alive"
    with pytest.raises(StoreLockedError, match="lost its write lease"):
        dead.renew()
    dead.release()  # releasing someone else's lease does nothing
    assert slot.read()["owner"] == "alive"


def test_renew_pushes_the_expiry():
    slot, clock = MemorySlot(), Clock()
    lease = Lease(slot, "a", ttl_s=10, clock=clock)
    lease.acquire()
    clock.t += 8
    lease.renew()
    clock.t += 8  # 16 s after acquiring, 8 after renewing: still held
    with pytest.raises(StoreLockedError):
        Lease(slot, "b", ttl_s=10, clock=clock).acquire(wait_s=0)


def _row(cid, h, n, path="/c/a.txt"):
    return (cid, f"text of {cid}", {"article_id": cid.split("#")[0], "content_hash": h, "n_chunks": n, "path": path})


def test_article_facts_complete_only_when_all_chunks_agree_and_none_are_missing():
    pages = [[_row("a#0000", "h1", 2), _row("a#0001", "h1", 2)],  # complete
             [_row("b#0000", "h2", 2)],  # killed mid-upsert: one of two chunks
             [_row("c#0000", "new", 1), _row("c#0001", "old", 2)],  # new version written, stale one left
             [("d#0000", "legacy", {"article_id": "d"})]]  # indexed before hashes were stored
    facts = article_facts(pages)
    assert facts["a"].complete and facts["a"].content_hash == "h1" and facts["a"].path == "/c/a.txt"
    assert [cid for cid, _ in facts["a"].chunks] == ["a#0000", "a#0001"]
    assert not facts["b"].complete and not facts["c"].complete and facts["c"].content_hash is None
    assert not facts["d"].complete


class FakeSource:
    def __init__(self):
        self.docs = {"x#0000": "grain prices rose"}
        self.stamp = "1"
        self.loads = 0
        self.fail = False

    def load(self):
        self.loads += 1
        if self.fail:
            raise ConnectionError("server gone")
        return LexicalIndex.build(list(self.docs), list(self.docs.values()))


def test_live_lexical_rebuilds_only_when_the_stamp_moves_and_at_most_every_interval():
    src, clock = FakeSource(), Clock()
    live = LiveLexical(src.load, lambda: src.stamp, check_every_s=5, clock=clock)
    assert live.status.available and live.status.chunks == 1 and src.loads == 1
    assert live.search("zq77", 3) == []
    src.docs["y#0000"] = "the code zq77 was filed"
    src.stamp = "2"
    clock.t += 1
    assert live.search("zq77", 3) == [] and src.loads == 1  # checked too recently
    clock.t += 5
    assert [cid for cid, _ in live.search("zq77", 3)] == ["y#0000"] and src.loads == 2
    clock.t += 6
    live.search("zq77", 3)
    assert src.loads == 2  # stamp unchanged: no rebuild


def test_live_lexical_says_why_when_unavailable_and_keeps_the_old_index_on_failure():
    src, clock = FakeSource(), Clock()
    src.fail = True
    live = LiveLexical(src.load, lambda: src.stamp, check_every_s=0, clock=clock)
    assert not live.status.available and live.status.code == "build_failed"
    assert live.search("grain", 3) == []
    src.fail = False
    clock.t += 1
    assert live.search("grain", 3) and live.status.available
    src.fail, src.stamp = True, "9"
    clock.t += 1
    assert live.search("grain", 3) and live.status.available  # the old index keeps answering


# --- degraded retrieval said out loud (ask --json, /why) ------------------------------------

def _pipeline(lexical):
    from bot.answerers.extractive import ExtractiveAnswerer
    from bot.answering.pipeline import build_pipeline
    from bot.core.settings import load_settings
    from tests.fakes import FakeEmbedder, InMemoryStore, line_chunks

    embedder, store = FakeEmbedder(), InMemoryStore()
    text = "Harbour report\nThe freighter Marisol carries cargo code QZ7781 to the northern port.\n"
    chunks = line_chunks("marisol", text) + line_chunks("alba", "Alba log\nThe freighter Alba carries grain.\n")
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    src = FakeSource()
    src.docs = {c.id: c.text for c in chunks}
    live = LiveLexical(src.load, lambda: src.stamp, check_every_s=0) if lexical == "live" else lexical
    if lexical == "broken":
        src.fail = True
        live = LiveLexical(src.load, lambda: src.stamp, check_every_s=0)
    return build_pipeline(load_settings({}, llm="extractive"), embedder=embedder, store=store, lexical=live,
                          answerers={"extractive": ExtractiveAnswerer()})


def test_ask_json_lists_passages_with_scores_and_says_bm25_is_on():
    answer = _pipeline("live").ask("Which freighter carries cargo code QZ7781?")
    data = answer.to_json()
    assert data["retrieval"]["lexical"] is True and data["retrieval"]["reason"] is None
    top = data["passages"][0]
    assert set(top) == {"chunk_id", "article_id", "dense_score", "lexical_score", "fused_rank"}
    assert top["article_id"] == "marisol" and top["lexical_score"] > 0 and top["fused_rank"] == 1
    assert [p["fused_rank"] for p in data["passages"]] == sorted(p["fused_rank"] for p in data["passages"])


def test_without_bm25_search_is_dense_only_and_says_why_in_json_and_why():
    from bot.surfaces.chat.session import why_lines

    answer = _pipeline("broken").ask("Which freighter carries cargo code QZ7781?")
    data = answer.to_json()
    assert data["retrieval"]["lexical"] is False and data["retrieval"]["reason"] == "build_failed"
    assert all(p["lexical_score"] is None for p in data["passages"])
    shown = "\n".join("".join(seg for seg, _ in line) for line in why_lines(answer))
    assert "dense only (build_failed)" in shown
    assert _pipeline(None).ask("Which freighter carries grain?").retrieval.reason == "disabled"


def test_live_lexical_in_the_background_swaps_in_the_new_index_without_a_search():
    import time

    src = FakeSource()
    live = LiveLexical(src.load, lambda: src.stamp, check_every_s=0.05, background=True)
    try:
        src.docs["y#0000"] = "the code zq77 was filed"
        src.stamp = "2"
        deadline = time.monotonic() + 10
        while live.status.version != "2" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert live.status.version == "2" and [c for c, _ in live.search("zq77", 3)] == ["y#0000"]
    finally:
        live.close()


class FakeServer:
    """A ChunkSource: chunks with the stamp of the batch that wrote them, like ChromaStore."""

    def __init__(self):
        self.rows: dict[str, tuple[str, int]] = {}
        self.stamp = 0
        self.full_reads = 0
        self.identity = "srv#1"

    def commit(self, add: dict[str, str] | None = None, delete: tuple[str, ...] = ()) -> None:
        for cid, text in (add or {}).items():
            self.rows[cid] = (text, self.stamp + 1)
        for cid in delete:
            self.rows.pop(cid, None)
        self.stamp += 1

    def version(self):
        return str(self.stamp) if self.stamp else None

    def scan(self, *, documents=True, since=None):
        if since is None:
            self.full_reads += 1
        yield [(cid, text, {}) for cid, (text, v) in sorted(self.rows.items()) if since is None or v > since]

    def all_ids(self):
        return sorted(self.rows)


WORDS = "grain harbour pilot tide crane ferry canal barge dock quay storm".split()


def test_server_lexical_refreshes_incrementally_and_ranks_like_a_full_rebuild():
    server, clock = FakeServer(), Clock()
    server.commit({f"a{i}#0000": " ".join(WORDS[(i + j) % len(WORDS)] for j in range(4)) for i in range(40)})
    live = ServerLexical(server, check_every_s=1, clock=clock, compact_at=100)
    assert server.full_reads == 1 and live.status.chunks == 40
    server.commit({"new#0000": "the inspector filed report zq77 at the dock", "a3#0000": "storm storm zq77"},
                  delete=("a5#0000",))
    clock.t += 2
    found = live.search("zq77 dock", 10)
    assert server.full_reads == 1  # only the changes were read
    assert {c for c, _ in found} >= {"new#0000", "a3#0000"} and "a5#0000" not in {c for c, _ in live.search("dock", 50)}
    assert live.status.chunks == 40 and live.status.version == "2"
    full = dict(LexicalIndex.build(server.all_ids(), [server.rows[c][0] for c in server.all_ids()])
                .search("zq77 dock", 50))
    got = dict(live.search("zq77 dock", 50))
    # the changed chunks are scored exactly as a full rebuild scores them (current statistics);
    # the others by the big index, whose statistics are those of its last build
    assert got["new#0000"] == pytest.approx(full["new#0000"], rel=1e-4)
    assert got["a3#0000"] == pytest.approx(full["a3#0000"], rel=1e-4)
    assert sorted(got, key=got.get)[-2:] == sorted(full, key=full.get)[-2:]


def test_server_lexical_compacts_a_large_delta_and_rebuilds_after_a_reset():
    server, clock = FakeServer(), Clock()
    server.commit({"a#0000": "grain harbour"})
    live = ServerLexical(server, check_every_s=0, clock=clock, compact_at=3)
    server.commit({f"b{i}#0000": f"ferry canal {i}" for i in range(5)})
    clock.t += 1
    assert len(live.search("ferry", 10)) == 5 and live._snap.delta == {}  # compacted into the main index
    server.rows, server.stamp = {"z#0000": ("only this", 1)}, 1  # the collection was dropped and rebuilt
    clock.t += 1
    assert [c for c, _ in live.search("only", 3)] == ["z#0000"] and server.full_reads == 2


def test_server_lexical_restarts_from_its_cache_and_catches_up(tmp_path):
    server, clock = FakeServer(), Clock()
    server.commit({f"a{i}#0000": f"grain harbour {i}" for i in range(30)})
    first = ServerLexical(server, check_every_s=0, clock=clock, cache=tmp_path / "cache")
    assert server.full_reads == 1 and not first.loaded_from_cache
    server.commit({"new#0000": "report zq77 filed"}, delete=("a1#0000",))  # while no worker runs
    again = ServerLexical(server, check_every_s=0, clock=clock, cache=tmp_path / "cache")
    assert again.loaded_from_cache and server.full_reads == 1  # nothing fetched in full
    assert [c for c, _ in again.search("zq77", 3)] == ["new#0000"]
    assert "a1#0000" not in {c for c, _ in again.search("grain", 50)} and again.status.chunks == 30
    server.identity = "srv#2"  # the collection was dropped and made again: the cache is not for it
    third = ServerLexical(server, check_every_s=0, clock=clock, cache=tmp_path / "cache")
    assert not third.loaded_from_cache and server.full_reads == 2
