"""Every worked example in a docstring of bot/, index/ and evals/ holds (house style: small
functions, docstrings with a worked example — an example that is not run drifts from the code).
Examples that need a model, a server or a file mark themselves ``# doctest: +SKIP``."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

from tests.fakes import MemorySlot

PACKAGES = ("bot", "index", "evals")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names += [m.name for m in pkgutil.walk_packages(root.__path__, f"{package}.")
                  if not m.name.endswith(".__main__")]  # running it is the program, not an import
    return sorted(names)


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module, extraglobs={"MemorySlot": MemorySlot})
    return [t for t in tests if any(not e.options.get(doctest.SKIP) for e in t.examples)]


WITH_EXAMPLES = [n for n in _modules() if _examples(n)]


def test_most_modules_of_the_core_carry_an_example():
    assert len(WITH_EXAMPLES) >= 40, WITH_EXAMPLES  # the walk found them: this test can fail


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_the_docstring_examples_hold(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in _examples(name):
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert attempted > 0 and failed == 0, name
