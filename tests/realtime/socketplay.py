"""Play games over real consumer sockets and judge every frame each socket receives.

`SocketTable` creates a game through the service layer, seats one player per role, and opens
one authenticated socket per team plus a facilitator socket (a staff user's session) against
`tabletop.asgi.application`. Every frame each socket receives is recorded with the time and
the game seq it is to be judged at (`Frame`). `Knowledge` is an oracle built from the event
log in the database, independent of `game.engine.views`: it says what a role was allowed to
know at any seq, and `Knowledge.scan` searches a frame's raw text (and its parsed JSON) for
everything that role was not allowed to know then.

Every wait is bounded in time (WAIT_SECONDS) and every loop in count.
"""

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import time
import uuid
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.003
# Client-side pacing, below the server's 10 frames/s (bursts of 30): a polite client.
CLIENT_RATE = 8.0
CLIENT_BURST = 20
FACILITATOR = "facilitator"
LEVELS = {None: 0, "existence": 1, "full": 2}
SECRET_LINE_FIELDS = ("value", "penalty", "statement", "unless")


def application():
    from tabletop.asgi import application as app

    return app


# -- scenarios ------------------------------------------------------------------------------


def inline_scenario() -> dict:
    """A small 4-role scenario whose secrets are distinctive strings and numbers."""
    from game.engine.testing import condition, inject, lever, red_line, role, round_, scenario
    from scenarios.validation import validate_document

    codes = ["A", "B", "C", "D"]
    roles = [
        role(
            code,
            weight=index,
            public_brief=f"Public brief of team {code}.",
            private_brief=f"PRIVATE-BRIEF-{code}: our true bottom line, never to be shared.",
            objectives=[f"OBJECTIVE-{code}-1: keep the alliance", f"OBJECTIVE-{code}-2: quietly"],
        )
        for index, code in enumerate(codes, 1)
    ]
    levers = [
        lever(
            "shared",
            holders={"A": (40, 0.1), "B": (60, 0.2), "C": (20, 0.1), "D": (80, 0.3)},
            step=5,
        ),
        lever("energy", holders={"B": (6, 2), "C": (4, 1), "D": (8, 2)}, high=10, pressure="down"),
        *[lever(f"m_{code.lower()}", holders={code: (50, 0.05)}, step=0.125) for code in codes],
    ]
    red_lines = [
        red_line(
            "a-hidden",
            "A",
            "m_a",
            "ceiling",
            61.375,
            penalty=13.625,
            unless=[condition("B", "energy", "<=", 3)],
            statement="STATEMENT-A-HIDDEN: we never go above the secret cap.",
        ),
        red_line(
            "a-second",
            "A",
            "shared",
            "floor",
            35,
            penalty=11.125,
            unless=[condition("D", "shared", ">=", 45)],
            statement="STATEMENT-A-SECOND: shared pressure stays up.",
        ),
        red_line(
            "b-floor",
            "B",
            "energy",
            "floor",
            4,
            penalty=17.375,
            unless=[condition("A", "m_a", ">=", 55.5)],
            statement="STATEMENT-B-FLOOR: energy imports stay at four or more.",
        ),
        red_line(
            "c-cap",
            "C",
            "shared",
            "ceiling",
            85,
            penalty=21.875,
            statement="STATEMENT-C-CAP: no more than eighty-five, ever.",
        ),
        red_line(
            "d-floor",
            "D",
            "m_d",
            "floor",
            40.125,
            penalty=9.875,
            unless=[condition("C", "energy", "<=", 6)],
            statement="STATEMENT-D-FLOOR: the secret floor of D.",
        ),
    ]
    rounds = [
        round_(
            "Round one",
            injects=[
                inject("Open news one"),
                inject(
                    "SCENARIO-INJECT-TITLE-C",
                    audience=["C"],
                    body="SCENARIO-INJECT-BODY-C: only C hears this.",
                ),
            ],
        ),
        round_(
            "Round two",
            injects=[
                inject(
                    "SCENARIO-INJECT-TITLE-AD",
                    audience=["A", "D"],
                    body="SCENARIO-INJECT-BODY-AD: only A and D hear this.",
                ),
            ],
        ),
    ]
    document = scenario(roles=roles, levers=levers, red_lines=red_lines, rounds=rounds)
    document["slug"] = "inline-four"
    return validate_document(document)


def bundled_snapshot(slug: str) -> dict:
    """Import the bundled scenarios (sync) and return one's snapshot."""
    from scenarios.models import Scenario
    from scenarios.services import scenario_import_bundled

    scenario_import_bundled()
    return Scenario.objects.get(slug=slug).to_document()


# -- recorded frames --------------------------------------------------------------------------


@dataclass
class Frame:
    socket: str
    role: str | None  # the role judged ("facilitator" for the god view, None for anonymous)
    index: int
    at: float
    text: str
    data: dict | None
    seq: int  # the game seq this frame is judged at

    @property
    def type(self) -> str | None:
        return (self.data or {}).get("type")

    def where(self) -> str:
        return f"{self.socket}#{self.index} ({self.type}, judged at seq {self.seq})"


class RecordingSocket:
    """One WebSocket to the consumer; records every frame it receives."""

    def __init__(self, table: "SocketTable", name: str, role: str, *, path=None, headers=()):
        from channels.testing import WebsocketCommunicator

        self.table = table
        self.name = name
        self.role = role
        self.path = path or f"/ws/games/{table.code}/"
        self.comm = WebsocketCommunicator(application(), self.path, headers=[ORIGIN, *headers])
        self.frames: list[Frame] = []
        self.cursor: int | None = None  # seq this client is current to
        self.event_seqs: list[int] = []  # every event seq received, in order
        self.problems: list[str] = []  # protocol problems (gaps, duplicates)
        self.replies: dict[str, Frame] = {}
        self.sent_at_seq: dict[str, int] = {}
        self.closed: int | None = None
        self.open = False
        self._ids = itertools.count(1)
        self._tokens = float(CLIENT_BURST)
        self._refill = time.monotonic()

    # -- connection ------------------------------------------------------------------------

    async def connect(self, *, token: str | None = None, last_seq: int | None = None) -> Frame:
        connected, _ = await self.comm.connect(timeout=WAIT_SECONDS)
        assert connected, f"{self.name}: socket refused"
        self.open = True
        if token is not None:
            hello = {"type": "hello", "token": token}
            if last_seq is not None:
                hello["last_seq"] = last_seq
            await self.send(hello)
        welcome = await self.wait_for_type("welcome")
        if welcome.data.get("resumed"):  # what was missed follows in one events frame
            await self.wait_for_type("events", after=welcome.index + 1)
        return welcome

    async def disconnect(self) -> None:
        if not self.open:
            return
        self.pump()
        self.open = False
        await self.comm.disconnect(timeout=WAIT_SECONDS)

    # -- sending -----------------------------------------------------------------------------

    async def _pace(self) -> None:
        for _ in range(1000):
            now = time.monotonic()
            self._tokens = min(CLIENT_BURST, self._tokens + (now - self._refill) * CLIENT_RATE)
            self._refill = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await asyncio.sleep((1 - self._tokens) / CLIENT_RATE)
        raise AssertionError("client pacing did not converge")

    async def send(self, frame: dict) -> None:
        await self._pace()
        if "id" in frame:
            self.sent_at_seq[frame["id"]] = self.table.high_seq
        await self.comm.send_to(text_data=json.dumps(frame))

    async def request(self, frame: dict) -> Frame:
        """Send a frame with a fresh id and wait for its ack or error."""
        frame = {**frame, "id": frame.get("id") or f"{self.name}-{next(self._ids)}"}
        await self.send(frame)
        await self.table.wait(lambda: frame["id"] in self.replies, what=f"reply to {frame}")
        return self.replies[frame["id"]]

    async def command(self, kind: str, **payload) -> dict:
        """A command that must be accepted; returns the ack."""
        reply = await self.request({"type": kind, **payload})
        assert reply.type == "ack", f"{self.name}: {kind} {payload} refused: {reply.data}"
        return reply.data

    async def refused(self, kind: str, **payload) -> dict:
        """A command that must be refused; returns the error frame."""
        reply = await self.request({"type": kind, **payload})
        assert reply.type == "error", f"{self.name}: {kind} {payload} accepted: {reply.data}"
        return reply.data

    async def sync(self) -> dict:
        """Ask for a snapshot and return it (`{"type": "snapshot", "seq", "view"}`)."""
        count = len(self.frames)
        await self.send({"type": "sync"})
        return (await self.wait_for_type("snapshot", after=count)).data

    async def wait_for_type(self, kind: str, *, after: int | None = None) -> Frame:
        start = len(self.frames) if after is None else after

        def found():
            return next((f for f in self.frames[start:] if f.type == kind), None)

        await self.table.wait(lambda: found() is not None, what=f"{self.name}: a {kind} frame")
        return found()

    # -- receiving ---------------------------------------------------------------------------

    def pump(self) -> None:
        """Record every frame waiting in the socket's output queue."""
        queue = self.comm.output_queue
        for _ in range(100_000):
            try:
                message = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            if message["type"] == "websocket.send":
                self._record(message.get("text") or "")
            elif message["type"] == "websocket.close":
                self.closed = message.get("code", 1000)
                self.open = False
        if self.comm.future.done() and not self.comm.future.cancelled():
            self.comm.future.result()  # re-raise a crash of the consumer

    def _record(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
            self.problems.append(f"{self.name}: a frame that is not JSON: {text[:200]}")
        kind = (data or {}).get("type")
        seq = self.table.high_seq
        if kind in ("events", "snapshot", "welcome", "pong") and isinstance(data.get("seq"), int):
            seq = data["seq"]
        elif kind == "error" and data.get("id") in self.sent_at_seq:
            seq = self.sent_at_seq[data["id"]]
        frame = Frame(self.name, self.role, len(self.frames), time.monotonic(), text, data, seq)
        self.frames.append(frame)
        self._follow(frame)
        if kind in ("ack", "error") and data.get("id"):
            self.replies[data["id"]] = frame
        if kind in ("events", "snapshot", "welcome", "ack", "pong"):
            self.table.high_seq = max(self.table.high_seq, data.get("seq") or 0)

    def _follow(self, frame: Frame) -> None:
        """Track the client's seq and flag gaps, overlaps and duplicate events."""
        data = frame.data or {}
        kind = data.get("type")
        if kind == "welcome":
            if "view" in data:
                self.cursor = data["seq"]
            else:  # resumed: an events frame from seq + 1 follows
                self.cursor = data["seq"]
        elif kind == "snapshot":
            if self.cursor is not None and data["seq"] < self.cursor:
                self.problems.append(f"{frame.where()}: snapshot older than {self.cursor}")
            self.cursor = data["seq"]
        elif kind == "events":
            if self.cursor is None:
                self.problems.append(f"{frame.where()}: events before any welcome")
            elif data["seq_from"] != self.cursor + 1:
                self.problems.append(
                    f"{frame.where()}: seq_from {data['seq_from']} after seq {self.cursor}"
                )
            if data["seq"] < data["seq_from"] - 1:
                self.problems.append(f"{frame.where()}: seq {data['seq']} < seq_from")
            for event in data["events"]:
                if not data["seq_from"] <= event["seq"] <= data["seq"]:
                    self.problems.append(f"{frame.where()}: event {event['seq']} outside range")
                if event["seq"] in self.event_seqs:
                    self.problems.append(f"{frame.where()}: event {event['seq']} received twice")
                self.event_seqs.append(event["seq"])
            self.cursor = max(self.cursor or 0, data["seq"])


# -- the table ---------------------------------------------------------------------------------


def _create_game(snapshot: dict, seed: int, roles: list[str]):
    from game.services import game_create, player_join

    game = game_create(snapshot=snapshot, seed=seed, title="Socket table")
    seats = {}
    for code in roles:
        player, token = player_join(game=game, name=f"{code} player", role=code)
        seats[code] = (player.pk, token)
    return game.pk, game.code, seats


def staff_session() -> str:
    """A logged-in superuser's session key: the facilitator of every game (plain staff run
    only the games they created or were given)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_user(
        username=f"facilitator-{uuid.uuid4().hex[:8]}",
        password=None,
        is_staff=True,
        is_superuser=True,
    )
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def player_session(code: str, token: str) -> str:
    """A browser session holding a player's seat, as the join page leaves it."""
    from importlib import import_module

    from django.conf import settings

    from game.sessions import SESSION_PLAYERS_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_PLAYERS_KEY] = {code: token}
    store.create()
    return store.session_key


def cookie(session_key: str) -> tuple[bytes, bytes]:
    from django.conf import settings

    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode())


def _events(game_id: int) -> list[dict]:
    from game.models import Event

    return [e.as_dict() for e in Event.objects.filter(game_id=game_id).order_by("seq")]


def _game_row(game_id: int) -> tuple[int, dict]:
    from game.models import Game

    game = Game.objects.get(pk=game_id)
    return game.last_seq, game.state


class SocketTable:
    """A game with one socket per team and a facilitator socket, every frame recorded."""

    def __init__(self, snapshot: dict, *, seed: int):
        self.snapshot = snapshot
        self.seed = seed
        self.roles = [r["code"] for r in snapshot["roles"]]
        self.game_id = None
        self.code = None
        self.seats: dict[str, tuple[int, str]] = {}  # role -> (player id, token)
        self.tokens: list[str] = []
        self.sessions: list[str] = []
        self.sockets: dict[str, RecordingSocket] = {}
        self.retired: list[RecordingSocket] = []  # sockets closed and replaced
        self.http: list[Frame] = []  # pages and REST answers, judged like frames
        self.high_seq = 0

    @classmethod
    async def create(cls, snapshot: dict, *, seed: int = 11, session_roles=()) -> "SocketTable":
        table = cls(snapshot, seed=seed)
        table.game_id, table.code, table.seats = await database_sync_to_async(_create_game)(
            snapshot, seed, table.roles
        )
        table.tokens = [token for _, token in table.seats.values()]
        staff = await database_sync_to_async(staff_session)()
        table.sessions.append(staff)
        table.sockets[FACILITATOR] = RecordingSocket(
            table, FACILITATOR, FACILITATOR, headers=[cookie(staff)]
        )
        await table.sockets[FACILITATOR].connect()
        for code in table.roles:
            await table.open_team(code, session=code in session_roles)
        await table.settle()
        return table

    # -- sockets -----------------------------------------------------------------------------

    @property
    def facilitator(self) -> RecordingSocket:
        return self.sockets[FACILITATOR]

    def team(self, code: str) -> RecordingSocket:
        return self.sockets[code]

    async def open_team(
        self, code: str, *, session: bool = False, last_seq: int | None = None, name=None
    ) -> RecordingSocket:
        """Open (or reopen) a team's socket: token in `hello`, or the session cookie with
        `?seq=N` in the URL."""
        old = self.sockets.get(code)
        if old is not None:
            self.retired.append(old)
        name = name or f"{code}{'' if old is None else f'~{len(self.retired)}'}"
        token = self.seats[code][1]
        if session:
            key = await database_sync_to_async(player_session)(self.code, token)
            self.sessions.append(key)
            path = f"/ws/games/{self.code}/" + (f"?seq={last_seq}" if last_seq is not None else "")
            sock = RecordingSocket(self, name, code, path=path, headers=[cookie(key)])
            self.sockets[code] = sock
            await sock.connect()
        else:
            sock = RecordingSocket(self, name, code)
            self.sockets[code] = sock
            await sock.connect(token=token, last_seq=last_seq)
        return sock

    def all_sockets(self) -> list[RecordingSocket]:
        return [*self.retired, *self.sockets.values()]

    def pump(self) -> None:
        for sock in self.all_sockets():
            if sock.open:
                sock.pump()

    async def wait(self, predicate, *, what: str, timeout: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(POLL_SECONDS)

    async def last_seq(self) -> int:
        seq, _ = await database_sync_to_async(_game_row)(self.game_id)
        self.high_seq = max(self.high_seq, seq)
        return seq

    async def state(self) -> dict:
        seq, state = await database_sync_to_async(_game_row)(self.game_id)
        self.high_seq = max(self.high_seq, seq)
        return state

    async def settle(self) -> int:
        """Wait until every open socket is current to the game's last seq."""
        seq = await self.last_seq()
        live = [s for s in self.sockets.values() if s.open and s.cursor is not None]
        await self.wait(
            lambda: all(s.cursor >= seq for s in live if s.open), what=f"every socket at {seq}"
        )
        await asyncio.sleep(POLL_SECONDS)
        self.pump()
        return seq

    async def close(self) -> None:
        for sock in self.all_sockets():
            # Closing what is left: the test has its verdict already.
            with contextlib.suppress(Exception):
                await sock.disconnect()

    async def log(self) -> list[dict]:
        return await database_sync_to_async(_events)(self.game_id)

    async def knowledge(self, **extra) -> "Knowledge":
        return Knowledge(
            self.snapshot, await self.log(), tokens=self.tokens, sessions=self.sessions, **extra
        )

    # -- bots ----------------------------------------------------------------------------------

    async def bot_turn(self, code: str, transform=None) -> int:
        """The team's bot decides from the snapshot its socket just received; returns how
        many commands it sent (each must be accepted)."""
        from game.engine import bot_plan

        sock = self.team(code)
        snapshot = await sock.sync()
        plan = bot_plan(snapshot["view"], code, seed=self.seed)
        if transform is not None:
            plan = transform(code, snapshot["view"], plan)
        for command in plan:
            await sock.command(command["type"], **{k: v for k, v in command.items() if k != "type"})
        if plan:
            await self.settle()
        return len(plan)

    async def bots(self, *, passes: int = 6, transform=None, roles=None) -> int:
        """Every bot acts in turn, until none has anything left to do (at most `passes`)."""
        total = 0
        for _ in range(passes):
            acted = 0
            for code in roles or self.roles:
                acted += await self.bot_turn(code, transform)
            total += acted
            if not acted:
                break
        return total

    # -- HTTP ----------------------------------------------------------------------------------

    async def http_get(self, path: str, *, role: str | None, token: str | None = None) -> Frame:
        """GET a page or endpoint (as a player by token, or anonymously); judged as `role`."""
        from django.test import Client

        def get():
            headers = {"HTTP_X_PLAYER_TOKEN": token} if token else {}
            reply = Client(REMOTE_ADDR="127.0.0.9").get(path, **headers)
            return reply.status_code, reply.content.decode()

        status, text = await database_sync_to_async(get)()
        return self._http_frame(f"GET {path} [{status}]", role, text)

    async def http_post(self, path: str, data: dict, *, role: str | None) -> Frame:
        from django.test import Client

        def post():
            # Followed: a seated player lands on its table page, which is searched too.
            reply = Client(REMOTE_ADDR="127.0.0.9").post(path, data, follow=True)
            return reply.status_code, reply.content.decode()

        status, text = await database_sync_to_async(post)()
        return self._http_frame(f"POST {path} [{status}]", role, text)

    async def check_join_page(self) -> None:
        """The join page, anonymously and as the page a newly seated player gets."""
        code = self.roles[-1]
        await self.http_get(f"/join/{self.code}/", role=None)
        joined = await self.http_post(
            f"/join/{self.code}/", {"name": "Late joiner", "team": code}, role=code
        )
        assert "Late joiner" in joined.text, joined.text[:500]
        await self.settle()

    def _http_frame(self, name: str, role, text: str) -> Frame:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        seq = data["seq"] if isinstance(data, dict) and isinstance(data.get("seq"), int) else None
        frame = Frame(
            name,
            role,
            len(self.http),
            time.monotonic(),
            text,
            data,
            self.high_seq if seq is None else seq,
        )
        self.http.append(frame)
        return frame

    def frames(self) -> list[Frame]:
        return [f for s in self.all_sockets() for f in s.frames] + self.http

    def protocol_problems(self) -> list[str]:
        return [p for s in self.all_sockets() for p in s.problems]


# -- the oracle ----------------------------------------------------------------------------------


def _forms(text: str) -> set[str]:
    """The ways a string can appear in a frame, a JSON answer or an HTML page."""
    return {
        text,
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        html.escape(text),
        html.escape(text, quote=False),
    }


def _number_pattern(value) -> re.Pattern:
    return re.compile(r"(?<![\d.])" + re.escape(json.dumps(value)) + r"(?![\d])")


def _distinctive(value) -> bool:
    """A number that cannot turn up by accident: a float with three or more decimals."""
    return isinstance(value, float) and not math.isclose(value * 100, round(value * 100))


def _visible(audience, role) -> bool:
    if audience == "all":
        return True
    return isinstance(audience, list) and role in audience


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@dataclass
class Secret:
    kind: str
    label: str
    forms: set[str] = field(default_factory=set)
    pattern: re.Pattern | None = None

    def found_in(self, text: str) -> bool:
        if self.pattern is not None:
            return bool(self.pattern.search(text))
        return any(form in text for form in self.forms)


class Knowledge:
    """What each role was allowed to know at each seq, from the event log (the truth).

    Built independently of the engine's views: from the scenario snapshot and the stored
    events (their kinds, data and audiences, as docs/engine.md documents them).
    """

    def __init__(
        self, snapshot: dict, events: list[dict], *, tokens=(), sessions=(), decision_markers=()
    ):
        self.snapshot = snapshot
        self.events = events
        self.by_seq = {e["seq"]: e for e in events}
        self.roles = [r["code"] for r in snapshot["roles"]]
        self.role_specs = {r["code"]: r for r in snapshot["roles"]}
        self.lines = {line["id"]: line for line in snapshot["red_lines"]}
        self.tokens = list(tokens) + list(sessions)
        self.ended_at = min(
            (e["seq"] for e in events if e["kind"] == "game_ended"), default=math.inf
        )
        self.reveals = [
            (e["seq"], e["data"]["red_line"], e["data"]["to"], e["data"]["level"])
            for e in events
            if e["kind"] == "red_line_revealed"
        ]
        # The facilitator's choices to show private chat in the debrief: (seq, revealed).
        self.chat_choices = [
            (e["seq"], e["data"]["revealed"]) for e in events if e["kind"] == "chat_reveal_set"
        ]
        self.published = [(0, code, self._starts(code)) for code in self.roles]
        self.lever_keys = {lever["key"] for lever in snapshot["levers"]}
        self.sole_levers = {
            lever["key"] for lever in snapshot["levers"] if len(lever["holders"]) == 1
        }
        self.broken = {}  # offer id -> seq its broken commitment was announced to all
        self.drafts = []
        self.offers = {}
        self.chats = []
        self.notes = []
        self.injects = [
            (0, item["title"], item["body"], item["audience"])
            for spec in snapshot["rounds"]
            for item in spec["injects"]
            if item["audience"] != "all"
        ]
        for e in events:
            data, seq = e["data"], e["seq"]
            if e["kind"] == "round_scored":
                self.published += [(seq, code, v) for code, v in data["decisions"].items()]
            elif e["kind"] in ("decision_drafted", "decision_locked"):
                self.drafts.append((seq, data["role"], data["values"]))
            elif e["kind"] == "offer_proposed":
                offer = data["offer"]
                self.offers[offer["id"]] = {
                    "seq": seq,
                    "parties": [offer["proposer"], *offer["to"]],
                    "note": offer["note"],
                    "reason": "",
                }
            elif e["kind"] == "offer_rejected":
                self.offers[data["offer"]]["reason"] = data.get("reason", "")
            elif e["kind"] == "chat_posted":
                self.chats.append((seq, data["text"], data["audience"]))
            elif e["kind"] == "commitment_broken":
                self.broken.setdefault(data["offer"], seq)
            elif e["kind"] == "note_added":
                self.notes.append((seq, data["text"]))
            elif e["kind"] == "inject_published" and data["adhoc"] and data["audience"] != "all":
                self.injects.append((seq, data["title"], data["body"], data["audience"]))
        # (role, lever, value) decided on purpose to be recognisable (see SecretScript).
        self.decision_markers = list(decision_markers)
        self._cache = {}
        self._allowed_blobs = {}

    def _starts(self, code: str) -> dict:
        return {
            lever["key"]: lever["holders"][code]["start"]
            for lever in self.snapshot["levers"]
            if code in lever["holders"]
        }

    def ended(self, seq: int) -> bool:
        return seq >= self.ended_at

    def chat_revealed(self, seq: int) -> bool:
        """Did everyone read all chat at `seq`? Only after the end, and only if the
        facilitator's latest choice by then was to reveal it for the debrief."""
        chosen = [revealed for at, revealed in self.chat_choices if at <= seq]
        return self.ended(seq) and bool(chosen) and chosen[-1]

    def chat_visible(self, audience, role, seq: int) -> bool:
        return _visible(audience, role) or self.chat_revealed(seq)

    def level(self, role, line_id: str, seq: int) -> str | None:
        """What `role` (None: anonymous / observer) knew of a red line at `seq`."""
        line = self.lines[line_id]
        if role == line["role"] or role == FACILITATOR or self.ended(seq):
            return "full"
        best = None
        for at, rid, to, level in self.reveals:
            shown = to == "all" or (role is not None and role in to)
            if at <= seq and rid == line_id and shown and LEVELS[level] > LEVELS[best]:
                best = level
        return best

    def _allowed_blob(self, role) -> str:
        """Texts the role may see from the start: public parts and its own private parts."""
        if role not in self._allowed_blobs:
            s = self.snapshot
            texts = [s["title"], s["summary"], s["background"], *s["learning_objectives"]]
            for spec in s["roles"]:
                texts += [spec["name"], spec["public_brief"]]
            for lever in s["levers"]:
                texts += [lever["label"], lever.get("description", "")]
            for spec in s["rounds"]:
                texts += [spec["title"], spec["briefing"], *spec["questions"]]
                for item in spec["injects"]:
                    if _visible(item["audience"], role):
                        texts += [item["title"], item["body"]]
            if role in self.role_specs:
                own = self.role_specs[role]
                texts += [own["private_brief"], *own["objectives"]]
                texts += [ln["statement"] for ln in s["red_lines"] if ln["role"] == role]
            self._allowed_blobs[role] = "\x00".join(texts)
        return self._allowed_blobs[role]

    def secrets(self, role, seq: int) -> list[Secret]:
        """Everything `role` must not receive at `seq`. Once the game has ended, only
        facilitator notes and the private chat it was not party to (unless revealed for the
        debrief) remain."""
        key = (role, seq)
        if key in self._cache:
            return self._cache[key]
        out: list[Secret] = []
        if role == FACILITATOR:
            self._cache[key] = out
            return out
        blob = self._allowed_blob(role)

        def text_secret(kind, label, text):
            if text and text not in blob:
                out.append(Secret(kind, label, _forms(text)))

        for at, text, audience in self.chats:
            if not self.chat_visible(audience, role, seq):
                text_secret("chat", f"chat to {audience} at seq {at}", text)
        for at, text in self.notes:
            text_secret("note", f"facilitator note at seq {at}", text)
        if self.ended(seq):
            self._cache[key] = out
            return out

        for code, spec in self.role_specs.items():
            if code == role:
                continue
            text_secret("private_brief", f"{code}'s private brief", spec["private_brief"])
            for index, item in enumerate(spec["objectives"]):
                text_secret("objective", f"{code}'s objective {index}", item)
        for line in self.lines.values():
            if line["role"] == role or self.level(role, line["id"], seq) == "full":
                continue
            text_secret("statement", f"statement of red line {line['id']}", line["statement"])
            for name in ("value", "penalty"):
                if _distinctive(line[name]):
                    out.append(
                        Secret(
                            "line_number",
                            f"{name} of {line['id']}",
                            pattern=_number_pattern(line[name]),
                        )
                    )
        for _, title, body, audience in self.injects:
            if not _visible(audience, role):
                text_secret("inject", f"body of inject {title!r} to {audience}", body)
                if json.dumps(title) not in blob:
                    out.append(
                        Secret(
                            "inject",
                            f"title of inject {title!r}",
                            {json.dumps(title), json.dumps(title, ensure_ascii=False)},
                        )
                    )
        party_notes = {o["note"] for o in self.offers.values() if role in o["parties"]}
        for offer_id, offer in self.offers.items():
            if role in offer["parties"]:
                continue
            if self.broken.get(offer_id, math.inf) <= seq:  # announced to all (documented)
                continue
            out.append(
                Secret(
                    "offer_id",
                    f"id of offer {offer_id} among {offer['parties']}",
                    {json.dumps(offer_id)},
                )
            )
            if offer["note"] and offer["note"] not in party_notes:
                text_secret("offer_note", f"note of offer {offer_id}", offer["note"])
            if offer["reason"]:
                text_secret("offer_reason", f"reject reason of offer {offer_id}", offer["reason"])
        for code, lever, value in self.decision_markers:
            if lever not in self.sole_levers or code == role:
                continue  # a shared lever's value may be anyone's
            if self._published_value(code, lever, value, seq):
                continue
            out.append(
                Secret(
                    "decision_value",
                    f"{code}'s sealed {lever}={value}",
                    pattern=re.compile(
                        re.escape(json.dumps(lever))
                        + r"\s*:\s*"
                        + re.escape(json.dumps(value))
                        + r"(?![\d.])"
                    ),
                )
            )
        self._cache[key] = out
        return out

    def _published_value(self, code, lever, value, seq) -> bool:
        return any(
            at <= seq and who == code and values.get(lever) == value
            for at, who, values in self.published
        )

    def secret_maps(self, role, seq: int) -> list[tuple[str, dict]]:
        """Other teams' draft/locked decisions not published by `seq` (and not identical to
        anything the role may see anyway)."""
        if role == FACILITATOR or self.ended(seq):
            return []
        public = [v for at, _, v in self.published if at <= seq]
        own = [v for _, who, v in self.drafts if who == role]
        return [
            (who, values)
            for at, who, values in self.drafts
            if who != role and values not in public and values not in own
        ]

    # -- judging -------------------------------------------------------------------------------

    def scan(self, frame: Frame) -> list[str]:
        """Every way `frame` tells its receiver more than it was allowed to know."""
        role, seq, text = frame.role, frame.seq, frame.text
        found = [
            f"{frame.where()}: a player token or session key"
            for token in self.tokens
            if token in text
        ]
        if role == FACILITATOR:
            return found
        found += [
            f"{frame.where()} to {role}: {secret.label}"
            for secret in self.secrets(role, seq)
            if secret.found_in(text)
        ]
        if isinstance(frame.data, (dict, list)):
            found += [f"{frame.where()} to {role}: {p}" for p in self._structure(frame, role, seq)]
        return found

    def _structure(self, frame: Frame, role, seq: int) -> list[str]:
        if self.ended(seq):
            return self._structure_after_end(frame, role, seq)
        problems = []
        maps = self.secret_maps(role, seq)
        for node in _walk(frame.data):
            line_id = node.get("id")
            if isinstance(line_id, str) and line_id in self.lines:
                line = self.lines[line_id]
                level = self.level(role, line_id, seq)
                if level is None:
                    problems.append(f"red line {line_id} of {line['role']} it was never shown")
                elif level != "full" and any(k in node for k in SECRET_LINE_FIELDS):
                    problems.append(f"red line {line_id} in full; it knew only its {level}")
            ref = node.get("red_line")
            if isinstance(ref, str) and ref in self.lines and self.lines[ref]["role"] != role:
                if self.level(role, ref, seq) is None:
                    problems.append(f"a mention of red line {ref} it was never shown")
                if "penalty" in node:
                    problems.append(f"the breach of {ref} by {self.lines[ref]['role']}")
            if "choices" in node and node.get("role") not in (role, None):
                problems.append(f"{node.get('role')}'s sealed disclosure choices")
            if maps and node and all(k in self.lever_keys for k in node):
                for who, values in maps:
                    if node == values:
                        problems.append(f"{who}'s sealed decision {values}")
        data = frame.data if isinstance(frame.data, dict) else {}
        if data.get("type") in ("events", "history"):
            for event in data["events"]:
                logged = self.by_seq.get(event["seq"])
                if logged is None or any(
                    event[k] != logged[k] for k in ("kind", "data", "audience", "round", "phase")
                ):
                    problems.append(f"event {event['seq']} differs from the log")
                elif not _visible(logged["audience"], role) and not self.ended(seq):
                    problems.append(
                        f"event {event['seq']} {logged['kind']} for {logged['audience']}"
                    )
        if isinstance(data.get("view"), dict):
            problems += self._view(data["view"], role)
        return problems

    def _structure_after_end(self, frame: Frame, role, seq: int) -> list[str]:
        """After the end: no facilitator note, and no private chat the role was not party to
        (unless revealed), in any event list (frames, history, the export) or view."""
        problems = []
        data = frame.data if isinstance(frame.data, dict) else {}
        for event in data.get("events", []) if isinstance(data.get("events"), list) else []:
            logged = self.by_seq.get(event.get("seq"))
            if logged is None or event.get("data", {}).get("private"):
                continue  # an export's placeholder: nothing of the event but its place
            if logged["kind"] == "note_added":
                problems.append(f"event {event['seq']}: a facilitator note after the end")
            if logged["kind"] == "chat_posted" and not self.chat_visible(
                logged["audience"], role, seq
            ):
                problems.append(f"event {event['seq']}: chat to {logged['audience']}")
        view = data.get("view")
        if isinstance(view, dict):
            for item in view.get("chat", []):
                if not self.chat_visible(item["audience"], role, seq):
                    problems.append(f"chat to {item['audience']} after the end")
            if view.get("notes"):
                problems.append("facilitator notes after the end")
        return problems

    def _view(self, view: dict, role) -> list[str]:
        problems = []
        mine = {role} if role else set()
        if set(view.get("disclosures", {})) - mine:
            problems.append(f"disclosures of {sorted(set(view['disclosures']) - mine)}")
        if set(view.get("decisions", {})) - mine:
            problems.append(f"decisions of {sorted(set(view['decisions']) - mine)}")
        if role and (view.get("role") or {}).get("code") != role:
            problems.append(f"the role block of {(view.get('role') or {}).get('code')}")
        scenario = view.get("scenario", {})
        for key in ("red_lines", "rounds"):
            if key in scenario:
                problems.append(f"the scenario's {key}")
        for spec in scenario.get("roles", []):
            for key in ("private_brief", "objectives"):
                if key in spec:
                    problems.append(f"{spec['code']}'s {key}")
        for lever in scenario.get("levers", []):
            for code, held in lever.get("holders", {}).items():
                if "cost" in held:
                    problems.append(f"{code}'s cost on {lever['key']}")
        for entry in view.get("results", []):
            if set(entry.get("private", {})) - mine:
                problems.append(f"round {entry['round']} private results of others")
        for offer in view.get("offers", []):
            if role not in [offer["proposer"], *offer["to"]]:
                problems.append(f"offer {offer['id']}")
        for key in ("chat", "injects"):
            for item in view.get(key, []):
                if not _visible(item["audience"], role):
                    problems.append(f"{key} to {item['audience']}")
        if view.get("notes"):
            problems.append("facilitator notes")
        if view.get("roster") is not None or view.get("awareness") is not None:
            problems.append("the roster or the awareness matrix")
        if view.get("readiness") is not None:
            problems.append("the facilitator's readiness board")
        return problems

    def scan_all(self, frames: list[Frame]) -> list[str]:
        return [problem for frame in frames for problem in self.scan(frame)]

    def unfound(self, frames: list[Frame]) -> list[str]:
        """Secrets searched for that never appear in the facilitator's frames: a search that
        cannot find what it looks for proves nothing."""
        god = "\n".join(f.text for f in frames if f.role == FACILITATOR)
        secrets = {}
        for frame in frames:
            if frame.role == FACILITATOR:
                continue
            for secret in self.secrets(frame.role, frame.seq):
                secrets.setdefault(secret.label, secret)
        return [label for label, secret in secrets.items() if not secret.found_in(god)]

    def existence_only(self, frames: list[Frame]) -> set[tuple[str, str]]:
        """(red line, role) pairs the role received at existence level only."""
        pairs = set()
        for frame in frames:
            if frame.role in (None, FACILITATOR) or self.ended(frame.seq):
                continue
            for node in _walk(frame.data):
                ref = node.get("id")
                if (
                    isinstance(ref, str)
                    and ref in self.lines
                    and self.lines[ref]["role"] != frame.role
                    and node.get("level", "existence") == "existence"
                    and self.level(frame.role, ref, frame.seq) == "existence"
                ):
                    pairs.add((ref, frame.role))
        return pairs


def presence_problems(frames: list[Frame], names: set[str]) -> list[str]:
    """Presence frames hold team codes, player ids and display names, and nothing else."""
    problems = []
    for frame in frames:
        if frame.type != "presence":
            continue
        data = frame.data
        if set(data) != {"type", "teams", "facilitators", "observers"}:
            problems.append(f"{frame.where()}: keys {sorted(data)}")
            continue
        for code, people in data["teams"].items():
            for person in people:
                if set(person) != {"player_id", "name"} or person["name"] not in names:
                    problems.append(f"{frame.where()}: {code} entry {person}")
    return problems


# -- the secret-bearing script ------------------------------------------------------------------


def _grid(lever: dict) -> list:
    count = round((lever["max"] - lever["min"]) / lever["step"])
    values = [lever["min"] + k * lever["step"] for k in range(count + 1)]
    if isinstance(lever["step"], int) and isinstance(lever["min"], int):
        return [int(v) for v in values]
    return [round(v, 9) for v in values]


class SecretScript:
    """Explicit secret-bearing actions layered over the bots' play, phase by phase.

    Briefing: a private ad-hoc inject, a facilitator note and a facilitator chat to one team.
    Disclosure: the bots' choices plus an `existence`-level reveal to a role its conditions
    do not name. Negotiation: an offer with a marker note between two roles, team and
    bilateral chat markers, an immediate existence-level reveal, probes that name other
    teams' red lines and offers, and the REST view. Decision: a recognisable draft, the REST
    view, the bots' set-and-lock, and one team re-locking a recognisable value.
    """

    def __init__(self, table: SocketTable, *, http_checks: bool = True):
        self.table = table
        self.tag = uuid.uuid4().hex[:8]
        self.counter = itertools.count(1)
        self.http_checks = http_checks
        self.decision_markers: list[tuple[str, str, object]] = []
        self.probes: list[dict] = []  # {"role", "what", "real", "fake"}
        self.log: list[str] = []

    def marker(self, what: str) -> str:
        return f"MARK-{what}-{self.tag}-{next(self.counter)}"

    def levers(self) -> dict[str, dict]:
        return {lever["key"]: lever for lever in self.table.snapshot["levers"]}

    async def play(self, *, max_phases: int = 200) -> None:
        table = self.table
        await table.facilitator.command("start")
        await table.settle()
        for _ in range(max_phases):
            state = await table.state()
            if state["status"] == "ended":
                return
            handler = getattr(self, state["phase"])
            await handler(state["round"])
            await table.facilitator.command("advance")
            await table.settle()
        raise AssertionError(f"the game did not end within {max_phases} phases")

    async def briefing(self, round_no: int) -> None:
        table, roles = self.table, self.table.roles
        target = roles[(round_no - 1) % len(roles)]
        await table.facilitator.command(
            "inject",
            title=self.marker(f"inject-title-{target}"),
            body=self.marker(f"inject-body-{target}"),
            audience=[target],
        )
        await table.facilitator.command("note", text=self.marker("note"))
        await table.facilitator.command("chat", channel=[target], text=self.marker("fac-chat"))
        await table.settle()

    async def disclosure(self, round_no: int) -> None:
        table = self.table
        for code in table.roles:
            await self._probe_lines(code, "disclosure_set")
        for code in table.roles:
            await table.bot_turn(code, transform=self._with_existence)

    def _existence_extra(self, code: str, view: dict, *, taken=()) -> dict | None:
        """An existence-level reveal of one of my red lines to a role its conditions do not
        name, that does not know it yet and that no other choice of mine names."""
        for line in view["red_lines"]:
            if line["level"] != "own":
                continue
            named = {c["role"] for c in line["unless"]}
            for other in self.table.roles:
                if (
                    other != code
                    and other not in named
                    and not line["known_by"].get(other)
                    and (line["id"], other) not in taken
                    and (line["id"], "all") not in taken
                ):
                    return {"red_line": line["id"], "to": [other], "level": "existence"}
        return None

    def _with_existence(self, code: str, view: dict, plan: list[dict]) -> list[dict]:
        choices = []
        for command in plan:
            if command["type"] == "disclosure_set":
                choices = list(command["choices"])
        if not plan and view["disclosures"].get(code):
            return []  # this team has chosen already
        taken = {
            (c["red_line"], to)
            for c in choices
            for to in (["all"] if c["to"] == "all" else c["to"])
        }
        extra = self._existence_extra(code, view, taken=taken)
        if extra is not None:
            choices.append(extra)
        if not choices or view["disclosures"].get(code) == choices:
            return []
        return [{"type": "disclosure_set", "choices": choices}]

    async def negotiation(self, round_no: int) -> None:
        table, roles = self.table, self.table.roles
        await table.bots(passes=1)
        # An offer with a marker note between two roles (a third, if any, is left out).
        proposer = roles[round_no % len(roles)]
        addressee = roles[(round_no + 1) % len(roles)]
        snapshot = await table.team(proposer).sync()
        view = snapshot["view"]
        lever = next(item for item in view["scenario"]["levers"] if proposer in item["holders"])
        standing = view["standing_decisions"][proposer][lever["key"]]
        op = ">=" if lever["pressure"] == "up" else "<="
        term = {
            "by": proposer,
            "lever": lever["key"],
            "op": op,
            "value": standing,
            "duration": "round",
        }
        await table.team(proposer).command(
            "offer_propose",
            to=[addressee],
            terms=[term],
            note=self.marker(f"offer-{proposer}-{addressee}"),
        )
        # A second one, rejected with a marker reason (the offer's parties alone see it).
        ack = await table.team(proposer).command("offer_propose", to=[addressee], terms=[term])
        await table.team(addressee).command(
            "offer_reject", offer=ack["offer"], reason=self.marker(f"why-{addressee}-{proposer}")
        )
        # Chat: each team to itself, to its neighbour, and once to all.
        for index, code in enumerate(roles):
            neighbour = roles[(index + 1) % len(roles)]
            await table.team(code).command("chat", channel="team", text=self.marker(f"team-{code}"))
            await table.team(code).command(
                "chat",
                channel=sorted({code, neighbour}),
                text=self.marker(f"bi-{code}-{neighbour}"),
            )
        await table.team(roles[0]).command(
            "chat", channel="all", text=f"Hello all, round {round_no}"
        )
        # An immediate existence-level reveal.
        for code in roles[round_no % len(roles) :] + roles[: round_no % len(roles)]:
            view = (await table.team(code).sync())["view"]
            extra = self._existence_extra(code, view)
            if extra is not None:
                await table.team(code).command("reveal", **extra)
                break
        await table.settle()
        await table.bots(passes=5)
        for code in roles:
            await self._probe_lines(code, "reveal")
            await self._probe_offers(code)
        if self.http_checks:
            await self.check_http("negotiation")

    async def decision(self, round_no: int) -> None:
        table, roles, levers = self.table, self.table.roles, self.levers()
        for index, code in enumerate(roles):
            view = (await table.team(code).sync())["view"]
            values = {}
            for key, lever in levers.items():
                if code in lever["holders"]:
                    values[key] = self._recognisable(
                        lever, view["standing_decisions"][code][key], index + 3 * round_no
                    )
                    self.decision_markers.append((code, key, values[key]))
            await table.team(code).command("decision_set", values=values)
        await table.settle()
        if self.http_checks:
            await self.check_http("decision")
        await table.bots()
        # One team unlocks and locks a recognisable value instead (published at results),
        # on a lever it alone holds if it has one.
        code = roles[round_no % len(roles)]
        held = [k for k, lever in levers.items() if code in lever["holders"]]
        key = min(held, key=lambda k: len(levers[k]["holders"]))
        view = (await table.team(code).sync())["view"]
        value = self._recognisable(
            levers[key], view["decisions"][code]["values"][key], 7 + round_no
        )
        self.decision_markers.append((code, key, value))
        await table.team(code).command("decision_unlock")
        await table.team(code).command("decision_set", values={key: value})
        await table.team(code).command("decision_lock")
        await table.settle()

    def _recognisable(self, lever: dict, avoid, salt: int):
        """A grid value unlike the usual ones: an odd point on a fine grid, else an end."""
        grid = _grid(lever)
        if len(grid) > 200:
            reserved = {
                ln[k] for ln in self.table.snapshot["red_lines"] for k in ("value", "penalty")
            }
            candidates = [
                v for v in grid if v % 1 not in (0, 0.5) and v != avoid and v not in reserved
            ]
            return candidates[(97 * salt) % len(candidates)]
        ends = [grid[-1], grid[0]] if salt % 2 else [grid[0], grid[-1]]
        return next(v for v in ends if v != avoid)

    async def results(self, round_no: int) -> None:
        for code in self.table.roles:
            await self.table.team(code).sync()

    # -- probes --------------------------------------------------------------------------------

    async def _unknown_lines(self, code: str) -> list[str]:
        """Other teams' red lines this role has never been shown (from the log)."""
        knowledge = Knowledge(self.table.snapshot, await self.table.log())
        seq = max(knowledge.by_seq, default=0)
        return [
            line_id
            for line_id, line in knowledge.lines.items()
            if line["role"] != code and knowledge.level(code, line_id, seq) is None
        ]

    async def _probe_lines(self, code: str, kind: str) -> None:
        sock = self.table.team(code)
        fake = f"zz-no-such-line-{self.tag}"
        for line_id in (await self._unknown_lines(code))[:2]:
            if kind == "reveal":
                real = await sock.refused("reveal", red_line=line_id, to="all", level="existence")
                bogus = await sock.refused("reveal", red_line=fake, to="all", level="existence")
            else:
                real = await sock.refused(
                    kind, choices=[{"red_line": line_id, "to": "all", "level": "existence"}]
                )
                bogus = await sock.refused(
                    kind, choices=[{"red_line": fake, "to": "all", "level": "existence"}]
                )
            self.probes.append(
                {
                    "role": code,
                    "what": f"{kind} {line_id}",
                    "real": real,
                    "fake": bogus,
                    "real_id": line_id,
                    "fake_id": fake,
                }
            )

    async def _probe_offers(self, code: str) -> None:
        knowledge = Knowledge(self.table.snapshot, await self.table.log())
        others = [oid for oid, o in knowledge.offers.items() if code not in o["parties"]][:2]
        sock = self.table.team(code)
        for offer_id in others:
            for kind in ("offer_accept", "offer_withdraw"):
                real = await sock.refused(kind, offer=offer_id)
                bogus = await sock.refused(kind, offer="o999")
                self.probes.append(
                    {
                        "role": code,
                        "what": f"{kind} {offer_id}",
                        "real": real,
                        "fake": bogus,
                        "real_id": offer_id,
                        "fake_id": "o999",
                    }
                )
        outsiders = [r for r in self.table.roles if r != code][:2]
        error = await sock.refused("chat", channel=outsiders, text=self.marker("probe-chat"))
        self.probes.append(
            {
                "role": code,
                "what": "chat among others",
                "real": error,
                "fake": error,
                "real_id": "",
                "fake_id": "",
            }
        )

    def probe_problems(self) -> list[str]:
        """A probe for another team's red line or offer must be answered exactly as one for
        an id that does not exist (the id itself echoed back aside)."""
        problems = []
        for probe in self.probes:
            real, fake = probe["real"], probe["fake"]
            real_message = real["message"].replace(probe["real_id"][:40], "<id>")
            fake_message = fake["message"].replace(probe["fake_id"][:40], "<id>")
            if real["code"] != fake["code"] or real_message != fake_message:
                problems.append(f"{probe['role']} {probe['what']}: {real} vs {fake}")
        return problems

    async def check_http(self, moment: str) -> None:
        table = self.table
        for code in table.roles:
            token = table.seats[code][1]
            await table.http_get(f"/api/games/{table.code}/view", role=code, token=token)
            await table.http_get(f"/api/games/{table.code}/export", role=code, token=token)
        await table.http_get(f"/join/{table.code}/", role=None)
        await table.http_get(f"/join/{table.code}/?team={table.roles[0]}", role=None)
        self.log.append(f"http checks at {moment}")
