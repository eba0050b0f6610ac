"""Pure: the ``[n]`` citation markers of a text — the one marker pattern of the code base.

A marker is ``[3]``, ``[1, 2]`` or ``[passage 4]``; a run of them may follow a full stop.

Example::

    >>> markers_in("The plan passed [1]. It was signed [2, 3].")
    [1, 2, 3]
    >>> strip_markers("The plan passed [1].")
    'The plan passed.'
"""

from __future__ import annotations

import re

MARKER_BODY = r"(?:passages?\s*)?\d+(?:\s*[,;]\s*(?:passages?\s*)?\d+)*"
MARKER = re.compile(r"\[\s*(" + MARKER_BODY + r")\s*\]", re.IGNORECASE)
MARKERS_RUN = r"(?:\s*\[\s*" + MARKER_BODY + r"\s*\])*"  # zero or more markers, for other patterns


def markers_in(text: str) -> list[int]:
    """Every passage number the markers of ``text`` name, in order."""
    return [int(n) for m in MARKER.finditer(text) for n in re.findall(r"\d+", m.group(1))]


def has_marker(text: str) -> bool:
    return MARKER.search(text) is not None


def remove_markers(text: str, replacement: str = "") -> str:
    """``text`` with every marker replaced (spacing untouched)."""
    return MARKER.sub(replacement, text)


def strip_markers(text: str) -> str:
    """``text`` without markers, whitespace normalised, no space left before punctuation."""
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def format_markers(numbers: tuple[int, ...] | list[int]) -> str:
    """``(1, 2)`` → ``"[1][2]"``."""
    return "".join(f"[{n}]" for n in numbers)
