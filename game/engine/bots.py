"""A deterministic heuristic player, and a whole game played by bots (docs/engine.md).

Bots see exactly what their role's player would see: they read view(state, player), never
the raw state. Given the same state and seed they issue the same commands.
"""

import math
import random

from game.engine.errors import RuleError
from game.engine.offers import binds, satisfies
from game.engine.redlines import crossed, term_meets
from game.engine.rules import apply, decide
from game.engine.scenario import role_codes
from game.engine.scoring import domestic_cost, pressure
from game.engine.state import initial_state, timer_position
from game.engine.strategies import strategy_plan
from game.engine.views import view

TOLERABLE_COST = 20.0
MAX_PASSES = 6


def bot_commands(
    state: dict, role: str, *, seed: int, now: float = 0.0, strategy: str | None = None
) -> list[dict]:
    """The commands a bot playing `role` issues now, in order (empty when it has nothing to
    do: it has already acted in this phase, or the game is not running or is paused).
    `strategy`: None for the default heuristic, or open / guarded / secretive
    (strategies.py)."""
    seen = view(state, {"kind": "player", "role": role})
    actor = {"kind": "player", "role": role}
    plan = bot_plan(seen, role, seed=seed, strategy=strategy)
    return [{**item, "actor": actor, "now": now} for item in plan]


def bot_plan(seen: dict, role: str, *, seed: int, strategy: str | None = None) -> list[dict]:
    """The same decisions from the role's view alone (what a remote bot client holds): command
    payloads without actor and time, for a client to send as they are."""
    if seen["status"] != "running" or seen["paused"]:
        return []
    rng = random.Random(f"{seed}:{role}:{seen['round']}:{seen['phase']}")
    if strategy is not None:
        return strategy_plan(seen, role, strategy, rng)
    plan = {
        "disclosure": _disclose,
        "negotiation": _negotiate,
        "decision": _decide,
    }.get(seen["phase"])
    if plan is None:
        return []
    return plan(seen, role, rng)


def _levers(seen: dict) -> dict[str, dict]:
    return {lever["key"]: lever for lever in seen["scenario"]["levers"]}


def _own_lines(seen: dict) -> list[dict]:
    return [line for line in seen["red_lines"] if line["level"] == "own"]


def _disclose(seen: dict, role: str, rng: random.Random) -> list[dict]:
    """Reveal in full every red line with conditions to the roles the conditions name;
    reveal the existence of an unconditional one to everyone, on a coin flip."""
    choices = []
    for line in _own_lines(seen):
        named = sorted({condition["role"] for condition in line["unless"]} - {role})
        if named:
            choices.append({"red_line": line["id"], "to": named, "level": "full"})
        elif rng.random() < 0.5:
            choices.append({"red_line": line["id"], "to": "all", "level": "existence"})
    if not choices or seen["disclosures"].get(role) == choices:
        return []
    return [{"type": "disclosure_set", "choices": choices}]


def _snap(lever: dict, value: float, direction: str = "nearest") -> float:
    """The lever setting nearest `value` (or the next one up / down), within range."""
    steps = (value - lever["min"]) / lever["step"]
    rounding = {"up": math.ceil, "down": math.floor}.get(direction, round)
    steps = rounding(round(steps, 9))
    snapped = lever["min"] + steps * lever["step"]
    snapped = min(max(snapped, lever["min"]), lever["max"])
    if isinstance(lever["step"], int) and isinstance(lever["min"], int):
        return round(snapped)
    return round(snapped, 9)


def _strict_value(lever: dict, op: str, value: float) -> float:
    """The lever setting at least as strong as `op value`."""
    return _snap(lever, value, "up" if op == ">=" else "down")


def _cost(seen: dict, role: str, values: dict) -> float:
    """My domestic cost of `values`, from my own costs and multipliers in my view."""
    mine = [
        {**lever, "holders": {role: {**lever["holders"][role], "cost": seen["role"]["costs"][key]}}}
        for key, lever in _levers(seen).items()
        if role in lever["holders"]
    ]
    return domestic_cost(role, values, mine, {role: seen["role"]["multipliers"]})[0]


def _accepted_terms(seen: dict, round_no: int) -> list[dict]:
    """Terms of accepted offers that bind this round (the bot assumes partners keep them)."""
    return [
        term for offer in seen["offers"] for term in offer["terms"] if binds(offer, term, round_no)
    ]


def _covered(condition: dict, terms: list[dict]) -> bool:
    return any(term_meets(term, condition) for term in terms)


def _lifted(line: dict, terms: list[dict]) -> bool:
    return bool(line["unless"]) and all(_covered(item, terms) for item in line["unless"])


def _respects_lines(seen: dict, values: dict, terms: list[dict]) -> bool:
    for line in _own_lines(seen):
        value = values.get(line["lever"])
        if value is None or _lifted(line, terms):
            continue
        if crossed(line, value):
            return False
    return True


def _acceptable(seen: dict, role: str, offer: dict) -> bool:
    """Accept when keeping my terms costs little and breaches no red line of mine."""
    terms = _accepted_terms(seen, seen["round"]) + offer["terms"]
    values = dict(seen["standing_decisions"][role])
    for term in offer["terms"]:
        if term["by"] != role:
            continue
        if not satisfies(values[term["lever"]], term["op"], term["value"]):
            values[term["lever"]] = term["value"]
    mine = [term for term in terms if term["by"] == role]
    if not all(satisfies(values[t["lever"]], t["op"], t["value"]) for t in mine):
        return False
    added = _cost(seen, role, values) - _cost(seen, role, seen["standing_decisions"][role])
    return added <= TOLERABLE_COST and _respects_lines(seen, values, terms)


def _negotiate(seen: dict, role: str, rng: random.Random) -> list[dict]:
    commands = []
    for offer in seen["offers"]:
        if offer["status"] == "open" and role in offer["to"] and role not in offer["accepted_by"]:
            verdict = "offer_accept" if _acceptable(seen, role, offer) else "offer_reject"
            commands.append({"type": verdict, "offer": offer["id"]})
    proposed = any(
        offer["proposer"] == role and offer["round"] == seen["round"] for offer in seen["offers"]
    )
    if not proposed:
        commands.extend(_asks(seen, role) + _gifts(seen, role, rng))
    return commands


def _pending_terms(seen: dict) -> list[dict]:
    """Terms of offers still open that I am a party to."""
    return [
        term for offer in seen["offers"] if offer["status"] == "open" for term in offer["terms"]
    ]


def _promise(levers: dict, condition: dict, duration: str) -> dict:
    """The term that meets an `unless` condition, on the lever's grid."""
    lever = levers[condition["lever"]]
    return {
        "by": condition["role"],
        "lever": condition["lever"],
        "op": condition["op"],
        "value": _strict_value(lever, condition["op"], condition["value"]),
        "duration": duration,
    }


def _asks(seen: dict, role: str) -> list[dict]:
    """Ask the roles named in my red lines' conditions to commit to them this round, unless
    an accepted or open offer already covers them."""
    levers = _levers(seen)
    terms = _accepted_terms(seen, seen["round"]) + _pending_terms(seen)
    asks = []
    for line in _own_lines(seen):
        wanted = [
            _promise(levers, item, "round")
            for item in line["unless"]
            if not _covered(item, terms)
            and item["role"] != role
            and item["role"] in levers[item["lever"]]["holders"]
        ]
        if wanted:
            to = sorted({term["by"] for term in wanted})
            note = f"This would let us move on {levers[line['lever']]['label']}."
            asks.append({"type": "offer_propose", "to": to, "terms": wanted, "note": note})
    return asks


def _gifts(seen: dict, role: str, rng: random.Random) -> list[dict]:
    """Offer a partner what its revealed conditions ask of me, when I can afford it and no
    accepted or open offer between us already covers it."""
    levers = _levers(seen)
    terms = _accepted_terms(seen, seen["round"]) + _pending_terms(seen)
    gifts = []
    for line in seen["red_lines"]:
        if line["level"] != "full" or line["role"] == role:
            continue
        for item in line["unless"]:
            if item["role"] != role or role not in levers[item["lever"]]["holders"]:
                continue
            if _covered(item, terms):
                continue
            duration = "game" if rng.random() < 0.3 else "round"
            offer = {"to": [line["role"]], "terms": [_promise(levers, item, duration)]}
            if _acceptable(seen, role, offer):
                gifts.append({"type": "offer_propose", **offer, "note": "We can do this."})
    return gifts


def _decide(seen: dict, role: str, rng: random.Random) -> list[dict]:
    """Move halfway toward the partners' mean pressure, then respect my red lines (unless
    lifted) and my accepted commitments; set the decision and lock it."""
    if seen["decisions"][role]["locked"]:
        return []
    levers, standing = _levers(seen), seen["standing_decisions"]
    terms = _accepted_terms(seen, seen["round"])
    values = {}
    for key, lever in levers.items():  # scenario order: stored states may reorder keys
        if role not in lever["holders"]:
            continue
        mine = standing[role][key]
        partners = [
            pressure(standing[code][key], lever) for code in lever["holders"] if code != role
        ]
        own = pressure(mine, lever)
        goal = math.fsum(partners) / len(partners) if partners else own
        target = own + 0.5 * (goal - own) + rng.uniform(-0.05, 0.05)
        values[key] = _snap(lever, _value_at(lever, min(max(target, 0.0), 1.0)))
    for line in _own_lines(seen):
        if not _lifted(line, terms):
            op = ">=" if line["kind"] == "floor" else "<="  # the side the red line allows
            _hold(values, levers[line["lever"]], op, line["value"])
    for term in terms:
        if term["by"] == role:
            _hold(values, levers[term["lever"]], term["op"], term["value"])
    return [{"type": "decision_set", "values": values}, {"type": "decision_lock"}]


def _value_at(lever: dict, target: float) -> float:
    """The value with pressure `target` (the inverse of scoring.pressure)."""
    span = lever["max"] - lever["min"]
    if lever["pressure"] == "up":
        return lever["min"] + target * span
    return lever["max"] - target * span


def _hold(values: dict, lever: dict, op: str, bound: float) -> None:
    if not satisfies(values[lever["key"]], op, bound):
        values[lever["key"]] = _strict_value(lever, op, bound)


def play_game(
    scenario: dict, *, seed: int, now: float = 0.0, strategies: dict[str, str] | None = None
) -> tuple[dict, list[dict]]:
    """Play a whole game with one bot per role: returns the final state and every event.

    Timed phases end by a `tick` at their deadline, untimed ones by the facilitator's
    `advance` one second later; `now` is the clock at the start. `strategies` maps role
    codes to open / guarded / secretive (absent: the default heuristic).
    """
    state = initial_state(scenario, seed=seed)
    events: list[dict] = []
    clock = now

    def run(command: dict) -> list[dict]:
        nonlocal state
        outcome = decide(state, command)
        if isinstance(outcome, RuleError):
            raise RuntimeError(f"{command['type']} refused: {outcome.code}: {outcome.message}")
        for item in outcome:
            state = apply(state, item)
            events.append(item)
        return outcome

    system = {"kind": "system", "role": None}
    facilitator = {"kind": "facilitator", "role": None}
    for code in role_codes(scenario):
        seat = {"player_id": f"bot-{code}", "name": f"{code} bot", "role": code}
        run({"type": "player_join", "actor": system, "now": clock, **seat})
    run({"type": "start", "actor": facilitator, "now": clock})
    while state["status"] == "running":
        for _ in range(MAX_PASSES):
            acted = False
            for code in role_codes(scenario):
                strategy = (strategies or {}).get(code)
                for command in bot_commands(state, code, seed=seed, now=clock, strategy=strategy):
                    acted = bool(run(command)) or acted
            if not acted:
                break
        if state["deadline"] is not None:
            clock = max(clock, state["deadline"])
            expected = timer_position(state)
            run({"type": "tick", "actor": system, "now": clock, "expected": expected})
        else:
            clock += 1.0
            run({"type": "advance", "actor": facilitator, "now": clock})
    return state, events
