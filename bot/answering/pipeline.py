"""The answer pipeline every surface shares (`ask`, `chat`, `eval`, `slack`).

Built cheaply: the embedder, store, BM25 index and answerers are created on first use,
so the REPL can show its prompt while models load (``warm_up()`` in the background).

Example (with fakes, as the tests do)::

    pipeline = build_pipeline(settings, embedder=FakeEmbedder(), store=store,
                              lexical=None, answerers={"extractive": ExtractiveAnswerer()})
    answer = pipeline.ask("Who represents the city?", llm="extractive")
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Callable, Mapping, Sequence

from bot.answerers.registry import build_answerer, resolve_name
from bot.answering import flow as qa
from bot.answering.embed_cache import CachedEmbed
from bot.answering.evidence import EvidenceScorer, load_weights
from bot.answering.retrieve import Retriever
from bot.core.errors import StoreMissingError
from bot.core.records import Answer, Turn

_UNSET = object()


class Pipeline:
    def __init__(self, settings, *, embedder=None, store=None, lexical=_UNSET,
                 answerers: Mapping[str, object] | None = None):
        self.settings = settings
        self._embedder = embedder
        self._store = store
        # A fake store with the real BM25 file of settings.store would mix two corpora.
        self._lexical = None if (lexical is _UNSET and store is not None) else lexical
        self._answerers: dict[str, object] = dict(answerers or {})
        self._retriever: Retriever | None = None
        self._scorer: EvidenceScorer | None = None
        self._lock = threading.RLock()  # warm_up() may run in a background thread
        self.llm = resolve_name(settings.llm, settings)

    # -- lazily built parts ----------------------------------------------------------------
    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from index.embedders import build_embedder

                # Queries: the backend that starts fastest (no torch import once the ONNX export exists).
                self._embedder = build_embedder(self.settings, role="query")
            return self._embedder

    @property
    def store(self):
        with self._lock:
            if self._store is None:
                from index.store import open_store

                store = open_store(self.settings, self.embedder)
                if store.count() == 0:
                    raise StoreMissingError(
                        f"the store {self._where()} is empty: run `newsbot index <folder of articles>` first")
                self._store = store
            return self._store

    @property
    def lexical(self):
        with self._lock:
            if self._lexical is _UNSET:
                self._lexical = _load_lexical(self.settings, lambda: self.store)
            return self._lexical

    @property
    def scorer(self) -> EvidenceScorer:
        """The evidence scorer: learned weights, sentence similarities from the embedder."""
        with self._lock:
            if self._scorer is None:
                weights = load_weights(self.settings.scorer_weights)
                embed = CachedEmbed(lambda texts: self.embedder.embed(list(texts)), self.settings.evidence_cache_texts)
                self._scorer = EvidenceScorer(weights, embed=embed,
                                              threshold=self.settings.refusal_threshold,
                                              runner_up=self.settings.runner_up_cutoff)
            return self._scorer

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(self.embedder, self.store, self.lexical, self.settings)
            return self._retriever

    def answerer(self, name: str | None = None):
        """The answerer called ``name`` (default: the current one), built once."""
        name = name or self.llm
        concrete = name if name in self._answerers else resolve_name(name, self.settings)
        with self._lock:
            if concrete not in self._answerers:
                self._answerers[concrete] = build_answerer(concrete, self.settings)
            return self._answerers[concrete]

    # -- use ----------------------------------------------------------------------------------
    def use(self, name: str) -> str:
        """Switch the default answerer (`/llm NAME`); returns the concrete name. An unknown
        name raises ConfigError and leaves the current one in place."""
        concrete = name if name in self._answerers else resolve_name(name, self.settings)
        self.answerer(concrete)
        self.llm = concrete
        return concrete

    def warm_up(self) -> None:
        """Load what the first question needs: embedder, store, BM25, the answerer's model."""
        self.retriever.embedder.embed(["warm up"])
        answerer = self.answerer()
        warm = getattr(answerer, "warm_up", None)
        if warm is not None:
            warm()

    def ask(self, question: str, history: Sequence[Turn] = (), *, llm: str | None = None,
            on_text: Callable[[str], None] | None = None, as_of: str | None = None) -> Answer:
        """Answer one question (``as_of``: YYYY-MM-DD, the moment it is asked; default settings.as_of / today)."""
        qa.validate_question(question)  # a bad question fails before any model loads
        qa.parse_as_of(as_of or self.settings.as_of)
        answer = qa.answer(question, tuple(history), retriever=self.retriever, answerer=self.answerer(llm),
                           settings=self.settings, scorer=self.scorer, on_text=on_text, fallback=self._fallback(),
                           as_of=as_of)
        status = self.retriever.status()
        notes = answer.notes if status.lexical else (*answer.notes, status.line())  # degraded: said out loud
        return dataclasses.replace(answer, retrieval=status, notes=notes)

    def _fallback(self):
        return self.answerer("extractive")

    def _where(self) -> str:
        if self.settings.chroma_url:
            return f"at {self.settings.chroma_url} (collection {self.settings.collection!r})"
        return str(self.settings.store)


def _load_lexical(settings, store):
    """BM25 that follows the store: with a Chroma server, built in memory from the server's
    documents and refreshed when its version stamp moves (``<store>/server-bm25/`` is only a
    cache that spares a restart the full fetch);
    locally, the generation beside the store, reloaded when its pointer moves. When it
    cannot be had, retrieval is dense-only and ``Retriever.status()`` says why."""
    from index.lexical import LexicalIndex, local_version
    from index.live_lexical import LiveLexical, ServerLexical

    watch = dict(check_every_s=settings.lexical_refresh_s, background=settings.lexical_refresh_s > 0)
    if settings.chroma_url:
        return ServerLexical(store(), cache=settings.store / "server-bm25" / settings.collection, **watch)
    return LiveLexical(lambda: LexicalIndex.load(settings.store), lambda: local_version(settings.store), **watch)


def build_pipeline(settings, *, embedder=None, store=None, lexical=_UNSET, answerers=None) -> Pipeline:
    """A Pipeline over real adapters built on first use; pass fakes to replace any of them.
    ``lexical=None`` means "no BM25" (dense-only); leave it out to load the real index
    (or, when ``store`` is given, to go dense-only)."""
    return Pipeline(settings, embedder=embedder, store=store, lexical=lexical, answerers=answerers)
