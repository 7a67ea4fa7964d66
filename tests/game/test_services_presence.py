"""Presence lives in the database; connections of a dead process go stale and are swept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from game.models import Connection
from game.services import broadcast
from game.services.presence import (
    STALE_AFTER,
    presence_connect,
    presence_disconnect,
    presence_get,
    presence_heartbeat,
)


class RecordingLayer:
    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch):
    recorder = RecordingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: recorder)
    return recorder


def connect(table, channel: str, role: str) -> None:
    player = table.game.players.get(role=role)
    presence_connect(
        game_id=table.game_id,
        channel_name=channel,
        viewer={"kind": "player", "role": role},
        player_id=player.pk,
    )


@pytest.mark.django_db
def test_connect_and_disconnect_are_broadcast_per_team(table, layer):
    connect(table, "chan-a", "A")
    assert [p["name"] for p in presence_get(game_id=table.game_id)["teams"]["A"]] == ["Player A"]
    presence_disconnect(game_id=table.game_id, channel_name="chan-a")
    assert presence_get(game_id=table.game_id)["teams"]["A"] == []
    assert [message["presence"]["type"] for _, message in layer.sent] == ["presence"] * 2


@pytest.mark.django_db
def test_a_dead_process_leaves_no_ghosts(table, layer):
    """Rows another process stopped refreshing stop counting, and the sweep deletes them and
    tells the game; this process's own rows are refreshed, not swept."""
    connect(table, "chan-live", "A")
    connect(table, "chan-dead", "B")
    long_ago = timezone.now() - STALE_AFTER - timedelta(seconds=1)
    Connection.objects.filter(channel_name="chan-dead").update(server="dead:1:x", seen_at=long_ago)
    Connection.objects.filter(channel_name="chan-live").update(seen_at=long_ago)

    teams = presence_get(game_id=table.game_id)["teams"]
    assert teams["B"] == [] and teams["A"] == []  # both look stale before the heartbeat

    layer.sent.clear()
    assert presence_heartbeat(live=["chan-live"], since=timezone.now()) == 1
    assert list(Connection.objects.values_list("channel_name", flat=True)) == ["chan-live"]
    teams = presence_get(game_id=table.game_id)["teams"]
    assert [p["name"] for p in teams["A"]] == ["Player A"] and teams["B"] == []
    assert len(layer.sent) == 1 and layer.sent[0][1]["presence"]["teams"]["B"] == []
