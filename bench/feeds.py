"""Feeds and pages: fetch + extract + index throughput for N local pages, and the cost of a poll.

    python bench/feeds.py [--pages 500] [--embedder minilm|fake]

A local HTTP server (tests/news_site.py, loopback only) serves one RSS feed listing N article
pages (BBC texts wrapped in real-looking markup: navigation, ads, scripts, JSON-LD). Measured
in the same run: the first `index` of the feed (fetch + extract only, then the whole run with
the embedder), an unchanged poll (the feed answers 304: one request), and a poll after one new
item (feed + one page). Per-host concurrency is one, so the N pages are fetched one by one.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time

import common
from common import OUT, REPO, record

sys.path.insert(0, str(REPO))

from bot.core.settings import load_settings
from index.fetch import Fetcher, ValidatorCache
from index.ingest import index_sources
from index.sources.web import load_web
from tests.news_site import NewsSite, article_html, rss


def page(site: NewsSite, name: str, text: str, day: int) -> dict:
    """One article page at /news/<name>.html; its feed item."""
    sentences = [p.strip() for p in text.split(". ") if p.strip()]
    paras = [". ".join(sentences[j:j + 3]) + "." for j in range(0, len(sentences), 3)]
    title = f"Story {name}: " + " ".join(sentences[0].split()[:8])
    date = f"2024-03-{1 + day % 28:02d}"
    site.set(f"/news/{name}.html", article_html(title, paras, published=f"{date}T08:00:00+00:00"))
    return {"title": title, "link": site.url(f"/news/{name}.html"), "pubDate": date}


def build(site: NewsSite, texts: list[str], n: int) -> list[dict]:
    return [page(site, str(i), texts[i % len(texts)], i) for i in range(n)]


def publish(site: NewsSite, items: list[dict]) -> None:
    site.set("/rss.xml", rss("Bench Gazette", items), content_type="application/rss+xml")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--embedder", default="minilm", help="minilm (real) or fake (bag of words, no model)")
    args = ap.parse_args()
    if not common.BBC.is_file():  # a git worktree sits deeper than the main checkout
        common.BBC = next((p / "shared" / "corpora" / common.BBC.name for p in REPO.parents
                           if (p / "shared" / "corpora" / common.BBC.name).is_file()), common.BBC)
    texts = common.bbc_texts()
    store = OUT / "feeds-store"
    fetch_store = OUT / "feeds-fetch-only"
    for folder in (store, fetch_store):
        shutil.rmtree(folder, ignore_errors=True)
    settings = load_settings({}, store=store, quiet=True)
    if args.embedder == "fake":
        from tests.fakes import FakeEmbedder

        embedder = FakeEmbedder()
    else:
        from index.embedders import build_embedder

        embedder = build_embedder(settings)
        embedder.embed(["warm up"])
    with NewsSite() as site:
        items = build(site, texts, args.pages)
        publish(site, items)
        feed = site.url("/rss.xml")

        with Fetcher.from_settings(settings) as fetcher:  # fetch + extract only, nothing written
            t = time.perf_counter()
            web = load_web([feed], fetcher, ValidatorCache(fetch_store))
            fetch_s = time.perf_counter() - t
        assert len(web.articles) == args.pages, (len(web.articles), web.warnings[:3])
        body_bytes = sum(len(r.body) for r in site.routes.values())

        t = time.perf_counter()
        first = index_sources(settings, [feed], embedder=embedder)
        index_s = time.perf_counter() - t
        assert first.added == args.pages, first

        polls, poll_hits = [], []
        for _ in range(5):
            before = len(site.hits)
            t = time.perf_counter()
            same = index_sources(settings, [feed], embedder=embedder)
            polls.append(time.perf_counter() - t)
            poll_hits.append(len(site.hits) - before)
            assert same.index is None and same.added == 0
        publish(site, [page(site, "new", texts[(args.pages + 1) % len(texts)], 3), *items])
        before = len(site.hits)
        t = time.perf_counter()
        one = index_sources(settings, [feed], embedder=embedder)
        one_s = time.perf_counter() - t
        one_hits = len(site.hits) - before
    chunks = first.embedded_chunks
    record(f"Feeds: fetch + index {args.pages} local pages, and the cost of a poll ({embedder.name})", f"""
One RSS feed of {args.pages} pages on a loopback server ({body_bytes / 2**20:.1f} MiB of HTML), one host
(fetched one page at a time, as politeness requires); store from scratch; embedder `{embedder.name}`.

| measure | value |
|---|---|
| fetch + extract (trafilatura + htmldate), nothing written | {fetch_s:.1f} s · {args.pages / fetch_s:.0f} pages/s |
| first `newsbot index FEED` (fetch, extract, dedup, chunk, embed {chunks} chunks, write) | {index_s:.1f} s · {args.pages / index_s:.1f} pages/s |
| unchanged poll (feed answers 304), median of 5 | {statistics.median(polls) * 1000:.0f} ms · {statistics.median(poll_hits)} requests · 0 embedded |
| poll after one new item | {one_s * 1000:.0f} ms · {one_hits} requests · {one.added} added, {one.embedded_chunks} chunks embedded |

Unchanged poll / first run: {statistics.median(polls) / index_s:.2%}. Requests per unchanged poll include robots.txt
(fetched once per host per run).
""")


if __name__ == "__main__":
    main()
