"""Healing sockets that missed their game's last broadcast, without waiting for the client.

A consumer forwards a broadcast only if it follows on from the last seq it forwarded, and
re-reads any gap from the log when the next broadcast arrives. When the lost broadcast is
the last of a burst, no next one comes: before this pass, only the client's next ping would
reveal it. Each process's timer loop now runs `heal_pass`: a socket that stays behind the
newest seq its process knows for its game (committed or read here, or seen in any broadcast;
and every few seconds, the database's own last_seq for every game with a socket here, which
covers a broadcast lost between processes) is sent a `game.catch_up` message on its own
channel, so its consumer re-reads the gap in order with everything else it sends.
"""

import logging
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from game.models import Game
from game.services.statecache import seq_known, seq_seen

logger = logging.getLogger(__name__)

_sockets: dict[int, weakref.WeakSet] = {}
_behind: dict[str, int] = {}  # channel name -> the seq it was behind at in the last pass


def socket_watch(consumer) -> None:
    _sockets.setdefault(consumer.game_id, weakref.WeakSet()).add(consumer)


def socket_unwatch(consumer) -> None:
    consumers = _sockets.get(consumer.game_id)
    if consumers is not None:
        consumers.discard(consumer)
        if not consumers:
            _sockets.pop(consumer.game_id, None)
    _behind.pop(consumer.channel_name, None)


def _last_seqs(*, game_ids: list[int]) -> list[tuple[int, int]]:
    return list(Game.objects.filter(pk__in=game_ids).values_list("pk", "last_seq"))


async def heal_pass(*, read_database: bool) -> int:
    """One pass; returns how many sockets were told to catch up. A socket is told only when
    it was behind at the same seq in the previous pass too, so one merely busy relaying is
    left alone."""
    if not _sockets:
        return 0
    if read_database:
        rows = await database_sync_to_async(_last_seqs, thread_sensitive=False)(
            game_ids=list(_sockets)
        )
        for game_id, seq in rows:
            seq_seen(game_id=game_id, seq=seq, exact=True)
    layer = get_channel_layer()
    told = 0
    for game_id, consumers in list(_sockets.items()):
        latest = seq_known(game_id=game_id)
        for consumer in list(consumers):
            if consumer.actor is None or consumer.closing:
                continue
            name = consumer.channel_name
            if consumer.seq >= latest:
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
