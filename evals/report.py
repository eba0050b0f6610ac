"""Eval output: terminal table, report.json, report.md (with an SVG chart), baseline gate."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from bot.core.errors import InputError

CHART_METRICS = ("accuracy", "answer_accuracy", "first_sentence_accuracy", "recall@{k}", "mrr", "refusal_precision",
                 "refusal_recall", "source_precision", "citation_recall", "citation_precision", "quote_fidelity")
TABLE_METRICS = CHART_METRICS + ("median_words", "fallback_rate", "replay_model_accuracy", "replay_kept_correct",
                                 "replay_stopped_wrong", "replay_final_accuracy", "retrieve_ms_p50", "generate_ms_p50", "verify_ms_p50", "total_ms_p50",
                                 "total_ms_p95")
_COLOURS = ("#3366cc", "#dc7633", "#2e8b57", "#8e44ad")


def _names(k: int, names=TABLE_METRICS) -> list[str]:
    return [m.format(k=k) for m in names]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.0f}"
    return str(value)


def print_table(run, console) -> None:
    from rich.table import Table

    table = Table(title=f"newsbot eval · {len(run.cases)} cases (citation metrics judged by newsbot's verifier)")
    table.add_column("metric")
    for name in run.answerers:
        table.add_column(name, justify="right")
    for metric in _names(run.k):
        table.add_row(metric, *(_fmt(run.metrics[n].get(metric)) for n in run.answerers))
    console.print(table)


def failures(run) -> dict[str, list[dict]]:
    from evals.metrics import case_correct

    out: dict[str, list[dict]] = {}
    for name in run.answerers:
        rows = []
        for case, result, answer in zip(run.cases, run.results[name], run.answers[name]):
            if case_correct(result):
                continue
            rows.append({"id": case.id, "question": case.question, "answer": result.answer or result.error,
                         "refused": result.refused, "expected": [list(p) for p in case.answers] or "refusal",
                         "sources": list(case.sources),
                         "citations": [{"marker": c.marker, "article_id": c.article_id, "quote": c.quote}
                                       for c in (answer.citations if answer else ())]})
        out[name] = rows
    return out


def write_reports(run, folder: Path, extra: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fails = failures(run)
    doc = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "answerers": list(run.answerers), "k": run.k, "cases": len(run.cases),
        "note": "citation_recall/precision are judged by newsbot's own verifier (bot.verify.policy), ALCE-style",
        "metrics": run.metrics, "per_tag": run.per_tag, "failures": fails,
        "results": {n: [asdict(r) for r in run.results[n]] for n in run.answerers},
        **(extra or {}),
    }
    (folder / "report.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / "report.md").write_text(_markdown(run, fails), encoding="utf-8")
    return folder


def _markdown(run, fails) -> str:
    lines = [f"# newsbot eval — {len(run.cases)} cases", "",
             "Citation recall/precision are ALCE-style, judged by newsbot's own verifier.", "",
             chart_svg(run), "", "| metric | " + " | ".join(run.answerers) + " |",
             "|---|" + "---|" * len(run.answerers)]
    for metric in _names(run.k):
        lines.append(f"| {metric} | " + " | ".join(_fmt(run.metrics[n].get(metric)) for n in run.answerers) + " |")
    for name in run.answerers:
        lines += ["", f"## Per tag — {name}", "", "| tag | cases | accuracy | recall@k | citation recall |",
                  "|---|---|---|---|---|"]
        for tag, m in run.per_tag[name].items():
            lines.append(f"| {tag} | {m['cases']} | {_fmt(m['accuracy'])} | {_fmt(m[f'recall@{run.k}'])} | "
                         f"{_fmt(m['citation_recall'])} |")
        lines += ["", f"## Failing cases — {name} ({len(fails[name])})", ""]
        for f in fails[name]:
            lines += [f"- **{f['id']}**: {f['question']}", f"  - answer: {f['answer']}",
                      f"  - expected: {f['expected']} (sources {', '.join(f['sources']) or '—'})"]
            lines += [f"  - [{c['marker']}] {c['article_id']}: “{c['quote']}”" for c in f["citations"]]
    return "\n".join(lines) + "\n"


def chart_svg(run) -> str:
    """A grouped bar chart (one colour per answerer) of the 0..1 metrics, as inline SVG."""
    metrics = _names(run.k, CHART_METRICS)
    bar, gap, height, left = 14, 18, 160, 40
    group = bar * len(run.answerers) + gap
    width = left + group * len(metrics) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 110}" '
             'font-family="sans-serif" font-size="10">',
             f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#333"/>']
    for tick in (0.0, 0.5, 1.0):
        y = height - tick * (height - 10)
        parts.append(f'<text x="4" y="{y + 3:.0f}">{tick:.1f}</text>')
    for i, metric in enumerate(metrics):
        x0 = left + i * group
        for j, name in enumerate(run.answerers):
            value = run.metrics[name].get(metric) or 0.0
            h = value * (height - 10)
            parts.append(f'<rect x="{x0 + j * bar}" y="{height - h:.1f}" width="{bar - 2}" height="{h:.1f}" '
                         f'fill="{_COLOURS[j % len(_COLOURS)]}"><title>{name} {metric} {value:.3f}</title></rect>')
        parts.append(f'<text transform="translate({x0 + 4},{height + 8}) rotate(45)">{metric}</text>')
    for j, name in enumerate(run.answerers):
        parts.append(f'<rect x="{left + j * 90}" y="{height + 92}" width="10" height="10" '
                     f'fill="{_COLOURS[j % len(_COLOURS)]}"/><text x="{left + j * 90 + 14}" y="{height + 101}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# --- baseline gate ----------------------------------------------------------------------------

def load_baseline(path: Path) -> dict:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        doc["metrics"] and doc["answerer"]
        return doc
    except FileNotFoundError:
        raise InputError(f"{path} does not exist: write one with `newsbot eval --write-baseline {path}`") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a baseline file ({exc})") from None


def compare(metrics: dict, baseline: dict) -> list[str]:
    """One line per metric that fell by more than its tolerance (empty: the gate passes)."""
    problems = []
    for name, spec in baseline["metrics"].items():
        want, tolerance = spec["value"], spec.get("tolerance", 0.0)
        got = metrics.get(name)
        if got is None or got < want - tolerance:
            problems.append(f"{name}: {_fmt(got)} < baseline {want:.3f} − tolerance {tolerance:.3f}")
    return problems


def baseline_doc(run, answerer: str, cases_path: str, tolerance: float = 0.02) -> dict:
    keep = [m for m in _names(run.k, CHART_METRICS) if run.metrics[answerer].get(m) is not None]
    return {"answerer": answerer, "cases": cases_path, "k": run.k, "n_cases": len(run.cases),
            "metrics": {m: {"value": round(run.metrics[answerer][m], 4),
                            "tolerance": 0.0 if m == "quote_fidelity" else tolerance} for m in keep}}
