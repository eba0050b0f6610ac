"""Pure: Article → [Chunk] sized in embedder tokens, with exact character offsets.

The only module importing langchain-text-splitters. The splitter cuts at paragraphs, then
lines, then sentences, then words (characters only for an unbreakable run), measuring in
the embedder's own tokens; we compute the offsets ourselves, because the splitter's
``add_start_index`` is wrong with a token length function (-1, or an earlier duplicate's
offset when paragraphs repeat).

Worked example (one "token" per word here; real use passes ``embedder.count_tokens``):

>>> from index.sources.article import Article
>>> article = Article("a1", "Talks resume. Envoys meet.\\n\\nTalks resume. Envoys meet.", title="Talks")
>>> chunks = chunk_article(article, lambda t: len(t.split()), max_tokens=4, overlap_tokens=0)
>>> [(c.id, c.start, c.end, c.text) for c in chunks]
[('a1#0000', 0, 26, 'Talks resume. Envoys meet.'), ('a1#0001', 28, 54, 'Talks resume. Envoys meet.')]
>>> all(article.text[c.start:c.end] == c.text for c in chunks), chunks[1].title
(True, 'Talks')
"""

from __future__ import annotations

import re
from typing import Callable

from bot.core.passage import Chunk

__all__ = ["Chunk", "chunk_article"]

# Paragraphs → lines → sentences → clauses → words → characters. Sentence separators stay
# at the end of the piece they close (keep_separator="end"), so chunks end on a full stop.
SEPARATORS = ["\n\n", "\n", ". ", "! ", "? ", "。", "; ", ", ", " ", ""]




def chunk_article(article, token_length: Callable[[str], int], max_tokens: int = 200,
                  overlap_tokens: int = 32) -> list[Chunk]:
    """Split ``article.text`` into chunks of at most ``max_tokens`` tokens (by ``token_length``),
    consecutive chunks sharing about ``overlap_tokens``; ids ``<article_id>#<nnnn>`` (0-based)."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    overlap_tokens = max(0, min(overlap_tokens, max_tokens // 2))
    text = article.text
    if not text.strip():
        return []
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    token_length = _memoised(token_length)  # the splitter measures the same pieces repeatedly

    # The splitter's own overlap works in whole pieces (a sentence or line), so with long
    # sentences it mostly gives none. We split into back-to-back bodies of at most
    # ``max_tokens - overlap_tokens`` tokens, then prepend to each body the last words of the
    # one before, up to ``overlap_tokens``: every chunk overlaps and none exceeds max_tokens.
    budget = max_tokens - overlap_tokens
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=budget, chunk_overlap=0, length_function=token_length,
        separators=SEPARATORS, keep_separator="end", strip_whitespace=True)
    bodies: list[tuple[int, int]] = []
    for piece in splitter.split_text(text):
        span = _locate(text, piece, bodies[-1][1] if bodies else 0)
        bodies.extend(_fit(text, span, token_length, budget))
    spans = bodies[:1]
    for body in bodies[1:]:
        spans.append((_overlap_start(text, spans[-1], body, token_length, max_tokens, overlap_tokens), body[1]))
    chunks = []
    for n, (start, end) in enumerate(spans):
        chunks.append(Chunk(id=f"{article.id}#{n:04d}", article_id=article.id, text=text[start:end],
                            start=start, end=end, title=article.title, source=article.source,
                            url=article.url, published=article.published,
                            fetched_at=getattr(article, "fetched_at", None)))
    return chunks


def _memoised(token_length: Callable[[str], int]) -> Callable[[str], int]:
    known: dict[str, int] = {}

    def measured(piece: str) -> int:
        if piece not in known:
            known[piece] = token_length(piece)
        return known[piece]

    return measured


def _locate(text: str, piece: str, after: int) -> tuple[int, int]:
    """Where ``piece`` sits in ``text``: bodies are back to back, so it is the first occurrence
    at or after the previous body's end (a repeated paragraph maps to its own occurrence)."""
    at = text.find(piece, after)
    if at != -1 and not text[after:at].strip():
        return at, at + len(piece)
    # The splitter changed whitespace (it should not): match the same words with any
    # whitespace between them, and take the article's own characters for the chunk.
    pattern = re.compile(r"\s+".join(map(re.escape, piece.split())))
    match = pattern.search(text, after)
    if match is None:  # a splitter bug, not bad input
        raise ValueError(f"chunk text not found in article after offset {after}: {piece[:60]!r}")
    return match.start(), match.end()


def _overlap_start(text: str, prev: tuple[int, int], body: tuple[int, int],
                   token_length: Callable[[str], int], max_tokens: int, overlap_tokens: int) -> int:
    """Start of the chunk for ``body``: the earliest word start after the previous chunk's start
    whose tail holds at most ``overlap_tokens`` tokens and keeps the chunk within ``max_tokens``.

    Both tests get easier for later starts (shorter strings), so the answer is the later of the
    first start passing each. The tail test is searched backwards from the last word, doubling
    the step — it measures only short tails, not whole chunks — and the chunk test is then
    checked from there (it nearly always passes at once: the body has room for the overlap).
    """
    if overlap_tokens <= 0:
        return body[0]
    starts = [prev[0] + m.start() for m in re.finditer(r"\S+", text[prev[0]:prev[1]])][1:]
    n = len(starts)

    def tail_fits(i: int) -> bool:
        return token_length(text[starts[i]:prev[1]]) <= overlap_tokens

    if not n or not tail_fits(n - 1):
        return body[0]
    fits, step = n - 1, 1  # fits: an index known to pass; below: one known to fail (-1: none)
    while True:
        probe = fits - step
        if probe < 0:
            below = -1
            break
        if not tail_fits(probe):
            below = probe
            break
        fits, step = probe, step * 2
    while fits - below > 1:
        mid = (below + fits) // 2
        if tail_fits(mid):
            fits = mid
        else:
            below = mid
    i = fits
    while i < n and token_length(text[starts[i]:body[1]]) > max_tokens:
        i += 1
    return starts[i] if i < n else body[0]


def _fit(text: str, span: tuple[int, int], token_length: Callable[[str], int],
         max_tokens: int) -> list[tuple[int, int]]:
    """Guard: the splitter adds up per-piece token counts, and joined pieces can tokenise
    longer (or a single 'word' can be huge); cut any span still over ``max_tokens``, preferring
    whitespace, then any character, with the longest prefix that fits."""
    start, end = span
    out = []
    while start < end:
        if token_length(text[start:end]) <= max_tokens:
            out.append((start, end))
            break
        low, high = start + 1, end  # longest prefix end (exclusive) that still fits
        while low < high:
            mid = (low + high + 1) // 2
            if token_length(text[start:mid]) <= max_tokens:
                low = mid
            else:
                high = mid - 1
        cut = low
        space = text.rfind(" ", start + 1, cut + 1)
        if space > start and (cut - space) < (cut - start) // 2 and token_length(text[start:space]) <= max_tokens:
            cut = space
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        out.append((start, max(piece_end, start + 1)))
        start = max(cut, start + 1)
        while start < end and text[start].isspace():
            start += 1
    return out
