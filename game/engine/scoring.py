"""Scoring of DESIGN §3, as pure functions over plain data (docs/scoring.md explains each figure).

Inputs use the scenario's own shapes, so an instructor can call these directly:
`roles` = [{"code", "weight"}], `levers` = [{"key", "min", "max", "pressure", "weight",
"holders": {role: {"start", "cost"}}}], `decisions` = {role: {lever: value}}.
Sums use math.fsum, which is exactly rounded: results do not depend on the order of roles or
levers, so relabelling roles cannot change a score even in the last bit.

Scoring rules versions (a game records the one it is played under, `state["rules"]`):
1. alignment compares pressures as decided;
2. alignment compares *credited* pressures max(p, p0), p0 the pressure of the role's start
   value, so retreating below one's start can no longer buy alignment. Effectiveness and
   cost use p and x as decided under both.
"""

from itertools import combinations
from math import fsum

LEVEL_RANK = {None: 0, "existence": 1, "full": 2}
RULES_VERSIONS = (1, 2)
LATEST_RULES = 2
UNVERSIONED_RULES = 1  # a state or export that names no version predates versioning


def check_rules_version(rules) -> int:
    """The version itself, or ValueError naming a version these formulas cannot score."""
    if isinstance(rules, bool) or rules not in RULES_VERSIONS:
        known = ", ".join(str(version) for version in RULES_VERSIONS)
        raise ValueError(f"unknown scoring rules version {rules!r} (known: {known})")
    return rules


def pressure(value: float, lever: dict) -> float:
    """p in [0, 1]: how much pressure a value puts on the aggressor along this lever."""
    span = lever["max"] - lever["min"]
    if lever["pressure"] == "up":
        return (value - lever["min"]) / span
    return (lever["max"] - value) / span


def pressures(levers: list[dict], decisions: dict[str, dict[str, float]]) -> dict:
    """p(i,l) for every role in `decisions` and every lever it holds."""
    return {
        role: {
            lever["key"]: pressure(values[lever["key"]], lever)
            for lever in levers
            if role in lever["holders"]
        }
        for role, values in decisions.items()
    }


def credited_pressures(levers: list[dict], pressure_by_role: dict, rules: int) -> dict:
    """The pressures alignment compares: p under rules 1, max(p, p0) under rules 2."""
    if rules == 1:
        return pressure_by_role
    start = {
        lever["key"]: {
            code: pressure(held["start"], lever) for code, held in lever["holders"].items()
        }
        for lever in levers
    }
    return {
        role: {key: max(p, start[key][role]) for key, p in held.items()}
        for role, held in pressure_by_role.items()
    }


def pair_alignment(p_i: dict, p_j: dict, weights: dict[str, float]) -> float | None:
    """Signorino–Ritter S over the levers both hold; None when they share none."""
    shared = [key for key in p_i if key in p_j]
    if not shared:
        return None
    distance = fsum(weights[key] * abs(p_i[key] - p_j[key]) for key in shared)
    return 1 - 2 * distance / fsum(weights[key] for key in shared)


def pair_alignments(pressure_by_role: dict, weights: dict[str, float], order: list[str]) -> list:
    """S for every pair of roles (in `order`) that shares at least one lever."""
    pairs = []
    for a, b in combinations(order, 2):
        s = pair_alignment(pressure_by_role[a], pressure_by_role[b], weights)
        if s is not None:
            pairs.append({"roles": [a, b], "alignment": s})
    return pairs


def coalition_alignment(pairs: list[dict]) -> float | None:
    """A = mean S over the pairs that share a lever (None if there are none)."""
    if not pairs:
        return None
    return fsum(pair["alignment"] for pair in pairs) / len(pairs)


def alignment_points(alignment: float | None) -> float:
    """50·(A + 1); a coalition without any shared lever counts as neutral (A = 0)."""
    return 50 * ((alignment or 0.0) + 1)


def effectiveness(pressure_by_role: dict, weights: dict[str, float], role_weights: dict) -> float:
    """E = 100·Σ ĝ_i·(weighted mean pressure of i), with ĝ the normalised role weights."""
    total_weight = fsum(role_weights[role] for role in pressure_by_role)
    return 100 * fsum(
        role_weights[role]
        / total_weight
        * fsum(weights[key] * p for key, p in held.items())
        / fsum(weights[key] for key in held)
        for role, held in pressure_by_role.items()
    )


def coalition_score(points: float, effect: float, alignment_weight: float) -> float:
    """K = β·alignment points + (1 − β)·E."""
    return alignment_weight * points + (1 - alignment_weight) * effect


def domestic_cost(
    role: str, values: dict[str, float], levers: list[dict], multipliers: dict | None = None
) -> tuple[float, dict[str, float]]:
    """C(i) = Σ c·m·max(0, movement in the pressure direction); also the per-lever parts."""
    role_multipliers = (multipliers or {}).get(role, {})
    by_lever = {}
    for lever in levers:
        holder = lever["holders"].get(role)
        if holder is None:
            continue
        moved = values[lever["key"]] - holder["start"]
        if lever["pressure"] == "down":
            moved = -moved
        multiplier = role_multipliers.get(lever["key"], 1)
        by_lever[lever["key"]] = holder["cost"] * multiplier * max(0.0, moved)
    return fsum(by_lever.values()), by_lever


# Where a national score starts before costs and penalties are taken off.
NATIONAL_START = 100


def national_score(cost: float, penalties: float) -> float:
    """N = 100 − C − penalties; may go below zero."""
    return NATIONAL_START - cost - penalties


def round_score(coalition: float, national: float, coalition_weight: float, adjustment=0.0):
    """R = γ·K + (1 − γ)·N + the facilitator's adjustments."""
    return coalition_weight * coalition + (1 - coalition_weight) * national + adjustment


def lever_spread(pressure_by_role: dict, levers: list[dict]) -> dict[str, float]:
    """max p − min p over the roles holding each lever (0 for a lever with one holder)."""
    spread = {}
    for lever in levers:
        values = [held[lever["key"]] for held in pressure_by_role.values() if lever["key"] in held]
        if values:
            spread[lever["key"]] = max(values) - min(values)
    return spread


def score_round(
    *,
    roles: list[dict],
    levers: list[dict],
    decisions: dict[str, dict[str, float]],
    multipliers: dict | None = None,
    penalties: dict[str, float] | None = None,
    adjustments: dict[str, float] | None = None,
    alignment_weight: float = 0.5,
    coalition_weight: float = 0.5,
    rules: int = LATEST_RULES,
) -> dict:
    """Every figure of one round under scoring rules `rules`. `penalties` are red-line and
    broken-commitment points."""
    check_rules_version(rules)
    order = [role["code"] for role in roles]
    weights = {lever["key"]: lever["weight"] for lever in levers}
    p = pressures(levers, {code: decisions[code] for code in order})
    credited = credited_pressures(levers, p, rules)
    pairs = pair_alignments(credited, weights, order)
    alignment = coalition_alignment(pairs)
    points = alignment_points(alignment)
    effect = effectiveness(p, weights, {role["code"]: role["weight"] for role in roles})
    coalition = coalition_score(points, effect, alignment_weight)
    per_role = {}
    for code in order:
        cost, cost_by_lever = domestic_cost(code, decisions[code], levers, multipliers)
        penalty = (penalties or {}).get(code, 0)
        national = national_score(cost, penalty)
        adjustment = (adjustments or {}).get(code, 0)
        per_role[code] = {
            "cost": cost,
            "cost_by_lever": cost_by_lever,
            "penalties": penalty,
            "national": national,
            "adjustment": adjustment,
            "score": round_score(coalition, national, coalition_weight, adjustment),
        }
    return {
        "pressures": p,
        "credited_pressures": credited,
        "pairs": pairs,
        "alignment": alignment,
        "alignment_points": points,
        "effectiveness": effect,
        "coalition": coalition,
        "spread": lever_spread(p, levers),
        "roles": per_role,
    }


def status_quo_scores(
    *,
    roles: list[dict],
    levers: list[dict],
    multipliers: dict | None = None,
    alignment_weight: float = 0.5,
    coalition_weight: float = 0.5,
    rules: int = LATEST_RULES,
) -> dict[str, float]:
    """Each role's round score had every role kept its start values (same injects, no
    commitments, no penalties, no adjustments): the status quo a gain is measured from."""
    start = {
        role["code"]: {
            lever["key"]: lever["holders"][role["code"]]["start"]
            for lever in levers
            if role["code"] in lever["holders"]
        }
        for role in roles
    }
    scored = score_round(
        roles=roles,
        levers=levers,
        decisions=start,
        multipliers=multipliers,
        alignment_weight=alignment_weight,
        coalition_weight=coalition_weight,
        rules=rules,
    )
    return {code: entry["score"] for code, entry in scored["roles"].items()}


def final_scores(rounds: list[dict], role_order: list[str]) -> dict:
    """F(i) and the coalition final: round-weight-weighted means over the scored rounds.

    `rounds` = [{"weight": w, "coalition": K, "scores": {role: R}}]; with none, finals are None.
    """
    total = fsum(entry["weight"] for entry in rounds)
    if not rounds or total == 0:
        return {"roles": {code: None for code in role_order}, "coalition": None, "rounds": 0}
    return {
        "roles": {
            code: fsum(entry["weight"] * entry["scores"][code] for entry in rounds) / total
            for code in role_order
        },
        "coalition": fsum(entry["weight"] * entry["coalition"] for entry in rounds) / total,
        "rounds": len(rounds),
    }


def known_level(
    reveals: list[dict], red_line_id: str, role: str | None, *, up_to_round: int | None = None
) -> str | None:
    """The highest level at which `role` has been shown a red line (None: not at all),
    counting reveals up to `up_to_round` if given. With role None: the public level (the
    level revealed to "all")."""
    levels = [
        reveal["level"]
        for reveal in reveals
        if reveal["red_line"] == red_line_id
        and (up_to_round is None or reveal["round"] <= up_to_round)
        and (reveal["to"] == "all" or (role is not None and role in reveal["to"]))
    ]
    return max(levels, key=LEVEL_RANK.__getitem__, default=None)


def awareness_matrix(
    *, red_lines: list[dict], role_order: list[str], reveals: list[dict], rounds: list[int]
) -> list[dict]:
    """Which role knew which red line, at what level, when it decided in each round.

    `reveals` = [{"red_line", "to": "all" | [codes], "level", "round"}]; every reveal of round r
    happens before that round's decision. The owner always knows its own red lines ("own").
    Returns long-form rows {round, red_line, owner, role, level} with level "none",
    "existence", "full" or "own".
    """
    rows = []
    for round_no in rounds:
        for line in red_lines:
            for code in role_order:
                if code == line["role"]:
                    level = "own"
                else:
                    level = known_level(reveals, line["id"], code, up_to_round=round_no) or "none"
                rows.append(
                    {
                        "round": round_no,
                        "red_line": line["id"],
                        "owner": line["role"],
                        "role": code,
                        "level": level,
                    }
                )
    return rows
