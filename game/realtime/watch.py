"""Healing sockets that missed their game's last broadcast, without waiting for the client.

A consumer forwards a broadcast only if it follows on from the last seq it forwarded, and
re-reads any gap from the log when the next broadcast arrives. When the lost broadcast is
the last of a burst, no next one comes: before this pass, only the client's next ping would
reveal it. Each process's timer loop now runs `heal_pass`: a socket that stays behind the
newest seq its process knows for its game (committed or read here, or seen in any broadcast;
and every few seconds, the database's own last_seq for every game with a socket here, which
covers a broadcast lost between processes) is sent a `game.catch_up` message on its own
channel, so its consumer re-reads the gap in order with everything else it sends.
The same database read closes an observer socket whose watch key was replaced, should the
broadcast that closes it have been lost.

Only a game gone quiet is healed: one whose broadcasts this process has stopped receiving
for QUIET_SECONDS. While they keep coming, the next one reveals any gap to each consumer
(which re-reads it then); on a saturated server, broadcasts committed but still on their way
(through Redis and the event loop, seconds at saturation) left idle sockets "behind" pass
after pass, and each was sent to the database for what was already coming.

A socket that is busy is left alone: one handling a message (its own command, which may
wait on the database for seconds on a saturated server) or with messages waiting on its
channel will relay the broadcasts queued behind, and re-reads any real gap itself when the
next one arrives. Telling it to catch up then read from the database what was already on
its way, on the thread every socket's reads share (13% of a saturated server's CPU at 50
tables, docs/performance.md round 6).
"""

import logging
import time
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from game.models import Game
from game.services.statecache import seq_known, seq_seen
from game.services.watchkeys import watch_key_hash

logger = logging.getLogger(__name__)

_sockets: dict[int, weakref.WeakSet] = {}
_behind: dict[str, int] = {}  # channel name -> the seq it was behind at in the last pass
_received_at: dict[int, float] = {}  # game id -> when this process last received a broadcast
# How long a game's broadcasts must have stopped arriving here before its sockets are healed.
QUIET_SECONDS = 1.0


def broadcast_received(game_id: int) -> None:
    """A consumer received a broadcast of the game (game.realtime.consumers)."""
    _received_at[game_id] = time.monotonic()


def socket_watch(consumer) -> None:
    _sockets.setdefault(consumer.game_id, weakref.WeakSet()).add(consumer)


def socket_unwatch(consumer) -> None:
    consumers = _sockets.get(consumer.game_id)
    if consumers is not None:
        consumers.discard(consumer)
        if not consumers:
            _sockets.pop(consumer.game_id, None)
            _received_at.pop(consumer.game_id, None)
    _behind.pop(consumer.channel_name, None)


def _busy(consumer, layer) -> bool:
    """Is the consumer handling a message, or has it messages waiting on its channel?"""
    waiting = getattr(layer, "waiting", None)
    return consumer.dispatching or (waiting is not None and waiting(consumer.channel_name) > 0)


def _last_seqs(*, game_ids: list[int]) -> list[tuple[int, int, str]]:
    rows = Game.objects.filter(pk__in=game_ids).values_list("pk", "last_seq", "watch_key")
    return list(rows)


async def _close_replaced_observers(layer, game_id: int, key_hash: str) -> None:
    """The backstop of a lost `game.watch_key_replaced` broadcast (game.services.watchkeys):
    an observer socket opened with a key that is no longer the game's is told again."""
    for consumer in list(_sockets.get(game_id, ())):
        if consumer.watch_hash not in (None, key_hash) and not consumer.closing:
            message = {"type": "game.watch_key_replaced", "key_hash": key_hash}
            try:
                await layer.send(consumer.channel_name, message)
            except Exception:
                logger.exception("Could not close %s", consumer.channel_name)


async def heal_pass(*, read_database: bool) -> int:
    """One pass; returns how many sockets were told to catch up. A socket is told only when
    it was behind at the same seq in the previous pass too, so one merely busy relaying is
    left alone."""
    if not _sockets:
        return 0
    layer = get_channel_layer()
    if read_database:
        rows = await database_sync_to_async(_last_seqs, thread_sensitive=False)(
            game_ids=list(_sockets)
        )
        for game_id, seq, watch_key in rows:
            seq_seen(game_id=game_id, seq=seq, exact=True)
            await _close_replaced_observers(layer, game_id, watch_key_hash(watch_key))
    told = 0
    now = time.monotonic()
    for game_id, consumers in list(_sockets.items()):
        latest = seq_known(game_id=game_id)
        quiet = now - _received_at.get(game_id, 0.0) >= QUIET_SECONDS
        for consumer in list(consumers):
            if consumer.actor is None or consumer.closing:
                continue
            name = consumer.channel_name
            if consumer.seq >= latest or not quiet or _busy(consumer, layer):
                _behind.pop(name, None)
            elif _behind.get(name) != consumer.seq:
                _behind[name] = consumer.seq
            else:
                _behind.pop(name, None)
                try:
                    await layer.send(name, {"type": "game.catch_up", "seq": latest})
                    told += 1
                except Exception:
                    logger.exception("Could not tell %s to catch up", name)
    return told
