"""The slack-bolt adapter: the only module importing ``slack_bolt`` / ``slack_sdk``.

Socket Mode when ``settings.slack_app_token`` is set; otherwise HTTP mode: a threaded
HTTP server on ``settings.slack_host:slack_port`` serving ``POST /slack/events`` (events,
interactivity and the slash command; Slack lets every request URL be the same) and
``GET /healthz``. Before bolt sees a request, :mod:`bot.surfaces.slack.guard` checks its size
(``Content-Length`` missing → 411, not a number or negative → 400, over 1 MiB → 413, and the body
is then never read), its signature (bad, or a timestamp more than 5 minutes off → 401) and
that the body is the JSON / form Slack sends (else 400) — nothing unauthenticated is parsed,
and no malformed body reaches bolt (which would answer 500, which Slack retries). Bolt then
acks events before the listener runs; actions, the modal
and the slash command ack first thing. Answers are produced afterwards by
:class:`bot.surfaces.slack.bot.SlackBot`.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.core.errors import ConfigError, NewsbotError
from bot.surfaces.slack import blocks, guard
from bot.surfaces.slack.bot import SlackBot, new_id

log = logging.getLogger("newsbot.slack")

EVENTS_PATH = "/slack/events"
# Bolt handles every kind of request at one URL; these aliases are accepted too, for apps
# configured with separate interactivity / command URLs.
REQUEST_PATHS = {EVENTS_PATH, "/slack/interactive", "/slack/interactivity", "/slack/actions", "/slack/commands"}
MAX_BODY_BYTES = guard.MAX_BODY_BYTES
READ_TIMEOUT_S = 10  # a client that declares a length and sends less is dropped after this


def check_settings(settings) -> str:
    """The mode ("socket" or "http"); a missing token or secret is one ConfigError line."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: export the app's Bot User OAuth Token (xoxb-…) "
                          "from its OAuth & Permissions page")
    if settings.slack_app_token:
        return "socket"
    if not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: export the Signing Secret from the app's Basic "
                          "Information page (or set SLACK_APP_TOKEN to use Socket Mode)")
    return "http"


def build_app(settings, pipeline, *, mode: str):
    """(bolt App, SlackBot) with every listener registered; checks the token with auth.test."""
    try:
        from slack_bolt import App
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError
        from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
    except ImportError:
        raise ConfigError("slack-bolt is not installed: pip install 'newsbot[slack]'") from None

    base = settings.slack_api_url
    if base and not base.endswith("/"):
        base += "/"  # slack_sdk appends the method name: ".../api/" + "chat.update"
    client = WebClient(token=settings.slack_bot_token, timeout=15, **({"base_url": base} if base else {}))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))  # 429: wait Retry-After
    where = base or client.base_url
    sdk_logger = logging.getLogger("slack_sdk")
    sdk_logger.setLevel(logging.CRITICAL)  # a failed auth.test becomes one line below, not a log storm
    try:
        auth = client.auth_test()
    except SlackApiError as error:
        raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({error.response.get('error')}): "
                          "copy the Bot User OAuth Token again from the app's OAuth & Permissions page") from None
    except OSError as error:
        raise NewsbotError(f"cannot reach the Slack Web API at {where} ({error}): check the network "
                           "or --slack-api-url") from None
    sdk_logger.setLevel(logging.WARNING)
    bolt_logger = logging.getLogger("newsbot.slack.bolt")
    bolt_logger.setLevel(logging.ERROR)  # App() warns that $SLACK_BOT_TOKEN is unused: client has it
    app = App(client=client, signing_secret=settings.slack_signing_secret or "", logger=bolt_logger,
              process_before_response=False,  # ack first, then run listeners in bolt's thread pool
              token_verification_enabled=False,  # done above, with a clearer error
              request_verification_enabled=(mode == "http"))
    bolt_logger.setLevel(logging.WARNING)
    bot = SlackBot(pipeline, settings, client, bot_user_id=auth.get("user_id"), bot_id=auth.get("bot_id"))
    register(app, bot)
    log.info("connected to Slack as %s (team %s)", auth.get("user") or auth.get("user_id"), auth.get("team"))
    return app, bot


def _retry_num(request) -> str | None:
    values = request.headers.get("x-slack-retry-num") or []
    return values[0] if values else None


def register(app, bot: SlackBot) -> None:
    @app.event("app_mention")
    def on_mention(event, request):
        bot.handle_event(event, retry_num=_retry_num(request))

    @app.event("message")
    def on_message(event, request):
        bot.handle_event(event, retry_num=_retry_num(request))

    @app.command("/newsbot")
    def on_slash(command, ack, respond):
        bot.handle_slash(command, ack, respond)

    @app.action(blocks.ACTION_UP)
    def on_up(ack, body):
        ack()
        bot.handle_vote(body, "up")

    @app.action(blocks.ACTION_DOWN)
    def on_down(ack, body):
        ack()
        bot.handle_vote(body, "down")

    @app.view(blocks.MODAL_CALLBACK)
    def on_correction(ack, view):
        ack()
        bot.handle_correction(view)

    @app.error
    def on_error(error, body):  # a listener bug: logged with its traceback, never swallowed
        log.error("Slack listener failed on %s: %s", (body or {}).get("type"), error, exc_info=error)


# --- HTTP mode -------------------------------------------------------------------------------

def make_server(app, host: str, port: int, signing_secret: str) -> ThreadingHTTPServer:
    import time

    from slack_bolt.request import BoltRequest

    secret = signing_secret or ""

    class SlackRequestHandler(BaseHTTPRequestHandler):
        server_version = "newsbot"
        timeout = READ_TIMEOUT_S

        def log_message(self, format, *args):  # noqa: A002 - http.server's signature
            log.debug("%s %s", self.address_string(), format % args)

        def do_GET(self):
            if self.path.partition("?")[0] == "/healthz":
                self._send(200, b"ok\n", "text/plain")
            else:
                self._send(404, b"not found\n", "text/plain")

        def do_POST(self):
            path, _, query = self.path.partition("?")
            if path not in REQUEST_PATHS:
                self._send(404, b"not found\n", "text/plain")
                return
            try:
                status, reason, raw = guard.check(self.headers, self.rfile.read, secret, time.time(),
                                                        MAX_BODY_BYTES)
            except OSError as error:  # the client stopped sending (timeout, reset)
                log.info("dropped a request from %s: %s", self.address_string(), error)
                self.close_connection = True
                return
            if status:
                log.info("rejected a request from %s: %s %s", self.address_string(), status, reason)
                self.close_connection = status in (400, 411, 413)  # the unread body must not be parsed as a request
                self._send(status, json.dumps({"error": reason}).encode(), "application/json")
                return
            body = raw.decode("utf-8")
            try:
                response = app.dispatch(BoltRequest(body=body, query=query, headers=dict(self.headers.items())))
            except Exception as error:  # noqa: BLE001 - a bug answers 500 (Slack retries) and is logged
                log.error("error %s: dispatching a Slack request failed: %s", new_id(), error, exc_info=error)
                self._send(500, b'{"error": "internal"}', "application/json")
                return
            payload = response.body if isinstance(response.body, str) else str(response.body or "")
            self.send_response(response.status)
            for name, values in response.headers.items():
                if name.lower() != "content-length":
                    for value in values:
                        self.send_header(name, value)
            data = payload.encode("utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send(self, status: int, data: bytes, kind: str):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    class Server(ThreadingHTTPServer):
        daemon_threads = True  # a stuck client never blocks shutdown

    try:
        return Server((host, port), SlackRequestHandler)
    except OSError as error:
        raise ConfigError(f"cannot listen on {host}:{port} ({error.strerror}): choose another --port") from None


def serve(settings, app, bot: SlackBot) -> int:
    """Run the bot (built by :func:`build_app`) until Ctrl-C / SIGTERM."""
    mode = check_settings(settings)
    bot.warm_up_in_background()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if mode == "socket":
            from slack_bolt.adapter.socket_mode import SocketModeHandler
            from slack_sdk.errors import SlackApiError

            log.info("Socket Mode: connecting to Slack")
            try:
                SocketModeHandler(app, settings.slack_app_token).start()
            except SlackApiError as error:
                raise ConfigError(f"Slack rejected SLACK_APP_TOKEN ({error.response.get('error')}): create an "
                                  "app-level token with the connections:write scope on the app's Basic "
                                  "Information page") from None
            return 0
        server = make_server(app, settings.slack_host, settings.slack_port, settings.slack_signing_secret)
        host, port = server.server_address[:2]
        log.info("listening on http://%s:%s%s (events, interactivity and /newsbot)", host, port, EVENTS_PATH)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
        return 0
    finally:
        bot.close()
