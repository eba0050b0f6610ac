"""How well the instruction-like-text detector works: recall and false positives, measured.

    python -m evals.injection                       # labelled set + research-corpus news sentences
    python -m evals.injection --sample 50000 --show 20

- recall: share of the ``instruction`` rows of ``evals/data/injection.jsonl`` flagged (hand-written
  attacks in many wordings, plus zero-width, full-width, look-alike-letter, soft-hyphen, bidi and
  upper-case variants of them);
- false positives on the ``news`` rows of the same file (hand-written, many on purpose close to
  the attacks: "ignored the rules", "the AI assistant", "when asked, he said");
- false positives on real news: sentences sampled (seeded) from the RealTime QA articles in
  ``../shared/corpora/realtimeqa/`` — read at eval time, never committed; skipped if absent.

Targets (issue 17): recall >= 0.95 at <= 1 % false positives on the corpus sentences. Exit code 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from bot.text.sentences import sentence_spans

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "evals" / "data" / "injection.jsonl"
CORPUS_NAME = Path("corpora") / "realtimeqa" / "articles-2024.jsonl.gz"
RECALL_TARGET = 0.95
FP_TARGET = 0.01


@dataclass(frozen=True)
class Measure:
    """Counts of flagged rows; ``misses`` / ``false_alarms`` keep the texts for reading."""

    positives: int
    caught: int
    negatives: int
    false_alarms: tuple[str, ...]
    misses: tuple[str, ...] = ()
    by_form: dict[str, tuple[int, int]] = field(default_factory=dict)  # form → (caught, total)

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 0.0

    @property
    def fp_rate(self) -> float:
        return len(self.false_alarms) / self.negatives if self.negatives else 0.0


def load_labelled(path: Path = LABELLED) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, row in enumerate(rows, 1):
        if row.get("label") not in ("instruction", "news") or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{n}: a row needs text and label instruction|news")
    return rows


def measure(rows: Iterable[dict], detect: Callable[[str], bool]) -> Measure:
    """Recall over ``instruction`` rows, false positives over ``news`` rows."""
    caught = positives = negatives = 0
    misses, alarms = [], []
    forms: Counter = Counter()
    form_caught: Counter = Counter()
    for row in rows:
        hit = detect(row["text"])
        if row["label"] == "instruction":
            positives += 1
            forms[row.get("form", "plain")] += 1
            if hit:
                caught += 1
                form_caught[row.get("form", "plain")] += 1
            else:
                misses.append(row["text"])
        else:
            negatives += 1
            if hit:
                alarms.append(row["text"])
    return Measure(positives, caught, negatives, tuple(alarms), tuple(misses),
                   {f: (form_caught[f], n) for f, n in sorted(forms.items())})


def find_corpus(explicit: Path | None = None) -> Path | None:
    """The RealTime QA 2024 articles: ``--corpus``, else ``shared/`` beside the repo or its worktree folder."""
    if explicit is not None:
        return explicit if explicit.is_file() else None
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / CORPUS_NAME
        if candidate.is_file():
            return candidate
    return None


def corpus_sentences(path: Path, n: int, seed: int = 17, max_articles: int | None = None) -> list[str]:
    """``n`` sentences (20-400 characters) sampled uniformly, seeded, from every article's text
    (or from the first ``max_articles``)."""
    rng = random.Random(seed)
    sample: list[str] = []
    seen = 0
    for sentence in _sentences(path, max_articles):
        seen += 1
        if len(sample) < n:
            sample.append(sentence)
        else:
            j = rng.randrange(seen)
            if j < n:
                sample[j] = sentence
    return sample


def _sentences(path: Path, max_articles: int | None = None) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if max_articles is not None and n >= max_articles:
                return
            text = json.loads(line).get("text") or ""
            for start, end in sentence_spans(text):  # the project's one sentence splitter
                piece = " ".join(text[start:end].split())
                if 20 <= len(piece) <= 400:
                    yield piece


def figures(sample: int = 3000, max_articles: int | None = 600, corpus: Path | None = None) -> dict:
    """The headline figures without printing (for `newsbot eval`): recall and set false positives
    on the labelled set, false-positive rate on ``sample`` corpus sentences (None without corpus)."""
    from bot.text.injection import looks_like_instruction

    labelled = measure(load_labelled(), looks_like_instruction)
    out: dict = {"recall": round(labelled.recall, 4), "instructions": labelled.positives,
                 "set_fp_rate": round(labelled.fp_rate, 4), "set_news": labelled.negatives,
                 "corpus_fp_rate": None, "corpus_sentences": 0}
    path = find_corpus(corpus)
    if path is not None:
        news = measure(({"text": s, "label": "news"} for s in corpus_sentences(path, sample, max_articles=max_articles)),
                       looks_like_instruction)
        out.update(corpus_fp_rate=round(news.fp_rate, 5), corpus_sentences=news.negatives)
    return out


def summary_line(fig: dict) -> str:
    corpus = (f"{fig['corpus_fp_rate']:.3%} false positives on {fig['corpus_sentences']} RealTime QA news sentences"
              if fig["corpus_fp_rate"] is not None else "corpus absent: false positives on real news not measured")
    return (f"injection detector: recall {fig['recall']:.3f} on {fig['instructions']} instruction-like sentences, "
            f"{fig['set_fp_rate']:.2%} false positives on {fig['set_news']} labelled news sentences, {corpus}")


def report(sample: int = 20000, corpus: Path | None = None, show: int = 0, out=None) -> dict:
    """Compute every figure; print them (to ``out``, default stdout); return them as a dict."""
    from bot.text.injection import looks_like_instruction

    out = out or sys.stdout

    labelled = measure(load_labelled(), looks_like_instruction)
    figures = {"recall": labelled.recall, "instructions": labelled.positives,
               "set_fp_rate": labelled.fp_rate, "set_news": labelled.negatives}
    print(f"labelled set {LABELLED.relative_to(REPO)}: recall {labelled.caught}/{labelled.positives} = "
          f"{labelled.recall:.3f}; false positives on its news sentences {len(labelled.false_alarms)}/"
          f"{labelled.negatives} = {labelled.fp_rate:.2%}", file=out)
    print("  by form: " + ", ".join(f"{f} {c}/{n}" for f, (c, n) in labelled.by_form.items()), file=out)
    for text in labelled.misses[:show]:
        print(f"  missed: {text!r}", file=out)
    for text in labelled.false_alarms[:show]:
        print(f"  false alarm (set): {text!r}", file=out)
    path = find_corpus(corpus)
    if path is None:
        print("corpus: RealTime QA articles not found (../shared/corpora/realtimeqa/): false-positive rate on "
              "real news not measured", file=out)
        figures["corpus_fp_rate"] = None
    else:
        news = measure(({"text": s, "label": "news"} for s in corpus_sentences(path, sample)), looks_like_instruction)
        figures.update(corpus_fp_rate=news.fp_rate, corpus_sentences=news.negatives)
        print(f"corpus {path.name}: false positives {len(news.false_alarms)}/{news.negatives} sentences = "
              f"{news.fp_rate:.3%}", file=out)
        for text in news.false_alarms[:show]:
            print(f"  false alarm (corpus): {text[:200]!r}", file=out)
    figures["ok"] = bool(labelled.recall >= RECALL_TARGET and (figures["corpus_fp_rate"] is None
                                                              or figures["corpus_fp_rate"] <= FP_TARGET))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.injection", description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=20000, help="corpus sentences to sample (default 20000)")
    parser.add_argument("--corpus", type=Path, help="articles .jsonl.gz (default ../shared/corpora/realtimeqa/)")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N misses and false alarms")
    args = parser.parse_args(argv)
    figures = report(args.sample, args.corpus, args.show)
    if not figures["ok"]:
        print(f"target missed: recall >= {RECALL_TARGET}, corpus false positives <= {FP_TARGET:.0%}", file=sys.stderr)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
