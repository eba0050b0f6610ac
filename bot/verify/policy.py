"""Pure: the whole draft — keep only the sentences the cited passages support, with quotes.

Policy for the sentences :mod:`bot.verify.support` rejects:

* a marker pointing at no passage is dropped (noted);
* a sentence its own citations don't support, but another retrieved passage does, is
  **re-cited** to that passage (noted) — the claim is true to the articles, only the pointer
  was wrong; otherwise it is dropped (or kept flagged with ``show_unsupported``);
* an uncited sentence gets the best supporting passage, or is dropped (never a pair of
  uncited passages: stitching is how unsupported combinations pass);
* other articles that support a kept sentence on their own are cited too;
* conflicting statements across passages add a sentence citing both sides (:mod:`bot.verify.conflicts`).

Markers are renumbered 1..m in order of first use; each :class:`Citation` is one verbatim
quote with its exact article span (one passage cited for two claims may yield two quotes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bot.core.passage import Passage
from bot.core.records import AnswerSentence, Citation
from bot.text.claims import Features, claim_features
from bot.text.draft import out_of_range_markers, parse_draft
from bot.verify.conflicts import find_conflicts
from bot.verify.quotes import Quote
from bot.verify.support import Support, check, verify_sentence  # noqa: F401 - verify_sentence re-exported


@dataclass(frozen=True)
class Verified:
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    dropped: tuple[AnswerSentence, ...]
    notes: tuple[str, ...]


# --- the whole draft -----------------------------------------------------------------------

@dataclass
class _Planned:
    text: str  # plain sentence, or a template with {0}, {1} for conflict sentences
    refs: list[tuple[int, Quote]]  # (passage index, quote)
    supported: bool
    reason: str = ""
    template: bool = False


def _best_support(claim: Features, passages: Sequence[Passage]) -> tuple[Support, list[tuple[int, Quote]]] | Support:
    """The single passage that supports the claim best, or else the verdict on the
    closest passage (why nothing supports it)."""
    singles = []
    for i, p in enumerate(passages):
        support, quotes = check(claim, [p])
        singles.append((support, i, quotes[0]))
    ok = [s for s in singles if s[0].supported]
    if ok:
        support, i, q = max(ok, key=lambda s: (s[0].score, -s[1]))
        return support, [(i, q)]
    # Only single passages: stitching a claim from two uncited passages is how unsupported
    # combinations ("Hale said talks are being prepared") slip through.
    top = sorted(singles, key=lambda s: (-s[0].score, s[1]))
    if not top:
        return Support(False, "there are no passages", 0.0)
    closest = top[0][0]
    return Support(False, f"no passage supports it; closest [{top[0][1] + 1}]: {closest.reason}", closest.score)


def verify_answer(draft: str, passages: Sequence[Passage], *, show_unsupported: bool = False) -> Verified:
    passages = list(passages)
    notes: list[str] = []
    bad = out_of_range_markers(draft, len(passages))
    if bad:
        notes.append(f"dropped marker(s) {', '.join(f'[{n}]' for n in bad)}: there are only {len(passages)} passages")
    plan: list[_Planned] = []
    dropped: list[AnswerSentence] = []
    seen_text: set[str] = set()
    seen_conflicts: set[tuple] = set()
    for ds in parse_draft(draft, len(passages)):
        key = ds.text.lower()
        if key in seen_text:
            continue  # a model repeating itself
        seen_text.add(key)
        claim = claim_features(ds.text)
        cited = [m - 1 for m in ds.markers]
        refs: list[tuple[int, Quote]] = []
        support = Support(False, "cites no passage", 0.0)
        if cited:
            support, quotes = check(claim, [passages[i] for i in cited])
            refs = list(zip(cited, quotes))
        if not support.supported:
            found = _best_support(claim, passages)
            if isinstance(found, Support):
                support = found if not cited else support
            else:
                old = ", ".join(f"[{i + 1}]" for i in cited)
                new = ", ".join(f"[{i + 1}]" for i, _ in found[1])
                notes.append(f"re-cited {ds.text[:60]!r} from {old} to {new}: {support.reason}" if cited
                             else f"cited {new} for the uncited sentence {ds.text[:60]!r}")
                support, refs = found
        if not support.supported:
            reason = support.reason + (f" (cited {', '.join(f'[{i + 1}]' for i in cited)})" if cited else "")
            if show_unsupported:
                plan.append(_Planned(ds.text, refs, False, reason))
            else:
                dropped.append(AnswerSentence(ds.text, (), False, reason))
            continue
        refs = _add_other_articles(claim, refs, passages)
        plan.append(_Planned(ds.text, refs, True))
        for conflict in find_conflicts(ds.text, claim, refs, passages):
            if conflict.key not in seen_conflicts:
                seen_conflicts.add(conflict.key)
                plan.append(_Planned(conflict.template, list(conflict.sides), True, template=True))
                notes.append(f"conflict: {conflict.summary}")
    if dropped:
        notes.append(f"dropped {len(dropped)} unsupported sentence(s)")
    return _number(plan, passages, dropped, notes)


def _add_other_articles(claim: Features, refs: list[tuple[int, Quote]], passages: Sequence[Passage]):
    """Also cite each other article that supports the claim on its own (its best passage)."""
    articles = {passages[i].article_id for i, _ in refs}
    extra: dict[str, tuple[float, int, Quote]] = {}
    for i, p in enumerate(passages):
        if p.article_id in articles:
            continue
        support, quotes = check(claim, [p])
        if support.supported and (p.article_id not in extra or support.score > extra[p.article_id][0]):
            extra[p.article_id] = (support.score, i, quotes[0])
    return refs + [(i, q) for _, i, q in sorted(extra.values(), key=lambda e: e[1])]


def _number(plan: list[_Planned], passages: Sequence[Passage], dropped, notes) -> Verified:
    markers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for item in plan:
        used: list[int] = []
        for i, q in item.refs:
            c = passages[i].chunk
            key = (c.article_id, q.start, q.end)
            if key not in markers:
                markers[key] = len(markers) + 1
                citations.append(Citation(markers[key], c.article_id, c.title, c.source, c.url, c.published,
                                          q.text, q.start, q.end, q.score))
            used.append(markers[key])
        if item.template:
            text = item.text.format(*(f"[{m}]" for m in used))
            marks = tuple(dict.fromkeys(used))
        else:
            text, marks = item.text, tuple(dict.fromkeys(used))
        sentences.append(AnswerSentence(text, marks, item.supported, item.reason, note=item.template))
    return Verified(tuple(sentences), tuple(citations), tuple(dropped), tuple(notes))
