"""Database fixtures for the report tests: simulated games of the bundled scenarios."""

import pytest


@pytest.fixture
def bundled(db):
    from scenarios.services import scenario_import_bundled

    return {scenario.slug: scenario for scenario in scenario_import_bundled()}


@pytest.fixture
def simulate(bundled):
    """Play a whole game of a bundled scenario with bots; returns the ended Game."""
    from game.management.simulation import game_simulate

    def play(slug: str = "coalition-2022", *, seed: int = 3):
        scenario = bundled[slug]
        return game_simulate(
            snapshot=scenario.to_document(), scenario=scenario, seed=seed, now=1_800_000_000.0
        )

    return play


@pytest.fixture
def lobby_game(bundled):
    """A coalition game that has not ended, with a player seated on US: (game, token)."""
    from game.services import game_create, player_join

    game = game_create(snapshot=bundled["coalition-2022"].to_document(), seed=5)
    _player, token = player_join(game=game, name="Alice", role="US")
    return game, token
