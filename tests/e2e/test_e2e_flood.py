"""A flooding socket under a real daphne (issue 30, failures 1 and 2): closed 1008 once it
keeps flooding after being told, its frames beyond the budget never handled, and its
registration gone at once, however the flood ends; another team's socket keeps its pings
answered meanwhile. (Latencies are measured in bench/flood.py, not here.)"""

import asyncio
import json

import pytest
from tablekit import join
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from game.realtime import limits, protocol

pytestmark = pytest.mark.slow

CHAT = '{"type": "chat", "id": "spam", "channel": "all", "text": "flood"}'


async def open_socket(server, code: str, token: str):
    ws = await connect(server.ws_url(code), origin=server.origin, open_timeout=10, proxy=None)
    await ws.send(json.dumps({"type": "hello", "token": token}))
    while json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] != "welcome":
        pass
    return ws


async def until_closed(ws) -> list[dict]:
    frames = []
    with pytest.raises(ConnectionClosed):
        while True:
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    return frames


async def presence_without(ws, team: str, *, timeout: float = 5.0) -> dict:
    """The first presence frame that shows nobody of `team` online."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "presence" and not frame["teams"][team]:
                return frame


def game_in_progress(leg, *, seed: int):
    """A started game on the leg's first server: (server, code, a US token, a JP token)."""
    server = leg.first
    code = leg.staff.create_game(server.url, seed=seed)
    tokens = join(server.url, code, "US"), join(server.url, code, "JP")
    leg.staff.command(server.url, code, "start")
    return server, code, *tokens


def test_a_flooding_socket_is_closed_1008_and_leaves_no_registration(leg):
    server, code, flooder_token, victim_token = game_in_progress(leg, seed=31)

    async def scenario():
        victim = await open_socket(server, code, victim_token)
        flooder = await open_socket(server, code, flooder_token)
        # Enough to be closed: read frames (the budget less the hello), the frames beyond it
        # that are forgiven, one more, and a few for the budget refilled while they travel.
        for _ in range(limits.FLOOD_BURST - 1 + limits.FLOOD_CLOSE_AFTER + 1 + 10):
            await flooder.send(CHAT)
        frames = await until_closed(flooder)
        assert flooder.close_code == protocol.CLOSE_FLOODING
        assert flooder.close_reason == "flooding"
        errors = [f for f in frames if f["type"] == "error"]
        assert {e["code"] for e in errors} == {"rate_limited"}
        assert "closed" in errors[-1]["message"]
        # The flooder's registration went with its socket: the other team sees it leave, and
        # the player may open its sockets again.
        await presence_without(victim, "US")
        await victim.send(json.dumps({"type": "ping", "id": "p"}))
        async with asyncio.timeout(5):
            while json.loads(await victim.recv()).get("id") != "p":
                pass
        again = [await open_socket(server, code, flooder_token) for _ in range(5)]
        for ws in [victim, *again]:
            await ws.close()

    asyncio.run(scenario())


def test_a_flood_then_an_abrupt_drop_leaves_no_registration(leg):
    """The issue's probe: thousands of frames, then the TCP connection dropped without a
    close. Before, the handler worked through the backlog, was killed for taking too long,
    and its row stayed (the player shown online, its sockets refused as too many)."""
    server, code, flooder_token, victim_token = game_in_progress(leg, seed=32)

    async def scenario():
        victim = await open_socket(server, code, victim_token)
        flooders = [await open_socket(server, code, flooder_token) for _ in range(5)]
        for ws in flooders:
            with pytest.raises(ConnectionClosed):  # the server closes it long before the end
                for _ in range(20000):
                    await ws.send(CHAT)
            ws.transport.abort()
        await presence_without(victim, "US", timeout=10)
        again = [await open_socket(server, code, flooder_token) for _ in range(5)]
        for ws in [victim, *again]:
            await ws.close()

    asyncio.run(scenario())
