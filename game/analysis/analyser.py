"""What a scenario rewards (issue 8 §2): the status quo, unilateral moves, the no-deal
outcome, the achievable frontier with and without commitments, maximum pressure, and the
incentive checks a–d. Outcomes are found with the MILP of formulation.py and then scored by
the engine's own `score_round`, so every reported number is a real game score."""

from math import fsum

from game.analysis.formulation import GameModel, crosses, grid, meets
from game.analysis.linear import total
from game.engine.scenario import cost_multipliers, role_codes, start_values
from game.engine.scoring import LATEST_RULES, check_rules_version, pressure, score_round

# Each check is a number compared with a documented threshold (docs/analysis.md).
CHECKS = {
    "a": {
        "title": "every role gains from the fair deal over the status quo",
        "measure": "smallest gain of any role in the fair deal (final points)",
        "threshold": 1.0,
        "passes": "at least",
    },
    "b": {
        "title": "blind maximum pressure scores worse than the fair deal for every role",
        "measure": "smallest (fair deal − maximum pressure) final over roles",
        "threshold": 1.0,
        "passes": "at least",
    },
    "c": {
        "title": "commitments add value",
        "measure": "smallest gain in the fair deal with commitments − without",
        "threshold": 1.0,
        "passes": "at least",
    },
    "d": {
        "title": "no role gains by retreating below its start; all-minimum loses to the status quo",
        "measure": "largest of: best retreating gain of any role, any role's (all-minimum − "
        "status quo) final",
        "threshold": 0.0,
        "passes": "below",
    },
}
TOLERANCE = 1e-6
MAX_PASSES = 30


def analyse_scenario(scenario: dict, *, rules: int = LATEST_RULES) -> dict:
    """The whole analysis of a normalized scenario document under scoring rules `rules`."""
    check_rules_version(rules)
    codes = role_codes(scenario)
    rounds = range(1, len(scenario["rounds"]) + 1)
    start = start_values(scenario)
    status_quo = outcome(scenario, rules, {r: start for r in rounds})
    baseline = status_quo["final"]

    round_baseline = {entry["round"]: entry["scores"] for entry in status_quo["rounds"]}

    def solved(mode, objective):
        """Round by round (rounds share nothing but the start values): the optimum of
        `objective`, and among its optima the one with the best total score."""
        decisions, lifted = {}, set()
        for r in rounds:
            model = GameModel(scenario, rules=rules, mode=mode, rounds=[r])
            goal = objective(model, r)
            best = model.model.maximise(goal)
            model.model.add(goal, low=best.objective - TOLERANCE)
            best = model.model.maximise(total(model.final(code) for code in codes))
            lifted |= {key for key, flag in model.lifts.items() if best.value(flag) > 0.5}
            decisions[r] = model.decisions(best)[r]
        return outcome(scenario, rules, decisions, lifted, baseline)

    def fair(model, r):
        floor = model.model.var(-1e4, 1e4)
        for code in codes:
            model.model.add(model.score[r, code] - round_baseline[r][code] - floor, low=0)
        return floor

    def total_score(model, r):
        return total(model.final(code) for code in codes)

    def coalition(model, r):
        return model.coalition_final()

    result = {
        "scenario": scenario["slug"],
        "rules": rules,
        "status_quo": status_quo,
        "unilateral": unilateral_moves(scenario, rules, baseline),
        "no_deal": no_deal(scenario, rules, baseline),
        "best_coalition": solved("commit", coalition),
        "best_coalition_without_commitments": solved("respect", coalition),
        "best_total": solved("commit", total_score),
        "best_total_without_commitments": solved("respect", total_score),
        "fair_deal": solved("commit", fair),
        "fair_deal_without_commitments": solved("respect", fair),
        "max_pressure": outcome(scenario, rules, extreme(scenario, "max"), baseline=baseline),
        "all_minimum": outcome(scenario, rules, extreme(scenario, "min"), baseline=baseline),
    }
    result["checks"] = incentive_checks(result)
    return result


def extreme(scenario: dict, end: str) -> dict:
    """Every role at the most (max) or least (min) pressure on every lever, every round."""
    decisions = {}
    for lever in scenario["levers"]:
        values = grid(lever)
        ranked = sorted(values, key=lambda v: pressure(v, lever))
        value = ranked[-1] if end == "max" else ranked[0]
        for code in lever["holders"]:
            decisions.setdefault(code, {})[lever["key"]] = value
    ordered = {code: decisions[code] for code in role_codes(scenario)}
    return {r: ordered for r in range(1, len(scenario["rounds"]) + 1)}


def outcome(scenario, rules, decisions_by_round, lifted=frozenset(), baseline=None) -> dict:
    """Score decisions for real: red lines crossed and not lifted by commitments pay their
    penalty; a lifted line's conditions are the commitments the outcome needs."""
    codes = role_codes(scenario)
    scoring = scenario["scoring"]
    rounds, finals, coalition, effect = [], dict.fromkeys(codes, 0.0), 0.0, 0.0
    weight_sum = fsum(spec["weight"] for spec in scenario["rounds"])
    for r, decisions in sorted(decisions_by_round.items()):
        penalties, breaches, commitments = dict.fromkeys(codes, 0), [], []
        for line in scenario["red_lines"]:
            value = decisions[line["role"]][line["lever"]]
            if not crosses(line, value):
                continue
            conditions_met = line["unless"] and all(
                meets(c, decisions[c["role"]][c["lever"]]) for c in line["unless"]
            )
            if (r, line["id"]) in lifted and conditions_met:
                commitments += [
                    {
                        "round": r,
                        "by": c["role"],
                        "lever": c["lever"],
                        "op": c["op"],
                        "value": c["value"],
                        "to": line["role"],
                        "lifts": line["id"],
                    }
                    for c in line["unless"]
                ]
            else:
                penalties[line["role"]] += line["penalty"]
                breaches.append(line["id"])
        scored = score_round(
            roles=scenario["roles"],
            levers=scenario["levers"],
            decisions=decisions,
            multipliers=cost_multipliers(scenario, r),
            penalties=penalties,
            alignment_weight=scoring["alignment_weight"],
            coalition_weight=scoring["coalition_weight"],
            rules=rules,
        )
        weight = scenario["rounds"][r - 1]["weight"] / weight_sum
        for code in codes:
            finals[code] += weight * scored["roles"][code]["score"]
        coalition += weight * scored["coalition"]
        effect += weight * scored["effectiveness"]
        rounds.append(
            {
                "round": r,
                "decisions": decisions,
                "scores": {code: scored["roles"][code]["score"] for code in codes},
                "coalition": scored["coalition"],
                "alignment": scored["alignment"],
                "effectiveness": scored["effectiveness"],
                "breaches": breaches,
                "commitments": commitments,
            }
        )
    result = {
        "final": finals,
        "coalition": coalition,
        "effectiveness": effect,
        "total": fsum(finals.values()),
        "decisions": [entry["decisions"] for entry in rounds],
        "rounds": rounds,
    }
    if baseline is not None:
        result["gain"] = {code: finals[code] - baseline[code] for code in codes}
    result["commitments"] = [term for entry in rounds for term in entry["commitments"]]
    return result


def _best_response(scenario, rules, code, fixed, allowed_own=None, extra=None):
    """`code`'s best decisions (every round) with the others fixed at `fixed`, red lines
    crossable at their penalty (no commitments without a partner)."""

    def allowed(r, role, key, value):
        if role != code:
            return fixed[r][role][key] == value
        return allowed_own is None or allowed_own(r, key, value)

    model = GameModel(scenario, rules=rules, mode="penalise", allowed=allowed)
    if extra is not None:
        extra(model)
    best = model.model.maximise(model.final(code))
    return model.decisions(best), best.objective


def unilateral_moves(scenario, rules, baseline) -> dict:
    """Each role's best move from the status quo with the others at start: raising only
    (no lever below its start pressure) and retreating (some lever below, none above)."""
    start = start_values(scenario)
    levers = {lever["key"]: lever for lever in scenario["levers"]}
    rounds = range(1, len(scenario["rounds"]) + 1)
    fixed = {r: start for r in rounds}
    moves = {}
    for code in role_codes(scenario):

        def p_and_p0(key, value, code=code):
            lever = levers[key]
            return pressure(value, lever), pressure(lever["holders"][code]["start"], lever)

        def raising(r, key, value, p_and_p0=p_and_p0):
            p, p0 = p_and_p0(key, value)
            return p >= p0 - 1e-12

        def retreating(r, key, value, p_and_p0=p_and_p0):
            p, p0 = p_and_p0(key, value)
            return p <= p0 + 1e-12

        def strictly_below(model, code=code, p_and_p0=p_and_p0):
            for r in model.rounds:
                below = [
                    z
                    for (rr, role, key), picks in model.choice.items()
                    if rr == r and role == code
                    for v, z in picks
                    if p_and_p0(key, v)[0] < p_and_p0(key, v)[1] - 1e-12
                ]
                model.model.add(total(below), low=1)

        can_retreat = any(
            pressure(v, lever) < pressure(lever["holders"][code]["start"], lever) - 1e-12
            for lever in scenario["levers"]
            if code in lever["holders"]
            for v in grid(lever)
        )
        entry = {"retreat": None}  # None: every lever starts at its least pressure
        for name, allowed_own, extra in (
            ("raise", raising, None),
            ("retreat", retreating, strictly_below),
        ):
            if name == "retreat" and not can_retreat:
                continue
            chosen, _ = _best_response(scenario, rules, code, fixed, allowed_own, extra)
            decisions = {r: {**start, code: chosen[r][code]} for r in rounds}
            scored = outcome(scenario, rules, decisions, baseline=baseline)
            entry[name] = {
                "gain": scored["gain"][code],
                "gain_to_others": {c: g for c, g in scored["gain"].items() if c != code},
                "decisions": [chosen[r][code] for r in rounds],
            }
        moves[code] = entry
    return moves


def no_deal(scenario, rules, baseline) -> dict:
    """Best-response play from the status quo without commitments: roles in turn take their
    best response (red lines crossable at their penalty) until nobody changes."""
    rounds = range(1, len(scenario["rounds"]) + 1)
    current = {r: dict(start_values(scenario)) for r in rounds}
    converged, passes = False, 0
    while not converged and passes < MAX_PASSES:
        passes += 1
        converged = True
        for code in role_codes(scenario):
            chosen, value = _best_response(scenario, rules, code, current)
            now = outcome(scenario, rules, current)["final"][code]
            if value > now + TOLERANCE:
                converged = False
                current = {r: {**current[r], code: chosen[r][code]} for r in rounds}
    result = outcome(scenario, rules, current, baseline=baseline)
    result["converged"], result["passes"] = converged, passes
    return result


def incentive_checks(result: dict) -> dict:
    codes = list(result["status_quo"]["final"])
    fair, without = result["fair_deal"], result["fair_deal_without_commitments"]
    values = {
        "a": min(fair["gain"].values()),
        "b": min(fair["final"][c] - result["max_pressure"]["final"][c] for c in codes),
        "c": min(fair["gain"].values()) - min(without["gain"].values()),
        "d": max(
            [
                *(
                    move["retreat"]["gain"]
                    for move in result["unilateral"].values()
                    if move["retreat"] is not None
                ),
                *result["all_minimum"]["gain"].values(),
            ]
        ),
    }
    checks = {}
    for name, value in values.items():
        spec = CHECKS[name]
        passed = (
            value >= spec["threshold"]
            if spec["passes"] == "at least"
            else (value < spec["threshold"])
        )
        checks[name] = {
            "value": value,
            "threshold": spec["threshold"],
            "passed": passed,
            "title": spec["title"],
        }
    return checks
