"""Runs eval cases through the one answer pipeline and scores them.

One retrieval serves every answerer: the corpus is indexed once into a temporary store
(``--corpus``, default ``seeds/``), then each case is asked of each ``--llm`` in turn.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bot.core.errors import InputError, NewsbotError
from bot.core.records import Answer, Turn
from evals.metrics import CaseResult, SentenceRecord, by_tag, summarise


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    answers: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    answerable: bool
    history: tuple[Turn, ...] = ()
    tags: tuple[str, ...] = ()


def load_cases(path: str | Path) -> list[Case]:
    """Cases from a .jsonl file or every .jsonl in a folder (feedback drafts excluded)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist: give a cases .jsonl file or a folder of them (--cases)")
    files = sorted(p for p in path.glob("*.jsonl") if p.name != "feedback.jsonl") if path.is_dir() else [path]
    cases: list[Case] = []
    for file in files:
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                cases.append(_case(line, f"{file}:{n}"))
    if not cases:
        raise InputError(f"no eval cases in {path}")
    return cases


def _case(line: str, where: str) -> Case:
    try:
        raw = json.loads(line)
        history = tuple(Turn(str(t["question"]), str(t["answer"]), bool(t.get("refused"))) for t in raw.get("history") or ())
        answerable = raw["answerable"]
        if not isinstance(answerable, bool):
            raise ValueError("answerable must be true or false")
        answers = tuple(tuple(str(a) for a in part) for part in raw.get("answers") or ())
        if answerable and not answers:
            raise ValueError("an answerable case needs answers")
        return Case(id=str(raw["id"]), question=str(raw["question"]), answers=answers,
                    sources=tuple(raw.get("sources") or ()), answerable=answerable, history=history,
                    tags=tuple(raw.get("tags") or ()))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise InputError(f"{where}: bad eval case ({detail})") from None


def index_corpus(settings, corpus: str | Path):
    """Settings pointing at a fresh temporary store holding ``corpus``."""
    from index.indexer import index_paths

    store = Path(tempfile.mkdtemp(prefix="newsbot-eval-")) / "store"
    local = dataclasses.replace(settings, store=store, chroma_url=None)  # never the user's server
    index_paths(local, [corpus])
    return local


def article_texts(corpus: str | Path) -> dict[str, str]:
    from index.sources.files import load_articles

    return {a.id: a.text for a in load_articles([corpus]).articles}


def to_result(case: Case, answer: Answer | None, texts: dict[str, str], error: str | None = None,
              asked: str = "") -> CaseResult:
    if answer is None:
        return CaseResult(case.id, case.tags, case.answerable, case.answers, case.sources, "", False, (),
                          error=error)
    by_marker = {c.marker: c for c in answer.citations}
    sentences = tuple(SentenceRecord(s.text, tuple(by_marker[m].quote for m in s.citations if m in by_marker))
                      for s in answer.sentences)
    fidelity = tuple(texts.get(c.article_id, "")[c.start:c.end] == c.quote for c in answer.citations)
    return CaseResult(case.id, case.tags, case.answerable, case.answers, case.sources, answer.answer, answer.refused,
                      tuple(p.article_id for p in answer.passages), sentences, fidelity, dict(answer.timings_ms),
                      fell_back=answer.backend != asked)


def verifier_supports(sentence: str, quotes: Sequence[str]) -> bool:
    """The project's own verifier as the judge of citation support (quotes as passages)."""
    from bot.core.passage import Passage
    from bot.verify.policy import verify_sentence
    from index.chunking import Chunk

    passages = [Passage(Chunk(f"quote#{i:04d}", f"quote{i}", q, 0, len(q)), 1.0, None, i + 1, 1.0)
                for i, q in enumerate(quotes)]
    return bool(verify_sentence(sentence, passages).supported)


@dataclass(frozen=True)
class RunOutput:
    answerers: tuple[str, ...]
    results: dict[str, list[CaseResult]]
    answers: dict[str, list[Answer | None]]
    cases: tuple[Case, ...]
    metrics: dict[str, dict]
    per_tag: dict[str, dict]
    k: int


def run_cases(pipeline, cases: Sequence[Case], llms: Sequence[str], texts: dict[str, str], k: int,
              on_case=None) -> RunOutput:
    results: dict[str, list[CaseResult]] = {}
    answers: dict[str, list[Answer | None]] = {}
    names = []
    for llm in llms:
        name = pipeline.use(llm)
        names.append(name)
        results[name], answers[name] = [], []
        for case in cases:
            try:
                answer = pipeline.ask(case.question, case.history, llm=name)
                results[name].append(to_result(case, answer, texts, asked=name))
                answers[name].append(answer)
            except NewsbotError as exc:
                results[name].append(to_result(case, None, texts, error=str(exc)))
                answers[name].append(None)
            if on_case:
                on_case(name, case)
    metrics = {n: summarise(results[n], verifier_supports, k) for n in names}
    per_tag = {n: by_tag(results[n], verifier_supports, k) for n in names}
    return RunOutput(tuple(names), results, answers, tuple(cases), metrics, per_tag, k)


def calibrate(pipeline, cases: Sequence[Case], thresholds: Sequence[float]) -> list[dict]:
    """Refusal quality per threshold on the calibration cases, from one retrieval each.

    The gate is pure (``bot.answering.refusal.assess_evidence``), so no answerer is called.
    """
    from bot.answering import condense, refusal

    retrieved = []
    for case in cases:
        question = condense.standalone_question(case.question, case.history)
        retrieved.append((case, question, pipeline.retriever.search(question, pipeline.settings.top_k)))
    rows = []
    for t in thresholds:
        tp = fp = fn = tn = 0
        for case, question, passages in retrieved:
            refuse = refusal.assess_evidence(question, passages, t).refuse
            if refuse and not case.answerable:
                tp += 1
            elif refuse:
                fp += 1
            elif not case.answerable:
                fn += 1
            else:
                tn += 1
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": round(t, 3), "refusal_precision": precision, "refusal_recall": recall,
                     "f1": f1, "answerable_kept": tn / (tn + fp) if tn + fp else 0.0})
    return rows


def best_threshold(rows: list[dict]) -> float:
    """Highest F1; among ties the middle of the plateau (the lower one of two), for margin on both sides."""
    best = max(r["f1"] for r in rows)
    tied = [r["threshold"] for r in rows if r["f1"] == best]
    return tied[(len(tied) - 1) // 2]
