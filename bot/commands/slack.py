"""`newsbot slack`: serve the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP).

    SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… newsbot slack --port 3000
    SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… newsbot slack          # Socket Mode

The app's manifest is slack/manifest.yaml; the README's Slack section walks through setup.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    g = parser.add_argument_group("slack")
    g.add_argument("--port", dest="slack_port", type=int, metavar="PORT",
                   help="HTTP mode port serving /slack/events (default 3000, $NEWSBOT_SLACK_PORT)")
    g.add_argument("--host", dest="slack_host", metavar="HOST",
                   help="HTTP mode listen address (default 0.0.0.0, $NEWSBOT_SLACK_HOST)")
    g.add_argument("--slack-api-url", dest="slack_api_url", metavar="URL",
                   help="Slack Web API base URL, e.g. a proxy ($SLACK_API_URL; default https://slack.com/api/)")
    g.add_argument("--public-slash", dest="public_slash", action="store_true", default=None,
                   help="post /newsbot answers in the channel, not only to the asker ($NEWSBOT_PUBLIC_SLASH)")
    g.add_argument("--feedback", dest="feedback_path", metavar="FILE",
                   help="JSONL file for 👍/👎 feedback (default <store>/feedback.jsonl, $NEWSBOT_FEEDBACK)")


def run(args, settings) -> int:
    import logging
    import sys

    from bot.answering.pipeline import build_pipeline
    from bot.surfaces.slack import app as slack_app

    mode = slack_app.check_settings(settings)  # a missing token/secret: one line, before anything loads
    logging.basicConfig(level=logging.WARNING if settings.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    pipeline = build_pipeline(settings)  # cheap: models load on first use
    app, bot = slack_app.build_app(settings, pipeline, mode=mode)  # checks the token with auth.test
    pipeline.retriever  # noqa: B018 - a missing or empty store stops here with its one-line fix
    return slack_app.serve(settings, app, bot)
