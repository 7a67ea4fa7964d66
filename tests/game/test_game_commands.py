"""`manage.py simulate` and `manage.py replay` (docs/operations.md)."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from game import engine
from game.models import Game, Player

BUNDLED = ["coalition-2022", "taiwan-strait-2027"]
SEEDS = [1, 2, 3]


def simulate(*args) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def replay(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("replay", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def replay_fails(path: Path) -> tuple[CommandError, str]:
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("replay", str(path), stdout=StringIO(), stderr=err)
    return failed.value, err.getvalue()


@pytest.fixture(scope="module")
def exports(tmp_path_factory, django_db_setup, django_db_blocker):
    """Both bundled scenarios simulated with three seeds each, exported to files (once for
    the module; what it added to the database is removed again afterwards)."""
    from scenarios.models import Scenario
    from scenarios.services import scenario_import_bundled

    folder = tmp_path_factory.mktemp("exports")
    files, outputs = {}, {}
    with django_db_blocker.unblock():
        scenarios_before = set(Scenario.objects.values_list("pk", flat=True))
        games_before = set(Game.objects.values_list("pk", flat=True))
        try:
            scenario_import_bundled(update=False)
            for slug in BUNDLED:
                for seed in SEEDS:
                    path = folder / f"{slug}-{seed}.json"
                    outputs[slug, seed] = simulate(
                        slug, "--seed", str(seed), "--export", str(path), "--start", "1e9"
                    )
                    files[slug, seed] = path
        finally:
            Game.objects.exclude(pk__in=games_before).delete()
            Scenario.objects.exclude(pk__in=scenarios_before).delete()
    return files, outputs


@pytest.mark.parametrize("slug", BUNDLED)
@pytest.mark.parametrize("seed", SEEDS)
def test_simulate_plays_every_round_and_replay_agrees(exports, slug, seed):
    """Played to the end through the service layer; the export's scores equal those the
    pure engine recomputes from its events, and those of engine.play_game for the seed."""
    files, _ = exports
    document = json.loads(files[slug, seed].read_text())
    scenario = document["scenario"]
    assert document["game"]["status"] == "ended"
    assert document["game"]["seed"] == seed
    assert len(document["results"]) == len(scenario["rounds"])
    assert document["final"]["rounds"] == len(scenario["rounds"])
    assert [p["name"] for p in document["players"]] == [
        f"{r['code']} bot" for r in scenario["roles"]
    ]

    rebuilt = engine.replay(scenario, seed=seed, events=document["events"])
    assert rebuilt["results"] == document["results"]
    assert rebuilt["final"] == document["final"]

    played, _ = engine.play_game(scenario, seed=seed, now=1e9)
    assert played["final"] == document["final"]
    assert [r["scores"] for r in played["results"]] == [r["scores"] for r in document["results"]]

    out, err = replay(files[slug, seed])
    events, rounds = len(document["events"]), len(scenario["rounds"])
    assert out.strip().endswith(f"replay matches: {events} events, {rounds} rounds")
    assert err == ""


@pytest.mark.parametrize("slug", BUNDLED)
def test_simulate_prints_a_score_table_per_round_and_the_finals(exports, slug):
    files, outputs = exports
    document = json.loads(files[slug, 1].read_text())
    lines = outputs[slug, 1].splitlines()
    codes = [role["code"] for role in document["scenario"]["roles"]]

    assert lines[0].startswith(f"Simulated {slug} as game {document['game']['code']} (seed 1):")
    assert lines[1].split() == ["round", "weight", *codes, "K", "A"]
    for line, result in zip(lines[2:], document["results"], strict=False):
        cells = line.split()
        assert int(cells[0]) == result["round"]
        scores = [float(cell) for cell in cells[2 : 2 + len(codes)]]
        assert scores == [round(result["scores"][code]["score"], 2) for code in codes]
        assert float(cells[-2]) == round(result["metrics"]["coalition"], 2)
        assert float(cells[-1]) == round(result["metrics"]["alignment"], 3)
    final = lines[2 + len(document["results"])].split()
    assert final[0] == "final"
    assert [float(cell) for cell in final[1:]] == [
        *(round(document["final"]["roles"][code], 2) for code in codes),
        round(document["final"]["coalition"], 2),
    ]
    assert lines[-1] == f"Exported to {files[slug, 1]}"


def comparable(events: list[dict]) -> list[tuple]:
    """An event without what differs between two games: seat ids and the wall clock."""
    return [
        (
            e["seq"],
            e["round"],
            e["phase"],
            e["kind"],
            e["audience"],
            None if e["kind"] in engine.SEAT_EVENT_KINDS else e["data"],
        )
        for e in events
    ]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_game(bundled, tmp_path):
    """Two simulations with one seed and start: the same events and the same scores; another
    seed plays differently."""
    paths = [tmp_path / f"{n}.json" for n in range(3)]
    outputs = [
        simulate("coalition-2022", "--seed", str(seed), "--start", "1e9", "--export", str(path))
        for seed, path in zip((42, 42, 43), paths, strict=True)
    ]
    one, two, other = (json.loads(path.read_text()) for path in paths)

    assert one["results"] == two["results"] and one["final"] == two["final"]
    assert comparable(one["events"]) == comparable(two["events"])
    assert outputs[0].splitlines()[1:-1] == outputs[1].splitlines()[1:-1]
    assert comparable(one["events"]) != comparable(other["events"])
    assert Game.objects.filter(status="ended").count() == 3


@pytest.mark.django_db
def test_simulate_seats_bots_through_the_service_layer(bundled):
    simulate("taiwan-strait-2027", "--seed", "9")
    game = Game.objects.get()
    assert game.status == "ended"
    assert game.scenario == bundled["taiwan-strait-2027"]
    players = list(Player.objects.filter(game=game).order_by("pk"))
    assert [p.role for p in players] == [r["code"] for r in game.snapshot["roles"]]
    assert all(p.token_hash for p in players)
    kinds = set(game.events.values_list("kind", flat=True))
    assert {"player_joined", "decision_locked", "round_scored", "game_ended"} <= kinds


@pytest.mark.django_db
def test_simulate_refuses_an_unknown_or_unpublished_scenario(bundled):
    with pytest.raises(CommandError, match=r"Scenario 'no-such' does not exist.*coalition-2022"):
        simulate("no-such")
    scenario = bundled["coalition-2022"]
    scenario.published = False
    scenario.save()
    with pytest.raises(CommandError, match="'coalition-2022' is not published"):
        simulate("coalition-2022")
    assert not Game.objects.exists()


@pytest.mark.django_db
def test_simulate_reports_an_unwritable_export_path(bundled, tmp_path):
    with pytest.raises(CommandError, match="Could not write the export"):
        simulate("taiwan-strait-2027", "--seed", "1", "--export", str(tmp_path / "no" / "x.json"))


# --- replay finds tampering -------------------------------------------------------------------


def tampered(exports, tmp_path, change) -> Path:
    files, _ = exports
    document = json.loads(files["coalition-2022", 1].read_text())
    change(document)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document))
    return path


def test_replay_names_a_changed_exported_decision(exports, tmp_path):
    def change(document):
        decisions = document["results"][1]["decisions"]["JP"]
        lever = sorted(decisions)[0]
        decisions[lever] = decisions[lever] + 5

    error, err = replay_fails(tampered(exports, tmp_path, change))
    assert error.returncode == 1
    assert "replay differs from the export in 1 place(s)" in str(error)
    assert "results[1].decisions.JP." in err


def test_replay_names_a_changed_score(exports, tmp_path):
    def change(document):
        document["results"][2]["scores"]["US"]["score"] += 0.01

    error, err = replay_fails(tampered(exports, tmp_path, change))
    assert error.returncode == 1
    assert "results[2].scores.US.score: export" in err


def test_replay_names_a_changed_final(exports, tmp_path):
    def change(document):
        document["final"]["coalition"] = 99.0

    _, err = replay_fails(tampered(exports, tmp_path, change))
    assert "final.coalition: export 99.0, replay" in err


def test_replay_recomputes_the_scores_from_a_tampered_decision_event(exports, tmp_path):
    """A locked decision changed in the log: deciding round 1's end again from it gives
    other decisions and scores than the logged round_scored."""

    def change(document):
        locked = next(
            e
            for e in document["events"]
            if e["kind"] == "decision_locked" and e["data"]["role"] == "US"
        )
        values = locked["data"]["values"]
        values["autonomous_sanctions"] = 100 if values["autonomous_sanctions"] != 100 else 0

    error, err = replay_fails(tampered(exports, tmp_path, change))
    assert error.returncode == 1
    assert ".data.decisions.US.autonomous_sanctions: log " in err
    assert ".data.scores.US.score: log " in err
    assert ".data.metrics.coalition: log " in err


def test_replay_recomputes_the_scores_behind_a_consistently_tampered_round(exports, tmp_path):
    """Changing a round's scores everywhere (log, results, final) is still found: the
    decisions and commitments of the log do not give those scores."""

    def change(document):
        scored = next(e for e in document["events"] if e["kind"] == "round_scored")
        scored["data"]["scores"]["JP"]["score"] += 10
        document["results"][0]["scores"]["JP"]["score"] += 10

    _, err = replay_fails(tampered(exports, tmp_path, change))
    assert "data.scores.JP.score: log " in err
    assert "results[0]" not in err


def test_replay_recomputes_the_finals(exports, tmp_path):
    def change(document):
        ended = next(e for e in document["events"] if e["kind"] == "game_ended")
        ended["data"]["final"]["roles"]["ROK"] = 100.0
        document["final"]["roles"]["ROK"] = 100.0

    _, err = replay_fails(tampered(exports, tmp_path, change))
    assert ".data.final.roles.ROK: log 100.0, recomputed " in err


def test_replay_notices_a_missing_event(exports, tmp_path):
    def change(document):
        chatty = next(i for i, e in enumerate(document["events"]) if e["kind"] == "phase_started")
        del document["events"][chatty + 1]

    error, err = replay_fails(tampered(exports, tmp_path, change))
    assert error.returncode in (1, 2)
    assert "seq" in err + str(error)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "Cannot read"),
        ('{"format": "something/else"}', "not a redlines.game/1 export"),
        ('{"format": "redlines.game/1", "game": {}}', "the export has no"),
        ("[1, 2]", "not a redlines.game/1 export"),
    ],
)
def test_replay_refuses_what_is_not_an_export(tmp_path, content, message):
    path = tmp_path / "export.json"
    path.write_text(content)
    error, _ = replay_fails(path)
    assert error.returncode == 2
    assert message in str(error)
    error, _ = replay_fails(tmp_path / "missing.json")
    assert error.returncode == 2


def test_replay_exits_non_zero_from_the_shell(exports, tmp_path):
    """As a process: a tampered export exits 1 and names the difference on stderr."""
    manage = Path(settings.BASE_DIR) / "manage.py"

    def change(document):
        document["results"][0]["scores"]["JP"]["national"] = -1

    broken = subprocess.run(
        [sys.executable, str(manage), "replay", str(tampered(exports, tmp_path, change))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert broken.returncode == 1
    assert "results[0].scores.JP.national: export -1, replay" in broken.stderr
    assert "replay differs from the export in 1 place(s)" in broken.stderr
