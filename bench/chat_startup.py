"""`newsbot chat` start-up on a terminal: process start → first prompt, and → first answer.

    python bench/chat_startup.py [--runs 3] [--llm extractive]

Driven through a pseudo-terminal (pexpect) like a person; medians of the runs.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time

import pexpect
from common import OUT, REPO, median, record

from bot.core.settings import load_settings
from index.indexer import index_paths

FRESH_PROMPT = re.compile(r">\x08\x1b\[2C")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--llm", default="extractive")
    args = ap.parse_args()
    store = OUT / "store-chat"
    shutil.rmtree(store, ignore_errors=True)
    index_paths(load_settings({}, store=store, quiet=True), [REPO / "seeds"])
    to_prompt, to_answer = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        child = pexpect.spawn(sys.executable, ["-m", "bot", "chat", "--store", str(store), "--llm", args.llm],
                              cwd=str(REPO), encoding="utf-8", dimensions=(50, 200), timeout=300,
                              env={"TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "HF_HUB_OFFLINE": "1",
                                   "PATH": "/usr/bin:/bin"})
        child.expect(FRESH_PROMPT)
        to_prompt.append(time.perf_counter() - t)
        child.sendline("Who is representing Russia in the talks?")
        child.expect("Sources")
        child.expect(FRESH_PROMPT)
        to_answer.append(time.perf_counter() - t)
        child.sendeof()
        child.expect(pexpect.EOF)
    record(f"`newsbot chat` start-up ({args.llm})", f"""
| measure | median of {args.runs} |
|---|---|
| process start → first prompt | {median(to_prompt):.2f} s |
| process start → first answer (question typed at once; models load in the background) | {median(to_answer):.2f} s |
""")


if __name__ == "__main__":
    main()
