"""Pure eval metrics over small frozen records. No I/O, no models.

Support of a sentence by quotes is a callable passed in (the runner passes the project's
own verifier, ``bot.verify.policy.verify_sentence``), so citation metrics are "as judged by
newsbot's verifier" — stated as such in reports.

Worked example (ALCE citation precision; a redundant citation is imprecise)::

    >>> supports = lambda sentence, quotes: "A" in quotes          # only quote "A" supports
    >>> citation_scores([SentenceRecord("s", ("A", "B"))], supports)
    CitationScores(recall=1.0, precision=0.5, sentences=1, citations=2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

Supports = Callable[[str, Sequence[str]], bool]


@dataclass(frozen=True)
class SentenceRecord:
    text: str
    quotes: tuple[str, ...]  # the verbatim quotes its citations point at
    published: str | None = None  # publication date of the article its first citation quotes
    evidence: float | None = None  # the scorer's probability for it as an evidence sentence (``AnswerSentence.evidence``)
    note: bool = False  # a note on the sentence before it ("The articles differ: …"), shown only with it


@dataclass(frozen=True)
class CaseResult:
    """One case answered by one answerer, reduced to what the metrics need."""

    case_id: str
    tags: tuple[str, ...]
    answerable: bool
    expected: tuple[tuple[str, ...], ...]  # parts × alternatives
    sources: tuple[str, ...]  # article ids that hold the answer
    answer: str
    refused: bool
    retrieved: tuple[str, ...]  # article id of each retrieved passage, best first
    sentences: tuple[SentenceRecord, ...] = ()
    quotes_verbatim: tuple[bool, ...] = ()  # one per citation: quote == article[start:end]
    timings_ms: dict = field(default_factory=dict)
    error: str | None = None
    fell_back: bool = False  # the answerer's draft had no supported sentence: extractive evidence shown
    first_sentence: str = ""  # the answer's first sentence (with its short answer), markers included
    cited: tuple[str, ...] = ()  # article id of each citation shown
    model_answer: str | None = None  # a replayed model's own answer (``--replay``), before newsbot verified it
    refusal_reason: str = ""  # the refusal's code (``Answer.refusal_reason``)
    notes: tuple[str, ...] = ()  # how the answer came about (``Answer.notes``): why a model's answer was not shown
    dropped: tuple[str, ...] = ()  # the reason of each sentence verification dropped ("year_mismatch: …")
    evidence: float | None = None  # the best evidence sentence's probability (``Answer.evidence``)
    as_of: str | None = None  # the moment the question was asked (``Answer.as_of``)


def rgb_correct(answer: str, expected: Sequence[Sequence[str]]) -> bool:
    """RGB's rule: every part has one of its alternatives in the answer — case, quotation marks and
    spacing ignored (RealTime QA golds are often quoted titles: '"Wicked"').

    >>> rgb_correct("Ana Reyes leads", [["reyes"], ["leads", "heads"]]), rgb_correct("x", [["y"]])
    (True, False)
    >>> rgb_correct("The film “Wicked” opened", [['"Wicked"']])
    True
    """
    low = _plain(answer)
    return bool(expected) and all(any(_plain(alt) in low for alt in part) for part in expected)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[\"'“”‘’`]", "", text).lower().split())


def case_correct(r: CaseResult) -> bool:
    """Answerable: answered (not refused) and RGB-correct. Unanswerable: refused."""
    if r.error:
        return False
    if not r.answerable:
        return r.refused
    return not r.refused and rgb_correct(r.answer, r.expected)


def recall_at_k(retrieved: Sequence[str], sources: Sequence[str], k: int) -> float:
    """Share of the source articles found among the first k retrieved passages.

    >>> recall_at_k(["a", "b", "a"], ["a", "c"], 5)
    0.5
    """
    if not sources:
        return 0.0
    top = set(retrieved[:k])
    return sum(1 for s in set(sources) if s in top) / len(set(sources))


def reciprocal_rank(retrieved: Sequence[str], sources: Sequence[str]) -> float:
    """1 / rank of the first passage from a source article (0 when none).

    >>> reciprocal_rank(["x", "a"], ["a"])
    0.5
    """
    for rank, article in enumerate(retrieved, start=1):
        if article in sources:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True)
class RefusalScores:
    precision: float | None  # of the refusals, how many were right to refuse
    recall: float | None  # of the unanswerable cases, how many were refused
    refused: int
    unanswerable: int


def refusal_scores(results: Iterable[CaseResult]) -> RefusalScores:
    results = [r for r in results if not r.error]
    refused = [r for r in results if r.refused]
    unanswerable = [r for r in results if not r.answerable]
    right = sum(1 for r in refused if not r.answerable)
    return RefusalScores(precision=right / len(refused) if refused else None,
                         recall=right / len(unanswerable) if unanswerable else None,
                         refused=len(refused), unanswerable=len(unanswerable))


@dataclass(frozen=True)
class CitationScores:
    recall: float | None
    precision: float | None
    sentences: int
    citations: int


def citation_scores(sentences: Iterable[SentenceRecord], supports: Supports) -> CitationScores:
    """ALCE citation recall and precision.

    Recall: share of sentences supported by their citations together (no citation → 0).
    Precision: a citation counts when its sentence is supported by all its citations and
    the citation is needed — it supports the sentence alone, or the others without it
    do not. A sentence its citations don't support contributes no precise citation.
    """
    n_sent = n_cit = supported = precise = 0
    for s in sentences:
        n_sent += 1
        n_cit += len(s.quotes)
        if not s.quotes or not supports(s.text, s.quotes):
            continue
        supported += 1
        if len(s.quotes) == 1:
            precise += 1
            continue
        for i, quote in enumerate(s.quotes):
            rest = s.quotes[:i] + s.quotes[i + 1:]
            if supports(s.text, (quote,)) or not supports(s.text, rest):
                precise += 1
    return CitationScores(recall=supported / n_sent if n_sent else None,
                          precision=precise / n_cit if n_cit else None, sentences=n_sent, citations=n_cit)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100).

    >>> percentile([5, 1, 3, 2, 4], 50), percentile([5, 1, 3, 2, 4], 95)
    (3, 5)
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def first_sentence_correct(r: CaseResult) -> bool:
    """An answerable case answered right by the first sentence alone."""
    return bool(r.answerable and not r.refused and not r.error and rgb_correct(r.first_sentence, r.expected))


def source_precision(results: Iterable[CaseResult]) -> float | None:
    """Share of the citations of answered, answerable cases that point at one of the case's
    ``sources`` (the articles known to hold the answer).

    >>> r = CaseResult("c", (), True, (("x",),), ("a",), "x", False, (), cited=("a", "b"))
    >>> source_precision([r])
    0.5
    """
    hits = [c in r.sources for r in results if r.answerable and r.sources and not r.refused and not r.error
            for c in r.cited]
    return _mean(hits) if hits else None


def median_words(results: Iterable[CaseResult]) -> float | None:
    """Median length in words of the answers given (refusals left out)."""
    return percentile([len(r.answer.split()) for r in results if not r.refused and not r.error], 50)


def replay_scores(results: Sequence[CaseResult]) -> dict:
    """What newsbot did with a replayed model's answers (answerable cases with a recording).

    kept-correct: of the model's right answers, the share newsbot shows, answered with the gold;
    stopped-wrong: of its wrong ones, the share newsbot does not show as a supported claim —
    refused, replaced by verified evidence, or no longer stating the model's answer.
    """
    rows = [r for r in results if r.answerable and r.model_answer is not None and not r.error]
    right = [r for r in rows if rgb_correct(r.model_answer or "", r.expected)]
    wrong = [r for r in rows if not rgb_correct(r.model_answer or "", r.expected)]
    kept = [not r.refused and rgb_correct(r.answer, r.expected) for r in right]
    stopped = [r.refused or r.fell_back or not _states(r.answer, r.model_answer or "") for r in wrong]
    return {"replayed": len(rows), "model_accuracy": _mean(bool(x) for x in [1] * len(right) + [0] * len(wrong)),
            "kept_correct": _mean(kept), "stopped_wrong": _mean(stopped),
            "final_accuracy": _mean(not r.refused and rgb_correct(r.answer, r.expected) for r in rows)}


def _states(answer: str, model_answer: str) -> bool:
    """The shown answer still says the model's (short) answer."""
    core = " ".join(model_answer.split()).strip(" .").lower()
    return bool(core) and len(core) <= 80 and core in answer.lower()


def summarise(results: Sequence[CaseResult], supports: Supports, k: int) -> dict:
    """All metrics for one answerer over a set of cases (each value in 0..1 or ms)."""
    answerable = [r for r in results if r.answerable]
    refusal = refusal_scores(results)
    cites = citation_scores([s for r in results if not r.refused and not r.error for s in r.sentences], supports)
    fidelity = [ok for r in results for ok in r.quotes_verbatim]
    out = {
        "cases": len(results),
        "accuracy": _mean(case_correct(r) for r in results),
        "answer_accuracy": _mean(case_correct(r) for r in answerable),
        "first_sentence_accuracy": _mean(first_sentence_correct(r) for r in answerable),
        "median_words": median_words(results),
        "source_precision": source_precision(results),
        f"recall@{k}": _mean(recall_at_k(r.retrieved, r.sources, k) for r in answerable),
        "mrr": _mean(reciprocal_rank(r.retrieved, r.sources) for r in answerable),
        "refusal_precision": refusal.precision,
        "refusal_recall": refusal.recall,
        "citation_recall": cites.recall,
        "citation_precision": cites.precision,
        "quote_fidelity": _mean(fidelity) if fidelity else None,
        "errors": sum(1 for r in results if r.error),
        "fallback_rate": _mean(r.fell_back for r in results if not r.refused and not r.error),
    }
    if any(r.model_answer is not None for r in results):
        out.update({f"replay_{k}": v for k, v in replay_scores(results).items()})
    for stage in ("retrieve", "generate", "verify", "total"):
        values = [r.timings_ms[stage] for r in results if stage in r.timings_ms]
        out[f"{stage}_ms_p50"] = percentile(values, 50)
        out[f"{stage}_ms_p95"] = percentile(values, 95)
    return out


def by_tag(results: Sequence[CaseResult], supports: Supports, k: int) -> dict[str, dict]:
    tags = sorted({t for r in results for t in r.tags})
    return {t: summarise([r for r in results if t in r.tags], supports, k) for t in tags}


def _mean(values: Iterable[float | bool]) -> float | None:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else None
