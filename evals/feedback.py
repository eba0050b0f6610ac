"""Slack 👍/👎 feedback records → draft eval cases for a person to review.

A 👎 with a correction becomes an answerable case whose expected answer is the
correction; a 👎 without one, a case whose answer a person must write; a 👍, a case whose
expected answer is the approved answer's first cited quote (a 👍 on a refusal: an
unanswerable case). Every draft has
``"needs_review": true`` and the tag ``feedback``; questions already drafted are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ImportSummary:
    drafted: int
    skipped: int
    warnings: tuple[str, ...]


def draft_case(record: dict, n: int) -> dict:
    question = str(record["question"]).strip()
    citations = record.get("citations") or []
    sources = sorted({c["article_id"] for c in citations if isinstance(c, dict) and c.get("article_id")})
    vote = record.get("vote")
    correction = (record.get("correction") or "").strip()
    draft = {"id": f"feedback-{_slug(question)}-{n}", "question": question, "answers": [], "sources": sources,
             "answerable": True, "tags": ["feedback", f"vote-{vote}"], "needs_review": True,
             "feedback": {"answer": record.get("answer"), "vote": vote, "correction": correction or None,
                          "user": record.get("user"), "channel": record.get("channel"), "ts": record.get("ts")}}
    if vote == "down" and correction:
        draft["answers"] = [[correction]]
    elif vote == "up" and citations:
        draft["answers"] = [[str(citations[0].get("quote", ""))[:200]]]
    if vote == "up" and record.get("refused"):
        draft.update(answerable=False, answers=[])  # an approved refusal
    return draft


def import_feedback(path: str | Path, out: str | Path) -> ImportSummary:
    path, out = Path(path), Path(out)
    if not path.is_file():
        from bot.core.errors import InputError

        raise InputError(f"{path} does not exist: give the feedback JSONL written by `newsbot slack`")
    known = set()
    if out.is_file():
        for line in out.read_text(encoding="utf-8").splitlines():
            try:
                known.add(json.loads(line)["question"].strip().lower())
            except (json.JSONDecodeError, KeyError, AttributeError):
                continue
    warnings, drafts, skipped = [], [], 0
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key = str(record["question"]).strip().lower()
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            warnings.append(f"{path}:{n}: not a feedback record ({type(exc).__name__}), skipped")
            skipped += 1
            continue
        if not key or key in known:
            skipped += 1
            continue
        known.add(key)
        drafts.append(draft_case(record, n))
    if drafts:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as f:
            for d in drafts:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return ImportSummary(len(drafts), skipped, tuple(warnings))


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "q"
