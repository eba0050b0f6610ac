"""`newsbot eval`: score answerers on eval cases, offline; gate on a committed baseline.

    newsbot eval                                     # seeds cases, extractive, on seeds/
    newsbot eval --llm extractive --llm local        # side by side, same retrieval
    newsbot eval --baseline evals/baseline.json      # exit 3 when a metric falls past its tolerance
    newsbot eval --calibrate                         # refusal threshold sweep on calibration cases
    newsbot eval --import-feedback .newsbot/feedback.jsonl
    newsbot eval --cases DIR/cases.jsonl --corpus DIR/articles --store /tmp/rtqa-store   # any set; reuse its index
    newsbot eval --cases … --corpus … --replay predictions.json --replay-system open_gpt3   # a recorded model via --llm openai
    newsbot eval --injection                         # instruction-like-text detector: recall, false positives

Every run also prints (and writes to report.json) the injection detector's recall on the labelled
set and its false-positive rate on a small sample of real news sentences (when the research
corpus is present); ``--injection`` measures only that, on ``--injection-sample`` sentences.
"""

from __future__ import annotations

import sys
from pathlib import Path

REGRESSION_EXIT = 3


def add_arguments(parser) -> None:
    parser.add_argument("--cases", default=None, help="cases .jsonl file or folder (default evals/cases/seeds.jsonl; "
                        "evals/cases/calibration.jsonl with --calibrate)")
    parser.add_argument("--corpus", default="seeds", help="folder indexed into a temporary store first (default seeds/)")
    parser.add_argument("--llm", dest="llms", action="append", metavar="NAME",
                        help="answerer to evaluate; repeat to compare side by side (default: auto)")
    parser.add_argument("--baseline", type=Path, help="baseline JSON to compare with (non-zero exit on regression)")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE", help="write this run's metrics as a baseline")
    parser.add_argument("--report", type=Path, help="report folder (default evals/reports/<timestamp>/)")
    parser.add_argument("--calibrate", action="store_true", help="sweep the refusal threshold on calibration cases")
    parser.add_argument("--index-store", type=Path, metavar="DIR", dest="eval_store",
                        help="index the corpus into this folder and keep it (a re-run embeds nothing new); "
                             "default: a temporary store")
    parser.add_argument("--replay", type=Path, metavar="FILE",
                        help="recorded model answers ({case id: answer}, or {system: {case id: answer}}) served by "
                             "a local OpenAI-compatible server; evaluates --llm openai against it")
    parser.add_argument("--replay-system", default="open_gpt3", help="which system of a --replay file (default open_gpt3)")
    parser.add_argument("--import-feedback", type=Path, metavar="FILE",
                        help="turn Slack feedback records into draft cases in evals/cases/feedback.jsonl")
    parser.add_argument("--injection", action="store_true",
                        help="only measure the instruction-like-text detector (exit 1 when a target is missed)")
    parser.add_argument("--injection-sample", dest="injection_sample", type=int, default=20000, metavar="N",
                        help="research-corpus news sentences for the detector's false-positive rate (default 20000)")


def run(args, settings) -> int:
    if args.import_feedback:
        return _import(args)
    if args.injection:
        from evals.injection import report as injection_report

        return 0 if injection_report(args.injection_sample)["ok"] else 1
    from rich.console import Console

    from bot.answering.pipeline import build_pipeline
    from evals import runner

    console = Console(stderr=False)
    err = Console(stderr=True)
    default_cases = "evals/cases/calibration.jsonl" if args.calibrate else "evals/cases/seeds.jsonl"
    cases = runner.load_cases(args.cases or default_cases)
    corpus = Path(args.corpus)
    if not corpus.exists():
        from bot.core.errors import InputError

        raise InputError(f"--corpus {corpus} does not exist: give the folder of articles the cases are about")
    if not settings.quiet:
        where = args.eval_store or "a temporary store"
        err.print(f"indexing {corpus} into {where}…", markup=False, soft_wrap=True)
    local = runner.index_corpus(settings, corpus, args.eval_store)
    recorded, server = None, None
    if args.replay:
        from evals.replay_server import ReplayServer

        recorded = runner.load_recorded(args.replay, args.replay_system, cases)
        server = ReplayServer({c.question: recorded[c.id] for c in cases if c.id in recorded}).start()
        local = local.replace(openai_base_url=server.url, openai_api_key="replay", model="replay")
    pipeline = build_pipeline(local)
    if args.calibrate:
        return _calibrate(pipeline, cases, console)
    texts = runner.article_texts(corpus)
    llms = args.llms or (["openai"] if args.replay else [settings.llm])
    progress = None if settings.quiet else (lambda name, case: err.print(f"  {name}: {case.id}", style="dim"))
    try:
        result = runner.run_cases(pipeline, cases, llms, texts, local.top_k, on_case=progress, recorded=recorded)
    finally:
        if server is not None:
            server.stop()

    from datetime import datetime

    from evals import report
    from evals.injection import figures, summary_line

    report.print_table(result, console)
    injection = figures()
    console.print(summary_line(injection), highlight=False)
    folder = args.report or Path("evals/reports") / datetime.now().strftime("%Y%m%d-%H%M%S")
    extra = {"cases_path": str(args.cases or default_cases), "corpus": str(corpus),
             "refusal_threshold": local.refusal_threshold, "runner_up_cutoff": local.runner_up_cutoff,
             "injection_detector": injection}
    report.write_reports(result, folder, extra)
    console.print(f"report: {folder / 'report.md'} and {folder / 'report.json'}")
    for name, rows in report.failures(result).items():
        for row in rows:
            console.print(f"[red]✗[/red] {name} {row['id']}: {row['question']} → {str(row['answer'])[:160]!r} "
                          f"(expected {row['expected']})", highlight=False)
    if args.write_baseline:
        import json

        doc = report.baseline_doc(result, result.answerers[0], str(args.cases or default_cases))
        args.write_baseline.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        console.print(f"wrote baseline {args.write_baseline}")
    if args.baseline:
        base = report.load_baseline(args.baseline)
        name = base["answerer"] if base["answerer"] in result.metrics else result.answerers[0]
        problems = report.compare(result.metrics[name], base)
        if problems:
            for line in problems:
                print(f"newsbot: regression ({name}): {line}", file=sys.stderr)
            return REGRESSION_EXIT
        console.print(f"baseline {args.baseline}: no metric of {name} fell past its tolerance")
    return 0


def _calibrate(pipeline, cases, console) -> int:
    from rich.table import Table

    from evals import runner

    rows = runner.calibrate(pipeline, cases, [round(0.02 + 0.02 * i, 2) for i in range(45)])
    table = Table(title=f"refusal threshold sweep · {len(cases)} calibration cases")
    for col in ("threshold", "refusal precision", "refusal recall", "F1", "answerable kept"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(f"{r['threshold']:.2f}", f"{r['refusal_precision']:.3f}", f"{r['refusal_recall']:.3f}",
                      f"{r['f1']:.3f}", f"{r['answerable_kept']:.3f}")
    console.print(table)
    console.print(f"best threshold: {runner.best_threshold(rows):.2f} (the default is fitted by `make train`; "
                  "NEWSBOT_REFUSAL_THRESHOLD overrides it)")
    return 0


def _import(args) -> int:
    from evals.feedback import import_feedback

    out = Path("evals/cases/feedback.jsonl")
    summary = import_feedback(args.import_feedback, out)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"drafted {summary.drafted} cases into {out} ({summary.skipped} skipped); review them before use")
    return 0
