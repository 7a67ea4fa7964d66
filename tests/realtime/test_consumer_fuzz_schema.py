"""No client frame can make the server fail: every frame type of docs/asyncapi.yaml, with each
of its fields (and the fields of its nested objects) given a value of the wrong type, or text
holding a NUL or a lone surrogate, gets an ordinary answer, never `server_error`, and the
socket goes on answering pings. A property test (hypothesis) over the schema; it runs on
both back ends (PostgreSQL refuses NUL in text, SQLite stores it).
"""

import json
from pathlib import Path

import pytest
import yaml
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import engine
from game.realtime import limits, protocol

pytestmark = pytest.mark.django_db(transaction=True)

ASYNCAPI = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
KNOWN_CODES = set(protocol.SESSION_ERROR_CODES) | set(engine.ERROR_CODES)
# Ending the game or unseating players would stop the fuzzing early: fuzzed last, alone.
SKIPPED_TYPES = {"end", "player_remove", "player_move"}
EXAMPLES = 1  # it sends every field of every frame eight ways: ~1,000 frames a socket

odd_text = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "é", "\u2028", ""])
scalars = [
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    odd_text,
]
wrong_scalar = st.one_of(scalars)
# One strategy per kind of JSON value: every field is given one of each kind.
WRONG_KINDS = [
    *scalars,
    st.lists(wrong_scalar, max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=4), odd_text), wrong_scalar, max_size=3),
]
wrong_value = st.one_of(WRONG_KINDS)

_document = yaml.safe_load(ASYNCAPI.read_text())


def _deref(node):
    while isinstance(node, dict) and "$ref" in node:
        target = _document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _properties(schema) -> dict:
    """A payload schema's properties, through $ref and allOf/oneOf/anyOf."""
    schema = _deref(schema)
    found = dict(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            found.update(_properties(part))
    return found


def _field_paths(example: dict) -> list[tuple]:
    """Every field of an example frame (but `type`), with the fields of objects in its lists
    and mappings: ("terms", 0, "by"), ("values", "autonomous_sanctions"), ..."""
    paths = []
    for key, value in example.items():
        if key == "type":
            continue
        paths.append((key,))
        if isinstance(value, list):
            for index, item in enumerate(value[:1]):
                paths.append((key, index))
                if isinstance(item, dict):
                    paths.extend((key, index, inner) for inner in item)
        elif isinstance(value, dict):
            paths.extend((key, inner) for inner in value)
    return paths


def client_frames(*, last: bool = False) -> list[tuple[dict, list[tuple]]]:
    """(example frame, paths of its fields) for every client frame type the schema lists; the
    schema's own properties add the fields the examples leave out."""
    cases = []
    for ref in _document["operations"]["receiveClientFrames"]["messages"]:
        message = _deref(ref)
        for example in message.get("examples", []):
            frame = dict(example["payload"])
            if (frame["type"] in SKIPPED_TYPES) is not last or frame["type"] == "hello":
                continue
            paths = _field_paths(frame)
            paths += [
                (name,)
                for name in _properties(message["payload"])
                if name != "type" and (name,) not in paths
            ]
            cases.append((frame, paths))
    return cases


CASES = client_frames()
LAST_CASES = client_frames(last=True)


def broken(frame: dict, path: tuple, value) -> dict:
    """`frame` with the field at `path` set to `value`."""
    frame = json.loads(json.dumps(frame))
    target = frame
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return frame


def check_answer(frame: dict, sent: dict) -> None:
    assert frame["type"] in protocol.SERVER_TYPES, (sent, frame)
    if frame["type"] == "error":
        assert frame["code"] != "server_error", (sent, frame)
        assert frame["code"] in KNOWN_CODES, (sent, frame)
        assert frame["message"], (sent, frame)


async def answered_without_failure(socket, frames: list[dict]) -> None:
    for frame in frames:
        await socket.send(json.dumps(frame))
    probe = socket.new_id()
    await socket.send({"type": "ping", "id": probe})
    while True:
        reply = await socket.next()
        if reply.get("id") == probe:
            assert reply["type"] == "pong", (frames, reply)
            return
        check_answer(reply, frames)


@pytest.fixture
async def table_sockets(table, sockets, staff_cookie, monkeypatch):
    monkeypatch.setattr(protocol, "RATE_BURST", 10**6)
    monkeypatch.setattr(limits, "FLOOD_BURST", 10**6)  # frames as fast as they are answered
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    player = await sockets(table.code, token=table.seat("R1").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    return player, facilitator


def test_the_schema_lists_every_client_frame():
    """Every client frame type but the skipped ones is fuzzed (an example in the schema)."""
    fuzzed = {frame["type"] for frame, _ in CASES}
    wanted = set(protocol.SESSION_TYPES) | set(engine.COMMAND_TYPES)
    wanted -= set(engine.SYSTEM_COMMAND_TYPES) | {"hello"}
    assert wanted <= fuzzed | {frame["type"] for frame, _ in LAST_CASES}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_wrongly_typed_field_gets_server_error(table_sockets, data):
    """Every field of every client frame, once with a value of each kind (null, true, a
    number, text, odd text, a list, a mapping): hypothesis draws the values."""
    frames = [
        broken(frame, path, data.draw(kind))
        for frame, paths in CASES
        for path in paths
        for kind in WRONG_KINDS
    ]
    player, facilitator = table_sockets
    await answered_without_failure(player, frames)
    await answered_without_failure(facilitator, frames)


@settings(
    max_examples=1,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_wrongly_typed_field_of_end_or_seat_commands_gets_server_error(
    table_sockets, data
):
    """`end`, `player_move` and `player_remove`, on the facilitator's socket: the game may end
    or players move on the way, which is fine; no frame may make the server fail."""
    frames = [
        broken(frame, path, data.draw(kind))
        for frame, paths in LAST_CASES
        for path in paths
        for kind in WRONG_KINDS
    ]
    _, facilitator = table_sockets
    await answered_without_failure(facilitator, frames)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    field=st.sampled_from(["token", "staff_token", "watch", "last_seq", "views"]),
    value=wrong_value,
)
async def test_no_wrongly_typed_hello_gets_server_error(table, sockets, field, value):
    """A hello with any field of any type either seats the socket or refuses it (4401)."""
    socket = await sockets(table.code, welcome=False)
    hello = {"type": "hello", "id": "h", "token": table.seat("R2").token, field: value}
    await socket.send(json.dumps(hello))
    try:
        reply = await socket.next()
        check_answer(reply, hello)
        if reply["type"] == "welcome":
            assert (await socket.ping())["type"] == "pong"
        else:
            assert reply["code"] in {"unauthenticated", "invalid_field"}, reply
            await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)
    finally:
        await socket.disconnect()


async def test_history_kinds_of_the_wrong_type_is_an_invalid_field(table_sockets):
    player, _ = table_sockets
    for kinds in (["chat"], {"chat": 1}, 3, None):
        await player.send({"type": "history", "id": "h1", "kinds": kinds})
        reply = await player.next(lambda f: f.get("id") == "h1")
        assert (reply["type"], reply["code"]) == ("error", "invalid_field"), reply
        assert "kinds" in reply["message"]


async def test_hello_views_of_the_wrong_type_are_ignored(table, sockets):
    for views in ([1], {"a": 1}):
        socket = await sockets(
            table.code, token=table.seat("R1").token, hello_extra={"views": views}
        )
        assert socket.welcome["you"]["role"] == "R1"
        await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ({"type": "chat", "id": "c1", "channel": "all", "text": "hi\x00there"}, "text"),
        ({"type": "chat", "id": "c1", "channel": ["R1", "R2\x00"], "text": "hi"}, "channel[1]"),
        ({"type": "chat", "id": "c1", "channel": "all", "text": "\ud83d"}, "text"),
        ({"type": "decision_set", "id": "c1", "values": {"sanc\x00": 5}}, "values (a key)"),
        ({"type": "history", "id": "c1", "kinds": "chat\x00"}, "kinds"),
        ({"type": "ping", "id": "c1", "extra": "\x00"}, "extra"),
    ],
)
async def test_unstorable_text_anywhere_in_a_frame_is_refused_by_name(table_sockets, frame, field):
    """NUL and lone surrogates (JSON escapes carry both) are refused before anything reads
    the frame, on both back ends alike, naming the field; nothing is stored."""
    player, _ = table_sockets
    before = await player.ping()
    await player.send(json.dumps(frame))
    reply = await player.next(lambda f: f.get("id") == "c1")
    assert (reply["type"], reply["code"]) == ("error", "invalid_field"), reply
    assert f"'{field}'" in reply["message"] and "cannot be stored" in reply["message"]
    assert (await player.ping())["seq"] == before["seq"]


async def test_an_unstorable_id_is_not_echoed(table_sockets):
    player, _ = table_sockets
    await player.send(json.dumps({"type": "chat", "id": "\ud800", "channel": "all", "text": "x"}))
    reply = await player.next("error")
    assert reply["code"] == "invalid_field" and reply["id"] is None, reply
    assert "'id'" in reply["message"]
