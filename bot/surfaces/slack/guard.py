"""Checks on a Slack HTTP request before anything parses it (pure: no Slack imports, no I/O).

Order, cheapest and unauthenticated first:

1. ``Content-Length``: missing → 411, not a non-negative integer → 400, above the cap → 413
   (the body is never read then);
2. the signature (``X-Slack-Signature`` = ``v0=`` + HMAC-SHA256 of ``v0:<timestamp>:<body>``
   with the signing secret) and a timestamp within 5 minutes → else 401;
3. the body must be UTF-8 and the JSON (or form ``payload=`` JSON) Slack sends → else 400.

Only a request that passes all three reaches bolt.

>>> length_error("12", cap=10)
(413, 'request body too large')
>>> length_error("-1", cap=10), length_error("abc", cap=10), length_error("5", cap=10)
((400, 'invalid Content-Length'), (400, 'invalid Content-Length'), None)
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs

MAX_BODY_BYTES = 1 << 20  # 1 MiB: Slack's own payloads are far smaller
MAX_CLOCK_SKEW_S = 300


def length_error(header: str | None, cap: int = MAX_BODY_BYTES) -> tuple[int, str] | None:
    """(status, reason) when the declared body length is unusable, else None."""
    if header is None or not header.strip():
        return 411, "Content-Length required"
    value = header.strip()
    if not value.isdigit() or not value.isascii():  # "-1", "abc", "1e3", " 12 3"
        return 400, "invalid Content-Length"
    if int(value) > cap:
        return 413, "request body too large"
    return None


def signature_ok(secret: str, timestamp: str | None, body: bytes, signature: str | None, now: float) -> bool:
    """Slack's v0 request signature, checked in constant time, with a 5-minute replay window."""
    if not secret or not timestamp or not signature:
        return False
    stamp = timestamp.strip()
    if not stamp.isdigit() or not stamp.isascii() or abs(now - int(stamp)) > MAX_CLOCK_SKEW_S:
        return False
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}", signature.strip())


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` value Slack would send (for tests and local tools)."""
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


def body_error(body: bytes, content_type: str | None) -> str | None:
    """Why the body is not a Slack payload, or None. Mirrors how bolt reads it: JSON when the
    type says so or it starts with ``{``, else a form whose ``payload`` (if any) is a JSON object."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json" or text.lstrip().startswith("{"):
        return None if _json_object(text) else "body is not a JSON object"
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=1000)
    except ValueError:
        return "body is not a form"
    payload = form.get("payload")
    if payload is not None and (len(payload) != 1 or not _json_object(payload[0])):
        return "payload is not a JSON object"
    return None


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def check(headers, read_body, secret: str, now: float, cap: int = MAX_BODY_BYTES):
    """``(status, reason, body)``: status 0 means "pass on to bolt" with ``body`` (bytes).

    ``headers`` is a case-insensitive mapping (``http.server``'s message); ``read_body(n)`` reads
    exactly the declared bytes and is only called once the length is acceptable.
    """
    error = length_error(headers.get("Content-Length"), cap)
    if error:
        return error[0], error[1], b""
    body = read_body(int(headers.get("Content-Length").strip()))
    if not signature_ok(secret, headers.get("X-Slack-Request-Timestamp"), body, headers.get("X-Slack-Signature"), now):
        return 401, "invalid request signature", b""
    reason = body_error(body, headers.get("Content-Type"))
    if reason:
        return 400, reason, b""
    return 0, "", body
