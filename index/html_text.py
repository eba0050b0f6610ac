"""HTML page → (article text, metadata). The only module importing BeautifulSoup (bs4).

>>> text, meta = html_article("<html><head><title>Talks</title>"
...     "<meta property='article:published_time' content='2025-12-21T10:00:00Z'></head>"
...     "<body><nav>Home</nav><p>Council denies  talks.</p><p>More.</p></body></html>")
>>> text, meta["title"], meta["published"]
('Council denies talks.\\n\\nMore.', 'Talks', '2025-12-21T10:00:00Z')

Text comes from ``<article>`` (else ``<main>``, else ``<body>``) without script, style,
navigation and page furniture, and without anything a reader does not see: comments, ``<template>``,
elements with the ``hidden`` attribute, ``aria-hidden="true"``, an inline style that hides them
(``display:none``, ``visibility:hidden``, ``opacity:0``, ``font-size:0``) or a hiding class
(:data:`HIDDEN_CLASSES`); blocks (paragraphs, headings, list items) are separated by a
blank line and whitespace inside a block is collapsed.
"""

from __future__ import annotations

import json
import re

DROP_TAGS = ("script", "style", "noscript", "template", "nav", "svg", "iframe", "form", "button",
             "header", "footer", "aside")
BLOCK_TAGS = ("p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li",
              "ul", "ol", "blockquote", "pre", "table", "tr", "td", "th", "dl", "dt", "dd",
              "figure", "figcaption", "hr", "br", "address")
# <meta name|property|itemprop=...> naming the publication date, most specific first.
HIDDEN_CLASSES = ("hidden", "d-none", "display-none", "is-hidden", "invisible", "visually-hidden", "sr-only",
                  "screen-reader-only", "hide")
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
                           r"|opacity\s*:\s*0*(?:\.0*)?\s*(?:!important)?\s*(?:;|$)"
                           r"|font-size\s*:\s*0+(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:!important)?\s*(?:;|$))",
                           re.IGNORECASE)
DATE_META = ("article:published_time", "og:published_time", "og:article:published_time",
             "datepublished", "publishdate", "publish_date", "publish-date", "pubdate",
             "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
             "dcterms.created", "citation_publication_date", "date")


def html_article(html: str) -> tuple[str, dict[str, str]]:
    """``(text, meta)`` with meta keys title, source, url, published (raw date string)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    metas = _meta_tags(soup)
    meta: dict[str, str] = {}
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    title = title or metas.get("og:title") or metas.get("twitter:title") or ""
    published = next((metas[k] for k in DATE_META if metas.get(k)), None) or _json_ld_date(soup)
    if not published:
        time = soup.find("time", attrs={"pubdate": True}) or soup.find("time", attrs={"datetime": True})
        published = time.get("datetime") if time else None
    canonical = soup.find("link", rel="canonical")
    url = metas.get("og:url") or (canonical.get("href") if canonical else None)
    for key, value in (("title", title), ("source", metas.get("og:site_name")),
                       ("url", url), ("published", published)):
        if value and str(value).strip():
            meta[key] = " ".join(str(value).split())

    if not meta.get("title"):  # before page furniture goes: the h1 often sits in a <header>
        heading = soup.find("h1")
        if heading and heading.get_text(strip=True):
            meta["title"] = heading.get_text(" ", strip=True)
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    _drop_hidden(soup)
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", root.get_text()))
    return "\n\n".join(b for b in blocks if b), meta


def _drop_hidden(soup) -> None:
    """Remove comments and every element a browser would not show (see the module docstring)."""
    from bs4 import Comment, Declaration, ProcessingInstruction

    for node in soup.find_all(string=lambda s: isinstance(s, (Comment, Declaration, ProcessingInstruction))):
        node.extract()
    hidden = [tag for tag in soup.find_all(True) if _is_hidden(tag)]
    for tag in hidden:
        if not tag.decomposed:
            tag.decompose()


def _is_hidden(tag) -> bool:
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).strip().lower() == "true":
        return True
    if tag.name == "input" and str(attrs.get("type", "")).lower() == "hidden":
        return True
    classes = attrs.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    if any(c.lower() in HIDDEN_CLASSES for c in classes):
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(str(style).replace("\n", " ")))


def _meta_tags(soup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        content = tag.get("content")
        if key and content and key.lower() not in found:
            found[key.lower()] = content
    return found


def _json_ld_date(soup) -> str | None:
    """``datePublished`` from schema.org JSON-LD, which many news sites use instead of <meta>."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("datePublished"), str):
                    return item["datePublished"]
                stack.extend(v for v in item.values() if isinstance(v, (list, dict)))
    return None
