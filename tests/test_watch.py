"""`newsbot watch`: a new feed item is indexed within one cycle, a feed that is down is survived,
SIGTERM stops the watch with the store intact, and the lock is held only while writing."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from bot.core.errors import ConfigError
from bot.core.settings import load_settings
from index.indexer import store_lock
from index.manifest import Manifest
from index.watch import Watcher, parse_every
from tests.fakes import FakeEmbedder
from tests.news_site import NewsSite, article_html, rss
from tests.test_feeds import BRIDGE, BUDGET


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, store=tmp_path / "store", chunk_tokens=60, chunk_overlap_tokens=8,
                         embed_batch_size=8, index_write_chunks=8, fetch_timeout_s=1.0)


def _feed(site: NewsSite, items: list[tuple[str, str, str]]) -> None:
    site.set("/rss.xml", rss("Harbor Gazette", [
        {"title": t, "link": site.url(p), "pubDate": d} for t, p, d in items]), content_type="application/rss+xml")


def _articles(settings) -> dict:
    manifest = Manifest(settings.store)
    try:
        return manifest.articles()
    finally:
        manifest.close()


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_parse_every_accepts_units_and_names_a_bad_value():
    assert (parse_every("15m"), parse_every("2h"), parse_every("0.1"), parse_every("45 s")) == (900, 7200, 0.1, 45)
    with pytest.raises(ConfigError, match="'soon'"):
        parse_every("soon")
    with pytest.raises(ConfigError):
        parse_every("0")


def test_new_item_is_indexed_within_one_cycle_and_a_down_feed_is_survived(settings):
    with NewsSite() as site:
        site.set("/news/bridge.html", article_html("Harbor bridge reopens", BRIDGE, published="2024-03-05"))
        site.set("/news/budget.html", article_html("County approves budget", BUDGET, published="2024-03-04"))
        _feed(site, [("Harbor bridge reopens", "/news/bridge.html", "Tue, 05 Mar 2024 09:30:00 GMT")])
        lines: list[str] = []
        watcher = Watcher(settings, [site.url("/rss.xml"), site.url("/down.xml")], embedder=FakeEmbedder(),
                          emit=lines.append, warn=lines.append)
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(0.05, stop), daemon=True)
        thread.start()
        try:
            assert _wait(lambda: any("new 1 / updated 0 / failed 1" in ln for ln in lines))
            _feed(site, [("County approves budget", "/news/budget.html", "Mon, 04 Mar 2024 18:00:00 GMT"),
                         ("Harbor bridge reopens", "/news/bridge.html", "Tue, 05 Mar 2024 09:30:00 GMT")])
            seen = watcher.cycles
            assert _wait(lambda: watcher.cycles >= seen + 2)  # the next full cycle after the change
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()
    cycle_lines = [ln for ln in lines if " / failed " in ln and "(stopping" not in ln]  # a last cycle cut short
    assert sum("new 1 / " in ln for ln in cycle_lines) == 2  # each item indexed exactly once
    assert all(ln.endswith("failed 1") for ln in cycle_lines)  # the down feed, every cycle
    assert any("down.xml: HTTP 404" in ln for ln in lines)
    assert {a.title for a in _articles(settings).values()} == {"Harbor bridge reopens", "County approves budget"}


def test_a_cycle_cut_short_by_stop_counts_nothing_as_failed_and_the_next_run_fetches_it(settings):
    """Stop set while a cycle fetches: the URLs it did not ask for are neither failures nor remembered."""
    with NewsSite() as site:
        site.set("/news/bridge.html", article_html("Harbor bridge reopens", BRIDGE, published="2024-03-05"))
        _feed(site, [("Harbor bridge reopens", "/news/bridge.html", "Tue, 05 Mar 2024 09:30:00 GMT")])
        lines: list[str] = []
        stop = threading.Event()
        stop.set()
        watcher = Watcher(settings, [site.url("/rss.xml"), site.url("/down.xml")], embedder=FakeEmbedder(),
                          emit=lines.append, warn=lines.append)
        watcher.cycle(stop)
        assert lines and lines[-1].endswith("new 0 / updated 0 / failed 0 (stopping: what was not polled waits for the next run)")
        assert not any(ln.startswith("warning") for ln in lines) and site.hits_for("/rss.xml") == []
        again: list[str] = []
        Watcher(settings, [site.url("/rss.xml")], embedder=FakeEmbedder(), emit=again.append,
                warn=again.append).cycle()
        assert again[-1].endswith("new 1 / updated 0 / failed 0")


def test_the_lock_is_free_between_cycles(settings):
    with NewsSite() as site:
        site.set("/news/bridge.html", article_html("Harbor bridge reopens", BRIDGE, published="2024-03-05"))
        _feed(site, [("Harbor bridge reopens", "/news/bridge.html", "Tue, 05 Mar 2024 09:30:00 GMT")])
        watcher = Watcher(settings, [site.url("/rss.xml")], embedder=FakeEmbedder(),
                          emit=lambda line: None, warn=lambda line: None)
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(0.5, stop), daemon=True)
        thread.start()
        try:
            assert _wait(lambda: watcher.cycles >= 1 and len(_articles(settings)) == 1)
            time.sleep(0.1)
            with store_lock(settings.store, wait_s=2.0):  # another writer gets the lock while watch sleeps
                pass
        finally:
            stop.set()
            thread.join(10)


def test_sigterm_stops_watch_cleanly_with_the_store_intact(settings, monkeypatch, capsys):
    import index.embedders
    from bot import cli

    monkeypatch.setattr(index.embedders, "build_embedder", lambda s: FakeEmbedder())
    before = signal.getsignal(signal.SIGTERM)
    with NewsSite() as site:
        site.set("/news/bridge.html", article_html("Harbor bridge reopens", BRIDGE, published="2024-03-05"))
        site.set("/news/budget.html", article_html("County approves budget", BUDGET, published="2024-03-04"))
        _feed(site, [("Harbor bridge reopens", "/news/bridge.html", "Tue, 05 Mar 2024 09:30:00 GMT"),
                     ("County approves budget", "/news/budget.html", "Mon, 04 Mar 2024 18:00:00 GMT")])

        def terminate_after_two_polls():
            if _wait(lambda: len(site.hits_for("/rss.xml")) >= 2):
                os.kill(os.getpid(), signal.SIGTERM)

        killer = threading.Thread(target=terminate_after_two_polls, daemon=True)
        killer.start()
        code = cli.main(["watch", "--every", "0.05", "--store", str(settings.store), site.url("/rss.xml")])
        killer.join(5)
    out = capsys.readouterr().out
    assert code == 0 and "stopped after" in out
    assert "new 2 / updated 0 / failed 0" in out
    articles = _articles(settings)
    assert len(articles) == 2 and all(a.state == "done" for a in articles.values())
    manifest = Manifest(settings.store)
    try:
        assert manifest.get_meta("run_open") == "0"
    finally:
        manifest.close()
    assert signal.getsignal(signal.SIGTERM) is before  # the handler was put back



@pytest.mark.slow
def test_real_watch_process_stops_on_sigterm_with_the_store_intact(tmp_path, python_exe, repo_root):
    """The real CLI in its own process, real embedder: SIGTERM after a cycle → exit 0, store consistent,
    and the next run finds nothing new (the fetch validators were saved)."""
    import subprocess

    from tests.conftest import subprocess_env

    store = tmp_path / "store"
    with NewsSite() as site:
        site.set("/news/bridge.html", article_html("Harbor bridge reopens", BRIDGE, published="2024-03-05"))
        site.set("/news/budget.html", article_html("County approves budget", BUDGET, published="2024-03-04"))
        _feed(site, [("Harbor bridge reopens", "/news/bridge.html", "Tue, 05 Mar 2024 09:30:00 GMT"),
                     ("County approves budget", "/news/budget.html", "Mon, 04 Mar 2024 18:00:00 GMT")])
        proc = subprocess.Popen([python_exe, "-m", "bot", "watch", "--every", "0.2", "--store", str(store),
                                 site.url("/rss.xml")], cwd=repo_root, env=subprocess_env(PYTHONPATH=str(repo_root)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert _wait(lambda: len(site.hits_for("/rss.xml")) >= 2, timeout=240), "watch never polled twice"
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        assert "new 2 / updated 0 / failed 0" in out and "stopped after" in out and "Traceback" not in err
        articles = _articles(load_settings({}, store=store))
        assert len(articles) == 2 and all(a.state == "done" for a in articles.values())
        again = subprocess.run([python_exe, "-m", "bot", "index", "--store", str(store), site.url("/rss.xml")],
                               cwd=repo_root, env=subprocess_env(PYTHONPATH=str(repo_root)), capture_output=True,
                               text=True, timeout=240)
        assert again.returncode == 0 and "nothing new (1 not modified)" in again.stdout, again.stderr
