"""Pure: the candidate sentences of the retrieved passages, and what each says about the question.

Every feature means the same thing in any English news article; none names a word of a
particular story. For a question and one sentence of a retrieved passage:

* ``dense``, ``dense_gap``, ``dense_top`` — MiniLM cosine similarity of the question to the
  sentence itself, its gap to the best candidate, and whether it is the best;
* ``lexical``, ``lexical_ctx`` — the question's content words found in the sentence (and in
  the sentence plus its article's title), each weighted by its rarity among the candidates;
* ``names``, ``names_ctx`` — share of the question's names said in the sentence / its context;
* ``year_ok``, ``year_conflict``, ``figures``, ``quoted`` — the question's constraints: a year
  it asks about stated by the sentence or its article (title, date), another year stated
  instead, its other figures and quoted titles found;
* ``kind``, ``kind_near``, ``kind_agree`` — a phrase of the kind asked for (a person for
  "who", a date for "when", a figure for "how many", a place for "where"), not one already in
  the question; said near the question's words; repeated by other articles' candidates;
* ``head_match``, ``answer_in_title`` — the phrase names or stands by the thing a which/what
  question asks for ("Hurricane Ada" for "which hurricane"); the phrase is in the title;
* ``lexical_gap``, ``article_lexical`` — the sentence's lexical score minus the best candidate's;
  the best lexical score of any candidate of its article (is the article about this at all?);
* ``bigrams`` — the question's adjacent content-word pairs said together ("running mate");
* ``title_dense`` — MiniLM similarity of the question to the article's title;
* ``novel`` — share of the sentence's content words the question does not already have;
* ``rank``, ``lead``, ``fresh``, ``stale``, ``undated`` — passage rank, sentence near the top of
  its article, article published within a week before the as-of date (for "this week"
  questions), long before it, or not dated;
* ``length`` — the form of the sentence.

A sentence that asks a question ("What is the Perseid meteor shower?") is not a candidate: it
states nothing, so it can answer nothing.

The weights that turn these into a probability are learned (``evals/train_scorer.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Sequence

from bot.answering.untrusted import looks_like_instruction
from bot.core.passage import Passage
from bot.text.answer_spans import YEAR, Span, date_spans, figure_spans, name_spans
from bot.text.question import Question
from bot.text.sentences import ends_sentence, sentence_spans
from bot.text.tokens import stem
from bot.text.wordlists import FUNCTION_WORDS

FEATURES = ("bias", "dense", "dense_gap", "dense_top", "lexical", "lexical_ctx", "names", "names_ctx",
            "year_ok", "year_conflict", "figures", "quoted", "kind", "kind_near", "kind_agree", "head_match",
            "answer_in_title", "lexical_gap", "bigrams", "article_lexical", "title_dense", "novel",
            "rank", "lead", "fresh", "stale", "undated", "length")
MIN_WORDS, MAX_CHARS = 4, 600
NEAR_WORDS = 6  # an answer phrase within this many words of a question word is "near"
FRESH_DAYS, STALE_DAYS = 8, 60
_PLACE_BEFORE = re.compile(r"(?:\b(?:in|at|from|to|near|across|of|into|outside|inside)\s+(?:the\s+)?)$", re.I)
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")
_QUESTION_END = re.compile(r"\?[\"'”’)\]]*\s*$")


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage. ``passage.chunk.text[start:end] == text``."""

    text: str
    passage: int  # 0-based index into the passages
    start: int
    end: int
    rank: int  # the passage's fused rank (1 = best)
    article_id: str
    title: str
    published: str | None
    offset: int  # where the sentence starts in its article


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """Whole sentences of the passages, each once (overlapping chunks repeat sentences)."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        text = p.chunk.text
        for s, e in sentence_spans(text):
            sentence = text[s:e]
            if len(sentence) > MAX_CHARS or len(sentence.split()) < MIN_WORDS or looks_like_instruction(sentence):
                continue  # too long or short to quote, or text addressing a model, not news
            if sentence[:1].islower() or (e == len(text) and not ends_sentence(sentence) and s > 0):
                continue  # a piece of a sentence cut by the chunk boundary (the whole one is in a neighbour)
            if _QUESTION_END.search(sentence):
                continue  # a question asks; it states no answer
            key = (p.article_id, p.chunk.start + s)
            if key in seen or (p.article_id, sentence) in seen:
                continue
            seen.update({key, (p.article_id, sentence)})  # type: ignore[arg-type]
            out.append(Candidate(sentence, i, s, e, p.fused_rank or i + 1, p.article_id,
                                 p.chunk.title or "", p.chunk.published, p.chunk.start + s))
    return out


def content_stems(text: str) -> set[str]:
    """Stems of the content words of ``text`` (function words and short words left out)."""
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in FUNCTION_WORDS and len(w) >= 3}


def answer_phrases(question: Question, sentence: str) -> list[Span]:
    """Phrases of the asked-for kind in ``sentence`` that the question does not already contain."""
    asked = {w.lower() for w in _WORD.findall(question.text)}
    if question.kind == "date":
        spans = date_spans(sentence)
    elif question.kind == "number":
        spans = figure_spans(sentence)
    elif question.kind == "person":
        # a person is named in full on first mention ("Ada Lind"); a lone capitalised word is
        # more often a place, a team or a demonym
        spans = [s for s in name_spans(sentence) if len(s.text.split()) >= 2 and not _is_date(s.text)]
    elif question.kind == "place":
        spans = [s for s in name_spans(sentence) if _PLACE_BEFORE.search(sentence[:s.start])] or \
                [s for s in name_spans(sentence) if not _is_date(s.text)]
    else:
        spans = [s for s in name_spans(sentence) if not _is_date(s.text)] + figure_spans(sentence)
    return [s for s in spans if not {w.lower() for w in _WORD.findall(s.text)} <= asked]


def _is_date(text: str) -> bool:
    return bool(date_spans(text)) and date_spans(text)[0].text == text


def featurise(question: Question, cands: Sequence[Candidate], dense: Sequence[float],
              as_of: dt.date | None = None, title_dense: Sequence[float] | None = None) -> list[tuple[float, ...]]:
    """One feature vector (in FEATURES order) per candidate. ``dense[i]`` is the cosine
    similarity of the question to ``cands[i].text``, ``title_dense[i]`` to its article's title."""
    if not cands:
        return []
    q_stems = content_stems(question.text) - {stem(w) for n in question.names for w in _WORD.findall(n)} \
        or content_stems(question.text)
    q_order = sorted(q_stems)  # the idf sums run in one order: the same last bits in every process
    stems = [content_stems(c.text) for c in cands]
    ctx = [s | content_stems(c.title) for s, c in zip(stems, cands)]
    df = {w: sum(1 for s in stems if w in s) for w in q_order}
    idf = {w: math.log((1 + len(cands)) / (1 + df[w])) + 1.0 for w in q_order}
    total = sum(idf.values()) or 1.0
    best = max(dense)
    phrases = [answer_phrases(question, c.text) for c in cands]
    agree = _agreement(phrases, cands)
    rows = []
    for i, c in enumerate(cands):
        low, title_low = c.text.lower(), c.title.lower()
        names = [_name_in(n, low) for n in question.names]
        names_ctx = [_name_in(n, low) or _name_in(n, title_low) for n in question.names]
        years_here = set(YEAR.findall(c.text))
        years_ctx = years_here | set(YEAR.findall(c.title)) | ({c.published[:4]} if c.published else set())
        year_ok = any(y in years_ctx for y in question.years)
        age = _age_days(c.published, as_of)
        near = _near(c.text, phrases[i], q_stems)
        rows.append((
            1.0,
            dense[i],
            dense[i] - best,
            1.0 if dense[i] >= best else 0.0,
            sum(idf[w] for w in q_order if w in stems[i]) / total,
            sum(idf[w] for w in q_order if w in ctx[i]) / total,
            _share(names),
            _share(names_ctx),
            1.0 if question.years and year_ok else 0.0,
            1.0 if question.years and years_here and not any(y in years_here for y in question.years) else 0.0,
            _share([f in _figures_of(c.text) for f in question.figures]),
            _share([q.lower() in low or q.lower() in title_low for q in question.quoted]),
            1.0 if phrases[i] else 0.0,
            near,
            math.log1p(agree[i]),
            1.0 if _head_match(c.text, phrases[i], question.head) else 0.0,
            1.0 if any(s.text.lower() in title_low for s in phrases[i]) else 0.0,
            0.0,  # lexical_gap, filled below
            _bigram_share(question.text, c.text),
            0.0,  # article_lexical, filled below
            title_dense[i] if title_dense is not None else 0.0,
            len(stems[i] - q_stems) / max(1, len(stems[i])),
            1.0 / c.rank,
            1.0 if c.offset < 400 else 0.0,
            1.0 if question.recent and age is not None and -1 <= age <= FRESH_DAYS else 0.0,
            1.0 if age is not None and age > STALE_DAYS else 0.0,
            1.0 if age is None else 0.0,
            math.log(len(c.text.split())),
        ))
    lex, gap, art = FEATURES.index("lexical"), FEATURES.index("lexical_gap"), FEATURES.index("article_lexical")
    top = max(r[lex] for r in rows)
    best_in: dict[str, float] = {}
    for r, c in zip(rows, cands):
        best_in[c.article_id] = max(best_in.get(c.article_id, 0.0), r[lex])
    out = []
    for r, c in zip(rows, cands):
        v = list(r)
        v[gap], v[art] = r[lex] - top, best_in[c.article_id]
        out.append(tuple(v))
    return out


def _bigram_share(question: str, sentence: str) -> float:
    """Share of the question's adjacent content-word pairs said, in order, within three words."""
    q = [stem(w) for w in _WORD.findall(question) if w.lower() not in FUNCTION_WORDS]
    pairs = {(a, b) for a, b in zip(q, q[1:]) if a != b}
    if not pairs:
        return 0.0
    words = [stem(w) for w in _WORD.findall(sentence)]
    where: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        where.setdefault(w, []).append(i)
    found = sum(1 for a, b in pairs if any(0 < j - i <= 3 for i in where.get(a, ()) for j in where.get(b, ())))
    return found / len(pairs)


def _head_match(sentence: str, spans: Sequence[Span], head: Sequence[str]) -> bool:
    """An answer phrase names the asked-for thing ("Hurricane Ada" for "which hurricane"), or
    stands within two words of it ("the Ada hurricane")."""
    if not head or not spans:
        return False
    stems = {stem(h) for h in head}
    words = list(_WORD.finditer(sentence))
    for s in spans:
        if any(stem(w) in stems for w in _WORD.findall(s.text)):
            return True
        near = [m.group(0) for m in words if s.start - 25 <= m.start() < s.end + 25]
        if any(stem(w) in stems for w in near):
            return True
    return False


def _share(found: Sequence[bool]) -> float:
    """Share of constraints met; 1.0 when the question has none (nothing to miss)."""
    return sum(found) / len(found) if found else 1.0


def _name_in(name: str, low: str) -> bool:
    """All words of the name appear in the (lower-cased) text, as words."""
    words = [w.lower() for w in _WORD.findall(name) if w.lower() not in FUNCTION_WORDS]
    return bool(words) and all(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", low) for w in words)


def _figures_of(text: str) -> set[str]:
    return {re.sub(r"(?:st|nd|rd|th)$", "", m.replace(",", "")) for m in re.findall(r"\d[\d,]*(?:st|nd|rd|th)?", text)}


def _age_days(published: str | None, as_of: dt.date | None) -> int | None:
    if not published or as_of is None:
        return None
    try:
        return (as_of - dt.date.fromisoformat(published[:10])).days
    except ValueError:
        return None


def _near(sentence: str, spans: Sequence[Span], q_stems: set[str]) -> float:
    """1 / (1 + words between an answer phrase and the nearest question word); 0 if none."""
    if not spans:
        return 0.0
    words = list(_WORD.finditer(sentence))
    hits = [m.start() for m in words if stem(m.group(0)) in q_stems]
    if not hits:
        return 0.0
    starts = [m.start() for m in words]
    best = min(abs(_index(starts, h) - _index(starts, s.start)) for h in hits for s in spans)
    return 1.0 / (1.0 + max(0, best - 1) / NEAR_WORDS)


def _index(starts: list[int], pos: int) -> int:
    return sum(1 for s in starts if s <= pos)


def _agreement(phrases: Sequence[Sequence[Span]], cands: Sequence[Candidate]) -> list[int]:
    """For each candidate, how many *other articles* state one of its answer phrases."""
    by_phrase: dict[str, set[str]] = {}
    for spans, c in zip(phrases, cands):
        for s in spans:
            by_phrase.setdefault(s.text.lower(), set()).add(c.article_id)
    return [max((len(by_phrase[s.text.lower()] - {c.article_id}) for s in spans), default=0)
            for spans, c in zip(phrases, cands)]
