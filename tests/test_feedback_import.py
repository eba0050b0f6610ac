"""`newsbot eval --import-feedback`: Slack feedback records → draft cases for review."""

from __future__ import annotations

import json

from bot.surfaces.slack.feedback import feedback_record
from evals.feedback import import_feedback
from evals.runner import load_cases
from tests.conftest import run_newsbot

CITATION = {"marker": 1, "article_id": "000_c3020e762289b85b", "title": "t", "source": None, "url": None,
            "published": None, "quote": "Russia is represented by Kirill Dmitriev", "start": 10, "end": 50,
            "score": 0.9}


def _write(path, records, extra_lines=()):
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_votes_become_reviewable_drafts(tmp_path):
    feedback = tmp_path / "feedback.jsonl"
    down = feedback_record(question="What is Dmitriev's job?", answer="He is a diplomat [1].", citations=[CITATION],
                           vote="down", user="U1", channel="C1", ts="1.1", backend="extractive",
                           correction="head of the sovereign wealth fund")
    up = feedback_record(question="Who represents Russia?", answer="Kirill Dmitriev [1].", citations=[CITATION],
                         vote="up", user="U2", channel="C1", ts="1.2", backend="extractive")
    _write(feedback, [down, up, dict(up, user="U3")], extra_lines=["{not json"])
    out = tmp_path / "cases" / "feedback.jsonl"
    summary = import_feedback(feedback, out)
    assert (summary.drafted, summary.skipped) == (2, 2)  # the repeated question and the bad line
    assert summary.warnings == (f"{feedback}:4: not a feedback record (JSONDecodeError), skipped",)
    drafts = [json.loads(line) for line in out.read_text().splitlines()]
    assert drafts[0]["answers"] == [["head of the sovereign wealth fund"]]
    assert drafts[0]["sources"] == ["000_c3020e762289b85b"] and drafts[0]["needs_review"] is True
    assert "feedback" in drafts[0]["tags"] and drafts[1]["answers"] == [[CITATION["quote"]]]
    assert [c.id for c in load_cases(out)] == [d["id"] for d in drafts]  # drafts are valid cases

    again = import_feedback(feedback, out)  # idempotent: nothing drafted twice
    assert again.drafted == 0 and len(out.read_text().splitlines()) == 2


def test_cli_reports_counts_and_missing_file(tmp_path):
    missing = run_newsbot("eval", "--import-feedback", str(tmp_path / "nope.jsonl"))
    assert missing.returncode != 0 and "nope.jsonl" in missing.stderr and "Traceback" not in missing.stderr
