"""What the Slack bot does, independent of slack-bolt (which `bot/surfaces/slack/app.py` wires in).

One question → placeholder posted at once in the thread → answer produced by a single worker
thread (models aren't thread-safe; the Slack request was acked long before) → the placeholder
``chat.update``d with the verified text as it streams (at most about once a second) → the
final answer with numbered sources and 👍/👎. Any failure edits the placeholder into an
apology with an error id that is logged with the traceback: never silence.

``client`` is anything with the Slack Web API methods used here (``chat_postMessage``,
``chat_update``, ``chat_postEphemeral``, ``conversations_replies``, ``views_open``), so the
behaviour is testable with a fake Web API.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Mapping

from bot.core.errors import InvalidQuestionError, LLMError, NewsbotError
from bot.core.records import Answer, Turn
from bot.surfaces.slack import blocks
from bot.surfaces.slack.delivery import Posted, SeenKeys, Throttled, new_id  # noqa: F401 - re-exported
from bot.surfaces.slack.feedback import FeedbackLog, feedback_id, feedback_record

log = logging.getLogger("newsbot.slack")

MAX_HISTORY_TURNS = 10
# A person's DM with an attachment, or a thread reply also sent to the conversation, is still
# a question; edits, deletions, joins and other bots' posts are not.
ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")
HISTORY_PAGES = 5


class SlackBot:
    def __init__(self, pipeline, settings, client, *, bot_user_id: str | None, bot_id: str | None,
                 feedback: FeedbackLog | None = None, update_interval: float = 1.0,
                 answer_timeout_s: float | None = None):
        self.pipeline, self.settings, self.client = pipeline, settings, client
        self.bot_user_id, self.bot_id = bot_user_id, bot_id
        self.feedback = feedback or FeedbackLog(settings.feedback_path)
        self.update_interval = update_interval
        # The openai answerer gives up after llm_timeout_s and retries once; past that, say so.
        self.answer_timeout_s = answer_timeout_s or float(settings.llm_timeout_s) * 2 + 30
        self._seen = SeenKeys()
        self._answers: OrderedDict[str, Posted] = OrderedDict()
        self._answers_lock = threading.Lock()
        self._answer_lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-answer")
        self._queued = 0  # questions submitted and not yet answered (shown in the placeholder)
        self._queued_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def warm_up_in_background(self) -> None:
        """Load models in the answer worker, so the first question queues behind it."""
        def warm():
            try:
                with self._answer_lock:
                    self.pipeline.warm_up()
                log.info("models loaded; ready to answer")
            except Exception as error:  # the first question reports it to the user, with an id
                log.warning("warm-up failed (questions will retry): %s", error)
        self._worker.submit(warm)

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    # -- events ---------------------------------------------------------------------------
    def handle_event(self, event: Mapping[str, Any], *, retry_num: str | None = None) -> bool:
        """An ``app_mention`` or ``message`` event; True when it starts an answer.

        Channel messages are answered through their ``app_mention`` only; DMs through
        ``message.im``. Either way (channel, ts) is answered once: Slack retries and the
        mention+message pair for one post are dropped here.
        """
        if event.get("type") == "message":
            if event.get("channel_type") != "im" or event.get("subtype") not in ANSWERED_SUBTYPES:
                return False
        if blocks.is_from_bot(event, self.bot_user_id, self.bot_id) or event.get("bot_id"):
            return False
        channel, ts = event.get("channel"), event.get("ts")
        if not channel or not ts:
            return False
        if not self._seen.first((channel, ts)):
            log.info("already answering %s/%s (%s); not answering twice", channel, ts,
                     f"Slack retry {retry_num}" if retry_num else "duplicate event")
            return False
        thread_ts = event.get("thread_ts") or ts
        question = blocks.slack_to_plain(event.get("text") or "", self.bot_user_id)
        if not question:
            self._post(channel, thread_ts, blocks.notice_message(blocks.HELP_TEXT))
            return False
        ahead = self._queued
        note = f"({ahead} question{'s' if ahead > 1 else ''} ahead of yours)" if ahead else ""
        placeholder = self._post(channel, thread_ts, blocks.placeholder_message(note))
        if placeholder is None:
            return False
        self._submit(self._answer_in_thread, channel, ts, thread_ts, question, placeholder)
        return True

    def _submit(self, job, *args) -> None:
        """Queue a question for the single answer worker."""
        with self._queued_lock:
            self._queued += 1

        def run():
            try:
                job(*args)
            finally:
                with self._queued_lock:
                    self._queued -= 1
        self._worker.submit(run)

    def _answer_in_thread(self, channel: str, ts: str, thread_ts: str, question: str, placeholder: str):
        done = threading.Event()
        progress = Throttled(lambda text: self._update(channel, placeholder, blocks.progress_message(text)),
                             self.update_interval)

        def too_slow():
            if not done.is_set():
                progress.stopped = True
                error_id = new_id()
                log.error("error %s: no answer after %.0f s to %r in %s", error_id, self.answer_timeout_s,
                          question, channel)
                self._update(channel, placeholder, blocks.apology_message(error_id, "answering took too long"))

        timer = threading.Timer(self.answer_timeout_s, too_slow)
        timer.daemon = True
        timer.start()
        try:
            history = self._history(channel, thread_ts, ts) if thread_ts != ts else []
            answer = self._ask(question, history, on_text=progress)
        except Exception as error:  # noqa: BLE001 - every failure must reach the user
            done.set()
            self._update(channel, placeholder, self._failure_message(error, question, channel))
            return
        finally:
            done.set()
            timer.cancel()
        answer_id = new_id()
        self._remember(answer_id, Posted(answer, channel))  # before posting: a click can beat the reply
        self._update(channel, placeholder, blocks.answer_message(answer, answer_id),
                     metadata=blocks.answer_metadata(answer, answer_id))

    def _history(self, channel: str, thread_ts: str, before_ts: str) -> list[Turn]:
        """The thread's earlier exchanges (empty, with a warning, if Slack won't give them)."""
        messages: list[dict] = []
        cursor = None
        try:
            for _ in range(HISTORY_PAGES):
                kwargs = {"channel": channel, "ts": thread_ts, "include_all_metadata": True, "limit": 200}
                if cursor:
                    kwargs["cursor"] = cursor
                page = self.client.conversations_replies(**kwargs)
                messages += list(page.get("messages") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except Exception as error:  # noqa: BLE001 - answer without history rather than not at all
            log.warning("could not read thread %s/%s (answering without history): %s", channel, thread_ts, error)
        turns = blocks.thread_turns(messages, bot_user_id=self.bot_user_id, bot_id=self.bot_id, before_ts=before_ts)
        return turns[-MAX_HISTORY_TURNS:]

    def _ask(self, question: str, history, on_text=None) -> Answer:
        with self._answer_lock:  # one answer at a time: the models are shared and not thread-safe
            return self.pipeline.ask(question, history, on_text=on_text)

    def _failure_message(self, error: Exception, question: str, channel: str) -> dict[str, Any]:
        if isinstance(error, InvalidQuestionError):
            return blocks.notice_message(str(error))
        error_id = new_id()
        log.error("error %s: answering %r in %s failed: %s", error_id, question, channel, error, exc_info=error)
        if isinstance(error, LLMError):
            return blocks.apology_message(error_id, "the language model did not answer")
        if isinstance(error, NewsbotError):
            return blocks.apology_message(error_id, "I could not search the articles")
        return blocks.apology_message(error_id)

    # -- slash command ----------------------------------------------------------------------
    def handle_slash(self, command: Mapping[str, Any], ack: Callable[..., Any], respond: Callable[..., Any]) -> None:
        """``/newsbot QUESTION``: acked at once, answered through the command's response_url,
        visible to the asker only unless ``public_slash``."""
        question = blocks.slack_to_plain(command.get("text") or "", self.bot_user_id)
        kind = "in_channel" if self.settings.public_slash else "ephemeral"
        if not question:
            ack(response_type="ephemeral", text=blocks.HELP_TEXT)
            return
        ack(response_type=kind, text=f"{blocks.PLACEHOLDER} “{blocks.escape(blocks.clip(question, 300))}”")
        self._submit(self._answer_slash, command.get("channel_id") or "", question, kind, respond)

    def _answer_slash(self, channel: str, question: str, kind: str, respond) -> None:
        try:
            answer = self._ask(question, ())
        except Exception as error:  # noqa: BLE001
            self._respond(respond, kind, self._failure_message(error, question, channel))
            return
        answer_id = new_id()
        self._remember(answer_id, Posted(answer, channel))
        self._respond(respond, kind, blocks.answer_message(answer, answer_id))

    def _respond(self, respond, kind: str, message: dict) -> bool:
        try:
            respond(response_type=kind, replace_original=False, **message)
            return True
        except Exception as error:  # noqa: BLE001
            log.error("could not send the /newsbot reply: %s", error)
            return False

    # -- feedback -------------------------------------------------------------------------
    def handle_vote(self, body: Mapping[str, Any], vote: str) -> dict[str, Any]:
        """A 👍/👎 click: record it (one record per user and answer); 👎 opens the correction modal."""
        action = (body.get("actions") or [{}])[0]
        value = blocks.answer_value(action.get("value"))
        container = body.get("container") or {}
        message = body.get("message") or {}
        user = (body.get("user") or {}).get("id") or ""
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
        ts = container.get("message_ts") or message.get("ts") or ""
        with self._answers_lock:
            posted = self._answers.get(value["id"])
        if posted is not None:
            a = posted.answer
            question, text, cites, backend = a.question, a.answer, blocks.citations_json(a.citations), a.backend
            refused = a.refused
        else:  # answered before a restart: what the click itself tells us (and the message's metadata)
            question, text, cites, backend = value["q"], blocks.slack_to_plain(message.get("text") or ""), [], ""
            refused = bool(((message.get("metadata") or {}).get("event_payload") or {}).get("refused"))
        fid = feedback_id(channel, ts, user)
        if vote == "down" and body.get("trigger_id"):
            # First: a trigger_id expires 3 seconds after the click.
            self._call("views_open", trigger_id=body["trigger_id"],
                       view=blocks.feedback_modal(json.dumps({"fid": fid}), question))
        old = self.feedback.find(fid)
        correction = old.get("correction") if (old and vote == "down") else None
        record = feedback_record(question=question, answer=text, citations=cites, vote=vote, user=user,
                                 channel=channel, ts=ts, backend=backend, correction=correction, refused=refused)
        self.feedback.save(record)
        log.info("feedback %s from %s on %s/%s", vote, user, channel, ts)
        if vote == "up" and channel and user:
            self._call("chat_postEphemeral", channel=channel, user=user, thread_ts=message.get("thread_ts"),
                       text="Thanks for the feedback :+1:")
        return record

    def handle_correction(self, view: Mapping[str, Any]) -> dict[str, Any] | None:
        """The 👎 modal was submitted: add its (optional) correction to the vote's record."""
        try:
            fid = json.loads(view.get("private_metadata") or "{}").get("fid") or ""
        except ValueError:
            fid = ""
        values = ((view.get("state") or {}).get("values") or {}).get(blocks.CORRECTION_BLOCK) or {}
        correction = (values.get(blocks.CORRECTION_ACTION) or {}).get("value")
        record = self.feedback.set_correction(fid, correction) if fid else None
        if record is None:
            log.warning("correction for unknown feedback %r was not recorded", fid)
        return record

    # -- Web API calls that must not break answering --------------------------------------------
    def _post(self, channel: str, thread_ts: str, message: dict) -> str | None:
        response = self._call("chat_postMessage", channel=channel, thread_ts=thread_ts, **message)
        return response.get("ts") if response is not None else None

    def _update(self, channel: str, ts: str, message: dict, **extra) -> bool:
        return self._call("chat_update", channel=channel, ts=ts, **message, **extra) is not None

    def _call(self, method: str, **kwargs):
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        try:
            return getattr(self.client, method)(**kwargs)
        except Exception as error:  # noqa: BLE001 - Slack said no (or is unreachable): log it with an id
            log.error("error %s: Slack %s failed: %s", new_id(), method, error)
            return None

    def _remember(self, answer_id: str, posted: Posted, limit: int = 5000) -> None:
        with self._answers_lock:
            self._answers[answer_id] = posted
            while len(self._answers) > limit:
                self._answers.popitem(last=False)
