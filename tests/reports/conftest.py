"""Database fixtures for the report tests: simulated games of the bundled scenarios."""

import os
import shutil
import subprocess

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


@pytest.fixture
def pdf_pages():
    """pdf_pages(pdf_bytes, tmp_path) -> the text of each non-empty page (poppler's
    pdftotext). Without pdftotext the test skips, except under CI (REQUIRE_PDFTOTEXT=1,
    set by .ci/run, which installs it), where that fails."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("REQUIRE_PDFTOTEXT") == "1":
            pytest.fail("poppler's pdftotext is required (REQUIRE_PDFTOTEXT=1) but missing")
        pytest.skip("needs poppler's pdftotext to read the pages")

    def read(content: bytes, folder) -> list[str]:
        path = folder / "report.pdf"
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        return [page for page in text.split("\f") if page.strip()]

    return read
