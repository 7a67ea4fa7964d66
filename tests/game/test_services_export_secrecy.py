"""Facilitator notes stay the facilitator's after the end; players never get staff accounts."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from game import engine
from game.management.simulation import replay_export
from game.services import Actor, game_execute
from game.services.export import game_export

pytestmark = pytest.mark.django_db

NOTE = "PRIVATE-NOTE ROK hesitated"


@pytest.fixture
def ended_with_a_note(table):
    """The played game of these tests' table, with a staff account's note, then ended."""
    staff = get_user_model().objects.create_user(
        "host-account", password=None, is_staff=True, is_superuser=True
    )
    table.start()
    game_execute(
        game_id=table.game.pk, actor=Actor.for_staff(staff), command={"type": "note", "text": NOTE}
    )
    table.run("end", "facilitator")
    table.game.refresh_from_db()
    return table, staff


def test_players_view_after_the_end_has_no_notes(ended_with_a_note):
    table, _ = ended_with_a_note
    player_view = engine.view(table.game.state, {"kind": "player", "role": "A"})
    assert player_view["notes"] == []
    assert engine.view(table.game.state, {"kind": "facilitator"})["notes"][0]["text"] == NOTE
    note_events = [e for e in table.game.events.all() if e.kind == "note_added"]
    assert not engine.event_visible(
        note_events[0].as_dict(), {"kind": "player", "role": "A"}, table.game.state
    )


def test_the_players_export_has_no_notes_and_no_staff_accounts(ended_with_a_note):
    table, staff = ended_with_a_note
    reply = Client().get(
        f"/api/games/{table.game.code}/export", HTTP_X_PLAYER_TOKEN=table.tokens["A"]
    )
    assert reply.status_code == 200
    text = reply.content.decode()
    assert NOTE not in text
    assert staff.username not in text
    assert '"user_id"' not in text
    document = json.loads(text)
    assert len(document["events"]) == table.game.last_seq  # still gapless
    assert replay_export(document)[1] == []


def test_the_facilitators_export_keeps_everything(ended_with_a_note):
    table, staff = ended_with_a_note
    text = json.dumps(game_export(game=table.game))
    assert NOTE in text and staff.username in text
