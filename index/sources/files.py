"""Files → :class:`Article` records, with warnings (never exceptions) for bad files.

>>> result = load_articles(["seeds"])                     # doctest: +SKIP
>>> [a.id for a in result.articles], result.skipped        # doctest: +SKIP
(['000_c3020e762289b85b', '001_fed5e9e3e43d509c'], 0)

Formats: .txt, .md (optional ``---`` front matter), .html/.htm, .json (an object or a
list of objects), .jsonl (one object a line) and .csv (a text|body|content column).
Only a path that does not exist raises (:class:`~bot.core.errors.InputError`); anything wrong
*inside* a file becomes a one-line warning naming the file (and line), and the file or
record is counted in ``skipped``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from bot.core.errors import InputError


@dataclass(frozen=True)
class Article:
    """One news article. ``id`` is the file stem (``000_c3020e762289b85b``);
    records of a .json/.jsonl file get ``<stem>#<n>`` unless they carry an id."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 when parsable, else None; never invented
    path: str | None = None  # file it came from (for prune and warnings)


@dataclass(frozen=True)
class LoadResult:
    """``skipped`` counts files *and* records not loaded (each has a warning);
    ``files`` lists every article-bearing file considered (resolved, absolute), loaded or not."""

    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    skipped: int
    files: tuple[str, ...]


TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".csv")
TEXT_KEYS = ("text", "body", "content")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link")
DATE_KEYS = ("published", "published_at", "publishedat", "date", "pubdate")
MAX_TITLE_CHARS = 150


class _Skip(Exception):
    """This file (or record) is skipped; the message is its warning."""


def load_articles(paths: Iterable[str | Path]) -> LoadResult:
    """Load every article under ``paths`` (files or folders, walked recursively in sorted order)."""
    files: list[tuple[Path, bool]] = []  # (file, named explicitly)
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise InputError(f"{raw}: no such file or folder; check the path you gave to index")
        if path.is_dir():
            files.extend((f, False) for f in _walk(path))
        else:
            files.append((path, True))

    articles: list[Article] = []
    warnings: list[str] = []
    skipped = 0
    considered: list[str] = []
    seen: dict[str, str] = {}
    for path, explicit in files:
        if path.suffix.lower() not in TEXT_SUFFIXES:
            if explicit:  # in a folder walk, .DS_Store, images etc. are not articles: silent
                warnings.append(f"{path}: skipped, unknown file type {path.suffix or '(none)'!r} "
                                f"(use {', '.join(TEXT_SUFFIXES)})")
                skipped += 1
            continue
        resolved = str(path.resolve())
        if resolved in considered:  # named twice (a file and its folder): load it once
            continue
        considered.append(resolved)
        try:
            loaded = list(_load_file(path, warnings))
        except _Skip as skip:
            warnings.append(str(skip))
            skipped += 1
            continue
        except OSError as err:  # unreadable (permissions, vanished mid-walk): skip, keep going
            warnings.append(f"{path}: skipped, cannot read it ({err.strerror or err})")
            skipped += 1
            continue
        for item in loaded:
            if isinstance(item, _Skip):
                warnings.append(str(item))
                skipped += 1
            elif item.id in seen:
                warnings.append(f"{path}: skipped article {item.id!r}, the same id as in {seen[item.id]}")
                skipped += 1
            else:
                seen[item.id] = str(path)
                articles.append(item)
    return LoadResult(tuple(articles), tuple(warnings), skipped, tuple(considered))


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in a deterministic order, skipping hidden files and folders (.git)."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / name for name in names if not name.startswith("."))
    yield from sorted(found, key=lambda p: p.relative_to(folder).parts)


def _read_text(path: Path, warnings: list[str]) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: NUL bytes but not binary
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:8192]:
        raise _Skip(f"{path}: skipped, binary content (NUL bytes) in a {path.suffix} file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        warnings.append(f"{path}: not valid UTF-8 (byte {err.start}); undecodable bytes replaced with U+FFFD")
        text = data.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise _Skip(f"{path}: skipped, the file is empty")
    return text


def _load_file(path: Path, warnings: list[str]) -> Iterator[Article | _Skip]:
    text = _read_text(path, warnings)
    suffix, stem, where = path.suffix.lower(), path.stem, str(path.resolve())
    if suffix == ".txt":
        yield Article(stem, text, title=headline(text), path=where)
    elif suffix in (".md", ".markdown"):
        meta, body = split_front_matter(text)
        if not body.strip():
            raise _Skip(f"{path}: skipped, no article text after the front matter")
        yield _article(meta, stem, body, where, title=_markdown_heading(body))
    elif suffix in (".html", ".htm"):
        from index.html_text import html_article  # bs4 is imported there only

        body, meta = html_article(text)
        if not body.strip():
            raise _Skip(f"{path}: skipped, no text in the HTML body")
        yield _article(meta, stem, body, where)
    elif suffix == ".json":
        yield from _records(path, stem, where, _json_records(path, text))
    elif suffix == ".jsonl":
        yield from _records(path, stem, where, _jsonl_records(path, text))
    elif suffix == ".csv":
        yield from _records(path, stem, where, _csv_records(path, text))


def _article(meta: dict, stem: str, text: str, where: str, *, title: str | None = None) -> Article:
    return Article(id=stem, text=text, title=_field(meta, TITLE_KEYS) or title,
                   source=_source(meta), url=_field(meta, URL_KEYS),
                   published=parse_published(_first(meta, DATE_KEYS)), path=where)


def _records(path: Path, stem: str, where: str, records) -> Iterator[Article | _Skip]:
    """``records`` yields (index, place, record-or-_Skip); index is 1-based and counts every
    record slot (bad ones too) so fixing one bad line never renumbers the others."""
    for n, place, record in records:
        if isinstance(record, _Skip):
            yield record
            continue
        if not isinstance(record, dict):
            yield _Skip(f"{place}: skipped, a record must be a JSON object, not {type(record).__name__}")
            continue
        meta = {str(k).lower(): v for k, v in record.items()}
        text = _first(meta, TEXT_KEYS)
        if not isinstance(text, str) or not text.strip():
            yield _Skip(f"{place}: skipped, the record has no text (expected one of {', '.join(TEXT_KEYS)})")
            continue
        article_id = meta.get("id")
        article_id = str(article_id).strip() if article_id not in (None, "") else f"{stem}#{n}"
        yield _article(meta, article_id, text.lstrip("\ufeff"), where)


def _json_records(path: Path, text: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _Skip(f"{path}:{err.lineno}: skipped, malformed JSON ({err.msg})") from None
    if isinstance(data, dict) and _first({k.lower(): v for k, v in data.items()}, TEXT_KEYS) is None:
        for key in ("articles", "items", "records", "data"):  # common wrappers: {"articles": [...]}
            if isinstance(data.get(key), list):
                data = data[key]
                break
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items, 1):
        yield n, f"{path} record {n}", item


def _jsonl_records(path: Path, text: str):
    n = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        n += 1
        try:
            yield n, f"{path}:{lineno}", json.loads(line)
        except json.JSONDecodeError as err:
            yield n, f"{path}:{lineno}", _Skip(f"{path}:{lineno}: skipped, malformed JSON ({err.msg})")


def _csv_records(path: Path, text: str):
    csv.field_size_limit(1 << 30)  # news bodies exceed the 128 KiB default
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if not any(k in columns for k in TEXT_KEYS):
        raise _Skip(f"{path}: skipped, no text column (expected one of {', '.join(TEXT_KEYS)}; "
                    f"found {', '.join(columns) or 'none'})")
    try:
        for n, row in enumerate(reader, 1):
            record = {(k or "").strip().lower(): v for k, v in row.items() if k is not None}
            yield n, f"{path}:{reader.line_num}", record
    except csv.Error as err:
        yield 0, f"{path}:{reader.line_num}", _Skip(f"{path}:{reader.line_num}: skipped the rest, bad CSV ({err})")


def _first(meta: dict, keys: tuple[str, ...]):
    for key in keys:
        value = meta.get(key)
        if value not in (None, ""):
            return value
    return None


def _field(meta: dict, keys: tuple[str, ...]) -> str | None:
    value = _first(meta, keys)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = " ".join(str(value).split())
        return value or None
    return None


def _source(meta: dict) -> str | None:
    value = meta.get("source")
    if isinstance(value, dict):  # NewsAPI style: {"source": {"id": ..., "name": "Reuters"}}
        return _field({k.lower(): v for k, v in value.items()}, ("name", "id"))
    return _field(meta, ("source", "site_name", "publisher"))


def headline(text: str) -> str | None:
    """The first line of a plain-text article when it reads like a headline, else None.

    >>> headline("Kremlin denies talks\\n\\nTop aide Yuri Ushakov on Dec. 21 denied ...")
    'Kremlin denies talks'
    >>> headline("A senior Kremlin official has played down the talks.\\nMore text.") is None
    True
    """
    lines = text.lstrip("\ufeff").strip().splitlines()
    if len(lines) < 2:  # a one-line file is all body
        return None
    first = " ".join(lines[0].split())
    bare = first.rstrip("\"'”’»)]")
    if (not bare or len(first) > MAX_TITLE_CHARS or bare[-1] in ".!?:;,…"
            or not re.search(r"[^\W\d_]", first)):
        return None
    return first


def _markdown_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.strip():
            match = re.match(r"#\s+(.+?)\s*#*\s*$", line.strip())
            return match.group(1) if match else None
    return None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``(meta, body)`` of a Markdown file; ``meta`` from a leading ``---`` block of
    ``key: value`` lines (keys lower-cased, quotes removed); body is the text after it, as-is.

    >>> split_front_matter("---\\ntitle: 'Talks'\\npublished: 2025-12-21\\n---\\nBody.\\n")
    ({'title': 'Talks', 'published': '2025-12-21'}, 'Body.\\n')
    """
    match = re.match(r"\ufeff?---[ \t]*\r?\n(.*?)(?:^|\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line[:1].isspace():
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key.strip().lower()] = value
    return meta, text[match.end():]


_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)")
_SENTINELS = (datetime(1904, 1, 1, 0, 0, 0), datetime(1908, 2, 2, 1, 1, 1))


def parse_published(value) -> str | None:
    """ISO 8601 for a date we can read, keeping only the parts the input gave; never invented.

    >>> parse_published("Dec. 21, 2025"), parse_published("21 Dec 2025 14:30 +0100")
    ('2025-12-21', '2025-12-21T14:30:00+01:00')
    >>> parse_published("December 2025"), parse_published("Monday"), parse_published("soon")
    ('2025-12', None, None)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value > 1e11:  # epoch milliseconds
            value /= 1000
        if 1e8 < value < 1e10:
            return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
        return None
    if not isinstance(value, str) or not _YEAR.search(value):  # no year → a guess; refuse
        return None
    from dateutil import parser

    try:
        a, b = (parser.parse(value.strip(), default=d, fuzzy=False) for d in _SENTINELS)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None
    if a.month != b.month:
        return f"{a.year:04d}"
    if a.day != b.day:
        return f"{a.year:04d}-{a.month:02d}"
    if a.hour != b.hour or a.minute != b.minute:
        return a.date().isoformat()
    return a.replace(second=a.second if a.second == b.second else 0).isoformat()
