"""RealTime QA as a development benchmark: a split by week, and subsets written as newsbot files.

The research data (``../shared/corpora/realtimeqa/``) is read where it lies and never copied into
the repository. Questions are split by the ISO week of their ``date`` — chronologically within a
year: the first 60 % of weeks are ``train``, the next 20 % ``calibration``, the last 20 % ``test`` —
so no week (and few stories) sit in two splits, and the test weeks are news that came after
everything the scorer was fitted on. A subset is written as a cases file (``newsbot eval --cases``)
and a corpus of the articles its questions retrieved (``--corpus``, ``newsbot index``).

Example::

    >>> split_weeks([(2024, w) for w in range(1, 11)])["test"]
    ((2024, 9), (2024, 10))

Command line (writes ``DIR/cases.jsonl``, ``DIR/articles/`` and ``DIR/oracle.json``)::

    python -m evals.realtimeqa --year 2024 --split test --out /tmp/rtqa-2024-test
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

SPLITS = ("train", "calibration", "test")
SHARD = 100  # articles per corpus file
SHARES = (0.6, 0.2)  # train, calibration; the rest is test
DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "realtimeqa"

Week = tuple[int, int]


@dataclass(frozen=True)
class RtCase:
    id: str
    question: str
    date: str
    gold: str
    answerable: bool
    sources: tuple[str, ...]
    retrieved: tuple[str, ...]

    @property
    def week(self) -> Week:
        year, week, _ = dt.date.fromisoformat(self.date).isocalendar()
        return (year, week)


def split_weeks(weeks: Iterable[Week]) -> dict[str, tuple[Week, ...]]:
    """Chronological split of distinct weeks into train / calibration / test."""
    ordered = sorted(set(weeks))
    n = len(ordered)
    a, b = int(n * SHARES[0]), int(n * (SHARES[0] + SHARES[1]))
    return {"train": tuple(ordered[:a]), "calibration": tuple(ordered[a:b]), "test": tuple(ordered[b:])}


def every_nth_week(cases: Sequence[RtCase], n: int) -> list[RtCase]:
    """The cases of every ``n``-th of their distinct weeks, the first one included."""
    weeks = set(sorted({c.week for c in cases})[::n])
    return [c for c in cases if c.week in weeks]


def load_cases(year: int, data_dir: Path = DEFAULT_DIR) -> list[RtCase]:
    path = Path(data_dir) / f"cases-{year}.jsonl"
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        cases.append(RtCase(raw["id"], raw["question"], raw["date"], raw["gold"], bool(raw["answerable"]),
                            tuple(raw.get("sources") or ()), tuple(raw.get("retrieved") or ())))
    return cases


def cases_in(cases: Sequence[RtCase], split: str) -> list[RtCase]:
    """The cases of one split of their own year's weeks."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    weeks = set(split_weeks(c.week for c in cases)[split])
    return [c for c in cases if c.week in weeks]


def load_articles(year: int, ids: set[str] | None = None, data_dir: Path = DEFAULT_DIR) -> dict[str, dict]:
    """Articles of one year by id (only ``ids`` when given)."""
    out: dict[str, dict] = {}
    with gzip.open(Path(data_dir) / f"articles-{year}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            raw = json.loads(line)
            if ids is None or raw["id"] in ids:
                out[raw["id"]] = raw
    return out


def eval_case(case: RtCase) -> dict:
    """The ``newsbot eval`` case record of a RealTime QA question (``date`` becomes ``as_of``)."""
    return {"id": case.id, "question": case.question, "answers": [[case.gold]] if case.answerable else [],
            "gold": case.gold, "sources": list(case.sources), "answerable": case.answerable,
            "as_of": case.date, "tags": ["realtimeqa"]}


def write_subset(cases: Sequence[RtCase], articles: dict[str, dict], out: Path, *, gz: bool = True) -> tuple[Path, Path]:
    """Cases file, a folder of article files (``SHARD`` articles each, so an interrupted
    ``newsbot index`` keeps what it finished) and the answers of a model that is always right
    (:func:`oracle_answers`, ``oracle.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    cases_path, corpus = out / "cases.jsonl", out / "articles"
    corpus.mkdir(parents=True, exist_ok=True)
    cases_path.write_text("".join(json.dumps(eval_case(c)) + "\n" for c in cases), encoding="utf-8")
    wanted = sorted({i for c in cases for i in c.retrieved if i in articles})
    for n in range(0, len(wanted), SHARD):
        path = corpus / f"articles-{n // SHARD:03d}.jsonl{'.gz' if gz else ''}"
        with (gzip.open(path, "wt", encoding="utf-8") if gz else path.open("w", encoding="utf-8")) as fh:
            for i in wanted[n:n + SHARD]:
                a = articles[i]
                fh.write(json.dumps({k: a.get(k) for k in ("id", "title", "url", "published", "text")}) + "\n")
    (out / "oracle.json").write_text(json.dumps(oracle_answers(cases)), encoding="utf-8")
    return cases_path, corpus


def oracle_answers(cases: Sequence[RtCase]) -> dict[str, dict[str, str]]:
    """A model that is always right, as a recording for ``newsbot eval --replay FILE
    --replay-system oracle``: the gold answer of every answerable question, and a refusal in a
    model's words for the others. What verification keeps of these answers is the most it can
    keep of any model's right answers (kept-correct of a perfect model), and why it drops the
    rest is read in the report's notes.

    >>> c = RtCase("q1", "Who won?", "2024-05-01", "Ada Lind", True, ("a",), ("a",))
    >>> u = RtCase("q2", "Who lost?", "2024-05-01", "Bo Ek", False, (), ("a",))
    >>> oracle_answers([c, u])
    {'oracle': {'q1': 'Ada Lind', 'q2': "The articles don't say."}}
    """
    return {"oracle": {c.id: c.gold if c.answerable else ORACLE_REFUSAL for c in cases}}


ORACLE_REFUSAL = "The articles don't say."


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--split", choices=SPLITS, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--every", type=int, default=1, help="keep every Nth week of the split (smaller subsets)")
    ap.add_argument("--weeks", default="", help="only these ISO weeks, e.g. 2024-50,2024-52")
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--plain", action="store_true", help="write articles.jsonl instead of .jsonl.gz")
    args = ap.parse_args(argv)
    cases = every_nth_week(cases_in(load_cases(args.year, args.data), args.split), args.every)
    if args.weeks:
        wanted = {tuple(int(x) for x in w.split("-")) for w in args.weeks.split(",")}
        cases = [c for c in cases if c.week in wanted]
    weeks = sorted({c.week for c in cases})
    articles = load_articles(args.year, {i for c in cases for i in c.retrieved}, args.data)
    cases_path, corpus_path = write_subset(cases, articles, args.out, gz=not args.plain)
    print(f"{len(cases)} cases ({sum(c.answerable for c in cases)} answerable) over {len(weeks)} weeks "
          f"{weeks[0]}..{weeks[-1]} → {cases_path}; {corpus_path}; {args.out / 'oracle.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
