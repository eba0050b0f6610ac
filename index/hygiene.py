"""Loaded articles made safe to index (pure): one Unicode normal form, and a size limit.

>>> from index.sources.article import Article
>>> a = clean_article(Article("n\\u200b1", "Rain\\u200b in ｔｏｗｎ.\\x1b[2J", title="Ｗｅａｔｈｅｒ"))
>>> a.id, a.text, a.title
('n1', 'Rain in town.', 'Weather')
>>> short, warning = limit_article(Article("n2", "One. Two. Three four five."), max_chars=12)
>>> short.text, warning
('One. Two.', "n2: article 'n2' is 26 characters, over the limit of 12: truncated (set NEWSBOT_MAX_ARTICLE_CHARS to raise it)")
"""

from __future__ import annotations

import dataclasses
import re

from bot.core.normalize import normalize_text

_FIELDS = ("title", "source", "url", "published", "path")
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\s"))  # a paragraph break, else a word break


def clean_article(article):
    """The article with every text field in :func:`~bot.core.normalize.normalize_text` form;
    one-line fields (id, title, source, url, published) also have whitespace collapsed."""
    changes = {"id": _line(article.id) or article.id, "text": normalize_text(article.text)}
    for name in _FIELDS:
        value = getattr(article, name, None)
        if isinstance(value, str) and name != "path":
            changes[name] = _line(value) or None
    return dataclasses.replace(article, **changes)


def limit_article(article, max_chars: int):
    """``(article, warning)``: an article over ``max_chars`` is cut at the last paragraph or word
    break before the limit (never mid-word when a break exists); ``warning`` is None if
    nothing was cut. ``max_chars <= 0`` disables the limit."""
    text = article.text
    if max_chars <= 0 or len(text) <= max_chars:
        return article, None
    head = text[:max_chars + 1]
    cut = max_chars
    for pattern in _BREAKS:
        ends = [m.start() for m in pattern.finditer(head)]
        ends = [e for e in ends if max_chars // 2 <= e <= max_chars]
        if ends:
            cut = ends[-1]
            break
    warning = (f"{article.path or article.id}: article {article.id!r} is {len(text)} characters, over the "
               f"limit of {max_chars}: truncated (set NEWSBOT_MAX_ARTICLE_CHARS to raise it)")
    return dataclasses.replace(article, text=text[:cut].rstrip()), warning


def _line(value: str) -> str:
    return " ".join(normalize_text(value).split())

