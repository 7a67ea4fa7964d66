"""Bot simulations through the service layer, and pure replays of exported games.

`game_simulate` plays a whole game the way a real table would reach the database: players
join with `player_join`, every command goes through `game_execute` as its player's Actor, the
facilitator starts and advances, timed phases end by a system `tick`. Time is the explicit
`now` of each command, so a simulation is deterministic and instant. It mirrors
`game.engine.play_game` (see game/engine/bots.py), which the tests compare it with.

`replay_export` is the opposite direction and pure: fold the exported events over the
exported scenario and seed, decide every round's scoring and the game's end again from the
state the log had reached, and list every difference against what the export claims.
"""

import math
from collections.abc import Iterator
from datetime import datetime

from django.db import transaction

from game import engine
from game.engine.scoring import UNVERSIONED_RULES
from game.models import Game
from game.services import Actor, CommandRefused, game_create, game_execute, player_join
from game.services.export import EXPORT_FORMAT

# play_game's bound on bot passes per phase: bots normally settle after two or three.
BOT_PASSES = 6
# Every phase ends by one tick or advance; this bounds a runaway loop well above any scenario.
MAX_PHASE_STEPS = 20 * 5 + 10
FACILITATOR = Actor(kind="facilitator", name="simulation")


class SimulationFailed(Exception):
    """A bot command or a phase step was refused: a bug, not a game event."""


def game_simulate(*, snapshot: dict, scenario=None, seed: int, now: float) -> Game:
    """Create a game on `snapshot`, seat one bot per role and play it to the end.

    All in one transaction: a failed simulation leaves no half-played game behind, and a
    whole game commits once instead of once per command.
    """
    with transaction.atomic():
        return _simulate(snapshot=snapshot, scenario=scenario, seed=seed, now=now)


def _simulate(*, snapshot: dict, scenario, seed: int, now: float) -> Game:
    game = game_create(
        snapshot=snapshot, scenario=scenario, seed=seed, title=f"Simulation: {snapshot['title']}"
    )
    bots = {}
    for role in snapshot["roles"]:
        code = role["code"]
        player, _token = player_join(game=game, name=f"{code} bot", role=code)
        bots[code] = Actor(kind="player", role=code, player_id=player.pk, name=player.name)
    clock = now
    _run(game, FACILITATOR, {"type": "start"}, clock)
    for _ in range(MAX_PHASE_STEPS):
        state = _state(game)
        if state["status"] != "running":
            break
        for _ in range(BOT_PASSES):
            acted = False
            for code, actor in bots.items():
                for command in engine.bot_commands(state, code, seed=seed, now=clock):
                    command = {k: v for k, v in command.items() if k not in ("actor", "now")}
                    acted = bool(_run(game, actor, command, clock)) or acted
                    state = _state(game)
            if not acted:
                break
        if state["deadline"] is not None:
            clock = max(clock, state["deadline"])
            tick = {"type": "tick", "expected": engine.timer_position(state)}
            _run(game, Actor.system(), tick, clock)
        else:
            clock += 1.0
            _run(game, FACILITATOR, {"type": "advance"}, clock)
    else:
        raise SimulationFailed(f"the game did not end within {MAX_PHASE_STEPS} phase steps")
    game.refresh_from_db()
    return game


def _state(game: Game) -> dict:
    return Game.stored_state(game.pk)


def _run(game: Game, actor: Actor, command: dict, now: float) -> list[dict]:
    try:
        return game_execute(game_id=game.pk, actor=actor, command=command, now=now).events
    except CommandRefused as refused:
        raise SimulationFailed(
            f"{command['type']} by {actor.role or actor.kind} refused: "
            f"{refused.code}: {refused.message}"
        ) from None


class ExportUnreadable(Exception):
    """The document is not a game export this version can replay."""


def replay_export(document: dict) -> tuple[dict, list[str]]:
    """Rebuild the state from an export's scenario, seed and events; list the differences.

    Checked: the seq numbering of the log and `game.last_seq`; every scored round and the
    game's end, decided again by the engine from the state the log had reached (so the scores
    follow from the logged decisions and commitments, not just from the logged scores); and
    the exported `results`, `final`, `offers` and `decisions` against the rebuilt state.
    """
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ExportUnreadable(f"not a {EXPORT_FORMAT} export (format: {found!r})")
    try:
        scenario, seed = document["scenario"], document["game"]["seed"]
        events = list(document["events"])
    except (KeyError, TypeError) as missing:
        raise ExportUnreadable(f"the export has no {missing}") from None
    differences = []
    seqs = [event.get("seq") if isinstance(event, dict) else None for event in events]
    if seqs != list(range(1, len(events) + 1)):
        differences.append(f"events: seq is not 1..{len(events)} without gaps")
    last_seq = document["game"].get("last_seq")
    if last_seq != len(events):
        differences.append(f"game.last_seq: export {last_seq}, log has {len(events)} events")
    # An export made before rules versions were recorded was played under version 1.
    rules = document["game"].get("rules_version", UNVERSIONED_RULES)
    if rules not in engine.RULES_VERSIONS:
        known = ", ".join(str(version) for version in engine.RULES_VERSIONS)
        raise ExportUnreadable(
            f"the game was played under scoring rules version {rules!r}, "
            f"which this version cannot replay (it knows {known})"
        )
    try:
        state = engine.initial_state(scenario, seed=seed, rules=rules)
        for index, event in enumerate(events):
            if event["kind"] in RECOMPUTED_KINDS:
                differences += _decide_again(state, events, index)
            state = engine.apply(state, event)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        problem = f"{type(error).__name__}: {error}"
        raise ExportUnreadable(f"the events do not replay: {problem}") from None
    for key in ("results", "final", "offers", "decisions"):
        differences += diff(document.get(key), state[key], key)
    return state, differences


# Events the engine computes (rather than records) when a phase ends: checked by deciding that
# phase end again. round_scored comes first among the scoring events of its command.
RECOMPUTED_KINDS = ("round_scored", "game_ended")
# Fields added to computed events after exports already existed (additive): a log written
# before them lacks them, which is not a difference.
LATER_FIELDS = frozenset({"credited_pressures", "status_quo", "gain"})


def _decide_again(state: dict, events: list[dict], index: int) -> Iterator[str]:
    """Decide the phase end that emitted events[index] again and compare what it computes."""
    logged = events[index]
    ended_early = logged["kind"] == "game_ended" and logged["data"].get("reason") == "facilitator"
    command = {
        "type": "end" if ended_early else "advance",
        "actor": {"kind": "facilitator", "role": None},
        "now": _epoch(logged.get("at")),
    }
    where = f"events[{index}] (seq {logged.get('seq')}, {logged['kind']})"
    outcome = engine.decide(state, command)
    if isinstance(outcome, engine.RuleError):
        yield f"{where}: the engine would not {command['type']} here: {outcome.code}"
        return
    recomputed = []
    for item in outcome:
        if item["kind"] == "phase_started":
            break
        recomputed.append(item)
    found = events[index : index + len(recomputed)]
    for offset, (item, log_item) in enumerate(zip(recomputed, found, strict=False)):
        path = f"events[{index + offset}]"
        if item["kind"] != log_item["kind"]:
            yield f"{path}.kind: log {log_item['kind']!r}, recomputed {item['kind']!r}"
            return
        recomputed_data = _without_later_fields(item["data"], log_item["data"])
        yield from diff(
            log_item["data"], recomputed_data, f"{path}.data", names=("log", "recomputed")
        )
    if len(found) < len(recomputed):
        yield f"{where}: the log ends before the {len(recomputed)} events its phase end makes"


def _without_later_fields(recomputed, logged):
    """`recomputed` without the LATER_FIELDS that `logged` (at the same place) lacks."""
    if not isinstance(recomputed, dict) or not isinstance(logged, dict):
        return recomputed
    return {
        key: _without_later_fields(value, logged.get(key))
        for key, value in recomputed.items()
        if key in logged or key not in LATER_FIELDS
    }


def _epoch(at) -> float:
    try:
        return datetime.fromisoformat(at).timestamp()
    except (TypeError, ValueError):
        return 0.0


def diff(
    exported, replayed, path: str, *, names: tuple[str, str] = ("export", "replay")
) -> Iterator[str]:
    """Every leaf where `exported` and `replayed` disagree, as 'path: export X, replay Y'."""
    left_name, right_name = names
    if isinstance(exported, dict) and isinstance(replayed, dict):
        for key in sorted(exported.keys() | replayed.keys(), key=str):
            where = f"{path}.{key}"
            if key not in exported:
                yield f"{where}: missing from the {left_name}, {right_name} {_short(replayed[key])}"
            elif key not in replayed:
                yield f"{where}: {left_name} {_short(exported[key])}, missing from the {right_name}"
            else:
                yield from diff(exported[key], replayed[key], where, names=names)
    elif isinstance(exported, list) and isinstance(replayed, list):
        if len(exported) != len(replayed):
            yield f"{path}: {left_name} has {len(exported)} items, {right_name} {len(replayed)}"
        for index, (left, right) in enumerate(zip(exported, replayed, strict=False)):
            yield from diff(left, right, f"{path}[{index}]", names=names)
    elif not _same(exported, replayed):
        yield f"{path}: {left_name} {_short(exported)}, {right_name} {_short(replayed)}"


def _same(left, right) -> bool:
    numbers = (int, float)
    if (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-9)
    return left == right


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def score_table(state: dict) -> list[str]:
    """Per round: each role's score, coalition K and alignment A; then the finals."""
    codes = [role["code"] for role in state["scenario"]["roles"]]
    width = max(8, *(len(code) + 2 for code in codes))
    header = f"{'round':>5} {'weight':>6}" + "".join(f"{code:>{width}}" for code in codes)
    lines = [header + f"{'K':>{width}}{'A':>8}"]
    for result in state["results"]:
        metrics = result["metrics"]
        scores = "".join(f"{result['scores'][code]['score']:>{width}.2f}" for code in codes)
        lines.append(
            f"{result['round']:>5} {result['weight']:>6g}{scores}"
            f"{metrics['coalition']:>{width}.2f}{metrics['alignment']:>8.3f}"
        )
    final = state["final"]
    if final:
        finals = "".join(_cell(final["roles"].get(code), width) for code in codes)
        lines.append(f"{'final':>5} {'':>6}{finals}{_cell(final['coalition'], width)}")
    return lines


def _cell(value, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.2f}"
