"""Pure: Slack messages in and out — Block Kit for answers, mrkdwn escaping, Block Kit limits,
and reading a thread back into conversation turns. No Slack library, no I/O.

Article text and model text are untrusted: everything shown goes through :func:`escape`
(``&``, ``<``, ``>``), so a quote can never become a link, a mention or ``<!channel>``, and
answer/quote text objects are ``verbatim`` (no auto-linking of bare URLs or #channels).
Links are built only from the url stored with the article.

Example::

    >>> escape("AT&T <!channel>")
    'AT&amp;T &lt;!channel&gt;'
    >>> slack_to_plain("<@UBOT> who is <@U2>? see <https://x.org|this>", bot_user_id="UBOT")
    'who is @U2? see this'
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping, Sequence

from bot.core.records import Answer, Citation, Turn
from bot.surfaces.display import also_reported, quoted, source_meta, source_title
from bot.text.sentences import sentences

SECTION_LIMIT = 3000  # characters of a section's text object
CONTEXT_ELEMENTS = 10  # elements of one context block
CONTEXT_TEXT_LIMIT = 2000
BLOCK_LIMIT = 50  # blocks of one message
FALLBACK_LIMIT = 3000  # characters of a message's top-level `text`
QUOTE_LIMIT = 600
BUTTON_VALUE_LIMIT = 2000
METADATA_FIELD_LIMIT = 2000

ACTION_UP = "newsbot_feedback_up"
ACTION_DOWN = "newsbot_feedback_down"
MODAL_CALLBACK = "newsbot_feedback_correction"
CORRECTION_BLOCK = "correction"
CORRECTION_ACTION = "correction_text"
METADATA_EVENT = "newsbot_answer"

PLACEHOLDER = "Searching the articles…"
APOLOGY_LEAD = "Sorry —"  # our own apology messages (errors), never an answer of a thread
HELP_TEXT = ("Ask me a question about the news articles, e.g. "
             "“Who represents the union in the talks?” — I answer only from the articles, with quotes.")

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


# --- escaping and limits --------------------------------------------------------------------

def escape(text: str) -> str:
    """Slack's three control characters, escaped as Slack asks (``&`` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut between sentences where possible."""
    pieces: list[str] = []
    current = ""
    for sentence in sentences(text.strip()):
        while len(sentence) > limit:  # one enormous sentence: hard cut
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        joined = f"{current} {sentence}" if current else sentence
        if len(joined) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = sentence
    if current:
        pieces.append(current)
    return pieces or [""]


def safe_url(url: str | None) -> str | None:
    """A stored article url fit for ``<url|label>``, or None when it isn't http(s)."""
    if not url or not re.match(r"https?://[^\s]+$", url.strip()):
        return None
    return url.strip().replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")


# --- outgoing messages ----------------------------------------------------------------------

def _mrkdwn(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}
    if verbatim:
        obj["verbatim"] = True
    return obj


def _section(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text, verbatim=verbatim)}


def _context(*texts: str) -> dict[str, Any]:
    elements = [_mrkdwn(clip(t, CONTEXT_TEXT_LIMIT)) for t in texts if t][:CONTEXT_ELEMENTS]
    return {"type": "context", "elements": elements}


def placeholder_message(note: str = "") -> dict[str, Any]:
    text = PLACEHOLDER + (f" {note}" if note else "")
    return {"text": text, "blocks": [_context(f":hourglass_flowing_sand: {escape(text)}")]}


def progress_message(verified_so_far: str) -> dict[str, Any]:
    """The placeholder while an answer streams: the verified sentences so far."""
    body = escape(" ".join(verified_so_far.split()))
    blocks = [_section(piece, verbatim=True) for piece in split_text(body)][: BLOCK_LIMIT - 1]
    blocks.append(_context(":hourglass_flowing_sand: Still answering — every sentence is checked against the articles…"))
    return {"text": clip(body, FALLBACK_LIMIT) or PLACEHOLDER, "blocks": blocks}


def feedback_actions(answer_id: str, question: str) -> dict[str, Any]:
    """👍 / 👎 buttons; the value carries the answer id (and the question, for after a restart)."""
    value = json.dumps({"id": answer_id, "q": question[:1500]}, ensure_ascii=False)
    while len(value) > BUTTON_VALUE_LIMIT:
        question = question[: len(question) // 2]
        value = json.dumps({"id": answer_id, "q": question}, ensure_ascii=False)

    def button(emoji: str, label: str, action_id: str) -> dict[str, Any]:
        return {"type": "button", "action_id": action_id, "value": value,
                "text": {"type": "plain_text", "text": f"{emoji} {label}", "emoji": True}}

    return {"type": "actions", "block_id": f"feedback-{answer_id}",
            "elements": [button(":+1:", "Helpful", ACTION_UP), button(":-1:", "Not helpful", ACTION_DOWN)]}


def source_block(c: Citation) -> dict[str, Any]:
    """One numbered source: title (linked only from the stored url), source, date, the quote."""
    title = escape(source_title(c.title, c.article_id))
    url = safe_url(c.url)
    head = f"*[{c.marker}]* " + (f"<{url}|{title}>" if url else f"*{title}*")
    meta = escape(" · ".join(b for b in (source_meta(c.source, c.published, " · "), also_reported(c)) if b))
    quote = escape(quoted(clip(" ".join(c.quote.split()), QUOTE_LIMIT)))
    text = head + f"  _{meta}_" + f"\n> {quote}"
    return _section(text, verbatim=True)


def answer_message(answer: Answer, answer_id: str) -> dict[str, Any]:
    """The final reply: answer text with ``[n]`` markers, numbered sources, feedback buttons.
    A refusal is said plainly, naming the closest articles, with no sources section."""
    if answer.refused:
        return refusal_message(answer, answer_id)
    body = escape(answer.answer)
    head = [_section(piece, verbatim=True) for piece in split_text(body)]
    tail = [_context(*_searched_as(answer), f"Answered by `{escape(answer.backend)}` · every sentence is checked "
                     "against the quoted article text"), feedback_actions(answer_id, answer.question)]
    sources: list[dict[str, Any]] = []
    if answer.citations:
        sources = [{"type": "divider"}, _section("*Sources*")]
        room = BLOCK_LIMIT - len(head) - len(tail) - len(sources)
        cited = list(answer.citations)
        shown = cited if len(cited) <= room else cited[: max(room - 1, 0)]
        sources += [source_block(c) for c in shown]
        if len(shown) < len(cited):
            sources.append(_context(f"…and {len(cited) - len(shown)} more sources not shown"))
    blocks = (head + sources + tail)
    if len(blocks) > BLOCK_LIMIT:  # an answer longer than 45 sections: keep the end of the message intact
        blocks = head[: BLOCK_LIMIT - len(tail) - 1] + [_context("…answer cut to fit a Slack message")] + tail
    return {"text": clip(body, FALLBACK_LIMIT), "blocks": blocks}


def refusal_message(answer: Answer, answer_id: str) -> dict[str, Any]:
    body = escape(answer.answer)
    blocks = [_section(f":grey_question: {piece}", verbatim=True) for piece in split_text(body, SECTION_LIMIT - 20)]
    blocks = blocks[: BLOCK_LIMIT - 2]
    blocks.append(_context(*_searched_as(answer), "No sources are shown: nothing in the articles supports an answer."))
    blocks.append(feedback_actions(answer_id, answer.question))
    return {"text": clip(body, FALLBACK_LIMIT), "blocks": blocks}


def _searched_as(answer: Answer) -> list[str]:
    """How a follow-up was read, when the thread changed it ("What is his job?" → "…Okafor's job?")."""
    searched = " ".join((answer.standalone_question or "").split())
    if not searched or searched == " ".join(answer.question.split()):
        return []
    return [f"Searched for: _{escape(clip(searched, 300))}_"]


def apology_message(error_id: str, reason: str = "something went wrong while answering") -> dict[str, Any]:
    text = (f"{APOLOGY_LEAD} {reason}, so I have no answer this time. Please try again; "
            f"if it keeps happening, give the admin this error id: {error_id}")
    return {"text": escape(text), "blocks": [_section(f":warning: {escape(text)}")]}


def notice_message(text: str) -> dict[str, Any]:
    """A short plain reply (help, a question that is too long)."""
    return {"text": escape(text), "blocks": [_section(escape(text))]}


def answer_metadata(answer: Answer, answer_id: str) -> dict[str, Any]:
    """Message metadata: lets a later follow-up read this exchange back exactly."""
    return {"event_type": METADATA_EVENT,
            "event_payload": {"answer_id": answer_id, "question": answer.question[:METADATA_FIELD_LIMIT],
                              "answer": answer.answer[:METADATA_FIELD_LIMIT], "refused": answer.refused}}


def feedback_modal(private_metadata: str, question: str) -> dict[str, Any]:
    """The 👎 modal: an optional correction."""
    return {
        "type": "modal", "callback_id": MODAL_CALLBACK, "private_metadata": private_metadata[:3000],
        "title": {"type": "plain_text", "text": "What was wrong?"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            _context(f"Question: {escape(clip(question, 300))}" if question else "Thanks for the 👎."),
            {"type": "input", "block_id": CORRECTION_BLOCK, "optional": True,
             "label": {"type": "plain_text", "text": "What should the answer have said? (optional)"},
             "element": {"type": "plain_text_input", "action_id": CORRECTION_ACTION, "multiline": True,
                         "max_length": 3000}},
        ],
    }


# --- incoming messages ----------------------------------------------------------------------

def slack_to_plain(text: str, bot_user_id: str | None = None) -> str:
    """A message's text as plain words: the bot's mention removed, other mentions as @ID,
    links as their label, entities unescaped, whitespace collapsed."""
    text = text or ""
    text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else f"@{m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: m.group(2) or f"@{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return " ".join(unescape(text).split())


def is_from_bot(message: Mapping[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool((bot_user_id and message.get("user") == bot_user_id) or (bot_id and message.get("bot_id") == bot_id))


def thread_turns(messages: Iterable[Mapping[str, Any]], *, bot_user_id: str | None, bot_id: str | None,
                 before_ts: str) -> list[Turn]:
    """Earlier exchanges of a thread (``conversations.replies`` messages, oldest first) as turns.

    Each bot answer closes a turn: its metadata gives the exact question and answer; without
    metadata, the latest user message before it is the question and its text the answer.
    Placeholders, apologies and other people's chatter without a bot reply are skipped.
    """
    turns: list[Turn] = []
    pending: str | None = None
    for m in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
        if float(m.get("ts") or 0) >= float(before_ts):
            break
        if is_from_bot(m, bot_user_id, bot_id):
            meta = (m.get("metadata") or {})
            payload = (meta.get("event_payload") or {}) if meta.get("event_type") == METADATA_EVENT else {}
            if payload.get("question") and payload.get("answer"):
                turns.append(Turn(str(payload["question"]), str(payload["answer"]), bool(payload.get("refused"))))
                pending = None
            elif pending and _looks_like_answer(m.get("text") or ""):
                turns.append(Turn(pending, slack_to_plain(m.get("text") or "", bot_user_id)))
                pending = None
        elif not m.get("bot_id") and not m.get("subtype"):
            question = slack_to_plain(m.get("text") or "", bot_user_id)
            pending = question or pending
    return turns


def _looks_like_answer(text: str) -> bool:
    plain = unescape(text).strip()
    return bool(plain) and not plain.startswith((PLACEHOLDER, APOLOGY_LEAD, HELP_TEXT[:20]))


def answer_value(value: str | None) -> dict[str, str]:
    """A feedback button's value back as {"id", "q"} (empty strings when unreadable)."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return {"id": "", "q": ""}
    return {"id": str(data.get("id") or ""), "q": str(data.get("q") or "")}


def citations_json(citations: Sequence[Citation]) -> list[dict[str, Any]]:
    from dataclasses import asdict

    return [asdict(c) for c in citations]
