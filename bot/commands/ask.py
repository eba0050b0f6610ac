"""`newsbot ask "QUESTION"`: one cited, verified answer (or `-`: one per stdin line).

    newsbot ask "Who is representing the union in the talks?"
    newsbot ask --json "What did the mayor say?"
    printf 'q1\\nq2\\n' | newsbot ask --json -     # one JSON object per line, models loaded once
    newsbot ask --as-of 2024-03-08 "Who won this week?"   # asked as on that day
    echo '{"question": "Who won?", "as_of": "2024-03-08"}' | newsbot ask --json -
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("question", nargs="?", metavar="QUESTION",
                        help="the question; '-' reads one question per line from stdin")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (per question) instead of text")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                        help="the moment the question is asked (default: today): 'this week' and 'latest' "
                             "mean shortly before it; later articles are not searched")


def run(args, settings) -> int:
    from bot.answering.pipeline import build_pipeline
    from bot.core.errors import InvalidQuestionError

    if args.question is None:
        raise InvalidQuestionError('no question given: newsbot ask "QUESTION" (or - to read stdin)')
    pipeline = build_pipeline(settings)
    if args.question == "-":
        return _batch(pipeline, args, settings)
    from bot.answering.flow import validate_question

    validate_question(args.question)  # a bad question fails before models load
    with _spinner(settings, "Loading the index…"):
        pipeline.retriever  # noqa: B018 - a missing store is reported before anything else
    with _spinner(settings, "Answering…"):
        answer = pipeline.ask(args.question)
    _print(answer, args)
    return 0


def _spinner(settings, message: str):
    """A spinner on stderr when a person is watching; nothing in pipes or with --quiet."""
    import contextlib

    if settings.quiet or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _print(answer, args) -> None:
    from bot.surfaces.render import answer_json_line, answer_plain, render_terminal

    if args.json:
        print(answer_json_line(answer), flush=True)
    elif sys.stdout.isatty():
        from rich.console import Console

        render_terminal(answer, Console())
    else:
        sys.stdout.write(answer_plain(answer))
        sys.stdout.flush()


def _batch(pipeline, args, settings) -> int:
    """One answer per stdin line; a bad line gets an error (object) and the rest go on."""
    import json

    from bot.core.errors import (
        EmbedderMismatchError,
        InvalidQuestionError,
        NewsbotError,
        StoreMissingError,
        StoreUnreachableError,
    )

    pipeline.warm_up()  # load models once, and report a missing store before reading stdin
    failures = 0
    for number, (text, bad) in enumerate(_stdin_lines(), start=1):
        question, as_of, problem = batch_line(text)
        bad = bad or problem
        try:
            if bad:
                raise InvalidQuestionError(bad)
            answer = pipeline.ask(question, as_of=as_of)
        except (StoreMissingError, StoreUnreachableError, EmbedderMismatchError):
            raise  # nothing can be answered: stop with the one-line fix
        except NewsbotError as error:
            failures += 1
            if args.json:
                print(json.dumps({"line": number, "question": question, "error": str(error)},
                                 ensure_ascii=False), flush=True)
            else:
                print(f"newsbot: error: line {number}: {error}", file=sys.stderr, flush=True)
            continue
        _print(answer, args)
        if not args.json:
            print(flush=True)
    return 1 if failures else 0


def batch_line(text: str) -> tuple[str, str | None, str | None]:
    """A batch line: a plain question, or a JSON object {"question": ..., "as_of": ...}.
    Returns (question, as_of, problem); a JSON object without a question is that line's problem.

    >>> batch_line('{"question": "Who won?", "as_of": "2024-07-01"}')
    ('Who won?', '2024-07-01', None)
    >>> batch_line("{not json} is a question too")
    ('{not json} is a question too', None, None)
    >>> batch_line('{"q": "Who won?"}')[2]
    'a JSON line needs "question" as text (it has: q)'
    """
    import json

    if text.lstrip().startswith("{"):
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, RecursionError):  # "{{{{..." 200k deep is a question, not a crash
            return text, None, None
        if not isinstance(raw, dict):
            return text, None, None
        if not isinstance(raw.get("question"), str):
            return text, None, f'a JSON line needs "question" as text (it has: {", ".join(map(str, raw)) or "nothing"})'
        as_of = raw.get("as_of") or raw.get("date")
        return raw["question"], str(as_of) if as_of else None, None
    return text, None, None


def _stdin_lines():
    """(question, problem) per stdin line, read as bytes so one line that is not UTF-8 is that
    line's error (the batch goes on) instead of a UnicodeDecodeError that ends it."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (tests, embedding)
        for line in sys.stdin:
            yield line.rstrip("\r\n"), None
        return
    for raw in stream:
        raw = raw.rstrip(b"\r\n")
        try:
            yield raw.decode("utf-8"), None
        except UnicodeDecodeError as err:
            shown = raw.decode("utf-8", errors="replace")
            yield shown, (f"the line is not valid UTF-8 (byte 0x{raw[err.start]:02x} at position {err.start}): "
                          "send questions as UTF-8 text")
