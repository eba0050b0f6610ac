"""Article pages → clean text + title + author + date + canonical URL (the only trafilatura and
htmldate imports). No hand-written scraping: trafilatura drops navigation, ads, scripts and
footers; htmldate reads the publication date (JSON-LD, meta tags, URL, visible text) when
trafilatura's metadata has none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

# The extractors log their own "discarding data" notes; newsbot reports a page it cannot use
# as its one-line warning instead.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.ERROR)


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    author: str | None
    published: str | None  # YYYY-MM-DD or a full ISO timestamp; never invented
    url: str | None  # canonical URL when the page names one
    site: str | None  # the outlet's name (og:site_name, JSON-LD publisher)


def _decode(html: bytes | str) -> str:
    if isinstance(html, str):
        return html
    from trafilatura.utils import decode_file

    return decode_file(html)


def extract_page(html: bytes | str, url: str | None = None) -> Page | None:
    """The article of an HTML page, or None when it has no article text."""
    import trafilatura

    html = _decode(html)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if doc is None:
        return None
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    title = _clean(meta.get("title"))
    text = _strip_title(meta.get("text") or "", title)
    if not text.strip():
        return None
    published = _page_date(html, url) or _clean(meta.get("date"))
    return Page(text=text, title=title, author=_clean(meta.get("author")), published=published,
                url=_clean(meta.get("url")) or url, site=_clean(meta.get("sitename")))


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (feed content:encoded); paragraphs on their own lines."""
    import trafilatura

    wrapped = f"<html><body><article>{fragment}</article></body></html>"
    text = trafilatura.extract(wrapped, include_comments=False, include_tables=False, favor_recall=True)
    if text:
        return text
    from lxml import (
        html as lxml_html,  # trafilatura's own dependency; a plain-text fallback
    )

    try:
        return " ".join(lxml_html.fromstring(fragment).text_content().split())
    except Exception:  # noqa: BLE001 - lxml raises several types on odd fragments
        return ""


def _page_date(html: str, url: str | None) -> str | None:
    """The original publication day (YYYY-MM-DD) from JSON-LD, meta tags, the URL or the text."""
    from htmldate import find_date

    try:
        return find_date(html, url=url, original_date=True, extensive_search=False) or None
    except (ValueError, TypeError):
        return None


def _strip_title(text: str, title: str | None) -> str:
    """trafilatura repeats the headline (h1) as the first line: the title is kept apart."""
    text = text.strip()
    if title:
        first, _, rest = text.partition("\n")
        if " ".join(first.split()) == title and rest.strip():
            return rest.strip()
    return text


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
