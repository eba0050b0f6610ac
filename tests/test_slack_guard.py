"""The checks a Slack HTTP request passes before anything parses it (pure functions)."""

from __future__ import annotations

import json
from email.message import Message

import pytest

from bot.surfaces.slack.guard import MAX_BODY_BYTES, body_error, check, length_error, sign, signature_ok

SECRET = "guard-secret"
NOW = 1_700_000_000


def headers(**values) -> Message:
    msg = Message()
    for name, value in values.items():
        msg[name.replace("_", "-")] = value
    return msg


def signed(body: bytes, *, content_type="application/json", stamp=str(NOW), secret=SECRET, length=None):
    return headers(Content_Length=str(len(body)) if length is None else length, Content_Type=content_type,
                   X_Slack_Request_Timestamp=stamp, X_Slack_Signature=sign(secret, stamp, body))


@pytest.mark.parametrize("value, expected", [
    (None, 411), ("", 411), ("-1", 400), ("abc", 400), ("1e3", 400), ("١٢", 400), ("12 3", 400),
    (str(MAX_BODY_BYTES + 1), 413), (str(10**30), 413)])
def test_unusable_lengths(value, expected):
    assert length_error(value)[0] == expected


def test_acceptable_lengths():
    assert length_error("0") is None and length_error(str(MAX_BODY_BYTES)) is None


def test_the_body_is_not_read_when_the_length_is_bad():
    reads = []
    status, _, _ = check(headers(Content_Length="-1"), lambda n: reads.append(n) or b"", SECRET, NOW)
    assert status == 400 and reads == []
    status, _, _ = check(headers(Content_Length=str(20 * 2**20)), lambda n: reads.append(n) or b"", SECRET, NOW)
    assert status == 413 and reads == []


def test_signature_is_checked_before_the_body_is_parsed():
    garbage = b"\xff\xfe not json at all {"
    status, reason, _ = check(headers(Content_Length=str(len(garbage))), lambda n: garbage, SECRET, NOW)
    assert (status, reason) == (401, "invalid request signature")
    status, reason, _ = check(signed(garbage), lambda n: garbage, SECRET, NOW)
    assert (status, reason) == (400, "body is not UTF-8")


@pytest.mark.parametrize("stamp, secret", [(str(NOW - 301), SECRET), ("abc", SECRET), ("-5", SECRET),
                                           (str(NOW), "other-secret")])
def test_stale_malformed_or_foreign_signatures_fail(stamp, secret):
    body = b'{"type": "event_callback"}'
    assert not signature_ok(SECRET, stamp, body, sign(secret, stamp, body), NOW)


@pytest.mark.parametrize("body, content_type, reason", [
    (b'{"type": ', "application/json", "body is not a JSON object"),
    (b"[1, 2]", "application/json", "body is not a JSON object"),
    (b"[" * 100_000, "application/json", "body is not a JSON object"),
    (b"payload=%7Bnot-json", "application/x-www-form-urlencoded", "payload is not a JSON object"),
    (b"a=1&&&=%%", "application/x-www-form-urlencoded", "body is not a form"),
])
def test_malformed_signed_bodies_are_400(body, content_type, reason):
    status, why, _ = check(signed(body, content_type=content_type), lambda n: body, SECRET, NOW)
    assert (status, why) == (400, reason)
    assert body_error(body, content_type) == reason


def test_good_requests_pass_with_their_body():
    event = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    assert check(signed(event), lambda n: event, SECRET, NOW) == (0, "", event)
    form = b"command=%2Fnewsbot&text=hello"
    assert check(signed(form, content_type="application/x-www-form-urlencoded"), lambda n: form, SECRET, NOW)[0] == 0
