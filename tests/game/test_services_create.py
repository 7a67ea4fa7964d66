"""game_create: a game runs on a snapshot of its scenario, taken when it is created."""

import copy

import pytest
from game_tables import FACILITATOR, ServiceTable

from game import engine
from game.models import Event, Game
from game.services import game_create, game_execute, player_join
from scenarios.models import Lever, RedLine, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["coalition-2022", "taiwan-strait-2027"])
def test_game_create_snapshots_the_scenario_document(bundled, slug):
    """The game stores the scenario's normalized document and starts in the lobby on it."""
    scenario = bundled[slug]
    document = scenario.to_document()
    game = game_create(snapshot=document, scenario=scenario, seed=11)

    game.refresh_from_db()
    assert game.snapshot == document
    assert game.scenario_id == scenario.pk
    assert game.title == document["title"]
    assert game.seed == 11
    assert game.status == Game.Status.LOBBY
    assert game.last_seq == 0
    assert game.deadline is None
    assert game.state == engine.initial_state(document, seed=11)
    assert len(game.code) == 6
    assert not Event.objects.filter(game=game).exists()


def test_game_create_draws_a_seed_and_a_distinct_code(bundled):
    """Without a seed one is drawn; every game gets its own join code."""
    document = bundled["coalition-2022"].to_document()
    games = [game_create(snapshot=document, title=f"Table {n}") for n in range(5)]
    assert len({g.code for g in games}) == 5
    assert all(isinstance(g.seed, int) and 0 <= g.seed < 2**31 for g in games)
    assert [g.title for g in games] == [f"Table {n}" for n in range(5)]


def test_editing_the_scenario_changes_nothing_in_the_game(bundled):
    """Renaming a role, moving a lever's range and rewriting a red line after the game was
    created leave its snapshot, state and play untouched."""
    scenario = bundled["coalition-2022"]
    document = scenario.to_document()
    game = game_create(snapshot=document, scenario=scenario, seed=3)
    before = copy.deepcopy(Game.objects.get(pk=game.pk).state)

    Role.objects.filter(scenario=scenario).update(name="Renamed", private_brief="EDITED")
    Lever.objects.filter(scenario=scenario).update(max_value=1000, label="EDITED")
    RedLine.objects.filter(scenario=scenario).update(statement="EDITED", penalty=999)
    scenario.title = "EDITED title"
    scenario.save()
    assert scenario.to_document() != document

    game.refresh_from_db()
    assert game.snapshot == document
    assert game.state == before
    assert "EDITED" not in str(game.snapshot) + str(game.state)

    # The game still plays on the old document.
    player, _ = player_join(game=game, name="Ann", role="US")
    game_execute(game_id=game.pk, actor=FACILITATOR, command={"type": "start"}, now=1.0)
    game.refresh_from_db()
    assert game.state["players"][str(player.pk)]["role"] == "US"
    assert "EDITED" not in str(game.state)


def test_deleting_the_scenario_keeps_the_game(bundled):
    """Deleting the scenario only clears the game's link to it; the snapshot remains and the
    game can be played to the end."""
    scenario = bundled["taiwan-strait-2027"]
    document = scenario.to_document()
    table = ServiceTable(game_create(snapshot=document, scenario=scenario, seed=5))
    table.start()

    scenario.delete()

    game = table.game
    assert game.scenario_id is None
    assert game.snapshot == document
    for _ in range(20):
        if table.state["status"] == "ended":
            break
        table.run("advance", "facilitator")
    assert table.state["status"] == "ended"
    assert len(table.state["results"]) == len(document["rounds"])


def test_a_new_game_records_the_latest_scoring_rules_and_rebuilds_under_its_own(bundled):
    """New games play under the latest rules; a game created before versions were recorded
    (version 1 in the database) is rebuilt from its log under version 1."""
    from game.services.lifecycle import game_rebuild_state

    document = bundled["coalition-2022"].to_document()
    game = game_create(snapshot=document, seed=5)
    assert game.rules_version == engine.LATEST_RULES == 2
    assert game.state["rules"] == 2
    game.rules_version = 1
    game.state = {key: value for key, value in game.state.items() if key != "rules"}
    game.save()
    rebuilt = game_rebuild_state(game=game)
    assert rebuilt["rules"] == 1
    game.state = rebuilt
    game.save()
