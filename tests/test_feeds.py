"""`newsbot index URL` from a local news site (tests/news_site.py): feeds and pages in, boilerplate
out, polite fetching (conditional GET, timeouts, size cap, robots.txt), failures as warnings."""

from __future__ import annotations

import pytest

from bot.core.settings import load_settings
from index.ingest import index_sources, read_sources_file
from index.manifest import Manifest
from index.store import open_store
from tests.fakes import FakeEmbedder
from tests.news_site import NewsSite, article_html, atom, rss

BRIDGE = [
    ("The harbor bridge reopened to traffic on Tuesday morning after six months of repairs to its steel deck, "
     "city officials said in a statement released shortly after dawn."),
    ("Engineers replaced more than four hundred rivets and repainted the main span, work that was delayed twice "
     "by winter storms and a shortage of specialist welders across the region."),
    ("Commuters who had used the ferry since September said the crossing now took eight minutes instead of forty, "
     "and the transport office said bus routes would return to their old timetable next week."),
]
BUDGET = [
    ("The county council approved a budget of 212 million dollars on Monday evening, with most of the increase "
     "going to school repairs and the public library network across the valley."),
    ("Council members voted seven to two after a four-hour meeting in which residents asked for more money for "
     "road maintenance and for the bus service that links the outlying villages."),
    ("The treasurer said property taxes would rise by one and a half percent, the smallest increase in a decade, "
     "and that the reserve fund would stay above its legal minimum."),
]
ORCHARD = ("Growers in the northern valley began the apple harvest a week early this year after a warm spring, and the "
           "regional cooperative said it expected a record crop of nearly ninety thousand tonnes. Pickers arrived from "
           "neighbouring towns, and the cooperative opened a second packing shed to keep up with the deliveries. Prices at "
           "the wholesale market fell slightly as the first lorries came in, but growers said the volume would more than "
           "make up for it, and exporters reported strong early orders from buyers overseas.")


def build_site(site: NewsSite) -> dict[str, str]:
    site.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.set("/news/bridge.html", article_html("Harbor bridge reopens after repairs", BRIDGE,
                                               published="2024-03-05T09:30:00+00:00",
                                               canonical=site.url("/news/bridge.html")))
    site.set("/news/budget.html", article_html("County approves school-heavy budget", BUDGET,
                                               published="2024-03-04T18:00:00+00:00"),
             etag=False, last_modified="Mon, 04 Mar 2024 18:00:00 GMT")
    site.set("/rss.xml", rss("Harbor Gazette", [
        {"title": "Harbor bridge reopens after repairs", "link": site.url("/news/bridge.html"),
         "pubDate": "Tue, 05 Mar 2024 09:30:00 GMT", "summary": "The bridge is open again."},
        {"title": "County approves school-heavy budget", "link": site.url("/news/budget.html"),
         "pubDate": "Mon, 04 Mar 2024 18:00:00 GMT", "summary": "Budget passes."}]),
        content_type="application/rss+xml")
    site.set("/atom.xml", atom("Valley Courier", [
        {"title": "Apple harvest starts early", "link": site.url("/courier/harvest"),
         "updated": "2024-03-06T07:00:00Z", "content": f"<p>{ORCHARD}</p>"}]),
        content_type="application/atom+xml")
    site.set("/slow.html", article_html("Slow page", BRIDGE, published="2024-03-01"), delay_s=2.0)
    site.set("/big.html", article_html("Big page", BRIDGE * 600, published="2024-03-01"))
    site.set("/private/memo.html", article_html("Private memo", BUDGET, published="2024-03-01"))
    return {"rss": site.url("/rss.xml"), "atom": site.url("/atom.xml"), "slow": site.url("/slow.html"),
            "big": site.url("/big.html"), "private": site.url("/private/memo.html"), "gone": site.url("/gone.html")}


@pytest.fixture
def site():
    with NewsSite() as s:
        yield s


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, store=tmp_path / "store", chunk_tokens=60, chunk_overlap_tokens=8, embed_batch_size=8, index_write_chunks=8,
                         fetch_timeout_s=0.5, fetch_max_bytes=200_000)


def _indexed(settings, embedder):
    store = open_store(settings, embedder)
    chunks = store.get(store.all_ids())
    by_article: dict[str, list] = {}
    for c in chunks:
        by_article.setdefault(c.article_id, []).append(c)
    return {cs[0].title: (cs[0], " ".join(c.text for c in sorted(cs, key=lambda c: c.start))) for cs in by_article.values()}


def test_index_from_feeds_and_pages_with_clean_text_dates_and_warnings(site, settings):
    urls = build_site(site)
    embedder = FakeEmbedder()
    result = index_sources(settings, list(urls.values()), embedder=embedder)
    assert (result.added, result.failed) == (3, 4)
    assert sorted(code for _, code in result.failures) == ["http-404", "robots", "timeout", "too-large"]
    assert all(len(w.splitlines()) == 1 and "http://127.0.0.1" in w for w in result.warnings)

    indexed = _indexed(settings, embedder)
    assert set(indexed) == {"Harbor bridge reopens after repairs", "County approves school-heavy budget",
                            "Apple harvest starts early"}
    bridge, text = indexed["Harbor bridge reopens after repairs"]
    assert (bridge.source, bridge.url) == ("Harbor Gazette", site.url("/news/bridge.html"))
    assert bridge.published.startswith("2024-03-05") and bridge.fetched_at[:4] >= "2024"
    assert "four hundred rivets" in text and "eight minutes instead of forty" in text
    for junk in ("ADVERTISEMENT", "cookies", "Most read", "dataLayer", "Copyright", "Subscribe now", "By Dana Reed"):
        assert junk not in text, junk
    harvest, text = indexed["Apple harvest starts early"]
    assert (harvest.source, harvest.published[:10]) == ("Valley Courier", "2024-03-06") and "ninety thousand" in text
    assert not site.hits_for("/courier/harvest")  # the Atom entry carried the whole article
    assert not site.hits_for("/private/memo.html")  # robots.txt said no
    assert all(h.user_agent.startswith("newsbot/") for h in site.hits)


def test_second_run_sends_conditional_requests_and_embeds_nothing(site, settings):
    urls = build_site(site)
    sources = [urls["rss"], urls["atom"], site.url("/news/budget.html")]
    embedder = FakeEmbedder()
    first = index_sources(settings, sources, embedder=embedder)
    assert first.added == 3 and first.failed == 0
    embedder.embedded = embedder.calls = 0
    before = len(site.hits)

    second = index_sources(settings, sources, embedder=embedder)
    again = site.hits[before:]
    assert embedder.embedded == 0 and second.index is None  # nothing new: the store is not even opened
    assert sorted(h.path for h in again) == ["/atom.xml", "/news/budget.html", "/robots.txt", "/rss.xml"]
    assert all(h.conditional and h.status == 304 for h in again if h.path != "/robots.txt")
    assert second.line() == "new 0 / updated 0 / failed 0"


def test_a_changed_feed_fetches_only_its_new_entry(site, settings):
    urls = build_site(site)
    embedder = FakeEmbedder()
    index_sources(settings, [urls["rss"]], embedder=embedder)
    site.set("/news/ferry.html", article_html("Ferry service ends", BUDGET[:1] + BRIDGE[2:], published="2024-03-07"))
    site.set("/rss.xml", rss("Harbor Gazette", [
        {"title": "Ferry service ends", "link": site.url("/news/ferry.html"), "pubDate": "Thu, 07 Mar 2024 08:00:00 GMT"},
        {"title": "Harbor bridge reopens after repairs", "link": site.url("/news/bridge.html"),
         "pubDate": "Tue, 05 Mar 2024 09:30:00 GMT"},
        {"title": "County approves school-heavy budget", "link": site.url("/news/budget.html"),
         "pubDate": "Mon, 04 Mar 2024 18:00:00 GMT"}]), content_type="application/rss+xml")
    before = len(site.hits)
    result = index_sources(settings, [urls["rss"]], embedder=embedder)
    assert (result.added, result.updated, result.failed) == (1, 0, 0)
    assert sorted(h.path for h in site.hits[before:]) == ["/news/ferry.html", "/robots.txt", "/rss.xml"]


def test_a_failed_entry_is_retried_on_the_next_run(site, settings):
    urls = build_site(site)
    site.routes["/news/budget.html"].status = 503
    embedder = FakeEmbedder()
    first = index_sources(settings, [urls["rss"]], embedder=embedder)
    assert (first.added, first.failures) == (1, ((site.url("/news/budget.html"), "http-503"),))
    site.routes["/news/budget.html"].status = 200
    second = index_sources(settings, [urls["rss"]], embedder=embedder)
    assert (second.added, second.failed) == (1, 0)  # the feed was not remembered as seen: entry retried
    manifest = Manifest(settings.store)
    try:
        assert len(manifest.articles()) == 2
    finally:
        manifest.close()


def test_sources_file_lists_urls_and_paths(tmp_path, site, settings):
    urls = build_site(site)
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "note.txt").write_text("Library hours extended\n\nThe central library will open until nine.\n")
    listing = tmp_path / "sources.txt"
    listing.write_text(f"# my news\n{urls['atom']}\n\nlocal   # a folder beside this file\n", encoding="utf-8")
    sources = read_sources_file(listing)
    assert sources == [urls["atom"], str(folder)]
    result = index_sources(settings, sources, embedder=FakeEmbedder())
    assert (result.added, result.failed) == (2, 0)


def test_cli_index_url_prints_warnings_as_one_line_each(site, tmp_path, capsys, monkeypatch):
    urls = build_site(site)
    import index.embedders
    from bot import cli

    monkeypatch.setattr(index.embedders, "build_embedder", lambda settings: FakeEmbedder())
    code = cli.main(["index", "--store", str(tmp_path / "s"), urls["atom"], urls["gone"]])
    out, err = capsys.readouterr()
    assert code == 0
    assert "1 added" in out and "1 URL failed" in out
    assert err.strip().splitlines() == [f"warning: {urls['gone']}: HTTP 404 Not Found"]


def test_one_request_at_a_time_per_host(site, settings):
    for i in range(4):
        site.set(f"/news/{i}.html", article_html(f"Story {i} of the day", BRIDGE if i % 2 else BUDGET,
                                                 published="2024-03-05"), delay_s=0.05)
    result = index_sources(settings.replace(fetch_concurrency=4), [site.url(f"/news/{i}.html") for i in range(4)],
                           embedder=FakeEmbedder())
    assert result.failed == 0 and result.added == 4
    assert site.max_in_flight == 1


def test_syndicated_pages_from_three_outlets_fold_into_one_story(site, settings):
    from bot.answerers.extractive import ExtractiveAnswerer
    from bot.answering.pipeline import build_pipeline
    from index.store import open_store as _open

    for path, outlet in (("/a.html", "Harbor Gazette"), ("/b.html", "Valley Courier"), ("/c.html", "Coast Times")):
        site.set(path, article_html("Harbor bridge reopens", BRIDGE, published="2024-03-05", site=outlet))
    site.set("/d.html", article_html("County budget passes", BUDGET, published="2024-03-04"))
    settings = settings.replace(refusal_threshold=0.05, llm="extractive", as_of="2024-03-06")
    embedder = FakeEmbedder()
    index_sources(settings, [site.url(p) for p in ("/a.html", "/b.html", "/c.html", "/d.html")], embedder=embedder)
    pipeline = build_pipeline(settings, embedder=embedder, store=_open(settings, embedder),
                              answerers={"extractive": ExtractiveAnswerer()})
    answer = pipeline.ask("How many rivets did engineers replace on the harbor bridge?")
    assert not answer.refused and len({c.article_id for c in answer.citations}) == 1
    assert answer.independent_sources == 1
    named = {answer.citations[0].source, *answer.citations[0].also_reported_by}
    assert named == {"Harbor Gazette", "Valley Courier", "Coast Times"}


def test_rebuild_refetches_everything(site, settings):
    urls = build_site(site)
    embedder = FakeEmbedder()
    index_sources(settings, [urls["atom"]], embedder=embedder)
    again = index_sources(settings, [urls["atom"]], embedder=embedder, rebuild=True)
    assert again.added == 1 and not site.hits_for("/atom.xml")[-1].conditional
