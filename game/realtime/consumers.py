"""The game socket: authenticate, parse, call the service layer, relay filtered frames.

Every frame a client receives is built from the engine's view for that client: the snapshot
in `welcome`/`snapshot`, the per-viewer `events` frames prepared by the service layer, or
events re-read from the log and filtered here when a broadcast was missed.
"""

import asyncio
import logging
import re
import time
from datetime import datetime
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from game import engine, selectors
from game.realtime import floodgate, limits, protocol, shutdown
from game.realtime.auth import actor_from_hello, actor_from_scope
from game.realtime.dbthreads import run_for_game
from game.realtime.dispatch import DirectDispatchMixin
from game.realtime.protocol import FrameError, dumps
from game.realtime.watch import broadcast_received, socket_unwatch, socket_watch
from game.services import Actor, CommandRefused
from game.services import limits as limit_rules
from game.services.broadcast import (
    VIEWS_IN_EVENTS,
    VIEWS_NONE,
    VIEWS_PATCHES,
    VIEWS_WHOLE,
    follow_key,
    game_group,
    viewer_key,
    views_follow,
    views_unfollow,
)
from game.services.presence import (
    connection_claim_player,
    connection_open,
    presence_connect,
    presence_disconnect,
)
from game.services.seating import command_execute
from game.services.statecache import seq_known, seq_seen, state_advance
from game.services.watchkeys import watch_key_hash, watch_key_replaced
from tabletop import dbdown

logger = logging.getLogger(__name__)

SEQ_PATTERN = re.compile(r"[0-9]{1,15}")
WATCH_KEY_REPLACED_MESSAGE = "This link has been replaced; ask the facilitator for the new one."
# After the database failed a socket's opening, new sockets are refused at once for this long
# (close 1013) instead of each waiting for the database to fail them again.
DATABASE_RETRY_SECONDS = 5.0
_database_down_until = 0.0
# Cleanups of handlers that were killed (cancelled) before their own ran: kept until done.
_cleanups: set[asyncio.Task] = set()


class GameConsumer(DirectDispatchMixin, AsyncWebsocketConsumer):
    game_id: int | None = None
    actor: Actor | None = None
    viewer: dict | None = None
    seq: int = 0
    # Set once the server has closed the socket: frames still in flight are ignored.
    closing: bool = False
    # How the page follows the view (?views=N, broadcast.VIEWS_*): not at all (0); the whole
    # fresh view after every change (1); the parts of it that changed (2), in a `view` frame,
    # or (3) inside the change's `events` frame.
    views: int = VIEWS_NONE
    # The seq of the last view sent on this socket (welcome, snapshot or view frame): the
    # view the page holds, which a patch must start from. None: not known (a resume).
    view_seq: int | None = None
    # (game id, viewer, views) counted as a view follower
    counted_as: tuple[int, dict, int] | None = None
    # The hash of the watch key an observer socket opened with (closed when it is replaced)
    watch_hash: str | None = None
    # Set once the handler has let go of its registration (presence, watch, follower count).
    released: bool = False
    accepted: bool = False
    flood_counted: bool = False
    auth_timer = None

    async def __call__(self, scope, receive, send):
        """Run the handler; however it ends (its disconnect, an error, or cancelled by daphne
        for taking too long to finish), its socket's registration ends with it."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            if not self.released:
                self._forget()
                task = asyncio.get_running_loop().create_task(self._unregister())
                _cleanups.add(task)
                task.add_done_callback(_cleanup_done)

    async def connect(self):
        self.code = self.scope["url_route"]["kwargs"]["code"].upper()
        self.limiter = protocol.RateLimiter()
        # Frames that did not come through daphne's flood gate are counted here.
        self.flood = limits.FloodGuard(burst_factor=limits.HANDLER_BURST_FACTOR)
        self.address = limits.scope_client_address(self.scope)
        try:
            await self._open()
        except DatabaseError as error:
            logger.warning("Socket for game %s refused: the database failed", self.code)
            _database_failed()
            if dbdown.connection_lost(error):  # the pages answer 503 at once from now on too
                dbdown.database_failed()
            await self._database_unavailable()

    async def _database_unavailable(self):
        if not self.closing:
            if self.game_id is not None:  # its row could not be written or was: let it go
                shutdown.socket_closed(self)
            if not self.accepted:
                await self._accept()
            await self._send_error(
                "database_unavailable",
                "The server cannot reach its database just now. Try again in a few seconds.",
                None,
            )
            await self._close(protocol.CLOSE_TRY_AGAIN_LATER, "database unavailable")

    async def _accept(self):
        self.accepted = True
        await self.accept()

    async def _open(self):
        if time.monotonic() < _database_down_until:
            await self._database_unavailable()
            return
        if await limits.code_attempts_blocked(address=self.address):
            # Asked before the code is looked up: a scanner learns nothing more, even of a
            # valid code, until the block has passed.
            await self._accept()
            await self._send_error("too_many_attempts", limit_rules.code_blocked_message(), None)
            await self._close(protocol.CLOSE_TRY_AGAIN_LATER, "too many attempts")
            return
        self.game = await database_sync_to_async(selectors.game_get_by_code)(code=self.code)
        await self._accept()
        if self.game is None:
            await limits.code_missed(address=self.address)
            await self._close(protocol.CLOSE_UNKNOWN_GAME, "unknown game")
            return
        self.game_id = self.game.pk
        shutdown.socket_opened(self)
        sockets = await database_sync_to_async(connection_open)(
            game_id=self.game_id, channel_name=self.channel_name, address=self.address
        )
        if sockets > settings.SOCKETS_PER_ADDRESS:
            await self._refuse_socket(
                f"Too many sockets from your address: at most {settings.SOCKETS_PER_ADDRESS} "
                "at a time. Close some pages (or scripts) and try again."
            )
            return
        query = _query(self.scope)
        self.views = _views_asked(query.get("views"))
        actor = await database_sync_to_async(actor_from_scope)(
            self.scope, self.game, watch_key=query.get("watch")
        )
        if actor is None and watch_key_replaced(self.game, query.get("watch")):
            await self._refuse_replaced_watch_key(None)
        elif actor is not None:
            self._remember_watch_key(actor, query.get("watch"))
            await self._start(actor, last_seq=_last_seq(query.get("seq")))
        else:
            self.auth_timer = asyncio.get_running_loop().call_later(
                protocol.AUTH_TIMEOUT_SECONDS,
                lambda: asyncio.ensure_future(self._auth_timed_out()),
            )

    async def disconnect(self, close_code):
        self._forget()
        await self._unregister()

    def _forget(self):
        """At once, on the event loop: stop counting this socket in this process (so the
        presence heartbeat no longer keeps its row) and stop its timers and followings."""
        self.released = self.closing = True
        self._count_as_follower(None)
        shutdown.socket_closed(self)
        if self.auth_timer:
            self.auth_timer.cancel()
        if self.actor is not None:
            socket_unwatch(self)

    async def _unregister(self):
        """Leave the game's group, delete the socket's row (telling the game it left) and give
        back its channel."""
        if self.actor is not None:
            await self.channel_layer.group_discard(game_group(self.game_id), self.channel_name)
        if self.game_id is not None:
            try:
                await database_sync_to_async(presence_disconnect)(
                    game_id=self.game_id, channel_name=self.channel_name
                )
            except DatabaseError:  # the next presence heartbeat deletes the row
                logger.warning("Socket row on game %s not deleted: the database failed", self.code)
        release = getattr(self.channel_layer, "release", None)  # game.realtime.layers
        if release is not None:
            await release(self.channel_name)

    async def close_for_restart(self):
        """The process is stopping: the client is to reconnect (to another process)."""
        self._count_as_follower(None)
        shutdown.socket_closed(self)
        if not self.closing:
            await self._close(protocol.CLOSE_SERVICE_RESTART, "server restarting")
        if self.game_id is not None:
            game_id, self.game_id = self.game_id, None
            await database_sync_to_async(presence_disconnect)(
                game_id=game_id, channel_name=self.channel_name
            )

    async def _refuse_socket(self, message: str):
        # Give its place back at once: the client may be slow to finish closing.
        await database_sync_to_async(presence_disconnect)(
            game_id=self.game_id, channel_name=self.channel_name
        )
        self.game_id = None
        await self._send_error("too_many_sockets", message, None)
        await self._close(protocol.CLOSE_TOO_MANY_SOCKETS, "too many sockets")

    # -- authentication --------------------------------------------------------------------

    async def _auth_timed_out(self):
        if self.actor is None and not self.closing:
            await self._send_error(
                "unauthenticated",
                f"No hello within {protocol.AUTH_TIMEOUT_SECONDS} seconds of connecting.",
                None,
            )
            await self._close(protocol.CLOSE_UNAUTHENTICATED, "unauthenticated")

    async def _start(self, actor: Actor, *, last_seq: int | None):
        self.game = None  # authenticated: its row is not needed again (memory per socket)
        if self.auth_timer:
            self.auth_timer.cancel()
            self.auth_timer = None
        if actor.player_id is not None:
            sockets = await database_sync_to_async(connection_claim_player)(
                channel_name=self.channel_name, player_id=actor.player_id
            )
            if sockets > settings.SOCKETS_PER_PLAYER:
                await self._refuse_socket(
                    f"Too many sockets for one player: at most {settings.SOCKETS_PER_PLAYER} "
                    "at a time. Close another tab or window of this game and reload."
                )
                return
        self._seat(actor)
        await self.channel_layer.group_add(game_group(self.game_id), self.channel_name)
        socket_watch(self)
        welcome = {
            "type": "welcome",
            "protocol": protocol.PROTOCOL_VERSION,
            "game": {"code": self.code},
            "you": self._identity(),
        }
        missed = None
        if last_seq is not None:
            missed = await self._events_since(last_seq)
        if missed is not None and not self._moves_me(missed):
            # Resuming: the client keeps its state and receives only what it missed.
            self.seq = missed["seq"]
            await self.send(text_data=dumps({**welcome, "seq": last_seq, "resumed": True}))
            await self.send(text_data=dumps(missed))
            await self._send_view()
        else:
            actor, snapshot = await database_sync_to_async(selectors.game_seated_snapshot)(
                game_id=self.game_id, actor=self.actor
            )
            if actor is None:  # removed between authenticating and now
                await self._let_removed_player_go()
                return
            self._seat(actor)
            self.seq = self.view_seq = snapshot["seq"]
            welcome["you"] = self._identity()
            await self.send(text_data=dumps({**welcome, "resumed": False, **snapshot}))
        await self._announce_presence()

    # -- receiving ---------------------------------------------------------------------------

    async def websocket_receive(self, message):
        # Counted by daphne's flood gate as it arrived (game.realtime.floodgate).
        self.flood_counted = message.get(floodgate.COUNTED, False)
        await super().websocket_receive(message)

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing or self.game_id is None:
            return  # the server has closed (or never opened) this socket for good
        verdict = None if self.flood_counted else self.flood.check()
        if verdict is not None:  # beyond the flood budget: not read
            await self._flooded(verdict, text_data)
            return
        client_id = None
        try:
            try:
                frame = protocol.parse_frame(text_data, bytes_data)
            except FrameError as error:
                self._check_rate(error.client_id)
                raise
            client_id = frame.get("id")
            if not protocol.rate_exempt(frame):
                self._check_rate(client_id)
                await self._check_player_rate(frame, client_id)
            if self.actor is None:
                await self._receive_unauthenticated(frame)
                return
            await self._dispatch(frame)
        except FrameError as error:
            await self._send_error(error.code, error.message, error.client_id or client_id)
            if self.actor is None:
                await self._close(protocol.CLOSE_UNAUTHENTICATED, "unauthenticated")
        except Exception:
            # Never let one frame kill the socket: the transaction rolled back, so nothing
            # changed, and the client may retry.
            logger.exception("Frame on game %s failed", self.code)
            await self._send_error(
                "server_error",
                "Something went wrong on the server; nothing was changed. Try again.",
                client_id if isinstance(client_id, str) else None,
            )

    async def _flooded(self, verdict: str, text_data):
        if verdict == "drop":
            return
        if verdict == "warn":
            client_id = protocol.sniff_client_id(text_data)
            await self._send_error("rate_limited", limits.flood_warning(), client_id)
            return
        logger.warning("Socket on game %s closed: it kept flooding", self.code)
        await self._send_error("rate_limited", limits.flood_closing(), None)
        await self._close(protocol.CLOSE_FLOODING, "flooding")

    def _check_rate(self, client_id):
        if not self.limiter.allow():
            raise FrameError(
                "rate_limited",
                f"Too many commands: at most {protocol.RATE_PER_SECOND} a second "
                f"(bursts of {protocol.RATE_BURST}). This one was dropped; wait a moment "
                "and send it again.",
                client_id,
            )

    async def _check_player_rate(self, frame: dict, client_id):
        """The same frames, counted for the player over all of its sockets (in every process),
        so opening more sockets buys no more commands; a chat message is counted against the
        chat limit in the same trip to the cache."""
        player_id = self.actor.player_id if self.actor is not None else None
        if player_id is None:
            return
        chat = frame["type"] == "chat" and client_id is not None  # a command that can be sent
        refused = await limits.player_frame_refused(player_id=player_id, chat=chat)
        if refused == "rate_limited":
            raise FrameError(
                "rate_limited",
                f"Too many commands from your player: at most {settings.COMMAND_RATE_PER_PLAYER} "
                "a second over all of its sockets. This one was dropped; wait a moment and send "
                "it again.",
                client_id,
            )
        if refused == "chat_limited":
            raise FrameError("chat_limited", limit_rules.chat_limit_message(), client_id)

    async def _refuse_unauthenticated(self, client_id):
        await self._send_error(
            "unauthenticated",
            'Authenticate first: send {"type": "hello", "token": "<your player token>"}.',
            client_id,
        )
        await self._close(protocol.CLOSE_UNAUTHENTICATED, "unauthenticated")

    async def _receive_unauthenticated(self, frame: dict):
        if frame["type"] != "hello" or not any(
            isinstance(frame.get(key), str) for key in ("token", "staff_token", "watch")
        ):
            await self._refuse_unauthenticated(frame.get("id"))
            return
        actor = await database_sync_to_async(actor_from_hello)(self.game, frame)
        if actor is None and watch_key_replaced(self.game, frame.get("watch")):
            await self._refuse_replaced_watch_key(frame.get("id"))
            return
        if actor is None:
            await self._send_error(
                "unauthenticated",
                "That token does not belong to a player of this game (or the player was "
                "removed), or that watch key does not open this game. Join the game again, "
                "or ask the facilitator for a fresh link.",
                frame.get("id"),
            )
            await self._close(protocol.CLOSE_UNAUTHENTICATED, "unauthenticated")
            return
        last_seq = frame.get("last_seq")
        if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
            last_seq = None
        if "views" in frame:  # else as the URL asked (?views=N)
            self.views = _views_asked(frame["views"])
        self._remember_watch_key(actor, frame.get("watch"))
        await self._start(actor, last_seq=last_seq)

    def _remember_watch_key(self, actor: Actor, key) -> None:
        if actor.kind == "observer":
            self.watch_hash = watch_key_hash(key)

    async def _refuse_replaced_watch_key(self, client_id):
        await self._send_error("watch_key_replaced", WATCH_KEY_REPLACED_MESSAGE, client_id)
        await self._close(protocol.CLOSE_WATCH_KEY_REPLACED, "link replaced")

    async def _dispatch(self, frame: dict):
        kind = frame["type"]
        client_id = frame.get("id")
        if kind == "ping":
            # A keep-alive is also the moment to notice a broadcast lost at the end of a burst
            # (no later broadcast would reveal the gap): catch up before answering. The
            # database is asked only when this process knows of a later seq (the heal pass
            # covers broadcasts lost between processes).
            if seq_known(game_id=self.game_id) > self.seq:
                await self._catch_up_if_behind()
            await self.send(text_data=dumps({"type": "pong", "id": client_id, "seq": self.seq}))
        elif kind == "sync":
            await self._send_snapshot(client_id)
        elif protocol.is_catch_up(frame, facilitator=self.actor.kind == "facilitator"):
            await self._resume(protocol.seq_field(frame, "seq", required=True), client_id)
        elif kind == "history":
            await self._history(frame)
        elif kind == "preview":
            await self._preview(frame)
        elif kind == "hello":
            raise FrameError(
                "already_authenticated", "This socket is already authenticated.", client_id
            )
        elif kind in engine.COMMAND_TYPES:
            await self._command(frame)
        else:
            raise FrameError("unknown_type", f"Unknown frame type '{kind}'.", client_id)

    async def _command(self, frame: dict):
        client_id = frame.get("id")
        if client_id is None:
            raise FrameError(
                "invalid_field",
                "Commands need an 'id' (a string you choose) so the answer can be matched to them.",
            )
        if frame["type"] in engine.SYSTEM_COMMAND_TYPES:
            raise FrameError(
                "forbidden",
                f"'{frame['type']}' is issued by the server only"
                + (
                    " (join through the join page or POST /api/games/<code>/join)."
                    if frame["type"] == "player_join"
                    else "."
                ),
                client_id,
            )
        if self.actor.kind == "observer":
            raise FrameError(
                "read_only",
                "This is a read-only view: observers cannot act in the game.",
                client_id,
            )
        command = {k: v for k, v in frame.items() if k not in {"id", "actor", "now"}}
        try:
            result = await run_for_game(
                self.game_id,
                command_execute,
                game_id=self.game_id,
                actor=self.actor,
                command=command,
                client_id=client_id,
            )
        except CommandRefused as refused:
            await self._send_error(refused.code, refused.message, client_id)
            return
        ack = {"type": "ack", "id": client_id, "seq": result.seq, **result.created}
        if result.duplicate:
            ack["duplicate"] = True
        await self.send(text_data=dumps(ack))

    async def _history(self, frame: dict):
        """A page of older events the viewer may see: the chat (`kinds: "chat"`) or the log."""
        client_id = frame.get("id")
        kinds = frame.get("kinds", "all")
        if not isinstance(kinds, str) or kinds not in selectors.HISTORY_KINDS:
            raise FrameError("invalid_field", "'kinds' must be 'chat' or 'all'.", client_id)
        before = protocol.seq_field(frame, "before", required=False)
        limit = protocol.seq_field(frame, "limit", required=False) or protocol.HISTORY_PAGE
        page = await database_sync_to_async(selectors.game_history)(
            game_id=self.game_id, viewer=self.viewer, before=before, limit=limit, kinds=kinds
        )
        await self.send(text_data=dumps({**page, "id": client_id}))

    async def _preview(self, frame: dict):
        """What a draft decision or an offer would mean for the player's own team."""
        client_id = frame.get("id")
        if self.actor.kind != "player":
            raise FrameError(
                "not_player",
                "Previews are for players: they use a team's own costs and red lines.",
                client_id,
            )
        request = {k: v for k, v in frame.items() if k in ("decision", "offer", "terms")}
        result = await database_sync_to_async(selectors.game_preview)(
            game_id=self.game_id, role=self.actor.role, request=request
        )
        if isinstance(result, engine.RuleError):
            await self._send_error(result.code, result.message, client_id)
            return
        await self.send(text_data=dumps({"type": "preview", "id": client_id, "preview": result}))

    # -- sending -------------------------------------------------------------------------------

    async def _send_error(self, code: str, message: str, client_id):
        await self.send(
            text_data=dumps({"type": "error", "id": client_id, "code": code, "message": message})
        )

    async def _close(self, code: int, reason: str):
        self.closing = True
        await self.close(code=code, reason=reason)

    def _seat(self, actor: Actor) -> None:
        """Set who this socket is; a socket that follows whole views is counted for its
        viewer, so that commits build the views somebody follows (broadcast.build_views)."""
        self.actor, self.viewer = actor, actor.viewer()
        self._count_as_follower(self.viewer if self.views else None)

    def _count_as_follower(self, viewer: dict | None) -> None:
        if self.counted_as is not None:
            views_unfollow(*self.counted_as)
            self.counted_as = None
        if viewer is not None:
            self.counted_as = (self.game_id, viewer, self.views)
            views_follow(*self.counted_as)

    def _identity(self) -> dict:
        identity = {"kind": self.actor.kind, "role": self.actor.role, "name": self.actor.name}
        if self.actor.player_id is not None:
            identity["player_id"] = self.actor.player_id
        return identity

    async def _send_snapshot(self, client_id=None, *, only_if_reseated: bool = False):
        """Send the view at the current seq, for the seat the game gives this socket's player
        in that same read: a moved player is re-seated first, a removed one let go. So no
        snapshot is ever built for a team the player has left, however late its news is."""
        actor, snapshot = await database_sync_to_async(selectors.game_seated_snapshot)(
            game_id=self.game_id, actor=self.actor
        )
        if actor is None:
            await self._let_removed_player_go()
            return
        reseated = actor != self.actor
        self._seat(actor)
        if reseated or not only_if_reseated:
            self.seq = self.view_seq = snapshot["seq"]
            frame = {"type": "snapshot", "you": self._identity(), **snapshot}
            if client_id is not None:
                frame["id"] = client_id
            await self.send(text_data=dumps(frame))
        if reseated:
            await self._announce_presence()

    async def _let_removed_player_go(self):
        await self._send_error("removed", "The facilitator removed you from this game.", None)
        await self._close(protocol.CLOSE_REMOVED, "removed")

    async def _announce_presence(self):
        await database_sync_to_async(presence_connect)(
            game_id=self.game_id,
            channel_name=self.channel_name,
            viewer=self.viewer,
            player_id=self.actor.player_id,
        )

    def _moves_me(self, frame: dict) -> bool:
        """Does this events frame seat, move or unseat this socket's player? Events after
        such a change were filtered for the old seat, so the frame must not be sent."""
        return self.actor.player_id is not None and any(
            event["kind"] in engine.SEAT_EVENT_KINDS
            and event["data"].get("player_id") == self.actor.player_id
            for event in frame["events"]
        )

    async def _events_since(self, last: int) -> dict | None:
        """The viewer's events after `last`, or None when a snapshot is needed instead: too
        far behind, or ahead of the game (a seq from another game or a reset database)."""
        frame = await database_sync_to_async(selectors.game_events_since)(
            game_id=self.game_id, seq=last, viewer=self.viewer
        )
        if frame is None or last > frame["seq"]:
            return None
        return frame

    async def _resume(self, last: int, client_id=None):
        """Send what the client missed after `last`; a snapshot instead if it is too far
        behind, or if its seat changed in between (the snapshot re-seats it)."""
        frame = await self._events_since(last)
        if frame is None or self._moves_me(frame):
            await self._send_snapshot(client_id)
            return
        self.seq = max(self.seq, frame["seq"])
        if client_id is not None:
            frame["id"] = client_id
        await self.send(text_data=dumps(frame))
        await self._send_view()

    async def _send_view(self):
        """The whole fresh view, for a page that renders it (never rebuilt by the client)."""
        if self.views:
            seq, frame_text = await database_sync_to_async(selectors.game_live_view)(
                game_id=self.game_id, viewer=self.viewer
            )
            self.view_seq = seq
            await self.send(text_data=frame_text)

    # -- group messages ---------------------------------------------------------------------------

    async def game_events(self, message):
        if "applied" in message and seq_known(game_id=self.game_id) < message["seq"]:
            _advance_state(self.game_id, message)
        seq_seen(game_id=self.game_id, seq=message["seq"])
        broadcast_received(self.game_id)
        try:
            await self._relay_events(message)
        except Exception:
            # A failed relay must not close the socket: its seq has not advanced, so the next
            # broadcast (or the client's next ping) re-reads the gap from the log.
            logger.exception("Relaying events of game %s failed", self.code)

    async def _relay_events(self, message):
        if self.actor is None or self.closing or message["seq"] <= self.seq:
            return
        frame_text = message["frames"].get(viewer_key(self.viewer))
        if frame_text is not None and message["seq_from"] == self.seq + 1:
            self.seq = message["seq"]
            carried = self._events_with_view(message)
            if carried is not None:
                self.view_seq = message["seq"]
                await self.send(text_data=carried)
            else:
                await self.send(text_data=frame_text)
                if self.views:
                    await self._relay_view(message)
            if self.actor.player_id is not None and self.actor.player_id in message["players"]:
                # A moved player sees the game anew; a removed one is let go.
                await self._send_snapshot(only_if_reseated=True)
        else:
            # A broadcast was lost or overtaken by a later one: re-read the gap from the log
            # (a snapshot instead if the gap holds this player's own move or removal).
            await self._resume(self.seq)

    def _events_with_view(self, message) -> str | None:
        """For a socket of ?views=3 whose page holds the view just before the broadcast: the
        broadcast's events frame carrying the view's parts changed, if it was built."""
        if self.views == VIEWS_IN_EVENTS and self.view_seq == message["seq_from"] - 1:
            return message["views"].get(follow_key(self.viewer, VIEWS_IN_EVENTS))
        return None

    async def _relay_view(self, message):
        """The broadcast's view frame for this socket: none if its page already holds a view
        at least as recent (read afresh after a catch-up, at the game's seq of the moment);
        the parts changed, if it asked for them and its page holds the view just before the
        broadcast; else the whole view. (Without the first rule, a socket whose view was
        read ahead of the broadcasts, as happens under load, would read the view afresh for
        every broadcast, each read again ahead, and never get back to patches.)"""
        if self.view_seq is not None and self.view_seq >= message["seq"]:
            return
        view_text = None
        if self.views >= VIEWS_PATCHES and self.view_seq == message["seq_from"] - 1:
            view_text = message["views"].get(follow_key(self.viewer, VIEWS_PATCHES))
        if view_text is None:
            view_text = message["views"].get(viewer_key(self.viewer))
        if view_text is None:  # built only for the followers its process knew of: read it
            await self._send_view()
            return
        self.view_seq = message["seq"]
        await self.send(text_data=view_text)

    async def game_catch_up(self, message):
        """From the heal pass (game.realtime.watch): this socket missed its last broadcast."""
        if self.actor is not None and not self.closing and message["seq"] > self.seq:
            await self._catch_up_if_behind()

    async def _catch_up_if_behind(self):
        if await database_sync_to_async(selectors.game_last_seq)(game_id=self.game_id) > (self.seq):
            await self._resume(self.seq)

    async def game_watch_key_replaced(self, message):
        """The facilitator replaced the watch key: an observer socket opened with another
        key than the new one (the old one, in practice) is closed (game.services.watchkeys)."""
        replaced = self.watch_hash not in (None, message["key_hash"])
        if replaced and not self.closing:
            await self._refuse_replaced_watch_key(None)

    async def game_presence(self, message):
        if self.actor is not None and not self.closing:
            await self.send(text_data=dumps(message["presence"]))


def _cleanup_done(task: asyncio.Task) -> None:
    _cleanups.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # Its row is then deleted by this process's next presence heartbeat.
        logger.warning("Cleaning up a killed socket failed: %r", task.exception())


def _database_failed() -> None:
    global _database_down_until
    _database_down_until = time.monotonic() + DATABASE_RETRY_SECONDS


def _advance_state(game_id: int, message: dict) -> None:
    """The first socket here to receive another process's broadcast folds its events into
    this process's state of the game (game.services.statecache.state_advance)."""
    try:
        state_advance(
            game_id=game_id,
            seq_from=message["seq_from"],
            seq=message["seq"],
            updated_at=datetime.fromisoformat(message["version"]),
            events=message["applied"],
        )
    except Exception:  # the state is only a cache: the next command reads the row instead
        logger.exception("Advancing the state of game %s from a broadcast failed", game_id)


def _views_asked(value) -> int:
    """How the page follows the view (broadcast.VIEWS_*), from `views` in the URL ("1" to
    "3") or the hello (true, 1 to 3); anything else: not at all."""
    if value is True:
        return VIEWS_WHOLE
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return VIEWS_NONE
    return {"1": VIEWS_WHOLE, "2": VIEWS_PATCHES, "3": VIEWS_IN_EVENTS}.get(value, VIEWS_NONE)


def _query(scope) -> dict[str, str]:
    """The socket URL's query: `seq` (resume after it), `views=1` (follow the whole view),
    `views=2` (the parts changed) or `views=3` (those inside the events frame), `watch` (the
    game's read-only key)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return {key: values[0] for key, values in query.items() if values}


def _last_seq(value: str | None) -> int | None:
    """`?seq=N`: a reconnecting browser asks for what it missed after N."""
    if value and SEQ_PATTERN.fullmatch(value):
        return int(value)
    return None
