"""`newsbot index [PATH|URL...]`: bring the store up to date with files, folders, feeds and pages.

    newsbot index                  # seeds/
    newsbot index https://example.org/rss.xml https://example.org/news/story.html
    newsbot index --sources sources.txt   # one URL, file or folder a line
    newsbot index ~/news --no-prune
    newsbot index --rebuild seeds/ # after changing --embedder
    newsbot index --stats

Unchanged articles cost nothing; a killed run is repaired by running it again.
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH|URL",
                        help="article files or folders, RSS/Atom feed URLs, article page URLs (default: seeds/)")
    parser.add_argument("--sources", metavar="FILE", help="a file listing sources, one URL or path a line (# comments)")
    parser.add_argument("--no-prune", dest="no_prune", action="store_true",
                        help="keep articles whose files are gone from the folders given")
    parser.add_argument("--rebuild", action="store_true",
                        help="drop the collection and index from scratch (e.g. after changing --embedder)")
    parser.add_argument("--stats", action="store_true", help="list indexed articles and chunk counts, then exit")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another running `newsbot index` instead of failing")
    parser.add_argument("--chunk-tokens", dest="chunk_tokens", type=int, help="chunk size in embedder tokens")
    parser.add_argument("--batch-size", dest="embed_batch_size", type=int, help="texts per embedder call")


def run(args, settings) -> int:
    from bot.core.normalize import terminal_line

    if args.stats:
        return _print_stats(settings)
    from index.ingest import index_sources, read_sources_file

    sources = list(args.paths) + (read_sources_file(args.sources) if args.sources else [])
    sources = sources or ["seeds"]
    with _progress(settings) as on_progress:
        result = index_sources(settings, sources, prune=not args.no_prune, rebuild=args.rebuild,
                               on_progress=on_progress, wait_s=args.wait)
    for warning in result.warnings:
        print(f"warning: {terminal_line(warning)}", file=sys.stderr)
    summary = result.index
    if summary is not None and summary.recovered:
        print("note: the previous run was interrupted; the store was repaired", file=sys.stderr)
    where = settings.chroma_url or settings.store
    failed = f" · {result.failed} URL{'s' * (result.failed != 1)} failed" if result.failed else ""
    if summary is None:
        print(f"indexed {where}: nothing new ({result.unchanged} not modified){failed}")
    else:
        print(f"indexed {where}: {summary.line()}{failed}")
    return 0


def _print_stats(settings) -> int:
    from bot.core.errors import StoreMissingError
    from bot.core.normalize import terminal_line
    from index.indexer import stats
    from index.manifest import MANIFEST

    if not settings.chroma_url and not (settings.store / MANIFEST).is_file():
        raise StoreMissingError(f"there is no index in {settings.store}: run `newsbot index seeds/` first")
    rows = stats(settings)
    ids = {r.article_id: terminal_line(r.article_id) for r in rows}  # titles and ids come from articles
    width = max([len(i) for i in ids.values()] + [10])
    print(f"{'article':<{width}}  chunks  state    title")
    for r in rows:
        print(f"{ids[r.article_id]:<{width}}  {r.n_chunks:>6}  {r.state:<7}  {terminal_line(r.title or '')[:70]}")
    print(f"{len(rows)} articles, {sum(r.n_chunks for r in rows)} chunks in {settings.store}")
    return 0


class _progress:
    """A rich progress bar on a terminal; nothing when piped or with --quiet."""

    def __init__(self, settings):
        self.enabled = not settings.quiet and sys.stderr.isatty()
        self._bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(TextColumn("embedding chunks"), BarColumn(), MofNCompleteColumn(),
                             TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self._bar.start()
        task = self._bar.add_task("index", total=None)

        def on_progress(done: int, total: int) -> None:
            self._bar.update(task, completed=done, total=total or None)

        return on_progress

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False
