"""Who is connected to a game, kept in the database so every server process agrees.

A socket's row is deleted as its handler ends. Each process refreshes the `seen_at` of the
rows its live handlers hold (presence_heartbeat, from its timer loop) and deletes its rows no
live handler holds (a handler killed before its cleanup ran): those go within one heartbeat.
Rows of a process that died without saying goodbye stop counting after STALE_AFTER and are
swept by the next heartbeat of any process, so no crash leaves ghost players behind.
"""

import os
import socket
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from game.models import Connection, Game
from game.services.broadcast import game_group, publish

SERVER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
HEARTBEAT_SECONDS = 10
STALE_AFTER = timedelta(seconds=6 * HEARTBEAT_SECONDS)
# A socket that has connected but not yet said who it is: counted for the socket limits,
# never shown in presence.
PENDING = "pending"


def _live():
    return Connection.objects.filter(seen_at__gte=timezone.now() - STALE_AFTER)


def connection_open(*, game_id: int, channel_name: str, address: str) -> int:
    """Register a socket as it connects; returns how many live sockets (in every process)
    its client address holds, this one included. Registering before counting means two
    sockets racing for the last place may both be refused, never both admitted."""
    Connection.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "game_id": game_id,
            "kind": PENDING,
            "address": address,
            "server": SERVER_ID,
            "seen_at": timezone.now(),
        },
    )
    return _live().filter(address=address).count()


def connection_claim_player(*, channel_name: str, player_id: int) -> int:
    """Mark a registered socket as the player's; returns how many live sockets (in every
    process) the player holds, this one included."""
    Connection.objects.filter(channel_name=channel_name).update(player_id=player_id)
    return _live().filter(player_id=player_id).count()


def presence_get(*, game_id: int) -> dict:
    # Only the snapshot's role list: not the whole cached state, on every (dis)connect.
    snapshot = Game.objects.values_list("snapshot", flat=True).get(pk=game_id)
    teams = {role["code"]: [] for role in snapshot["roles"]}
    facilitators = observers = 0
    rows = _live().filter(game_id=game_id).select_related("player")
    for row in rows.order_by("connected_at"):
        if row.kind == "player" and row.player and row.role in teams:
            entry = {"player_id": row.player_id, "name": row.player.name}
            if entry not in teams[row.role]:
                teams[row.role].append(entry)
        elif row.kind == "facilitator":
            facilitators += 1
        elif row.kind == "observer":
            observers += 1
    return {
        "type": "presence",
        "teams": teams,
        "facilitators": facilitators,
        "observers": observers,
    }


def presence_connect(*, game_id: int, channel_name: str, viewer: dict, player_id: int | None):
    Connection.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "game_id": game_id,
            "kind": viewer["kind"],
            "role": viewer.get("role") or "",
            "player_id": player_id,
            "server": SERVER_ID,
            "seen_at": timezone.now(),
        },
    )
    _broadcast_presence(game_id)


def presence_disconnect(*, game_id: int, channel_name: str) -> None:
    rows = Connection.objects.filter(channel_name=channel_name)
    announced = rows.exclude(kind=PENDING).exists()
    deleted, _ = rows.delete()
    if deleted and announced:
        _broadcast_presence(game_id)


def _broadcast_presence(game_id: int) -> None:
    publish(
        game_group(game_id),
        {"type": "game.presence", "presence": presence_get(game_id=game_id)},
        what=f"Presence of game {game_id}",
    )


# Channel names per UPDATE of the heartbeat (SQLite allows 32766 parameters in one query).
HEARTBEAT_CHUNK = 500


def presence_heartbeat(*, live: Collection[str], since: datetime, server: str = SERVER_ID) -> int:
    """Mark alive the rows of this process's live sockets (`live`, their channel names, taken
    at `since` or later), delete this process's rows none of them holds and no socket wrote
    since `since`, and sweep other processes' stale rows; returns how many rows went."""
    now = timezone.now()
    names = list(live)
    for start in range(0, len(names), HEARTBEAT_CHUNK):
        Connection.objects.filter(
            server=server, channel_name__in=names[start : start + HEARTBEAT_CHUNK]
        ).update(seen_at=now)
    # A row written after `since` belongs to a socket that opened after `live` was taken.
    orphaned = Q(server=server, seen_at__lt=since)
    stale = Connection.objects.filter(orphaned | Q(seen_at__lt=now - STALE_AFTER))
    games = set(stale.values_list("game_id", flat=True))
    swept, _ = stale.delete()
    for game_id in games:
        _broadcast_presence(game_id)
    return swept
