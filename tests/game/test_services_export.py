"""game_export: the complete, replayable record of a game (DESIGN §6)."""

import json

import pytest
from django.contrib.auth import get_user_model
from game_tables import FACILITATOR, ServiceTable

from game import engine
from game.engine.testing import term
from game.management.simulation import replay_export
from game.models import Event
from game.services.export import EXPORT_FORMAT, game_export
from game.services.seating import player_remove

pytestmark = pytest.mark.django_db


@pytest.fixture
def played(table) -> ServiceTable:
    """A trio game played to the end: a reveal, an accepted and a rejected offer, decisions,
    a removed player, a note and a score adjusted after the end."""
    table.start()
    table.advance_to(1, "negotiation")
    table.run("reveal", "A", red_line="a-energy", to=["C"], level="full")
    table.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    table.run("offer_accept", "C", offer="o1")
    table.run("offer_propose", "B", to=["A"], terms=[term("A", "s", ">=", 90)])
    table.run("offer_reject", "A", offer="o2")
    table.run("advance", "facilitator")
    table.run("decision_set", "A", values={"e": 3, "s": 60})
    table.run("decision_lock", "A")
    table.run("decision_set", "C", values={"g": 4})
    table.run("decision_lock", "C")
    table.run("note", "facilitator", text="A and C found each other")
    player_remove(game=table.game, player_id=table.players["B"].player_id, actor=FACILITATOR)
    for _ in range(10):
        if table.state["status"] == "ended":
            break
        table.run("advance", "facilitator")
    table.run("adjust_score", "facilitator", role="C", round=1, delta=5, reason="Generous")
    return table


def test_the_export_holds_the_whole_game(played):
    game = played.game
    document = game_export(game=game)

    assert document["format"] == EXPORT_FORMAT
    assert (
        document["game"].items()
        >= {
            "code": game.code,
            "title": game.title,
            "status": "ended",
            "seed": game.seed,
            "scenario_slug": "test-scenario",
            "last_seq": game.last_seq,
        }.items()
    )
    assert document["scenario"] == game.snapshot
    assert [(p["name"], p["role"], p["removed"]) for p in document["players"]] == [
        ("Player A", "A", False),
        ("Player B", "B", True),
        ("Player C", "C", False),
    ]
    events = [e.as_dict() for e in Event.objects.filter(game=game).order_by("seq")]
    assert document["events"] == events
    assert [e["seq"] for e in events] == list(range(1, game.last_seq + 1))
    state = game.state
    assert document["offers"] == state["offers"]
    assert {o["status"] for o in document["offers"].values()} == {"accepted", "rejected"}
    assert document["decisions"] == state["decisions"]
    assert document["results"] == state["results"]
    assert len(document["results"]) == 2
    assert document["results"][0]["adjustments"]
    assert document["final"] == state["final"]
    assert document["final"]["rounds"] == 2


def test_the_export_is_plain_json_and_replays_to_the_same_game(played):
    """Serialisable as is; folding its events over its scenario and seed gives the state."""
    document = json.loads(json.dumps(game_export(game=played.game)))
    replayed = engine.replay(
        document["scenario"], seed=document["game"]["seed"], events=document["events"]
    )
    assert replayed == played.state
    assert replay_export(document)[1] == []


def test_the_export_of_a_game_in_progress(table):
    """Also mid-game: no final yet, the events so far."""
    table.advance_to(1, "decision")
    document = game_export(game=table.game)
    assert document["game"]["status"] == "running"
    assert document["final"] is None
    assert document["results"] == []
    assert len(document["events"]) == table.game.last_seq
    assert replay_export(document)[1] == []


def test_the_rest_export_is_for_staff_and_for_players_after_the_end(client, table):
    """GET /api/games/<code>/export: the same document; players only once the game ended."""
    code = table.game.code
    url = f"/api/games/{code}/export"
    table.start()

    assert client.get(url).status_code in (401, 403)
    token = {"HTTP_X_PLAYER_TOKEN": table.tokens["A"]}
    assert client.get(url, **token).status_code == 403

    staff = get_user_model().objects.create_user("host", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["events"] == game_export(game=table.game)["events"]
    client.logout()

    table.run("end", "facilitator")
    response = client.get(url, **token)
    assert response.status_code == 200
    assert response.json()["final"] == table.state["final"]
