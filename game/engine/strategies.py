"""Bot strategies a facilitator can pick per seat (issue 8 §3): open, guarded, secretive.

Like the default bot (bots.py) they decide from their role's view only: public scenario
(levers, start values, role weights, scoring weights), their own costs and multipliers, the
red lines shown to them, the offers they are party to and the published decisions. With
those they can compute their *own* round score for any profile of decisions (partners'
costs are unknown to them and do not enter their own score).

- **open** reveals every red line in full to everyone in round 1; proposes packages to all
  partners in which every lever that moves toward pressure is a committed term and the
  `unless` conditions of the red lines the package crosses are terms too, starting ambitious
  and scaling down after each rejection; accepts an offer that raises its own score.
- **guarded** reveals only that its red lines exist; proposes only small packages about its
  own red lines (its move across the line for the partners' conditions); accepts only an
  offer that raises its score by a clear margin.
- **secretive** reveals nothing and proposes nothing; accepts only offers that cost it
  nothing (its terms hold at its standing decisions) and do not lower its score.

Every strategy decides by best response: each of its levers in turn set to the grid value
that maximises its own score, partners assumed at their published decisions moved by the
terms they committed to, its commitments kept and its red lines respected unless lifted.
Seeded: the ambition of packages and an occasional one-step tremble come from the seed.
"""

import random

from game.engine.offers import binds, satisfies
from game.engine.redlines import crossed, term_meets
from game.engine.scoring import LATEST_RULES, score_round

STRATEGIES = ("open", "guarded", "secretive")
ACCEPT_MARGIN = {"open": 0.0, "guarded": 1.0, "secretive": 0.0}
AMBITION = {"open": (1.0, 0.75, 0.5, 0.25), "guarded": (0.5, 0.25)}
MAX_TERMS = 20
TREMBLE = 0.1
SWEEPS = 3


def strategy_plan(seen: dict, role: str, strategy: str, rng: random.Random) -> list[dict]:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown bot strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    phase = seen["phase"]
    if phase == "disclosure":
        return _disclose(seen, role, strategy)
    if phase == "negotiation":
        return _negotiate(seen, role, strategy, rng)
    if phase == "decision":
        return _decide(seen, role, rng)
    return []


# Knowledge ------------------------------------------------------------------------------------


def _levers(seen: dict) -> dict[str, dict]:
    return {lever["key"]: lever for lever in seen["scenario"]["levers"]}


def _grid(lever: dict) -> list[float]:
    count = round((lever["max"] - lever["min"]) / lever["step"])
    values = [lever["min"] + index * lever["step"] for index in range(count + 1)]
    if all(isinstance(x, int) for x in (lever["min"], lever["step"])):
        return [round(v) for v in values]
    return [round(v, 9) for v in values]


def _pressure(lever: dict, value: float) -> float:
    span = lever["max"] - lever["min"]
    if lever["pressure"] == "up":
        return (value - lever["min"]) / span
    return (lever["max"] - value) / span


def _toward(lever: dict) -> str:
    """The term op that means "at least this much pressure"."""
    return ">=" if lever["pressure"] == "up" else "<="


def _own_lines(seen: dict) -> list[dict]:
    return [line for line in seen["red_lines"] if line["level"] == "own"]


def _binding(seen: dict) -> list[dict]:
    """Terms of accepted offers binding this round (the bot assumes partners keep them)."""
    return [
        term
        for offer in seen["offers"]
        if offer["status"] == "accepted"
        for term in offer["terms"]
        if binds(offer, term, seen["round"])
    ]


def _lifted(line: dict, terms: list[dict]) -> bool:
    return bool(line["unless"]) and all(
        any(term_meets(term, condition) for term in terms) for condition in line["unless"]
    )


def _apply_terms(values: dict, role: str, terms: list[dict]) -> dict:
    values = dict(values)
    for term in terms:
        if term["by"] == role and not satisfies(values[term["lever"]], term["op"], term["value"]):
            values[term["lever"]] = term["value"]
    return values


def _assumed(seen: dict, terms: list[dict]) -> dict:
    """Everyone's decision as the bot expects it: published decisions moved by the terms."""
    standing = seen["standing_decisions"]
    return {code: _apply_terms(values, code, terms) for code, values in standing.items()}


def _own_score(seen: dict, role: str, profile: dict, terms: list[dict]) -> float:
    """My round score for `profile`, from what I know: my costs and multipliers, my red lines
    (lifted by `terms`), and the public scoring."""
    levers = []
    for lever in seen["scenario"]["levers"]:
        holders = {
            code: {"start": held["start"], "cost": 0.0} for code, held in lever["holders"].items()
        }
        if role in holders:
            holders[role]["cost"] = seen["role"]["costs"][lever["key"]]
        levers.append({**lever, "holders": holders})
    penalty = sum(
        line["penalty"]
        for line in _own_lines(seen)
        if crossed(line, profile[role][line["lever"]]) and not _lifted(line, terms)
    )
    scoring = seen["scenario"]["scoring"]
    scored = score_round(
        roles=seen["scenario"]["roles"],
        levers=levers,
        decisions=profile,
        multipliers={role: seen["role"]["multipliers"]},
        penalties={role: penalty},
        alignment_weight=scoring["alignment_weight"],
        coalition_weight=scoring["coalition_weight"],
        rules=LATEST_RULES,  # the view does not name the game's version; new games play it
    )
    return scored["roles"][role]["score"]


def _allowed(seen: dict, role: str, lever: dict, value: float, terms: list[dict]) -> bool:
    """Keeps my commitments, and my red lines unless `terms` lift them."""
    for term in terms:
        if (
            term["by"] == role
            and term["lever"] == lever["key"]
            and not satisfies(value, term["op"], term["value"])
        ):
            return False
    for line in _own_lines(seen):
        if line["lever"] == lever["key"] and crossed(line, value) and not _lifted(line, terms):
            return False
    return True


def _best_response(seen: dict, role: str, terms: list[dict]) -> tuple[dict, float]:
    """My best decisions (and score) with partners as assumed under `terms`."""
    profile = _assumed(seen, terms)
    levers = _levers(seen)
    mine = dict(profile[role])
    for key, value in mine.items():  # start from a decision that keeps the rules
        if not _allowed(seen, role, levers[key], value, terms):
            options = [v for v in _grid(levers[key]) if _allowed(seen, role, levers[key], v, terms)]
            if options:
                mine[key] = min(options, key=lambda v, value=value: abs(v - value))
    best = _own_score(seen, role, {**profile, role: mine}, terms)
    for _ in range(SWEEPS):
        improved = False
        for key in mine:
            lever = levers[key]
            for value in _grid(lever):
                if value == mine[key] or not _allowed(seen, role, lever, value, terms):
                    continue
                trial = {**mine, key: value}
                score = _own_score(seen, role, {**profile, role: trial}, terms)
                if score > best + 1e-9:
                    mine, best, improved = trial, score, True
        if not improved:
            break
    return mine, best


# Phases -----------------------------------------------------------------------------------------


def _disclose(seen: dict, role: str, strategy: str) -> list[dict]:
    if strategy == "secretive" or seen["round"] != 1 or seen["disclosures"].get(role):
        return []
    level = "full" if strategy == "open" else "existence"
    choices = [{"red_line": line["id"], "to": "all", "level": level} for line in _own_lines(seen)]
    return [{"type": "disclosure_set", "choices": choices}] if choices else []


def _negotiate(seen: dict, role: str, strategy: str, rng: random.Random) -> list[dict]:
    commands = []
    accepted_now = []
    for offer in seen["offers"]:
        if offer["status"] != "open" or role not in offer["to"] or role in offer["accepted_by"]:
            continue
        if _acceptable(seen, role, strategy, offer["terms"] + accepted_now):
            commands.append({"type": "offer_accept", "offer": offer["id"]})
            if len(offer["accepted_by"]) + 1 == len(offer["to"]):
                accepted_now += offer["terms"]
        else:
            commands.append({"type": "offer_reject", "offer": offer["id"]})
    if strategy in AMBITION:
        proposal = _proposal(seen, role, strategy, rng, accepted_now)
        if proposal is not None:
            commands.append(proposal)
    return commands


def _acceptable(seen: dict, role: str, strategy: str, offered: list[dict]) -> bool:
    terms = _binding(seen)
    if strategy == "secretive":
        standing = seen["standing_decisions"][role]
        for term in offered:
            if term["by"] == role and not satisfies(
                standing[term["lever"]], term["op"], term["value"]
            ):
                return False
    _, without = _best_response(seen, role, terms)
    _, with_offer = _best_response(seen, role, terms + offered)
    return with_offer >= without + ACCEPT_MARGIN[strategy] + 1e-9


def _proposal(seen, role, strategy, rng, accepted_now) -> dict | None:
    """My next package this round: the next ambition level after my rejected ones, as long
    as it still raises my own score."""
    mine = [o for o in seen["offers"] if o["proposer"] == role and o["round"] == seen["round"]]
    if any(offer["status"] == "open" for offer in mine):
        return None
    ladder = AMBITION[strategy]
    tried = len(mine)
    if tried >= len(ladder) or any(offer["status"] == "accepted" for offer in mine):
        return None
    ambition = ladder[tried] * rng.uniform(0.85, 1.0)
    partners = sorted({code for code in seen["standing_decisions"] if code != role})
    terms = _package(seen, role, strategy, ambition, _binding(seen) + accepted_now)
    if not terms or not (parties := sorted({t["by"] for t in terms} - {role})):
        return None
    binding = _binding(seen) + accepted_now
    _, without = _best_response(seen, role, binding)
    _, with_package = _best_response(seen, role, binding + terms)
    if with_package < without + ACCEPT_MARGIN[strategy] + 1e-9:
        return None
    to = partners if strategy == "open" else parties
    duration = "game" if strategy == "open" else "round"
    return {
        "type": "offer_propose",
        "to": to,
        "terms": [{**term, "duration": duration} for term in terms],
        "note": f"A package ({strategy}): each of us commits to the moves listed.",
    }


def _package(seen, role, strategy, ambition, binding) -> list[dict]:
    """Terms moving each lever a share `ambition` of the way to full pressure, plus the
    `unless` conditions of the red lines (known to me in full) those moves cross."""
    levers = _levers(seen)
    profile = _assumed(seen, binding)
    known = [line for line in seen["red_lines"] if line["level"] in ("own", "full")]
    guessed = [line for line in seen["red_lines"] if line["level"] == "existence"]
    movers = [role] if strategy == "guarded" else list(profile)
    wanted: dict[tuple[str, str], dict] = {}
    conditions: list[dict] = []
    for code in movers:
        for key, current in profile[code].items():
            lever = levers[key]
            if strategy == "guarded" and not any(
                line["lever"] == key for line in _own_lines(seen) if line["unless"]
            ):
                continue
            if any(line["role"] == code and line["lever"] == key for line in guessed):
                continue  # a partner's line of unknown value: do not push there
            goal = _pressure(lever, current) + ambition * (1 - _pressure(lever, current))
            target = min(  # the grid value nearest the goal, ties toward more pressure
                _grid(lever),
                key=lambda v, lever=lever, goal=goal: (
                    abs(_pressure(lever, v) - goal),
                    -_pressure(lever, v),
                ),
            )
            if strategy == "guarded":
                target = _just_across(seen, lever, target)
            if _pressure(lever, target) <= _pressure(lever, current) + 1e-9:
                continue
            lines = [line for line in known if line["role"] == code and line["lever"] == key]
            blocked = False
            for line in lines:
                if not crossed(line, target):
                    continue
                if not line["unless"] or any(c["role"] == code for c in line["unless"]):
                    blocked = True  # cannot be lifted by partners: stop at the line
                    target = line["value"]
                else:
                    conditions += line["unless"]
            if blocked and _pressure(lever, target) <= _pressure(lever, current) + 1e-9:
                continue
            wanted[code, key] = {"by": code, "lever": key, "op": _toward(lever), "value": target}
    for condition in conditions:
        lever = levers[condition["lever"]]
        value = _on_grid(lever, condition["op"], condition["value"])
        existing = wanted.get((condition["role"], condition["lever"]))
        if (
            existing
            and existing["op"] == condition["op"]
            and satisfies(existing["value"], condition["op"], value)
        ):
            continue
        wanted[condition["role"], condition["lever"]] = {
            "by": condition["role"],
            "lever": condition["lever"],
            "op": condition["op"],
            "value": value,
        }
    terms = [
        term
        for term in wanted.values()
        if not satisfies(profile[term["by"]][term["lever"]], term["op"], term["value"])
        or any(term_meets(term, c) for c in conditions)
    ]
    return terms[:MAX_TERMS]


def _just_across(seen: dict, lever: dict, target: float) -> float:
    """A guarded bot's move on a lever with its own conditional red line: at least the first
    step across that line (the move its conditions are meant to buy)."""
    for line in _own_lines(seen):
        if line["lever"] != lever["key"] or not line["unless"] or crossed(line, target):
            continue
        beyond = [
            v
            for v in _grid(lever)
            if crossed(line, v) and _pressure(lever, v) > _pressure(lever, target)
        ]
        if beyond:
            target = min(beyond, key=lambda v: _pressure(lever, v))
    return target


def _on_grid(lever: dict, op: str, value: float) -> float:
    grid = _grid(lever)
    if op == ">=":
        return min((v for v in grid if v >= value - 1e-9), default=grid[-1])
    return max((v for v in grid if v <= value + 1e-9), default=grid[0])


def _decide(seen: dict, role: str, rng: random.Random) -> list[dict]:
    if seen["decisions"][role]["locked"]:
        return []
    terms = _binding(seen)
    values, _ = _best_response(seen, role, terms)
    if rng.random() < TREMBLE:  # an occasional one-step slip, within the rules
        levers = _levers(seen)
        key = rng.choice(sorted(values))
        lever = levers[key]
        grid = _grid(lever)
        index = grid.index(values[key]) if values[key] in grid else None
        if index is not None:
            near = [grid[i] for i in (index - 1, index + 1) if 0 <= i < len(grid)]
            near = [v for v in near if _allowed(seen, role, lever, v, terms)]
            if near:
                values[key] = rng.choice(near)
    ordered = {key: values[key] for key in _levers(seen) if key in values}
    return [{"type": "decision_set", "values": ordered}, {"type": "decision_lock"}]


def seat_strategies(codes: list[str], seating: str, rng: random.Random) -> dict[str, str]:
    """Strategies per role for a named seating: all-open, all-guarded, all-secretive, mixed
    (each seat drawn from the three), lone-open (one seat, drawn, open; the rest secretive)."""
    if seating.startswith("all-"):
        return dict.fromkeys(codes, seating[4:])
    if seating == "mixed":
        return {code: rng.choice(STRATEGIES) for code in codes}
    if seating == "lone-open":
        lone = rng.choice(codes)
        return {code: "open" if code == lone else "secretive" for code in codes}
    raise ValueError(f"unknown seating {seating!r}")


SEATINGS = ("all-open", "all-guarded", "all-secretive", "mixed", "lone-open")
