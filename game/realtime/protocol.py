"""Protocol v1 constants and shape checks for WebSocket frames (see docs/protocol.md)."""

import json
import re
import time
from dataclasses import dataclass

import orjson

from game.errors import SERVICE_ERROR_CODES
from tabletop.storable import UNSTORABLE, storable, unstorable_path

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 16 * 1024
RATE_PER_SECOND = 10
RATE_BURST = 30
AUTH_TIMEOUT_SECONDS = 10
RESUME_MAX_EVENTS = 500
HISTORY_MAX_EVENTS = 100
HISTORY_PAGE = 50
CLIENT_ID_MAX_LENGTH = 64

# Close codes (WebSocket application range 4000-4999).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_REMOVED = 4403
CLOSE_UNKNOWN_GAME = 4404
# Too many sockets open for this player or from this address: final (a browser page shows a
# message instead of reconnecting, which would only be refused again).
CLOSE_TOO_MANY_SOCKETS = 4429
# The facilitator replaced the game's watch key: this observer or projector link no longer
# opens the game (final; the page says to ask for the new link).
CLOSE_WATCH_KEY_REPLACED = 4410
# Standard codes (RFC 6455 registry): policy violation (the socket kept sending frames far
# faster than allowed after being told: game.realtime.limits.FloodGuard), the server is
# restarting (reconnect at once, to another process), and try again later (this address
# guessed too many game codes, or the database is unavailable).
CLOSE_FLOODING = 1008
CLOSE_SERVICE_RESTART = 1012
CLOSE_TRY_AGAIN_LATER = 1013

# Frames the consumer handles itself; every other type is an engine command. `resume` with a
# `seq` is the old name of `catch_up`, kept for v1 clients.
SESSION_TYPES = ("hello", "ping", "sync", "catch_up", "resume", "history", "preview")
# Frames that only read what the socket may already see, and cost the server next to nothing:
# the command rate limit does not count them, so a client that keeps itself in step is never
# refused for it.
RATE_EXEMPT_TYPES = ("ping", "sync", "catch_up")
# Frames the server sends.
SERVER_TYPES = (
    "welcome",
    "events",
    "view",
    "ack",
    "error",
    "snapshot",
    "presence",
    "pong",
    "history",
    "preview",
)

# Error codes of the session layer (the engine's are game.engine.ERROR_CODES).
SESSION_ERROR_CODES: dict[str, str] = {
    "invalid_json": "the frame is not valid JSON (NaN and Infinity are not JSON either)",
    "invalid_frame": "a binary frame, or JSON that is not an object",
    "invalid_field": "a missing or ill-typed protocol field (type, id, seq, a command's id, "
    "history's kinds), or text anywhere in the frame holding a NUL character or an unpaired "
    "surrogate, which cannot be stored",
    "too_large": f"the frame is larger than {MAX_FRAME_BYTES} bytes",
    "rate_limited": f"more than {RATE_PER_SECOND} frames a second (bursts of {RATE_BURST})",
    "unknown_type": "no frame or command of that type",
    "forbidden": "a command only the server issues (player_join, tick)",
    "already_authenticated": "hello on a socket that is already authenticated",
    "unauthenticated": "no valid token or session: the socket is closed with 4401",
    "removed": "the facilitator removed this player: the socket is closed with 4403",
    "read_only": "a command from an observer or projector socket, which may only watch",
    "too_many_sockets": "the player (or the client address) has too many sockets open: "
    "the socket is closed with 4429",
    "too_many_attempts": "too many unknown game codes from this address: for a while every "
    "code is refused and the socket is closed with 1013",
    "chat_limited": "more chat messages than a player may send a minute; this one was not sent",
    "database_unavailable": "the server cannot reach its database: the socket is closed with 1013; "
    "reconnect in a few seconds",
    "watch_key_replaced": "the facilitator replaced this game's watch key: the observer or "
    "projector link no longer opens the game, and the socket is closed with 4410",
    **SERVICE_ERROR_CODES,
    "server_error": "the server failed; nothing was changed, the command may be retried",
}


@dataclass
class FrameError(Exception):
    code: str
    message: str
    client_id: str | None = None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_frame(text: str | None, bytes_data: bytes | None) -> dict:
    """Turn a received frame into a dict with a `type`, or raise FrameError."""
    if bytes_data is not None or text is None:
        raise FrameError("invalid_frame", "Send JSON text frames; binary frames are not accepted.")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameError(
            "too_large",
            f"Frames are limited to {MAX_FRAME_BYTES} bytes; this one is larger.",
            sniff_client_id(text),
        )
    try:
        # NaN and Infinity are not JSON (and no database stores them in a JSON column);
        # absurdly deep nesting exhausts the parser's recursion.
        frame = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise FrameError(
            "invalid_json", "The frame is not valid JSON.", sniff_client_id(text)
        ) from None
    if not isinstance(frame, dict):
        raise FrameError("invalid_frame", "A frame must be a JSON object with a 'type'.")
    client_id = frame.get("id")
    # A NUL or a lone surrogate can only come from a \u escape (a socket's text is UTF-8).
    escaped = "\\u" in text or not storable(text)
    unstorable = unstorable_path(frame) if escaped else None
    if unstorable is not None:
        echo = client_id if isinstance(client_id, str) and storable(client_id) else None
        raise FrameError(
            "invalid_field", f"'{unstorable}' {UNSTORABLE}. Remove it and send again.", echo
        )
    if client_id is not None and (
        not isinstance(client_id, str) or not 0 < len(client_id) <= CLIENT_ID_MAX_LENGTH
    ):
        raise FrameError(
            "invalid_field",
            f"'id' must be a string of 1 to {CLIENT_ID_MAX_LENGTH} characters.",
        )
    kind = frame.get("type")
    if not isinstance(kind, str) or not kind:
        raise FrameError("invalid_field", "Every frame needs a string 'type'.", client_id)
    return frame


# `"id": "..."` near the start of a frame that cannot be parsed as a whole.
ID_PATTERN = re.compile(r'"id"\s*:\s*"([^"\\\x00-\x1f]{1,' + str(CLIENT_ID_MAX_LENGTH) + r'})"')


def sniff_client_id(text: str | None) -> str | None:
    """The `id` of a frame that is not valid JSON or too large, when it can be read plainly
    from its first bytes (a simple string), so the client can match the error to it."""
    if not isinstance(text, str):
        return None
    match = ID_PATTERN.search(text[:2048])
    return match.group(1) if match else None


def client_id_of(text: str | None) -> str | None:
    """The `id` of a frame that will not be processed (too fast), if it is easy to tell."""
    try:
        frame = parse_frame(text, None)
    except FrameError as error:
        return error.client_id
    return frame.get("id")


def rate_exempt(frame: dict) -> bool:
    return frame["type"] in RATE_EXEMPT_TYPES or (frame["type"] == "resume" and "seq" in frame)


def is_catch_up(frame: dict, *, facilitator: bool) -> bool:
    """`catch_up`, or its v1 name `resume` with a `seq` (without one, from a facilitator,
    `resume` is the engine command that resumes a paused game)."""
    if frame["type"] == "catch_up":
        return True
    return frame["type"] == "resume" and ("seq" in frame or not facilitator)


def seq_field(frame: dict, key: str, *, required: bool) -> int | None:
    """A whole number ≥ 0 named `key` (a seq, a limit), or FrameError."""
    value = frame.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FrameError("invalid_field", f"'{key}' must be a whole number ≥ 0.", frame.get("id"))
    return value


class RateLimiter:
    """Token bucket: RATE_PER_SECOND sustained, bursts of up to RATE_BURST frames."""

    def __init__(self, rate: float | None = None, burst: int | None = None, clock=time.monotonic):
        self.rate = RATE_PER_SECOND if rate is None else rate
        self.burst = RATE_BURST if burst is None else burst
        self.clock = clock
        self.tokens = float(self.burst)
        self.updated = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def dumps(frame: dict) -> str:
    """A frame (or a part of one) as compact JSON text. orjson: ten times as fast as the
    standard library's encoder, which was ~6% of a game server's CPU (issue 11); it writes
    the same JSON, except that text stays UTF-8 instead of \\u escapes, NaN and infinities
    become null, and integer keys become strings as json.dumps makes them."""
    return orjson.dumps(frame, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(text: str | bytes):
    """A frame the server sent, parsed (the bot client and the benchmark's clients)."""
    return orjson.loads(text)
