"""Unicode hygiene: one normal form for untrusted text, and nothing that drives a terminal."""

from __future__ import annotations

import pytest

from bot.core.normalize import normalize_text, terminal_line, terminal_safe
from index.hygiene import clean_article, limit_article
from index.sources.article import Article

ESCAPES = [
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07",  # OSC 8 hyperlink (BEL)
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink (ST)
    "\x1b]0;new window title\x07",  # OSC 0 title
    "\x1bP1$r0m\x1b\\",  # DCS
    "\x9b31m",  # 8-bit CSI
    "\x1b7\x1b8\x1bc",  # save/restore cursor, full reset
    "\x07\x08\x0b\x0c\x7f\x85\x9c",  # BEL, BS, VT, FF, DEL, NEL, ST
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_no_control_character_survives(escape):
    for clean in (normalize_text, terminal_safe, terminal_line):
        out = clean(f"before {escape} after")
        assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f for c in out), repr(out)
        assert out.startswith("before") and out.endswith("after")


def test_terminal_safe_keeps_ordinary_text_and_layout():
    text = "Prices rose 5 % in Zürich — “quoted” text, 日本語, emoji 🙂.\n\tIndented line."
    assert terminal_safe(text) == text
    assert terminal_line("a\nb\r\nc\rd") == "a b c d"


def test_normal_form_removes_invisible_characters_and_folds_compatibility_forms():
    assert normalize_text("Ig\u200bno\u00adre \u2066pre\u2069vious ｗｏｒｄｓ\ufeff") == "Ignore previous words"
    assert normalize_text("lone \ud800 surrogate") == "lone \ufffd surrogate"
    assert normalize_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"


def test_clean_article_normalises_every_field():
    a = clean_article(Article("id\u200b1", "Bo\u200bdy\x1b[31m text", title="Ｔｉｔｌｅ\n two", source="S\u202e"))
    assert (a.id, a.text, a.title, a.source) == ("id1", "Body text", "Title two", "S")


def test_limit_article_cuts_at_a_break_and_says_so():
    text = "First paragraph here.\n\nSecond paragraph is longer than the rest of it."
    article, warning = limit_article(Article("x", text, path="/news/x.txt"), max_chars=40)
    assert article.text == "First paragraph here." and "/news/x.txt: article 'x' is 70 characters" in warning
    same, none = limit_article(Article("x", text), max_chars=0)
    assert same.text == text and none is None
