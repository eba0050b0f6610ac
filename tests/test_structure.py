"""The shape of the house, checked: one sentence splitter, one marker pattern, modules of at
most 300 lines, no import cycle between packages, no seed-specific word in product code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "index", "evals")  # non-test code; bench/ scripts run the seed examples end to end
MAX_LINES = 300


def _sources(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (REPO / root).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _regex_literals(path: Path) -> list[tuple[int, str]]:
    """String constants of a module (the source text of its regexes among them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


# A character class of sentence-ending punctuation ("[.!?]", "(?<=[.!?])") is how a sentence
# splitter starts; negated classes ("[^.!?]") are not splitters.
SPLITTER = re.compile(r"\[(?=[.!?]{3}\])")
# "\[\d" / "\[\s*\d" / the marker body: a pattern for [n] markers.
MARKER = re.compile(r"\\\[\\d|\\\[\\s\*|passages\?\\s")


def test_one_sentence_splitter_in_the_code_base():
    found = {(_rel(p), line) for p in _sources(*PRODUCT) for line, s in _regex_literals(p) if SPLITTER.search(s)}
    assert found, "the check must see the one splitter"
    assert {f for f, _ in found} == {"bot/text/sentences.py"}, sorted(found)


def test_one_marker_pattern_in_the_code_base():
    found = {(_rel(p), line) for p in _sources(*PRODUCT) for line, s in _regex_literals(p) if MARKER.search(s)}
    assert found, "the check must see the one marker pattern"
    assert {f for f, _ in found} == {"bot/text/markers.py"}, sorted(found)


def test_the_checks_catch_a_second_splitter_and_marker(tmp_path):
    rogue = tmp_path / "rogue.py"
    rogue.write_text('import re\nSPLIT = re.compile(r"(?<=[.!?])\\s+")\nMARK = re.compile(r"\\[\\d+\\]")\n')
    literals = [s for _, s in _regex_literals(rogue)]
    assert any(SPLITTER.search(s) for s in literals) and any(MARKER.search(s) for s in literals)
    assert not SPLITTER.search(r"[^.!?\n]{0,40}") and not SPLITTER.search(r"\s+([.,;:!?])")


@pytest.mark.parametrize("path", _sources("bot", "index"), ids=_rel)
def test_no_module_over_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_rel(path)} has {lines} lines"


def _package(module: str) -> str | None:
    """The package a module belongs to for the layering check: bot.core is its own
    package (the records and errors index may use); bot.cli and bot.commands are the
    application on top (they wire bot, index and evals together); the rest of bot is "bot"."""
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] == "core":
        return "bot.core"
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in ("cli", "commands", "__main__"):
        return "bot.commands"
    return parts[0] if parts[0] in PRODUCT else None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _sources(*PRODUCT):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        source = _package(module)
        for imported in _imports(path):
            target = _package(imported)
            if source and target and target != source:
                graph.setdefault(source, set()).add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    def visit(node, path):
        if node in path:
            return path[path.index(node):] + [node]
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, path + [node])
            if found:
                return found
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_no_import_cycle_between_packages():
    graph = _package_graph()
    assert "bot.core" in graph.get("index", set()), "index uses bot.core (errors, records)"
    assert _cycle(graph) is None, _cycle(graph)
    assert graph.get("index", set()) <= {"bot.core"}, f"index imports {graph['index']}: only bot.core is allowed"
    assert not graph.get("bot.core"), f"bot.core must import no other package: {graph.get('bot.core')}"
    assert "bot.commands" not in set().union(*graph.values()), "nothing imports the commands"


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


SEED_WORDS = ("Kremlin", "Kyiv", "Kiev", "Dmitriev", "Witkoff", "Ushakov", "Trump", "Russia", "Russian", "Ukraine",
              "Ukrainian", "Miami", "Putin", "Zelensky", "Kushner", "Peskov", "Lavrov", "Moscow", "Umerov", "Kirill",
              "Lukashenko", "Belarus", "Florida", "Rubio")
_SEED = re.compile(r"\b(?:" + "|".join(SEED_WORDS) + r")", re.IGNORECASE)


def _product_text_files() -> list[Path]:
    return _sources(*PRODUCT) + sorted((REPO / "prompts").glob("*"))


def test_no_seed_specific_word_in_product_code():
    hits = [f"{_rel(p)}:{n}: {line.strip()[:80]}" for p in _product_text_files()
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if _SEED.search(line)]
    assert not hits, "\n".join(hits)
