"""CI gate on real news nobody tuned to: a fixed RealTime QA subset (two 2024 *test* weeks, which
training never reads), written as gzipped JSONL the way a news dump arrives, indexed and asked
through `newsbot eval`, compared with the committed baseline (evals/baseline-realtimeqa.json).

The research data is read where it lies (../shared/corpora/realtimeqa, beside the repository);
the test is skipped where it is absent. About 4,000 chunks: a few minutes of embedding.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evals import realtimeqa

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "evals" / "baseline-realtimeqa.json"
WEEKS = {(2024, 50), (2024, 52)}

pytestmark = pytest.mark.slow


def _subset(out: Path) -> tuple[Path, Path]:
    cases = [c for c in realtimeqa.cases_in(realtimeqa.load_cases(2024), "test") if c.week in WEEKS]
    articles = realtimeqa.load_articles(2024, {i for c in cases for i in c.retrieved})
    return realtimeqa.write_subset(cases, articles, out, gz=True)


@pytest.mark.skipif(not (realtimeqa.DEFAULT_DIR / "cases-2024.jsonl").exists(), reason="RealTime QA data not here")
def test_realtimeqa_subset_holds_the_committed_baseline(tmp_path):
    cases, corpus = _subset(tmp_path / "rtqa")
    assert len(cases.read_text().splitlines()) == json.loads(BASELINE.read_text())["n_cases"]
    assert all(p.name.endswith(".jsonl.gz") for p in corpus.iterdir())
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NEWSBOT_STORE": str(tmp_path / "unused")}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--cases", str(cases), "--corpus", str(corpus), "--llm", "extractive",
         "--index-store", str(tmp_path / "store"), "--report", str(tmp_path / "report"), "--baseline", str(BASELINE),
         "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    metrics = report["metrics"]["extractive"]
    assert metrics["quote_fidelity"] == 1.0
    assert metrics["cases"] == len(cases.read_text().splitlines())
