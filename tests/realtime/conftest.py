"""Shared fixtures for the real-time tests: games, seated players, sockets and HTTP clients.

Generic on purpose (secrecy, reconnect and protocol tests all use them):

- `make_game(scenario=..., seat=...)` creates a game from the default inline scenario, a
  bundled scenario (by slug) or any normalized scenario dict, and seats one player per role
  (or the roles listed) through the service layer. It returns a `Table`.
- `table` is `make_game()`: the inline three-role scenario, everyone seated, in the lobby.
- `staff_cookie` is the `Cookie` header of a logged-in staff user (a facilitator).
- `on_private_redis` points the production channel layer and cache settings at the test's
  own Redis (`private_redis`, tests/conftest.py).
- `sockets` opens `WebsocketCommunicator`s on `tabletop.asgi.application` that authenticate
  by `hello` token, by session cookie, or not at all; every frame sent and received is kept
  in `frame_recorder`; every socket is disconnected when the test ends.

Async tests reach the database through `channels.db.database_sync_to_async`; frames are
awaited with `socket.next(type_or_predicate)`, which keeps skipped frames (presence, ...)
for later. Import nothing from this file: everything is a fixture or a fixture's method.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from itertools import count

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from game.engine import PHASES
from game.engine import testing as engine_testing
from game.models import Game
from game.services import Actor, game_create, game_execute, player_join

ORIGIN_HEADER = (b"origin", b"http://127.0.0.1:8000")
HOST_HEADER = (b"host", b"127.0.0.1:8000")
RECEIVE_TIMEOUT = 5.0


def inline_scenario(*, roles: int = 3, rounds: int = 2, seconds: int = 60) -> dict:
    """The default scenario: roles R1..Rn (`game.engine.testing.coalition`), timed phases
    (nothing advances by itself: the test settings switch the timer loop off). Its red-line
    statements start with `SECRET-<role>` so leaks are easy to search for."""
    return engine_testing.coalition(roles, rounds=rounds, seconds=seconds)


def bundled_snapshot(slug: str):
    """Import the bundled scenarios (published) and return (scenario model, document)."""
    from scenarios.services import scenario_import_bundled

    scenarios = {s.slug: s for s in scenario_import_bundled()}
    scenario = scenarios[slug]
    return scenario, scenario.to_document()


@dataclass
class Seat:
    player_id: int
    role: str
    name: str
    token: str


@dataclass
class Table:
    """A game made by `make_game`, with the seats it created (by role, in joining order)."""

    game: Game
    seats: dict[str, list[Seat]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.game.code

    @property
    def roles(self) -> list[str]:
        return [role["code"] for role in self.game.snapshot["roles"]]

    def seat(self, role: str, index: int = 0) -> Seat:
        return self.seats[role][index]

    def join(self, role: str, name: str | None = None) -> Seat:
        """Seat one more player on `role` (sync: wrap in db_call from async code)."""
        name = name or f"Player {role} {len(self.seats.get(role, [])) + 1}"
        player, token = player_join(game=self.game, name=name, role=role)
        seat = Seat(player_id=player.pk, role=role, name=player.name, token=token)
        self.seats.setdefault(role, []).append(seat)
        return seat

    def actor(self, by: str) -> Actor:
        """ "facilitator", or a role code (acting as that role's first seated player)."""
        if by == "facilitator":
            return Actor(kind="facilitator", user_id=None, name="facilitator")
        seat = self.seat(by)
        return Actor(kind="player", role=by, player_id=seat.player_id, name=seat.name)

    def run(self, type_: str, by: str = "facilitator", **payload):
        """Execute a command through the service layer (sync); it must be accepted."""
        result = game_execute(
            game_id=self.game.pk, actor=self.actor(by), command={"type": type_, **payload}
        )
        self.refresh()
        return result

    def advance_to(self, round_no: int, phase: str) -> None:
        """Start if needed, then advance as the facilitator until at (round_no, phase)."""
        self.refresh()
        if self.game.state["status"] == "lobby":
            self.run("start")
        target = (round_no, PHASES.index(phase))
        while (self.game.state["round"], PHASES.index(self.game.state["phase"])) < target:
            self.run("advance")
        assert (self.game.state["round"], self.game.state["phase"]) == (round_no, phase)

    def refresh(self) -> Game:
        self.game.refresh_from_db()
        return self.game

    def last_seq(self) -> int:
        return Game.objects.values_list("last_seq", flat=True).get(pk=self.game.pk)

    async def seq(self) -> int:
        """`last_seq()` for async tests."""
        return await database_sync_to_async(self.last_seq)()

    async def state(self) -> dict:
        """The game's current engine state, for async tests."""
        return await database_sync_to_async(lambda: self.refresh().state)()

    async def arun(self, type_: str, by: str = "facilitator", **payload):
        """`run()` for async tests."""
        return await database_sync_to_async(self.run)(type_, by, **payload)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test counts its rate limits in a cache of its own (never clear a shared Redis)."""
    from uuid import uuid4

    from game.services import limits

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid4().hex}",
        }
    }
    limits._cache_down_until = 0.0


@pytest.fixture
def make_game():
    """make_game(scenario=None | slug | dict, seat=True | False | [roles], title=None, seed=7)."""

    def make(*, scenario=None, seat=True, title: str | None = None, seed: int = 7) -> Table:
        model = None
        if scenario is None:
            snapshot = inline_scenario()
        elif isinstance(scenario, str):
            model, snapshot = bundled_snapshot(scenario)
        else:
            snapshot = scenario
        game = game_create(snapshot=snapshot, scenario=model, title=title, seed=seed)
        table = Table(game=game)
        roles = table.roles if seat is True else (seat or [])
        for role in roles:
            table.join(role)
        table.refresh()
        return table

    return make


@pytest.fixture
def table(make_game) -> Table:
    """The inline three-role game (R1, R2, R3), one player seated per role, in the lobby."""
    return make_game()


@pytest.fixture
def staff_user():
    """A superuser: the facilitator of every game (test_game_api_access checks narrower staff)."""
    return get_user_model().objects.create_user(
        username="facilitator",
        password=None,  # no hashing: tests log in by force
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def staff_cookie(staff_client) -> str:
    """The `Cookie` header value that makes a socket (or request) the logged-in facilitator."""
    return session_cookie(staff_client)


def session_cookie(client: Client) -> str:
    return f"sessionid={client.cookies['sessionid'].value}"


class FrameRecorder:
    """Every frame a test's sockets sent (`sent`) and received (`received`), in order."""

    def __init__(self):
        self.sent: list[dict] = []
        self.received: list[dict] = []


class Closed(Exception):
    """The server closed the socket (`code`)."""

    def __init__(self, code):
        super().__init__(f"socket closed with code {code}")
        self.code = code


class Socket:
    """A test-side WebSocket: send frames, await frames by type, keep what it skipped."""

    def __init__(self, communicator: WebsocketCommunicator, recorder: FrameRecorder):
        self.communicator = communicator
        self.recorder = recorder
        self.inbox: list[dict] = []
        self.close_code = None
        self.welcome: dict | None = None
        self._ids = count(1)
        self._disconnected = False

    # -- sending --------------------------------------------------------------------------

    async def send(self, frame) -> None:
        """Send a dict as JSON, a str as a text frame, bytes as a binary frame."""
        if isinstance(frame, bytes):
            await self.communicator.send_to(bytes_data=frame)
            return
        text = frame if isinstance(frame, str) else json.dumps(frame)
        if isinstance(frame, dict):
            self.recorder.sent.append(frame)
        await self.communicator.send_to(text_data=text)

    def new_id(self) -> str:
        return f"c{next(self._ids)}"

    async def command(self, type_: str, *, id: str | None = None, **payload) -> dict:
        """Send a command and return the `ack` or `error` frame that answers its id."""
        client_id = id or self.new_id()
        await self.send({"type": type_, "id": client_id, **payload})
        return await self.next(lambda f: f["type"] in {"ack", "error"} and f.get("id") == client_id)

    async def ok(self, type_: str, **payload) -> dict:
        """Send a command that must be accepted; returns its ack."""
        reply = await self.command(type_, **payload)
        assert reply["type"] == "ack", reply
        return reply

    async def ping(self) -> dict:
        client_id = self.new_id()
        await self.send({"type": "ping", "id": client_id})
        return await self.next(
            lambda f: f["type"] in {"pong", "error"} and f.get("id") == client_id
        )

    # -- receiving ------------------------------------------------------------------------

    async def _receive(self, timeout: float) -> dict:
        if self.close_code is not None:
            raise Closed(self.close_code)
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            self.close_code = output.get("code", 1000)
            raise Closed(self.close_code)
        assert output["type"] == "websocket.send", output
        assert "text" in output and output.get("bytes") is None, "server sent a binary frame"
        frame = json.loads(output["text"])
        assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
        self.recorder.received.append(frame)
        return frame

    async def next(self, match=None, *, timeout: float = RECEIVE_TIMEOUT) -> dict:
        """The first frame (kept or new) that `match` accepts: a type name, a predicate or None
        for any frame. Frames skipped meanwhile stay in the inbox for later calls."""
        if isinstance(match, str):
            wanted = match
            match = lambda frame: frame["type"] == wanted  # noqa: E731
        for index, frame in enumerate(self.inbox):
            if match is None or match(frame):
                return self.inbox.pop(index)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self._receive(max(0.01, deadline - loop.time()))
            if match is None or match(frame):
                return frame
            self.inbox.append(frame)

    async def events_until(self, seq: int, *, timeout: float = RECEIVE_TIMEOUT) -> list[dict]:
        """Every `events` frame up to and including the one that reaches `seq`."""
        frames = []
        while not frames or frames[-1]["seq"] < seq:
            frames.append(await self.next("events", timeout=timeout))
        return frames

    async def drain(self, wait: float = 0.2) -> list[dict]:
        """Everything that arrives within `wait` seconds (plus what was kept), emptying the
        inbox."""
        frames, self.inbox = self.inbox, []
        while not await self.communicator.receive_nothing(timeout=wait):
            try:
                frames.append(await self._receive(RECEIVE_TIMEOUT))
            except Closed:
                break
        return frames

    async def expect_close(self, code: int, *, timeout: float = RECEIVE_TIMEOUT) -> list[dict]:
        """Wait for the server to close the socket with `code`; returns the frames before."""
        frames = []
        try:
            while True:
                frames.append(await self.next(timeout=timeout))
        except Closed as closed:
            assert closed.code == code, f"closed with {closed.code}, expected {code}: {frames}"
        return frames

    async def disconnect(self) -> None:
        if not self._disconnected:
            self._disconnected = True
            await self.communicator.disconnect()


@pytest.fixture
def frame_recorder() -> FrameRecorder:
    return FrameRecorder()


@pytest.fixture
async def sockets(frame_recorder):
    """sockets(code, token=None, cookie=None, client=None, query="", origin=..., hello=True,
    hello_extra=None, welcome=True) -> Socket.

    With `token` the socket sends `hello` first (add `last_seq` through `hello_extra`); with
    `cookie` (a Cookie header value) or `client` (a Django test Client whose session joined
    the game, or a logged-in staff user's) it authenticates by session. With `welcome=True`
    the `welcome` frame is awaited and kept as `socket.welcome`. Every socket is disconnected
    at the end of the test.
    """
    opened: list[Socket] = []

    async def open_socket(
        code: str,
        *,
        token: str | None = None,
        cookie: str | None = None,
        client: Client | None = None,
        query: str = "",
        origin: tuple[bytes, bytes] | None = ORIGIN_HEADER,
        hello: bool = True,
        hello_extra: dict | None = None,
        welcome: bool = True,
    ) -> Socket:
        from tabletop.asgi import application

        if client is not None:
            cookie = session_cookie(client)
        headers = [HOST_HEADER]
        if origin is not None:
            headers.append(origin)
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        path = f"/ws/games/{code}/" + (f"?{query}" if query else "")
        communicator = WebsocketCommunicator(application, path, headers=headers)
        socket = Socket(communicator, frame_recorder)
        opened.append(socket)
        connected, close_code = await communicator.connect(timeout=RECEIVE_TIMEOUT)
        if not connected:
            socket.close_code = close_code
            socket._disconnected = True
            return socket
        if token is not None and hello:
            await socket.send({"type": "hello", "token": token, **(hello_extra or {})})
        if welcome:
            socket.welcome = await socket.next("welcome")
        return socket

    yield open_socket
    for socket in opened:
        with contextlib.suppress(Exception):  # a failed app: the test reports that itself
            await socket.disconnect()


@pytest.fixture
def on_private_redis(private_redis, settings):
    """The production channel layer and cache settings, pointed at the private Redis."""
    from game.services import limits

    layer = settings.CHANNEL_LAYERS["default"] if settings.REDIS_URL else None
    hosts = layer["CONFIG"]["hosts"][0] if layer else {"socket_timeout": 15}
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "game.realtime.layers.TolerantRedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{**hosts, "address": private_redis.url, "socket_connect_timeout": 5}],
                "prefix": f"private-{private_redis.port}",
            },
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": f"private-{private_redis.port}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    limits._cache_down_until = 0.0
    return private_redis


@pytest.fixture
def pipeline_sizes(monkeypatch):
    """The number of commands in every Redis pipeline (asyncio client) that runs."""
    from redis.asyncio.client import Pipeline

    sizes = []
    original = Pipeline.execute

    async def counted(self, *args, **kwargs):
        sizes.append(len(self.command_stack))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)
    return sizes
