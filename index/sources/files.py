"""Files → :class:`Article` records, with warnings (never exceptions) for bad files.

>>> result = load_articles(["news/"])                      # doctest: +SKIP
>>> [a.id for a in result.articles], result.skipped        # doctest: +SKIP
(['harbour-reopens', 'council-vote'], 0)

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
from pathlib import Path
from typing import Iterable, Iterator

from bot.core.errors import InputError
from index.hygiene import clean_article
from index.sources.article import (
    DATE_KEYS,
    TEXT_KEYS,
    TITLE_KEYS,
    URL_KEYS,
    Article,
    LoadResult,
    field,
    first,
    headline,
    markdown_heading,
    parse_published,
    source,
    split_front_matter,
)

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".csv")
MAX_GZ_BYTES = 1 << 30  # a gzip file expanding beyond this is refused (a "zip bomb" or not an article dump)


def _kind(path: Path) -> tuple[str, str]:
    """(suffix, stem) of an article file; ``x.jsonl.gz`` is a gzipped ``.jsonl`` named ``x``
    (news dumps usually arrive gzipped)."""
    if path.suffix.lower() == ".gz":
        inner = Path(path.stem)
        return inner.suffix.lower(), inner.stem
    return path.suffix.lower(), path.stem
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


class _Skip(Exception):
    """This file (or record) is skipped; the message is its warning."""


def load_articles(paths: Iterable[str | Path]) -> LoadResult:
    """Load every article under ``paths`` (files or folders, walked recursively in sorted order)."""
    files: list[tuple[Path, bool]] = []  # (file, named explicitly)
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists() and not path.is_symlink():  # a broken or looping link is a bad file, not a typo
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
        if _kind(path)[0] not in TEXT_SUFFIXES:
            if explicit:  # in a folder walk, .DS_Store, images etc. are not articles: silent
                warnings.append(f"{path}: skipped, unknown file type {path.suffix or '(none)'!r} "
                                f"(use {', '.join(TEXT_SUFFIXES)}, or any of them .gz)")
                skipped += 1
            continue
        try:
            resolved = str(path.resolve(strict=True))
        except (OSError, RuntimeError) as err:  # a symlink loop or a link to nothing
            reason = "a symlink loop" if _is_loop(err) else "a broken symlink"
            warnings.append(f"{path}: skipped, cannot read it: {reason} (fix or remove the link)")
            skipped += 1
            continue
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
        except RecursionError:  # json (and a few parsers) recurse per nesting level
            warnings.append(f"{path}: skipped, nested too deeply to parse")
            skipped += 1
            continue
        for item in loaded:
            if not isinstance(item, _Skip):
                item = clean_article(item)
                if not item.text.strip():
                    item = _Skip(f"{path}: skipped article {item.id!r}, no text left after removing control "
                                 "and invisible characters")
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


def _is_loop(err: Exception) -> bool:
    return isinstance(err, RuntimeError) or getattr(err, "errno", None) == 40 or "loop" in str(err).lower()


def _read_bytes(path: Path) -> bytes:
    if path.suffix.lower() != ".gz":
        return path.read_bytes()
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read(MAX_GZ_BYTES + 1)
    except (OSError, EOFError, zlib.error) as err:
        raise _Skip(f"{path}: skipped, not a readable gzip file ({err})") from None
    if len(data) > MAX_GZ_BYTES:
        raise _Skip(f"{path}: skipped, expands to over {MAX_GZ_BYTES >> 20} MiB")
    return data


def _read_text(path: Path, warnings: list[str]) -> str:
    data = _read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: NUL bytes but not binary
        return data.decode("utf-16", errors="replace")
    nul = data.find(b"\x00")
    if nul >= 0:  # anywhere, not only in the first block: text files have no NUL bytes
        raise _Skip(f"{path}: skipped, binary content (a NUL byte at offset {nul}) in a {path.suffix} file")
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
    (suffix, stem), where = _kind(path), str(path.resolve())
    if suffix == ".txt":
        yield Article(stem, text, title=headline(text), path=where)
    elif suffix in (".md", ".markdown"):
        meta, body = split_front_matter(text)
        body = _HTML_COMMENT.sub("", body)  # <!-- ... --> is not shown by any Markdown renderer
        if not body.strip():
            raise _Skip(f"{path}: skipped, no article text after the front matter")
        yield _article(meta, stem, body, where, title=markdown_heading(body))
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
    return Article(id=stem, text=text, title=field(meta, TITLE_KEYS) or title,
                   source=source(meta), url=field(meta, URL_KEYS),
                   published=parse_published(first(meta, DATE_KEYS)), path=where)


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
        text = first(meta, TEXT_KEYS)
        if not isinstance(text, str) or not text.strip():
            yield _Skip(f"{place}: skipped, the record has no text (expected one of {', '.join(TEXT_KEYS)})")
            continue
        bad = _lone_surrogate(record)
        if bad:
            yield _Skip(f"{place}: skipped, invalid Unicode (a lone surrogate {bad}) in the record")
            continue
        article_id = meta.get("id")
        article_id = str(article_id).strip() if article_id not in (None, "") else f"{stem}#{n}"
        yield _article(meta, article_id, text.lstrip("\ufeff"), where)


def _lone_surrogate(value) -> str | None:
    """The first unpaired UTF-16 surrogate (``\\ud800``) in a JSON value, escaped; None if clean."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = re.search(r"[\ud800-\udfff]", item)
            if found:
                return f"\\u{ord(found.group()):04x}"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _json_records(path: Path, text: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _Skip(f"{path}:{err.lineno}: skipped, malformed JSON ({err.msg})") from None
    if isinstance(data, dict) and first({k.lower(): v for k, v in data.items()}, TEXT_KEYS) is None:
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
            record = json.loads(line)
        except json.JSONDecodeError as err:
            record = _Skip(f"{path}:{lineno}: skipped, malformed JSON ({err.msg})")
        except RecursionError:
            record = _Skip(f"{path}:{lineno}: skipped, JSON nested too deeply to parse")
        yield n, f"{path}:{lineno}", record


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
