"""GameConsumer never crashes: seeded random frames (garbage, random JSON, near-miss frames and
commands with random payloads) thrown at player and facilitator sockets.

After every frame a ping must still get its pong, and everything the server sent meanwhile
must be a well-formed server frame: errors with a known code, acks with a seq, and so on.
At the end the game's cached state must still equal the fold of its event log.
"""

import json
import random
import string

import pytest
from channels.db import database_sync_to_async

from game import engine
from game.realtime import limits, protocol
from game.services import game_rebuild_state

pytestmark = pytest.mark.django_db(transaction=True)

FRAMES_PER_SOCKET = 250
KNOWN_CODES = set(protocol.SESSION_ERROR_CODES) | set(engine.ERROR_CODES)
FIELDS = [
    "values", "to", "terms", "offer", "red_line", "level", "channel", "text", "seconds",
    "title", "body", "audience", "role", "round", "delta", "reason", "choices", "note",
    "player_id", "seq", "last_seq", "token", "expected", "actor", "now", "name",
]  # fmt: skip
ROLES = ["R1", "R2", "R3"]
LEVERS = ["sanctions", "energy", "aid_R1", "aid_R2", "aid_R3"]


class FrameFuzzer:
    def __init__(self, seed: int, *, facilitator: bool):
        self.random = random.Random(seed)
        self.facilitator = facilitator
        # Ending the game or unseating players would just stop the fuzzing early.
        excluded = {"end", "player_remove", "player_move"}
        self.types = [t for t in engine.COMMAND_TYPES if t not in excluded]
        self.types += [*protocol.SESSION_TYPES, "", "PING", "welcome", "évènement"]

    def text(self, limit: int = 12) -> str:
        alphabet = string.printable + "éü中\u0000\u2028\U0001f600"
        return "".join(self.random.choice(alphabet) for _ in range(self.random.randint(0, limit)))

    def scalar(self):
        return self.random.choice(
            [
                None,
                True,
                False,
                self.random.randint(-(2**40), 2**40),
                self.random.randint(-3, 120),
                self.random.uniform(-1e6, 1e6),
                2**70,
                -0.0,
                1e308,
                self.text(),
                self.random.choice(ROLES + LEVERS + ["all", "team", "full", "existence"]),
                "o1",
                "R1-sanctions",
            ]
        )

    def value(self, depth: int = 0):
        roll = self.random.random()
        if depth > 3 or roll < 0.55:
            return self.scalar()
        if roll < 0.75:
            return [self.value(depth + 1) for _ in range(self.random.randint(0, 4))]
        return {
            self.random.choice([*FIELDS, *LEVERS, self.text(5)]): self.value(depth + 1)
            for _ in range(self.random.randint(0, 4))
        }

    def plausible_payload(self) -> dict:
        """Well-typed fields that the engine may accept, so acks and events happen too."""
        r = self.random
        return {
            "values": {r.choice(LEVERS): r.randrange(0, 101, r.choice([1, 2, 5]))},
            "to": r.choice(["all", r.sample(ROLES, r.randint(1, 2))]),
            "terms": [
                {
                    "by": r.choice(ROLES),
                    "lever": r.choice(LEVERS),
                    "op": r.choice([">=", "<="]),
                    "value": r.randrange(0, 21, 2),
                    "duration": r.choice(["round", "game"]),
                }
            ],
            "offer": f"o{r.randint(1, 4)}",
            "red_line": r.choice(["R1-sanctions", "R2-energy", "R3-energy", "nope"]),
            "level": r.choice(["existence", "full"]),
            "channel": r.choice(["all", "team", r.sample(ROLES, 2)]),
            "text": self.text(30) or "hello",
            "seconds": r.randint(-5, 4000),
            "title": "Fuzz",
            "body": self.text(30) or "body",
            "audience": r.choice(["all", r.sample(ROLES, 1)]),
            "role": r.choice(ROLES),
            "round": r.randint(0, 3),
            "delta": r.uniform(-1500, 1500),
            "reason": "fuzz",
            "choices": [
                {"red_line": "R1-sanctions", "to": "all", "level": r.choice(["existence", "full"])}
            ],
            "seq": r.randint(0, 60),
        }

    def frame(self):
        """A str (text frame) or bytes (binary frame)."""
        r = self.random
        roll = r.random()
        if roll < 0.08:
            return bytes(r.randrange(256) for _ in range(r.randint(1, 20)))
        if roll < 0.18:
            return self.text(40) or "x"
        if roll < 0.3:
            return json.dumps(self.value())
        frame = {}
        if r.random() < 0.9:
            frame["type"] = r.choice(self.types) if r.random() < 0.9 else self.scalar()
        if r.random() < 0.85:
            frame["id"] = f"z{r.randint(0, 40)}" if r.random() < 0.85 else self.scalar()
        if r.random() < 0.6:
            payload = self.plausible_payload()
            for key in r.sample(sorted(payload), r.randint(0, len(payload))):
                frame[key] = payload[key]
        else:
            for _ in range(r.randint(0, 4)):
                frame[r.choice(FIELDS)] = self.value()
        text = json.dumps(frame)
        if r.random() < 0.05:  # damage it
            cut = r.randint(0, len(text))
            text = text[:cut] + r.choice(["", "}", "NaN", "\\", '"']) + text[cut + 1 :]
        return text


def check_server_frame(frame: dict) -> None:
    kind = frame["type"]
    assert kind in protocol.SERVER_TYPES, frame
    if kind == "error":
        assert frame["code"] in KNOWN_CODES, frame
        assert isinstance(frame["message"], str) and frame["message"], frame
        assert frame["id"] is None or isinstance(frame["id"], str), frame
    elif kind == "ack":
        assert isinstance(frame["seq"], int) and isinstance(frame["id"], str), frame
    elif kind == "events":
        assert isinstance(frame["events"], list) and frame["seq_from"] <= frame["seq"] + 1, frame
    elif kind == "snapshot":
        assert isinstance(frame["view"], dict), frame


async def fuzz(socket, fuzzer: FrameFuzzer, count: int) -> dict[str, int]:
    seen: dict[str, int] = {}
    for number in range(count):
        frame = fuzzer.frame()
        await socket.send(frame)
        probe = f"probe-{number}"
        await socket.send({"type": "ping", "id": probe})
        while True:
            reply = await socket.next()
            check_server_frame(reply)
            if reply.get("id") == probe:
                assert reply["type"] == "pong", (frame, reply)
                break
            key = reply["type"] if reply["type"] != "error" else f"error:{reply['code']}"
            seen[key] = seen.get(key, 0) + 1
    return seen


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_frames_never_crash_the_consumer(
    table, sockets, staff_cookie, monkeypatch, seed
):
    monkeypatch.setattr(protocol, "RATE_BURST", 10**6)
    monkeypatch.setattr(limits, "FLOOD_BURST", 10**6)  # frames as fast as they are answered
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    player = await sockets(table.code, token=table.seat("R1").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)

    seen = await fuzz(player, FrameFuzzer(seed, facilitator=False), FRAMES_PER_SOCKET)
    seen_by_facilitator = await fuzz(
        facilitator, FrameFuzzer(seed + 100, facilitator=True), FRAMES_PER_SOCKET
    )
    assert "error:server_error" not in {**seen, **seen_by_facilitator}
    # The fuzzer reached past the shape checks into the engine, and some commands passed.
    assert seen.get("ack", 0) + seen_by_facilitator.get("ack", 0) > 0
    assert any(key.startswith("error:") and key[6:] in engine.ERROR_CODES for key in seen)
    assert {"error:invalid_json", "error:invalid_frame", "error:unknown_type"} <= set(seen)
    assert player.close_code is None and facilitator.close_code is None

    def log_and_cache_agree():
        game = table.refresh()
        return game_rebuild_state(game=game) == game.state

    assert await database_sync_to_async(log_and_cache_agree)()


async def test_random_first_frames_close_unauthenticated_sockets(table, sockets):
    """Whatever an unauthenticated socket sends first (but a good hello), it gets one error
    frame and close 4401; the game is untouched."""
    fuzzer = FrameFuzzer(7, facilitator=False)
    before = await table.seq()
    for _ in range(20):
        socket = await sockets(table.code, welcome=False)
        frame = fuzzer.frame()
        await socket.send(frame)
        frames = await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)
        assert [f["type"] for f in frames] == ["error"], frames
        assert frames[0]["code"] in KNOWN_CODES
        await socket.disconnect()
    assert await table.seq() == before
