"""game.realtime.protocol without a socket: frame parsing, the rate limiter, the constants."""

import json

import pytest

from game import engine
from game.realtime import protocol
from game.realtime.protocol import FrameError, RateLimiter, parse_frame


def error_of(text=None, data=None) -> FrameError:
    with pytest.raises(FrameError) as raised:
        parse_frame(text, data)
    return raised.value


def test_parse_frame_returns_the_object():
    assert parse_frame('{"type": "ping", "id": "a"}', None) == {"type": "ping", "id": "a"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "invalid_json"),
        ("{", "invalid_json"),
        ('{"type": NaN}', "invalid_json"),
        ('{"type": "x", "v": -Infinity}', "invalid_json"),
        ("[]", "invalid_frame"),
        ("true", "invalid_frame"),
        ("{}", "invalid_field"),
        ('{"type": 1}', "invalid_field"),
        ('{"type": "ping", "id": 1}', "invalid_field"),
        ('{"type": "ping", "id": ""}', "invalid_field"),
    ],
)
def test_parse_frame_errors(text, code):
    assert error_of(text).code == code


def test_binary_frames_are_refused():
    error = error_of(None, b'{"type": "ping"}')
    assert error.code == "invalid_frame"
    assert "text" in error.message


def test_the_size_limit_counts_utf8_bytes():
    room = protocol.MAX_FRAME_BYTES - len('{"type":"ping","pad":""}')
    fits = json.dumps(
        {"type": "ping", "pad": "€" * (room // 3)}, separators=(",", ":"), ensure_ascii=False
    )
    assert len(fits.encode()) <= protocol.MAX_FRAME_BYTES
    parse_frame(fits, None)
    too_big = fits.replace('"pad":"', '"pad":"€€')
    assert len(too_big) < protocol.MAX_FRAME_BYTES < len(too_big.encode())
    error = error_of(too_big)
    assert error.code == "too_large"
    assert str(protocol.MAX_FRAME_BYTES) in error.message


def test_nesting_too_deep_for_the_parser_is_invalid_json(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_FRAME_BYTES", 10**7)
    assert error_of("[" * 1_000_000 + "]" * 1_000_000).code == "invalid_json"


def test_a_client_id_of_up_to_64_characters_is_echoed():
    assert parse_frame(json.dumps({"type": "x", "id": "i" * 64}), None)["id"] == "i" * 64
    assert error_of(json.dumps({"type": "x", "id": "i" * 65})).code == "invalid_field"


def test_a_type_error_keeps_a_readable_id():
    assert error_of('{"type": 3, "id": "mine"}').client_id == "mine"


def test_client_id_of_reads_ids_of_well_formed_frames_only():
    assert protocol.client_id_of('{"type": "ping", "id": "p"}') == "p"
    assert protocol.client_id_of("{oops") is None
    assert protocol.client_id_of(None) is None


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_rate_limiter_allows_a_burst_then_the_sustained_rate():
    clock = FakeClock()
    limiter = RateLimiter(rate=10, burst=30, clock=clock)
    assert all(limiter.allow() for _ in range(30))
    assert not limiter.allow()
    clock.now += 0.11  # one token back (and a bit)
    assert limiter.allow()
    assert not limiter.allow()
    clock.now += 60  # refills up to the burst, never beyond
    assert sum(limiter.allow() for _ in range(100)) == 30


def test_the_rate_limiter_reads_the_module_limits_when_built(monkeypatch):
    monkeypatch.setattr(protocol, "RATE_BURST", 2)
    monkeypatch.setattr(protocol, "RATE_PER_SECOND", 1)
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    assert [limiter.allow() for _ in range(3)] == [True, True, False]
    clock.now += 1
    assert limiter.allow()


def test_dumps_is_compact_json():
    assert protocol.dumps({"type": "pong", "id": None}) == '{"type":"pong","id":null}'


def test_session_and_engine_names_do_not_collide_except_resume():
    """`resume` is both the catch-up frame and the engine command (see docs/protocol.md)."""
    assert set(protocol.SESSION_TYPES) & set(engine.COMMAND_TYPES) == {"resume"}
    assert not set(protocol.SERVER_TYPES) & set(engine.COMMAND_TYPES)
    assert not set(protocol.SESSION_ERROR_CODES) & set(engine.ERROR_CODES)


def test_close_codes():
    assert (
        protocol.CLOSE_UNAUTHENTICATED,
        protocol.CLOSE_REMOVED,
        protocol.CLOSE_UNKNOWN_GAME,
    ) == (4401, 4403, 4404)
