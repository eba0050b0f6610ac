"""`newsbot index | ask | chat | eval | slack`: parse flags, build settings, dispatch.

Each subcommand lives in ``bot/commands/<name>.py`` and provides
``add_arguments(parser)`` and ``run(args, settings) -> int``. Modules are imported
only when their subcommand runs, so `newsbot --help` stays instant.

Every :class:`NewsbotError` becomes one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
from typing import Sequence

from bot import __version__
from bot.core.errors import NewsbotError
from bot.core.settings import Settings, load_settings

COMMANDS = {
    "index": "Index articles (files, folders, feed and page URLs) into the store.",
    "watch": "Keep the index fresh: poll feeds and pages every --every, index what is new.",
    "ask": "Answer one question (or one per stdin line with `--json -`).",
    "chat": "Interactive conversation about the articles.",
    "eval": "Run the offline eval suite and compare with a baseline.",
    "slack": "Serve the Slack bot (Socket Mode or HTTP).",
}


def _common_flags() -> argparse.ArgumentParser:
    """Flags every subcommand understands; each maps onto a Settings field."""
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("store")
    g.add_argument("--store", help="store folder (default .newsbot, $NEWSBOT_STORE)")
    g.add_argument("--chroma-url", dest="chroma_url", help="Chroma server URL ($NEWSBOT_CHROMA_URL)")
    g.add_argument("--embedder", help="embedder: minilm | ST model folder/name | openai:<model>")
    g.add_argument("--embedder-backend", dest="embedder_backend",
                   choices=["auto", "torch", "torch-bf16", "onnx", "onnx-int8"],
                   help="encoder backend (default auto: fastest interchangeable with fp32 on this CPU)")
    a = common.add_argument_group("answering")
    a.add_argument("--llm", help="answerer: auto | openai | local | extractive ($NEWSBOT_LLM)")
    a.add_argument("--model", help="model name for --llm openai ($NEWSBOT_MODEL)")
    a.add_argument("-k", "--top-k", dest="top_k", type=int, help="passages to retrieve")
    a.add_argument("--show-unsupported", dest="show_unsupported", action="store_true", default=None,
                   help="keep sentences that fail verification, flagged")
    common.add_argument("-q", "--quiet", action="store_true", default=None, help="no progress output")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Cited, verified answers about news articles.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        # "resolve": a command may redefine a common flag (eval's --llm can be repeated).
        # A fresh common parser each time: "resolve" mutates the shared parent's actions, which
        # would drop --llm from every command added after eval (slack).
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[_common_flags()],
                           conflict_handler="resolve")
        _command_module(name).add_arguments(p)
    return parser


def _command_module(name: str):
    return importlib.import_module(f"bot.commands.{name}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        # Any parsed flag whose dest is a Settings field name overrides that field.
        flags = {f.name: getattr(args, f.name, None) for f in dataclasses.fields(Settings)}
        settings = load_settings(**flags)
        return int(_command_module(args.command).run(args, settings) or 0)
    except NewsbotError as error:  # messages can name files and ids from articles: one clean line
        from bot.core.normalize import terminal_line

        print(f"newsbot: error: {terminal_line(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
