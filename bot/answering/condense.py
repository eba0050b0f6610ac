"""Pure: turn a follow-up question into a standalone one using the conversation so far.

Retrieval only sees the question, so "What is her job?" must become "What is Ana Okafor's
job?" before searching. This module does it deterministically: pronouns are replaced by
the most salient name of the previous exchange (new in the answer, close to the words of
the previous question), "it"/"its" by the thing the previous question was about, and
"What about X?" re-asks the previous question about X. A question without such
references is returned unchanged.

Example::

    >>> from bot.core.records import Turn
    >>> h = [Turn("Who is representing Lagos in the talks?",
    ...           "Lagos is represented by Ana Okafor, head of the harbour board [1].")]
    >>> standalone_question("What is her job?", h)
    "What is Ana Okafor's job?"
    >>> standalone_question("What about Accra?", h)
    'Who is representing Accra in the talks?'
    >>> standalone_question("Who is Tom Hale?", h)
    'Who is Tom Hale?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from bot.core.records import Turn
from bot.text.markers import remove_markers
from bot.text.sentences import sentences
from bot.text.tokens import stem
from bot.text.wordlists import SENTENCE_STARTERS, STOPWORDS

PERSON = {"he": "subj", "him": "obj", "his": "poss", "she": "subj", "hers": "poss",
          "her": "her", "they": "subj", "them": "obj", "their": "poss", "theirs": "poss"}
THING = {"it": "subj", "its": "poss", "this": "this"}
# "this" is a pronoun only before these verbs or at the end ("What does this mean?");
# otherwise it is a determiner ("this plan") and left alone.
_THIS_VERBS = {"is", "was", "mean", "means", "say", "says", "involve", "involves", "affect",
               "affects", "happen", "cover", "include", "includes", "change"}
_LEADING_NOISE = SENTENCE_STARTERS  # capitalised only because they open a sentence
_NAME = re.compile(r"[A-Z][\w’'.-]*(?:\s+(?:(?:of|de|da|van|von|bin|al|la|le)\s+)?[A-Z][\w’'.-]*)*")
_WORD = re.compile(r"[\w’'-]+")
_ABOUT = re.compile(r"^\s*(?:and\s+(?:what|how)\s+about|what\s+about|how\s+about|and)\s+(.+?)\s*\??\s*$", re.IGNORECASE)
_THING_PHRASE = re.compile(
    r"\b((?:the|a|an|[A-Z][\w-]*['’]s)\s+(?:[\w'’-]+\s+){0,3}?[\w'’-]+?)"
    r"(?=\s+(?:in|on|at|of|to|for|with|by|from|about|is|was|are|were|that|which|who|did|does|do|has|have)\b|\s*[?.!,]|\s*$)"
)


@dataclass(frozen=True)
class _Name:
    text: str
    first: int  # position of the first mention (tie-breaker: earlier wins)


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """The question rewritten to stand alone; unchanged when it needs no history."""
    question = " ".join(question.split())
    if not history or not question:
        return question
    about = _ABOUT.match(question)
    if about:
        rewritten = _reask_about(about.group(1), history[-1].question)
        if rewritten:
            return rewritten
    for turn in reversed(history):  # nearest exchange first; older ones if it names nobody
        resolved = _resolve_pronouns(question, turn)
        if resolved is not None:
            return resolved
    return question


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (no stopwords, pronouns, markers)."""
    text = remove_markers(text, " ")
    return {w.strip("’'").lower() for w in _WORD.findall(text)} - STOPWORDS - {""}


def accept_rewrite(question: str, rewrite: str | None, history: Sequence[Turn]) -> bool:
    """Is an LLM's rewrite of a follow-up safe to search with?

    It must be one short line that keeps every content word of the follow-up (a tiny
    model likes to answer instead of rewriting, or to drop the subject) and, when the
    follow-up leans on history, actually bring in a word from that history.
    """
    if not rewrite or "\n" in rewrite.strip() or len(rewrite) > max(300, 3 * len(question)):
        return False
    kept = content_words(rewrite)
    stems = {stem(w) for w in kept}
    if any(w not in kept and stem(w) not in stems for w in content_words(question)):
        return False
    if needs_history(question):
        earlier = set().union(*(content_words(t.question + " " + t.answer) for t in history)) if history else set()
        return bool((kept - content_words(question)) & earlier)
    return True


def needs_history(question: str) -> bool:
    return bool(_ABOUT.match(question)) or any(
        w.lower() in PERSON or w.lower() in ("it", "its") for w in _WORD.findall(question)
    )


def _reask_about(subject: str, previous: str) -> str | None:
    subject = subject.strip().rstrip("?").strip()
    names = _names(previous)
    if not subject or not names:
        return None
    target = names[0].text
    return previous.replace(target, subject, 1)


def _resolve_pronouns(question: str, turn: Turn) -> str | None:
    words = list(re.finditer(r"[A-Za-z]+", question))
    person = thing = None
    changed = False
    out, last = [], 0
    for i, m in enumerate(words):
        w = m.group(0)
        low = w.lower()
        nxt = words[i + 1].group(0).lower() if i + 1 < len(words) else None
        if low in PERSON:
            person = person or _salient_name(turn)
            ref, role = person, PERSON[low]
            if role == "her":
                role = "poss" if nxt and nxt not in STOPWORDS else "obj"
        elif low in THING:
            if low == "this" and nxt is not None and nxt not in _THIS_VERBS:
                continue
            thing = thing or _salient_thing(turn)
            ref, role = thing, THING[low]
        else:
            continue
        if ref is None:
            return None
        if role == "this":
            role = "subj"
        text = ref
        if role == "poss":
            text = ref + ("'" if ref.endswith("s") else "'s")
        if m.start() == 0 or question[: m.start()].rstrip().endswith((".", "?", "!")):
            text = text[0].upper() + text[1:]
        elif ref.startswith(("The ", "A ", "An ")):
            text = text[0].lower() + text[1:]
        out.append(question[last:m.start()] + text)
        last = m.end()
        changed = True
    if not changed:
        return None
    return "".join(out) + question[last:]


def _sentences(text: str) -> list[str]:
    return sentences(remove_markers(text))


def _names(text: str) -> list[_Name]:
    """Capitalised word runs ("Ana Reyes", "U.S.") with sentence-initial noise removed."""
    found: dict[str, _Name] = {}
    for m in _NAME.finditer(remove_markers(text)):
        tokens = m.group(0).split()
        while tokens and (tokens[0] in _LEADING_NOISE or tokens[0].lower() in STOPWORDS):
            tokens.pop(0)
        tokens = [t.rstrip(".,") if not re.fullmatch(r"(?:[A-Z]\.)+", t) else t for t in tokens]
        if not tokens:
            continue
        if tokens[-1].endswith(("'s", "’s")):
            tokens[-1] = tokens[-1][:-2]
        name = " ".join(t for t in tokens if t)
        if name and name.lower() not in STOPWORDS and name not in found:
            found[name] = _Name(name, m.start())
    return list(found.values())


def _salient_name(turn: Turn) -> str | None:
    """The name a "he/his/they" most likely means. Candidates are ranked, in this order of
    precedence (no weights): new in the answer (not already in the question), said closest
    to the words of the question, in a sentence with a question word, a full name, more
    mentions, earliest."""
    answer = "" if turn.refused else turn.answer  # a refusal names article titles, not what "he" means
    asked_stems = {stem(w) for w in content_words(turn.question)}
    in_answer = _names(answer)
    names = in_answer + _names(turn.question)
    if not names:
        return None
    full = [n for n in names if " " in n.text]
    closest = _closest_to_question(answer, [n.text for n in in_answer if n.text.lower() not in turn.question.lower()],
                                   asked_stems, turn.question)
    ranked: dict[str, tuple] = {}
    for n in names:
        # "Reyes" is a mention of "Ana Reyes" when both occur.
        owner = next((f.text for f in full if n.text != f.text and f.text.split()[-1] == n.text), n.text)
        if owner in ranked:
            continue
        last = owner.split()[-1]
        near = any(last in s and any(stem(w) in asked_stems for w in _WORD.findall(s)) for s in _sentences(answer))
        position = n.first if n in in_answer else 10_000 + n.first
        ranked[owner] = (owner.lower() not in turn.question.lower(), owner == closest, near, " " in owner,
                         len(re.findall(rf"\b{re.escape(last)}\b", answer)), -position)
    return max(ranked.items(), key=lambda kv: kv[1])[0]


def _closest_to_question(answer: str, candidates: list[str], asked_stems: set[str], question: str) -> str | None:
    """The candidate said fewest words away from a word of the question (names the question
    itself contains don't count as its words): in "… led by Hale and Okafor, while the
    city is represented by Reyes", asked "Who is representing the city?", Reyes."""
    tokens = _WORD.findall(remove_markers(answer, " "))
    asked_names = {w.lower() for n in _names(question) for w in n.text.split()}
    asked_at = [i for i, w in enumerate(tokens) if stem(w) in asked_stems and w.lower() not in asked_names]
    best, best_d = None, 10_000
    for name in candidates:
        last = name.split()[-1]
        d = min((abs(i - j) for i, w in enumerate(tokens) if w == last for j in asked_at), default=10_000)
        if d < best_d:
            best, best_d = name, d
    return best


def _salient_thing(turn: Turn) -> str | None:
    """What "it" means: a noun phrase of the previous question, else a name in it."""
    m = _THING_PHRASE.search(turn.question)
    if m:
        return m.group(1)
    names = _names(turn.question)
    if names:
        return names[0].text
    return None
