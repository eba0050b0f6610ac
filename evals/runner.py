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
    as_of: str | None = None  # when the question was asked (YYYY-MM-DD; "date" in RealTime QA files)


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
                    tags=tuple(raw.get("tags") or ()), as_of=raw.get("as_of") or raw.get("date") or None)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise InputError(f"{where}: bad eval case ({detail})") from None


def index_corpus(settings, corpus: str | Path, store: Path | None = None):
    """Settings pointing at a store holding ``corpus``: ``store`` (kept, updated incrementally) or a
    fresh temporary one."""
    from index.indexer import index_paths

    store = Path(store) if store else Path(tempfile.mkdtemp(prefix="newsbot-eval-")) / "store"
    local = dataclasses.replace(settings, store=store, chroma_url=None)  # never the user's server
    index_paths(local, [corpus])
    return local


def load_recorded(path: str | Path, system: str, cases: Sequence[Case]) -> dict[str, str]:
    """Recorded answers by case id: ``{id: answer}`` or ``{system: {id: answer}}``."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read recorded answers ({str(exc).splitlines()[0]})") from None
    if isinstance(raw, dict) and system in raw and isinstance(raw[system], dict):
        raw = raw[system]
    ids = {c.id for c in cases}
    found = {str(k): str(v) for k, v in raw.items() if str(k) in ids and isinstance(v, str)} if isinstance(raw, dict) else {}
    if not found:
        raise InputError(f"{path}: no recorded answer for any of the {len(ids)} cases (system {system!r})")
    return found


def article_texts(corpus: str | Path) -> dict[str, str]:
    from index.sources.files import load_articles

    return {a.id: a.text for a in load_articles([corpus]).articles}


def to_result(case: Case, answer: Answer | None, texts: dict[str, str], error: str | None = None,
              asked: str = "", model_answer: str | None = None) -> CaseResult:
    if answer is None:
        return CaseResult(case.id, case.tags, case.answerable, case.answers, case.sources, "", False, (),
                          error=error, model_answer=model_answer)
    by_marker = {c.marker: c for c in answer.citations}
    sentences = tuple(SentenceRecord(s.text, tuple(by_marker[m].quote for m in s.citations if m in by_marker),
                                     next((by_marker[m].published for m in s.citations if m in by_marker), None),
                                     s.evidence, s.note)
                      for s in answer.sentences)
    fidelity = tuple(texts.get(c.article_id, "")[c.start:c.end] == c.quote for c in answer.citations)
    return CaseResult(case.id, case.tags, case.answerable, case.answers, case.sources, answer.answer, answer.refused,
                      tuple(p.article_id for p in answer.passages), sentences, fidelity, dict(answer.timings_ms),
                      fell_back=answer.backend != asked, first_sentence=first_sentence(answer),
                      cited=tuple(c.article_id for c in answer.citations), model_answer=model_answer,
                      refusal_reason=answer.refusal_reason, notes=tuple(answer.notes),
                      dropped=tuple(d.reason for d in answer.dropped), evidence=answer.evidence,
                      as_of=answer.as_of)


def first_sentence(answer: Answer) -> str:
    """The first sentence as shown: the short answer and the first answer sentence."""
    if answer.refused or not answer.sentences:
        return ""
    first = answer.sentences[0].text
    return f"{answer.short_answer} — {first}" if answer.short_answer else first


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
              on_case=None, recorded: dict[str, str] | None = None) -> RunOutput:
    """Ask every case of every answerer. ``recorded`` (case id → a replayed model's answer)
    marks each result with what the model itself said, for the replay metrics."""
    results: dict[str, list[CaseResult]] = {}
    answers: dict[str, list[Answer | None]] = {}
    names = []
    for llm in llms:
        name = pipeline.use(llm)
        names.append(name)
        results[name], answers[name] = [], []
        for case in cases:
            model = recorded.get(case.id) if recorded and name == "openai" else None
            try:
                answer = pipeline.ask(case.question, case.history, llm=name, as_of=case.as_of)
                results[name].append(to_result(case, answer, texts, asked=name, model_answer=model))
                answers[name].append(answer)
            except NewsbotError as exc:
                results[name].append(to_result(case, None, texts, error=str(exc), model_answer=model))
                answers[name].append(None)
            if on_case:
                on_case(name, case)
    metrics = {n: summarise(results[n], verifier_supports, k) for n in names}
    per_tag = {n: by_tag(results[n], verifier_supports, k) for n in names}
    return RunOutput(tuple(names), results, answers, tuple(cases), metrics, per_tag, k)


def calibrate(pipeline, cases: Sequence[Case], thresholds: Sequence[float]) -> list[dict]:
    """Refusal quality per threshold of the evidence probability, from one retrieval and one
    scoring each (no answerer is called)."""
    from bot.answering import condense
    from bot.answering.flow import parse_as_of

    scored = []
    for case in cases:
        question = condense.standalone_question(case.question, case.history)
        day = parse_as_of(case.as_of)
        passages = pipeline.retriever.search(question, pipeline.settings.top_k, published_by=day)
        scored.append((case, pipeline.scorer.assess(question, passages, day).best))
    rows = []
    for t in thresholds:
        tp = fp = fn = tn = 0
        for case, best in scored:
            refuse = best < t
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
