"""`python -m tests.hostile_cli ARGS...`: the real `newsbot` CLI with the deterministic FakeEmbedder.

For tests that need a separate process (another user, a real stdin) but not the real model:
every store these tests build is made with the fake, so the embedder check still passes.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import index.embedders
    from tests.fakes import FakeEmbedder

    index.embedders.build_embedder = lambda settings, **_: FakeEmbedder()
    from bot.cli import main as newsbot

    return newsbot(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
