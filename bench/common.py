"""Shared by the benchmark scripts: the benchmark corpus, machine facts, RESULTS.md.

Benchmarks print figures; they are never timed tests (the machine is shared and noisy).
Each script appends a dated section to bench/RESULTS.md with the machine and the command.
"""

from __future__ import annotations

import csv
import os
import platform
import random
import re
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"  # git-ignored
# ../shared/corpora beside the clone (a worktree sits one level deeper: look upwards).
CORPORA = next((p / "shared" / "corpora" for p in REPO.parents if (p / "shared" / "corpora").is_dir()),
               REPO.parent / "shared" / "corpora")
BBC = CORPORA / "bbc-news-sport-politics.csv"
REALTIMEQA = CORPORA / "realtimeqa"
RESULTS = BENCH / "RESULTS.md"
sys.path.insert(0, str(REPO))


def bbc_texts() -> list[str]:
    if not BBC.is_file():
        raise SystemExit(f"{BBC} not found: the benchmark corpus lives in ../shared/corpora/")
    with BBC.open(encoding="utf-8", newline="") as f:
        return [row["text"].strip() for row in csv.DictReader(f) if row.get("text", "").strip()]


def realtimeqa_articles(year: int = 2024) -> list[dict]:
    """Real news articles (id, title, url, published, text) from RealTime QA, in file order."""
    import gzip
    import json

    path = REALTIMEQA / f"articles-{year}.jsonl.gz"
    if not path.is_file():
        raise SystemExit(f"{path} not found: the research corpus lives in ../shared/corpora/realtimeqa/")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def realtimeqa_cases(year: int = 2024, n: int = 20) -> list[dict]:
    """The first ``n`` answerable questions that have retrieved articles (question, sources, retrieved)."""
    import json

    with (REALTIMEQA / f"cases-{year}.jsonl").open(encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    return [c for c in cases if c.get("answerable") and c.get("retrieved") and c.get("sources")][:n]


def realtimeqa_corpus(n_chunks: int, counter, max_tokens: int = 200, overlap: int = 32) -> Path:
    """A folder of .jsonl files holding the first real-news articles whose chunks (by
    index/chunking.py with ``counter``) add up to about ``n_chunks``; built once, reused."""
    import json

    from index.chunking import chunk_article
    from index.sources.article import Article

    folder = OUT / f"rtqa-{n_chunks}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    total, rows = 0, []
    for a in realtimeqa_articles():
        if total >= n_chunks:
            break
        total += len(chunk_article(Article(a["id"], a["text"]), counter, max_tokens, overlap))
        rows.append({k: a.get(k) for k in ("id", "title", "url", "published", "text")})
    for i in range(0, len(rows), 500):
        with (folder / f"part-{i // 500:03d}.jsonl").open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows[i:i + 500])
    done.write_text(f"{len(rows)} articles, {total} chunks")
    return folder


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"\.\s+|\s{2,}", text) if len(s.strip()) > 20]


def build_corpus(n_articles: int, seed: int = 7) -> Path:
    """``n_articles`` .txt files: the 928 BBC articles, then deterministic variants of them
    (sentences rotated, some dropped, a tail from another article) so every chunk differs."""
    folder = OUT / f"corpus-{n_articles}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    texts = bbc_texts()
    rng = random.Random(seed)
    for i in range(n_articles):
        base = _sentences(texts[i % len(texts)])
        if i >= len(texts):
            other = _sentences(texts[rng.randrange(len(texts))])
            shift = rng.randrange(1, max(2, len(base)))
            base = base[shift:] + base[:shift]
            base = [s for j, s in enumerate(base) if j % 5 != i % 5] + other[: max(1, len(other) // 3)]
        paragraphs = [". ".join(base[j:j + 3]) + "." for j in range(0, len(base), 3)]
        (folder / f"bbc_{i:05d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    done.write_text("ok")
    return folder


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores · {cpu} · {mem_gib:.0f} GiB RAM · Python {platform.python_version()} · "
            f"load {load} (shared with other agents: compare ratios from one run, not absolute rates)")


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def median(values) -> float:
    return statistics.median(values)


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def record(title: str, body: str) -> None:
    """Print and append a section to bench/RESULTS.md."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join([Path(sys.argv[0]).relative_to(REPO).as_posix() if Path(sys.argv[0]).is_absolute()
                        else sys.argv[0], *sys.argv[1:]])
    # settings given through the environment change what is measured: they are part of the command
    env = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("NEWSBOT_"))
    command = f"{env} python {command}" if env else f"python {command}"
    section = f"\n## {title} — {when}\n\n- machine: {machine()}\n- command: `{command}`\n\n{body.strip()}\n"
    print(section)
    if not RESULTS.is_file():
        RESULTS.write_text("# Benchmark results\n\nAppended by the scripts in bench/; newest last.\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(section)


def git_rev() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=REPO).stdout.strip()
    except OSError:
        return "?"
