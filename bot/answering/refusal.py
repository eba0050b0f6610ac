"""Pure: is the retrieved evidence strong enough to answer at all? Decided before any LLM call.

Two independent signals, either of which refuses:

* **similarity** — the best dense cosine similarity of a passage to the question is below
  ``threshold`` (``settings.refusal_threshold``, calibrated on the eval cases by
  ``newsbot eval --calibrate``) while the passages contain under ``STRONG_COVERAGE`` of the
  question's key terms, or is below ``FLOOR_RATIO`` × threshold whatever the words: the
  question is about something else entirely;
* **coverage** — the question's key terms are missing from the passages: a name (any
  capitalised term) of the question appears in no passage ("What did Tom Hale say?"
  against articles that never mention Hale has no answer here, however similar the
  topic), none of its key content words does ("What is the weather in Lagos?" against
  articles that mention Lagos only as the venue of talks), or under ``MIN_COVERAGE`` of
  its key terms (names weigh double) do.

Example::

    >>> from index.chunking import Chunk
    >>> from bot.core.passage import Passage
    >>> p = Passage(Chunk("a#0", "a", "Ana Reyes represents Lagos in the talks.", 0, 40), 0.61, 3.2, 1, 0.03)
    >>> assess_evidence("Who represents Lagos in the talks?", [p], 0.3).refuse
    False
    >>> e = assess_evidence("What did Tom Hale say about the talks?", [p], 0.3)
    >>> (e.refuse, e.missing)
    (True, ('Hale', 'Tom'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bot.core.passage import Passage
from bot.text.claims import claim_features, index_text, name_found
from bot.text.tokens import stem

STRONG_COVERAGE = 0.75  # at or above this share of key terms found, only a very low similarity refuses
FLOOR_RATIO = 0.5  # "very low": under this share of the threshold
MIN_COVERAGE = 0.3  # weighted share of the question's key terms the passages must contain
# Words that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = {stem(w) for w in """happen happened happening think thinks thought know known
mean means meaning role position view views stance opinion latest news current currently
situation explain describe details detail detailed information info summary summarise summarize
respond response reaction react reacted job jobs title titles occupation profession work works
working responsibility responsibilities background identity involvement involved part""".split()}


@dataclass(frozen=True)
class Evidence:
    refuse: bool
    best_dense: float | None  # best cosine similarity among the passages (None: no dense hit)
    coverage: float  # 0..1 weighted share of the question's key terms found in the passages
    closest: tuple[str, ...]  # article ids, best first
    missing: tuple[str, ...] = ()  # question names found in no passage
    reason: str = ""


def assess_evidence(question: str, passages: Sequence[Passage], threshold: float) -> Evidence:
    passages = list(passages)
    closest = _closest_articles(passages)
    dense = [p.dense_score for p in passages if p.dense_score is not None]
    best = max(dense) if dense else None
    if not passages:
        return Evidence(True, None, 0.0, (), (), "nothing was retrieved")
    claim = claim_features(question)
    idx = index_text("\n".join(p.chunk.text for p in passages))
    names = sorted(claim.names)
    content = sorted(claim.content - QUESTION_WORDS)
    missing = tuple(n for n in names if not name_found(n, idx))
    total = 2 * len(names) + len(content)
    got = 2 * (len(names) - len(missing)) + sum(1 for s in content if s in idx.stems)
    cover = got / total if total else 1.0
    # Full lexical evidence (every name, most key words) outweighs a middling cosine: MiniLM
    # scores "Which year of the war is approaching?" 0.23 against the sentence that answers it.
    weak = cover < STRONG_COVERAGE or best is None or best < threshold * FLOOR_RATIO
    if best is not None and best < threshold and weak:
        reason = f"best similarity {best:.2f} is below the threshold {threshold:g}"
    elif missing:
        reason = f"no passage mentions {', '.join(missing)}"
    elif content and not any(s in idx.stems for s in content):
        reason = "no passage contains any key word of the question"
    elif cover < MIN_COVERAGE:
        reason = f"the passages contain only {cover:.0%} of the question's key terms"
    elif best is None and got == 0:
        reason = "no passage shares a word with the question"
    else:
        reason = ""
    return Evidence(bool(reason), best, round(cover, 4), closest, missing, reason)


def _closest_articles(passages: Sequence[Passage]) -> tuple[str, ...]:
    """Article ids, best first: by best dense score, then fused rank."""
    best: dict[str, tuple[float, int]] = {}
    for p in passages:
        key = (-(p.dense_score if p.dense_score is not None else -1.0), p.fused_rank)
        if p.article_id not in best or key < best[p.article_id]:
            best[p.article_id] = key
    return tuple(sorted(best, key=lambda a: (best[a], a)))
