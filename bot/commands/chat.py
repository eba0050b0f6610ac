"""`newsbot chat`: a conversation about the articles (see bot/repl.py).

    newsbot chat                        # prompt, streamed verified answers, /help for commands
    newsbot chat --llm local            # the bundled local model
    printf 'q1\\nq2\\n' | newsbot chat    # one plain answer block per line, history kept
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--no-stream", dest="stream", action="store_false",
                        help="show each answer when it is complete instead of sentence by sentence")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                        help="answer as on this date: 'today'/'this week' end here; older sources say 'as of' "
                             "(default today, $NEWSBOT_AS_OF)")


def run(args, settings) -> int:
    check_store_exists(settings)  # before the prompt, without loading anything
    from bot.answering.flow import parse_as_of

    parse_as_of(settings.as_of)  # a bad --as-of fails before anything loads
    from bot.answering.pipeline import build_pipeline
    from bot.core.errors import NewsbotError

    pipeline = build_pipeline(settings)
    from bot.surfaces.chat.repl import Chat

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    chat = Chat(pipeline, settings, interactive=interactive, stream=getattr(args, "stream", True))
    try:
        code = chat.run()
    except NewsbotError as error:
        if not chat.busy():
            raise
        print(f"newsbot: error: {error}", file=sys.stderr)
        code = error.exit_code
    if chat.busy():
        # A model may still be loading (or a cancelled answer finishing) in a daemon thread;
        # interpreter shutdown in the middle of a torch/llama.cpp call can hang or crash,
        # and the user asked to leave now. Everything worth keeping is already written.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def check_store_exists(settings) -> None:
    """A local store without Chroma files → StoreMissingError with the exact command that
    builds it. A file check only, so the prompt is not delayed; an *empty* store or an
    unreachable server is reported by the pipeline on first use."""
    if settings.chroma_url:
        return
    from bot.core.errors import StoreMissingError
    from index.store import chroma_dir

    store = Path(settings.store)
    if (chroma_dir(store) / "chroma.sqlite3").is_file():
        return
    import shlex

    command = "newsbot index seeds/" if store == Path(".newsbot") else f"newsbot index --store {shlex.quote(str(store))} seeds/"
    raise StoreMissingError(f"there is no index in {store}: build it with `{command}` "
                            "(or another folder of articles) and run `newsbot chat` again")
