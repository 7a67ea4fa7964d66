"""SIGTERM with live sockets (issue 10, item 14): the daphne process exits within a few
seconds, every socket is closed with 1012 (service restart: clients reconnect), and nothing
a client was told had happened is lost."""

import asyncio
import json
import signal
import time

import pytest
from servers import Server
from tablekit import Staff, join
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

pytestmark = pytest.mark.slow

EXIT_WITHIN = 5.0
ROLES = ("US", "JP", "ROK")


async def open_socket(server: Server, code: str, token: str):
    ws = await connect(server.ws_url(code), origin=server.origin, open_timeout=10, proxy=None)
    await ws.send(json.dumps({"type": "hello", "token": token}))
    while json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] != "welcome":
        pass
    return ws


async def chat_until_closed(ws, acked: list[str]) -> int:
    """Send chat after chat, each once acked; returns the close code."""
    number = 0
    try:
        while True:
            client_id = f"m{number}"
            await ws.send(json.dumps({"type": "chat", "id": client_id, "channel": "all",
                                      "text": client_id}))  # fmt: skip
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if frame.get("id") == client_id and frame["type"] in {"ack", "error"}:
                    break
            if frame["type"] == "ack":
                acked.append(client_id)
            number += 1
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006


async def close_code(ws) -> int:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006


def test_sigterm_closes_sockets_with_1012_and_exits_within_seconds(leg_backend, tmp_path):
    env = {**leg_backend, "GAME_TIMER_LOOP": "true", "GAME_TIMER_INTERVAL": "0.05"}
    server = Server(env, log_path=tmp_path / "daphne.log").start()
    try:
        server.wait_healthy()
        staff = Staff.login(server.url)
        code = staff.create_game(server.url)
        tokens = [join(server.url, code, role) for role in ROLES]
        staff.command(server.url, code, "start")
        acked: list[str] = []

        async def play_and_stop():
            sockets = [await open_socket(server, code, token) for token in tokens]
            talker = asyncio.ensure_future(chat_until_closed(sockets[0], acked))
            listeners = [asyncio.ensure_future(close_code(ws)) for ws in sockets[1:]]
            await asyncio.sleep(1.0)  # a game in play: commands, broadcasts, timer ticks
            server.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            codes = await asyncio.gather(talker, *listeners)
            return codes, signalled

        codes, signalled = asyncio.run(play_and_stop())
        server.process.wait(timeout=EXIT_WITHIN + 5)
        took = time.monotonic() - signalled
        assert took < EXIT_WITHIN, f"exited {took:.1f} s after SIGTERM:\n{server.log_tail()}"
        assert codes == [1012] * len(ROLES), (codes, server.log_tail())
        assert acked, "the talker got no ack before the stop"
    finally:
        server.stop()

    # Nothing acknowledged was lost: a new process on the same database has every message.
    again = Server(env, log_path=tmp_path / "again.log").start()
    try:
        again.wait_healthy()
        export = Staff.login(again.url).export(again.url, code)
        texts = {e["data"]["text"] for e in export["events"] if e["kind"] == "chat_posted"}
        assert set(acked) <= texts
    finally:
        again.stop()
