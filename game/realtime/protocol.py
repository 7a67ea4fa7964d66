"""Protocol v1 constants and shape checks for WebSocket frames (see docs/protocol.md)."""

import json
import time
from dataclasses import dataclass

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 16 * 1024
RATE_PER_SECOND = 10
RATE_BURST = 30
AUTH_TIMEOUT_SECONDS = 10
RESUME_MAX_EVENTS = 500
CLIENT_ID_MAX_LENGTH = 64

# Close codes (WebSocket application range 4000-4999).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_REMOVED = 4403
CLOSE_UNKNOWN_GAME = 4404

# Frames the consumer handles itself; every other type is an engine command.
SESSION_TYPES = {"hello", "resume", "sync", "ping"}


@dataclass
class FrameError(Exception):
    code: str
    message: str
    client_id: str | None = None


def parse_frame(text: str | None, bytes_data: bytes | None) -> dict:
    """Turn a received frame into a dict with a `type`, or raise FrameError."""
    if bytes_data is not None:
        raise FrameError("invalid_frame", "Send JSON text frames; binary frames are not accepted.")
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise FrameError(
            "too_large", f"Frames are limited to {MAX_FRAME_BYTES} bytes; this one is larger."
        )
    try:
        frame = json.loads(text)
    except ValueError:
        raise FrameError("invalid_json", "The frame is not valid JSON.") from None
    if not isinstance(frame, dict):
        raise FrameError("invalid_frame", "A frame must be a JSON object with a 'type'.")
    client_id = frame.get("id")
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


class RateLimiter:
    """Token bucket: RATE_PER_SECOND sustained, bursts of up to RATE_BURST frames."""

    def __init__(
        self, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST, clock=time.monotonic
    ):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
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
    return json.dumps(frame, separators=(",", ":"))
