"""A remote game client over a real WebSocket: a bot player, or a scripted facilitator.

It speaks protocol v1 exactly as a browser tab does (see game/realtime/consumers.py):

- authenticates with a player token (`hello`), or with the headers it is given (a
  facilitator's Django session cookie), optionally resuming after a known `seq`;
- keeps a complete, ordered log of the events it was sent, each exactly once, and checks
  that every `events` frame continues where the previous one ended. A frame that skips
  seqs is a *gap*: it is recorded in `gaps` and healed by sending `resume`;
- keeps its view fresh as a browser tab does, from the view the server sends with each
  broadcast (`views=True`: the parts changed, put in place of its own, inside the `events`
  frame), or by asking for a snapshot with `sync` before each turn.
  A snapshot newer than the event log does not move the log's cursor: the client asks for
  the skipped events with `resume`, so the log stays complete (this back-fill is expected
  and is not counted as a gap);
- sends commands with unique ids and waits for their `ack` or `error`, paced by a token
  bucket a little below the server's rate limit;
- plays its role with the engine's `bot_plan`, which decides from the role's view alone.

Use it as an async context manager:

    async with BotClient(ws_url, token=token, origin="http://127.0.0.1:8000", seed=7) as bot:
        answers = await bot.play()
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from game.engine import bot_plan
from game.realtime import protocol

RATE_LIMIT_RETRIES = 5


class CommandError(Exception):
    """The server answered a command with an `error` frame."""

    def __init__(self, answer: dict):
        super().__init__(f"{answer.get('code')}: {answer.get('message')}")
        self.answer = answer
        self.code = answer.get("code")


class ClientClosed(Exception):
    """The socket closed while an answer was awaited."""


@dataclass
class PlayResult:
    """What one `play()` did: the commands it sent and the server's answers."""

    seq_before: int
    commands: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [a for a in self.answers if a.get("type") == "error"]

    @property
    def changed(self) -> bool:
        """Did the game move on while playing (true in turn-by-turn play: our commands did)?"""
        return any(a.get("type") == "ack" and a["seq"] > self.seq_before for a in self.answers)


class Pacer:
    """Client-side token bucket, so a well-behaved client never meets `rate_limited`."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    async def take(self) -> None:
        while True:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)


class BotClient:
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        origin: str | None = None,
        seed: int = 0,
        views: bool = False,
        last_seq: int | None = None,
        answer_timeout: float = 15.0,
        ping_interval: float | None = 20.0,
        rate: float = protocol.RATE_PER_SECOND * 0.8,
        burst: int = protocol.RATE_BURST - 5,
        label: str | None = None,
    ):
        self.url = url
        self.token = token
        self.headers = headers or {}
        self.origin = origin
        self.seed = seed
        self.views = views  # follow the view the server pushes, instead of `sync` per turn
        self.initial_last_seq = last_seq
        self.answer_timeout = answer_timeout
        self.ping_interval = ping_interval
        self.pacer = Pacer(rate, burst)
        self.label = label or ("player" if token else "session")
        self._ids = itertools.count(1)
        self._id_prefix = uuid.uuid4().hex[:10]

        self.ws: ClientConnection | None = None
        self.you: dict | None = None
        self.view: dict | None = None
        self.view_seq: int | None = None
        self.start_seq: int | None = None  # the event log starts after this seq
        self.seq: int | None = None  # the event log's cursor: last seq covered by `events`
        self.acked_seq = 0  # the seq of the latest command of ours the server accepted
        self.events: list[dict] = []  # every event received, each once, in seq order
        self.received_at: dict[int, float] = {}  # seq -> time.time() when it arrived
        self.frames: list[dict] = []  # every frame received (parsed), in order
        self.gaps: list[tuple[int, int]] = []  # unexpected skips: (expected seq_from, got)
        self.anomalies: list[str] = []  # protocol violations seen
        self.duplicate_events = 0  # events sent again (overlapping back-fills)
        self.unmatched_errors: list[dict] = []  # error frames without a pending id
        self.rate_limited = 0  # frames the server dropped as too fast (and were re-sent)
        self.presence: dict | None = None
        self.closed: tuple[int | None, str] | None = None

        self._pending: dict[str, asyncio.Future] = {}
        self._syncs: list[asyncio.Future] = []  # awaiting a snapshot, oldest first
        self._sync_ids: dict[str, asyncio.Future] = {}
        self._resume_id: str | None = None
        self._backfill_pending = False
        self._welcome: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()

    # -- life cycle ------------------------------------------------------------------------

    async def __aenter__(self) -> BotClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    @property
    def role(self) -> str | None:
        return (self.you or {}).get("role")

    async def connect(self, *, timeout: float = 10.0) -> dict:
        """Open the socket, authenticate, and wait for `welcome` (and a view)."""
        self.ws = await connect(
            with_views(self.url) if self.views else self.url,
            origin=self.origin,
            additional_headers=self.headers,
            open_timeout=timeout,
            ping_interval=self.ping_interval,
            max_size=16 * 1024 * 1024,
            proxy=None,
        )
        self._welcome = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read(), name=f"botclient-reader-{self.label}")
        if self.token is not None:
            hello = {"type": "hello", "token": self.token}
            if self.initial_last_seq is not None:
                hello["last_seq"] = self.initial_last_seq
            await self._send(hello)
        welcome = await asyncio.wait_for(self._welcome, timeout)
        if self.view is None:  # resumed: the events follow; fetch a view as well
            await self.sync()
        return welcome

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)

    # -- sending ---------------------------------------------------------------------------

    def new_id(self) -> str:
        return f"{self._id_prefix}-{next(self._ids)}"

    async def _send(self, frame: dict) -> None:
        await self.pacer.take()
        await self.ws.send(protocol.dumps(frame))

    async def command(self, type: str, **payload) -> dict:
        """Send an engine command and return the server's answer (`ack` or `error`).

        A frame the server dropped as `rate_limited` is sent again with the same id (it was
        not applied, and a repeated id never is twice), a few times at most."""
        client_id = self.new_id()
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            future = asyncio.get_running_loop().create_future()
            self._pending[client_id] = future
            try:
                await self._send({"type": type, "id": client_id, **payload})
                answer = await asyncio.wait_for(future, self.answer_timeout)
            finally:
                self._pending.pop(client_id, None)
            if answer["type"] == "ack":
                self.acked_seq = max(self.acked_seq, answer["seq"])
            if answer.get("code") != "rate_limited" or attempt == RATE_LIMIT_RETRIES:
                return answer
            self.rate_limited += 1
            await asyncio.sleep(1 / self.pacer.rate)
        raise AssertionError("unreachable")

    async def send_command(self, type: str, **payload) -> dict:
        """Like `command`, but raise CommandError when the server refuses."""
        answer = await self.command(type, **payload)
        if answer["type"] == "error":
            raise CommandError(answer)
        return answer

    async def send_raw(self, frame: dict, *, wait: bool = True) -> dict | None:
        """Send any frame (with an id if it has none) and wait for its ack/error/pong."""
        frame = {"id": self.new_id(), **frame}
        future = asyncio.get_running_loop().create_future()
        self._pending[frame["id"]] = future
        try:
            await self._send(frame)
            return await asyncio.wait_for(future, self.answer_timeout) if wait else None
        finally:
            self._pending.pop(frame["id"], None)

    async def sync(self) -> dict:
        """Ask for a fresh snapshot; returns the view (also kept in `view`)."""
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            future = asyncio.get_running_loop().create_future()
            sync_id = self.new_id()
            self._syncs.append(future)
            self._sync_ids[sync_id] = future
            try:
                await self._send({"type": "sync", "id": sync_id})
                await asyncio.wait_for(future, self.answer_timeout)
                return self.view
            except CommandError as error:
                if error.code != "rate_limited" or attempt == RATE_LIMIT_RETRIES:
                    raise
                self.rate_limited += 1
                await asyncio.sleep(1 / self.pacer.rate)
            finally:
                self._sync_ids.pop(sync_id, None)
                if future in self._syncs:
                    self._syncs.remove(future)
        raise AssertionError("unreachable")

    # -- playing ---------------------------------------------------------------------------

    def plan(self) -> list[dict]:
        return bot_plan(self.view, self.role, seed=self.seed) if self.view else []

    async def play(self, *, after: int = 0) -> PlayResult:
        """One turn: refresh the view, ask the bot what to do, send it, collect the answers.

        Following views, the view is fresh once it covers every event received, every
        command of ours accepted and the seq `after` (a change the caller knows of, such as
        the facilitator's advance: a player sees the new phase before acting in it);
        otherwise a snapshot is asked for."""
        if self.views:
            await self.wait_until(
                lambda: (self.view_seq or 0) >= max(self.seq or 0, self.acked_seq, after),
                timeout=self.answer_timeout,
                what="a view covering our last command",
            )
        else:
            await self.sync()
        result = PlayResult(seq_before=self.view_seq)
        for command in self.plan():
            result.commands.append(command)
            result.answers.append(await self.command(**command))
        return result

    # -- waiting ---------------------------------------------------------------------------

    async def wait_until(self, predicate, *, timeout: float = 10.0, what: str = "") -> None:
        """Wait until `predicate()` is true, re-checking after every frame received."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()  # before the check: no frame is handled in between
            if predicate():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.label}: timed out waiting for {what or predicate}")
            if self.closed is not None:
                raise ClientClosed(f"{self.label}: socket closed {self.closed}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    async def wait_seq(self, seq: int, *, timeout: float = 10.0) -> None:
        await self.wait_until(lambda: (self.seq or 0) >= seq, timeout=timeout, what=f"seq {seq}")

    async def wait_event(self, predicate, *, after: int = 0, timeout: float = 10.0) -> dict:
        """The first logged event with seq > `after` that matches `predicate`."""
        found: list[dict] = []

        def check():
            for event in self.events:
                if event["seq"] > after and predicate(event):
                    found.append(event)
                    return True
            return False

        await self.wait_until(check, timeout=timeout, what="a matching event")
        return found[0]

    def kinds(self) -> list[tuple[int, str]]:
        return [(event["seq"], event["kind"]) for event in self.events]

    # -- receiving -------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                frame = protocol.loads(text)
                self.frames.append(frame)
                try:
                    await self._handle(frame)
                finally:
                    self._changed.set()
        except ConnectionClosed:
            pass
        finally:
            self.closed = (self.ws.close_code, self.ws.close_reason or "")
            failure = ClientClosed(f"{self.label}: socket closed {self.closed}")
            for future in [*self._pending.values(), *self._syncs, self._welcome]:
                if future is not None and not future.done():
                    future.set_exception(failure)
            self._changed.set()

    async def _handle(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "welcome":
            self.you = frame["you"]
            self.start_seq = self.seq = frame["seq"]
            if not frame.get("resumed"):
                self.view, self.view_seq = frame["view"], frame["seq"]
            if not self._welcome.done():
                self._welcome.set_result(frame)
        elif kind == "events":
            await self._on_events(frame)
            if "view" in frame:  # views=3: the view frame at the events' seq rides inside
                await self._on_view(frame["view"])
        elif kind == "snapshot":
            await self._on_snapshot(frame)
        elif kind == "view":  # pushed to a socket that follows views: see _on_view
            await self._on_view(frame)
        elif kind in {"ack", "error", "pong"}:
            future = self._pending.get(frame.get("id"))
            refused_sync = self._sync_ids.get(frame.get("id"))
            if future is not None and not future.done():
                future.set_result(frame)
            elif kind == "error" and refused_sync is not None:
                if not refused_sync.done():
                    refused_sync.set_exception(CommandError(frame))
            elif kind == "error" and frame.get("id") and frame.get("id") == self._resume_id:
                self._resume_id = None
                self._backfill_pending = False
                if frame.get("code") != "rate_limited":
                    self.anomalies.append(f"resume refused: {frame.get('code')}")
                else:  # dropped: ask again a moment later
                    self.rate_limited += 1
                    loop = asyncio.get_running_loop()
                    loop.call_later(
                        1 / self.pacer.rate,
                        lambda: asyncio.ensure_future(self._request_backfill()),
                    )
            elif kind == "error":
                self.unmatched_errors.append(frame)
                if frame.get("code") == "unauthenticated" and not self._welcome.done():
                    self._welcome.set_exception(CommandError(frame))
        elif kind == "presence":
            self.presence = frame
        else:
            self.anomalies.append(f"unknown frame type {kind!r}")

    async def _on_events(self, frame: dict) -> None:
        seq_from, seq = frame["seq_from"], frame["seq"]
        previous = seq_from - 1
        for event in frame["events"]:
            if not seq_from <= event["seq"] <= seq or event["seq"] <= previous:
                self.anomalies.append(
                    f"event #{event['seq']} outside or out of order in frame {seq_from}..{seq}"
                )
            previous = max(previous, event["seq"])
        if self.seq is None:
            self.anomalies.append("events before welcome")
            return
        if seq <= self.seq:  # an overlapping back-fill: everything already logged
            self.duplicate_events += len(frame["events"])
            return
        if seq_from > self.seq + 1:
            if not self._backfill_pending:
                # Unexpected: the server skipped seqs. Heal by asking for them.
                self.gaps.append((self.seq + 1, seq_from))
                await self._request_backfill()
            # Either way the resume answer covers this frame too; drop it.
            return
        now = time.time()
        for event in frame["events"]:
            if event["seq"] > self.seq:
                self.events.append(event)
                self.received_at[event["seq"]] = now
            else:
                self.duplicate_events += 1
        self.seq = seq
        self._backfill_pending = False

    async def _on_view(self, frame: dict) -> None:
        """A whole view, or (with `base`) the parts of the view changed since the view at
        seq `base`, which the server sends only to a socket whose last view that was."""
        if frame["seq"] < (self.view_seq or 0):
            return
        view = frame["view"]
        if "base" in frame:
            if self.view is None or frame["base"] != self.view_seq:
                self.anomalies.append(f"view patch from {frame['base']}, view at {self.view_seq}")
                return
            view = with_items({**self.view, **view}, frame.get("items"))
        elif "scenario" not in view and "scenario" in (self.view or {}):
            # Left out while the game runs: it came with the welcome or a snapshot.
            view = {**view, "scenario": self.view["scenario"]}
        self.view, self.view_seq = view, frame["seq"]

    async def _on_snapshot(self, frame: dict) -> None:
        self.view, self.view_seq = frame["view"], frame["seq"]
        if self._syncs:
            future = self._syncs.pop(0)
            if not future.done():
                future.set_result(frame)
            if self.seq is not None and frame["seq"] > self.seq:
                # The view is newer than the event log: fetch the events in between.
                await self._request_backfill()
        elif self._backfill_pending:
            # The server answered the back-fill with a snapshot (too far behind): the log
            # cannot be completed; restart it here.
            self.anomalies.append(f"log reset from {self.seq} to {frame['seq']} by snapshot")
            self.seq = frame["seq"]
            self._backfill_pending = False
        elif self.seq is not None and frame["seq"] > self.seq:
            await self._request_backfill()  # unsolicited (e.g. moved to another team)

    async def _request_backfill(self) -> None:
        if self._backfill_pending or self.closed is not None:
            return
        self._backfill_pending = True
        self._resume_id = self.new_id()
        await self._send({"type": "resume", "seq": self.seq, "id": self._resume_id})


def with_items(view: dict, items: dict | None) -> dict:
    """A patch's `items` (views=3) put in place: per list of the view (the offers), each
    item changed replaces the one with the same id, or is added at the end."""
    for key, changed in (items or {}).items():
        listed = list(view.get(key) or [])
        at = {item["id"]: n for n, item in enumerate(listed)}
        for item in changed:
            if item["id"] in at:
                listed[at[item["id"]]] = item
            else:
                at[item["id"]] = len(listed)
                listed.append(item)
        view = {**view, key: listed}
    return view


def with_views(url: str) -> str:
    """The socket URL asking the server to push the view with each broadcast: whole the
    first time, then the parts that changed, inside the `events` frame (`views=3`)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "views"] + [("views", "3")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def contiguous(client: BotClient) -> list[str]:
    """Problems with a client's event log: gaps, anomalies, non-increasing seqs."""
    problems = [f"gap: expected seq {a}, frame started at {b}" for a, b in client.gaps]
    problems += client.anomalies
    seqs = [event["seq"] for event in client.events]
    if seqs != sorted(set(seqs)):
        problems.append("event seqs not strictly increasing")
    if seqs and client.start_seq is not None and seqs[0] <= client.start_seq:
        problems.append("event before the start of the log")
    return problems
