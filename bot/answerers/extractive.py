"""The answerer that generates nothing: it picks the passage sentences that answer the question.

Each candidate sentence is scored by the question's key words it contains (rare ones —
found in few of the retrieved sentences — count more), whether it names the question's
names, whether it has what the question asks for (a name for "who", a figure for "how
many", a date for "when"), and the rank of its passage. The best one to three sentences
are returned verbatim, each followed by its ``[n]`` marker; they still go through
verification like any draft. Instruction-like sentences ("ignore previous instructions")
are never picked.

Example::

    >>> from index.chunking import Chunk
    >>> from bot.core.passage import Passage
    >>> t = "The talks were held in Lagos. The city is represented by Ana Reyes."
    >>> p = Passage(Chunk("a#0", "a", t, 0, len(t)), 0.7, 2.0, 1, 0.03)
    >>> ExtractiveAnswerer().draft("Who represents the city?", [p])
    'The city is represented by Ana Reyes. [1]'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from bot.answering.untrusted import looks_like_instruction
from bot.core.passage import Passage
from bot.core.records import Turn
from bot.text.claims import claim_features, index_text, name_found
from bot.text.sentences import ends_sentence, sentence_spans
from bot.text.tokens import stem, word_tokens
from bot.text.wordlists import MONTHS, NOT_NAME_STARTERS, WEEKDAYS

MAX_SENTENCES = 3
KEEP_RATIO = 0.6  # a further sentence must score at least this share of the best one
MAX_SENTENCE_CHARS = 600
PROXIMITY_BONUS = 1.0  # per pair of question terms said close together ("the city is represented")
PROXIMITY_WINDOW = 3
_MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS)
_WEEKDAY_NAMES = "|".join(d.capitalize() for d in WEEKDAYS)
_MONTH = re.compile(r"\b(?:" + _MONTH_NAMES + r")[a-z]*\.?\s+\d{1,2}\b|\b(?:19|20)\d\d\b"
                    r"|\b(?:" + _WEEKDAY_NAMES + r"|yesterday|today|week)\b")
# Two capitalised words, the first not a title, article or place word ("United States").
_PERSON = re.compile(r"(?<![\w.])(?!(?:" + "|".join(sorted(NOT_NAME_STARTERS)) + r")\b)"
                     r"[A-Z][a-z]+ [A-Z][a-z]+(?![\w.])")
_WANTS = [
    (re.compile(r"^\s*(?:how\s+(?:many|much|long|old|big|large)|what\s+(?:percentage|share|number|amount|figure))\b", re.I), "number"),
    (re.compile(r"^\s*(?:when|what\s+(?:day|date|time|year|month))\b", re.I), "date"),
    (re.compile(r"^\s*(?:who|whom|whose|which\s+(?:official|person|people|leader|country|countries))\b", re.I), "name"),
    (re.compile(r"^\s*where\b", re.I), "name"),
]


@dataclass(frozen=True)
class _Candidate:
    passage: int  # 1-based marker
    text: str
    score: float
    stems: frozenset[str]
    bonus: float = 0.0  # how well it has what the question asks for (a person, a figure, a date)


class ExtractiveAnswerer:
    name = "extractive"
    generates = False
    model = "extractive-v1"

    def draft(self, question: str, passages: Sequence[Passage], on_token=None) -> str:
        picked = self.pick(question, passages)
        text = " ".join(f"{c.text} [{c.passage}]" for c in picked)
        if on_token is not None and text:
            on_token(text)
        return text

    def rewrite_question(self, question: str, history: Sequence[Turn]) -> str | None:
        return None  # the deterministic rewrite in bot/condense.py is used

    def pick(self, question: str, passages: Sequence[Passage]) -> list[_Candidate]:
        q = claim_features(question)
        q_names = {n for n in q.names}
        entities = _entities(question, q_names)  # "Ana Reyes" counts once, by either word
        wants = next((kind for rx, kind in _WANTS if rx.search(question)), None)
        sentences = []
        for n, p in enumerate(passages, start=1):
            for s, e in sentence_spans(p.chunk.text):
                text = p.chunk.text[s:e]
                if len(text) > MAX_SENTENCE_CHARS or looks_like_instruction(text) or len(text.split()) < 4:
                    continue
                sentences.append((n, p, text, index_text(text)))
        sentences = _drop_fragments(sentences)
        if not sentences:
            return []
        # Rare question words (in few candidate sentences) identify the answer better.
        df = {s: sum(1 for *_, idx in sentences if s in idx.stems) for s in q.content}
        weight = {s: 1.0 + math.log((1 + len(sentences)) / (1 + df[s])) for s in q.content}
        name_weight = 1.0 + max(weight.values(), default=1.0)
        candidates: dict[str, _Candidate] = {}
        for n, p, text, idx in sentences:
            score = sum(w for s, w in weight.items() if s in idx.stems)
            score += sum(name_weight for entity in entities if any(name_found(n, idx) for n in entity))
            score += PROXIMITY_BONUS * _adjacent_pairs(text, q.content | {stem(n) for n in q_names})
            if score <= 0:
                continue
            bonus = self._answer_bonus(wants, text, q_names, q.content)
            score += bonus * name_weight
            if not ends_sentence(text) or text[:1].islower():
                score *= 0.7  # a headline, or a sentence cut by the chunker: not a whole statement
            score *= 1.0 / (1.0 + 0.08 * (p.fused_rank - 1 if p.fused_rank else n - 1))
            key = " ".join(text.split()).lower()
            if key not in candidates or candidates[key].score < score:
                candidates[key] = _Candidate(n, text.strip(), score, idx.stems, bonus)
        ranked = sorted(candidates.values(), key=lambda c: (-c.score, c.passage, c.text))
        if not ranked or (wants == "number" and ranked[0].bonus < 1.0):
            return []  # "how much/many" and no sentence states a figure for it: no answer here
        chosen = [ranked[0]]
        for c in ranked[1:]:
            if len(chosen) == MAX_SENTENCES or c.score < KEEP_RATIO * ranked[0].score:
                break
            if wants and c.bonus < ranked[0].bonus:
                continue  # the best sentence has the asked-for person/figure/date; this one lacks it
            if any(_overlap(c.stems, o.stems) > 0.6 for o in chosen):
                continue  # says the same as a chosen sentence (verification cites both articles)
            chosen.append(c)
        return chosen

    @staticmethod
    def _answer_bonus(wants: str | None, text: str, q_names: set[str], q_content=frozenset()) -> float:
        if wants == "number":
            # the figure must be said of what is asked: "reduced to 20 points" for "how many
            # points", not "$106 billion" in a sentence that happens to mention envoys
            return _figure_near(text, set(q_content) | {stem(n) for n in q_names})
        if wants == "date":
            return 1.0 if _MONTH.search(text) else 0.0
        if wants == "name":
            # A person ("Ana Reyes": two capitalised words) answers "who" best.
            people = [m for m in _PERSON.finditer(text) if not any(part in q_names for part in m.group(0).split())]
            if people:
                # ... especially right next to the question's verb or noun ("represented by Ana Reyes")
                words = list(re.finditer(r"[A-Za-z][A-Za-z'’]*", text))
                asked = set(q_content) | {stem(n) for n in q_names}
                hits = [i for i, w in enumerate(words) if stem(w.group(0)) in asked]
                spots = [i for i, w in enumerate(words) if any(m.start() <= w.start() < m.end() for m in people)]
                near = any(abs(i - j) <= PROXIMITY_WINDOW for i in hits for j in spots)
                return 1.5 if near else 0.75
            new = claim_features(text).names - q_names
            return 0.5 if any(len(n) > 3 for n in new) else 0.0
        return 0.0


_MONTH_WORD = re.compile(r"^(?:" + _MONTH_NAMES + r")", re.IGNORECASE)
FIGURE_NEAR = 6  # words between a figure and a question word for the figure to answer it
_FIGURE_WORD = re.compile(r"^(?:\d[\d,.]*|zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|"
                          r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|"
                          r"billions?|dozens?|tens)$", re.IGNORECASE)


def _figure_near(text: str, asked: set[str]) -> float:
    """1.0 when a figure stands within FIGURE_NEAR words of a question word, 0.3 when the
    sentence only has a figure somewhere, else 0."""
    words = re.findall(r"[A-Za-z][A-Za-z'’]*|\d[\d,.]*", re.sub(r"[-–—/$]", " ", text))
    # a day of the month or a year says when, not how many
    figures = [i for i, w in enumerate(words) if _FIGURE_WORD.match(w)
               and not (i and _MONTH_WORD.match(words[i - 1])) and not re.fullmatch(r"(?:19|20)\d\d", w)]
    if not figures:
        return 0.0
    hits = [i for i, w in enumerate(words) if w[:1].isalpha() and stem(w) in asked]
    return 1.0 if any(abs(i - j) <= FIGURE_NEAR for i in figures for j in hits) else 0.3


def _entities(question: str, names: set[str]) -> list[tuple[str, ...]]:
    """The question's names grouped into runs: "Ana Reyes", "Canadians"."""
    groups: list[list[str]] = []
    previous = False
    for tok in word_tokens(question):
        bare = tok[:-2] if tok.endswith(("'s", "’s")) else tok
        if bare in names:
            if previous:
                groups[-1].append(bare)
            else:
                groups.append([bare])
            previous = not tok.endswith(("'s", "’s"))
        else:
            previous = False
    return list(dict.fromkeys(tuple(g) for g in groups))


def _drop_fragments(sentences):
    """Overlapping chunks cut sentences: keep the whole sentence when another passage has it."""
    spans = [(p.article_id, p.chunk.start + p.chunk.text.find(text), len(text)) for _, p, text, _ in sentences]
    spans = [(a, start, start + length) for a, start, length in spans]
    kept = []
    for item, (a, s, e) in zip(sentences, spans):
        inside = any(a == a2 and s2 <= s and e <= e2 and (s2, e2) != (s, e) for a2, s2, e2 in spans)
        if not inside:
            kept.append(item)
    return kept


def _adjacent_pairs(text: str, terms: set[str]) -> int:
    """How many pairs of distinct question terms occur within PROXIMITY_WINDOW words."""
    stems = [stem(w) for w in re.findall(r"[A-Za-z][A-Za-z'’]*", text)]
    hits = [(i, s) for i, s in enumerate(stems) if s in terms]
    pairs = {frozenset((a, b)) for (i, a), (j, b) in zip(hits, hits[1:]) if a != b and j - i <= PROXIMITY_WINDOW}
    return len(pairs)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
