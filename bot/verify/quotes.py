"""Pure: the verbatim quote of a passage that best supports a claim, in article coordinates.

``best_quote`` finds the passage sentence (or the shortest run of adjacent sentences)
covering most of a claim's numbers, names and key words; ``article_text[start:end] == text``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bot.core.passage import Passage
from bot.text.claims import Features, claim_features, coverage, index_text
from bot.text.sentences import sentence_spans


@dataclass(frozen=True)
class Quote:
    text: str
    start: int  # in article coordinates: article_text[start:end] == text
    end: int
    score: float


MAX_SPAN_SENTENCES = 3
WIDER_PENALTY = 0.05


def best_quote(sentence: str | Features, passage: Passage) -> Quote:
    """The passage sentence, or shortest run of adjacent sentences, that best covers the
    claim; a wider run is taken only if it covers strictly more."""
    claim = sentence if isinstance(sentence, Features) else claim_features(sentence)
    text = passage.chunk.text
    spans = list(sentence_spans(text)) or [(0, len(text))]
    best = None  # (score, -width, -start): highest cover, then fewest sentences, then earliest
    for i in range(len(spans)):
        for width in range(1, MAX_SPAN_SENTENCES + 1):
            if i + width > len(spans):
                break
            s, e = spans[i][0], spans[i + width - 1][1]
            cov = coverage(claim, index_text(text[s:e]))
            # A wider span must earn its length: it wins only if it finds a missing number
            # or name, or covers clearly more of the claim.
            complete = not (cov.missing_numbers or cov.missing_names)
            key = (complete, round(cov.score - WIDER_PENALTY * (width - 1), 6), -width, -s)
            if best is None or key > best[0]:
                best = (key, s, e)
    s, e = best[1], best[2]
    score = coverage(claim, index_text(text[s:e])).score
    offset = passage.chunk.start
    return Quote(text[s:e], offset + s, offset + e, round(score, 4))


def quote_sentences(passage: Passage) -> list[Quote]:
    """Every sentence of a passage as a quote in article coordinates (score 0)."""
    off, text = passage.chunk.start, passage.chunk.text
    return [Quote(text[s:e], off + s, off + e, 0.0) for s, e in sentence_spans(text)]


def passages_text(passages: Sequence[Passage]) -> str:
    return "\n".join(p.chunk.text for p in passages)
