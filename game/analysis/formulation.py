"""The DESIGN §3 scoring of a whole game as a mixed-integer linear model.

Each (round, role, lever) gets one binary per point of the lever's step grid (exactly one is
chosen), so pressure, credited pressure (rules 2: max(p, p0)) and domestic cost are linear in
them; |p̃_i − p̃_j| becomes a variable bounded below by both signs of the difference, which is
exact because every objective here prefers a smaller distance. Rounds only differ in their
cost multipliers: a decision's cost is measured from the start values every round.

Red lines, by `mode`:
- "respect": no decision may cross a red line (no commitments);
- "commit":  a line may be crossed only if all its `unless` conditions hold, i.e. the
             partners commit to (and fulfil) terms meeting them;
- "penalise": a line may be crossed at the cost of its penalty (unilateral play).
"""

from math import fsum

from game.analysis.linear import Expr, Model, total
from game.engine.scenario import cost_multipliers, role_codes
from game.engine.scoring import pressure

MODES = ("respect", "commit", "penalise")


def grid(lever: dict) -> list[float]:
    """Every value on the lever's step grid from min to max (as the validator allows)."""
    count = round((lever["max"] - lever["min"]) / lever["step"])
    values = [lever["min"] + index * lever["step"] for index in range(count + 1)]
    return [int(v) if float(v).is_integer() else round(v, 9) for v in values]


def crosses(line: dict, value: float) -> bool:
    return value < line["value"] if line["kind"] == "floor" else value > line["value"]


def meets(condition: dict, value: float) -> bool:
    if condition["op"] == ">=":
        return value >= condition["value"]
    return value <= condition["value"]


class GameModel:
    """The model of one scenario's rounds; `allowed(round, role, lever, value)` may exclude
    grid points (for fixed or one-directional moves)."""

    def __init__(self, scenario: dict, *, rules: int, mode: str, allowed=None, rounds=None):
        assert mode in MODES
        self.scenario, self.rules, self.mode = scenario, rules, mode
        self.model = Model()
        self.codes = role_codes(scenario)
        self.rounds = list(rounds or range(1, len(scenario["rounds"]) + 1))
        self.round_weight = {r: scenario["rounds"][r - 1]["weight"] for r in self.rounds}
        beta = scenario["scoring"]["alignment_weight"]
        gamma = scenario["scoring"]["coalition_weight"]
        role_weight = {role["code"]: role["weight"] for role in scenario["roles"]}
        weight_sum = fsum(role_weight.values())
        self.choice: dict[tuple, list[tuple[float, Expr]]] = {}
        self.lifts: dict[tuple, Expr] = {}
        self.coalition, self.effectiveness, self.score = {}, {}, {}
        for r in self.rounds:
            multipliers = cost_multipliers(scenario, r)
            credited, cost, held_pressure = {}, dict.fromkeys(self.codes, Expr()), {}
            for lever in scenario["levers"]:
                for code, holder in lever["holders"].items():
                    p0 = pressure(holder["start"], lever)
                    options = [
                        v
                        for v in grid(lever)
                        if allowed is None or allowed(r, code, lever["key"], v)
                    ]
                    if not options:
                        raise ValueError(f"no allowed value for {code} on {lever['key']}")
                    picks = [(v, self.model.var(binary=True)) for v in options]
                    self.model.add(total(z for _, z in picks), 1, 1)
                    self.choice[r, code, lever["key"]] = picks
                    m = multipliers.get(code, {}).get(lever["key"], 1)
                    p = {v: pressure(v, lever) for v in options}
                    held_pressure[code, lever["key"]] = total(p[v] * z for v, z in picks)
                    shown = {v: max(p[v], p0) if rules == 2 else p[v] for v in options}
                    credited[code, lever["key"]] = [(shown[v], z) for v, z in picks]
                    moved = {
                        v: (v - holder["start"]) * (1 if lever["pressure"] == "up" else -1)
                        for v in options
                    }
                    cost[code] = cost[code] + total(
                        holder["cost"] * m * max(0.0, moved[v]) * z for v, z in picks
                    )
            lever_weight = {lever["key"]: lever["weight"] for lever in scenario["levers"]}
            pair_terms = []
            for a_index, a in enumerate(self.codes):
                for b in self.codes[a_index + 1 :]:
                    shared = [k for k in lever_weight if (a, k) in credited and (b, k) in credited]
                    if not shared:
                        continue
                    span = fsum(lever_weight[k] for k in shared)
                    distance = Expr()
                    for key in shared:
                        distance = distance + lever_weight[key] * self._distance(
                            credited[a, key], credited[b, key]
                        )
                    pair_terms.append(1 - (2 / span) * distance)
            alignment = total(pair_terms) * (1 / len(pair_terms)) if pair_terms else Expr()
            effect = Expr()
            for code in self.codes:
                keys = [k for (c, k) in held_pressure if c == code]
                span = fsum(lever_weight[k] for k in keys)
                mean = total(lever_weight[k] * held_pressure[code, k] for k in keys) * (1 / span)
                effect = effect + mean * (100 * role_weight[code] / weight_sum)
            coalition = beta * 50 * (alignment + 1) + (1 - beta) * effect
            penalties = dict.fromkeys(self.codes, Expr())
            for line in scenario["red_lines"]:
                picks = self.choice[r, line["role"], line["lever"]]
                crossing = total(z for v, z in picks if crosses(line, v))
                if not crossing.terms:
                    continue
                if mode == "respect":
                    self.model.add(crossing, high=0)
                    continue
                flag = self.model.var(binary=True)
                self.model.add(crossing - flag, high=0)
                if mode == "penalise":
                    penalties[line["role"]] = penalties[line["role"]] + line["penalty"] * flag
                    continue
                self.lifts[r, line["id"]] = flag
                for condition in line["unless"]:
                    others = self.choice[r, condition["role"], condition["lever"]]
                    failing = total(z for v, z in others if not meets(condition, v))
                    if failing.terms:
                        self.model.add(failing + flag, high=1)
                if not line["unless"]:  # nothing can lift it
                    self.model.add(flag, high=0)
            self.coalition[r], self.effectiveness[r] = coalition, effect
            for code in self.codes:
                national = 100 - cost[code] - penalties[code]
                self.score[r, code] = gamma * coalition + (1 - gamma) * national

    def _distance(self, a: list[tuple[float, Expr]], b: list[tuple[float, Expr]]) -> Expr:
        """|p̃_a − p̃_b|: a variable bounded below by both signs of the difference (exact
        at the optimum, since every objective here prefers a smaller distance)."""
        d = self.model.var(0, 1)
        difference = total(v * z for v, z in a) - total(v * z for v, z in b)
        self.model.add(d - difference, 0)
        self.model.add(d + difference, 0)
        return d

    def final(self, code: str) -> Expr:
        weight = fsum(self.round_weight[r] for r in self.rounds)
        return total(self.round_weight[r] / weight * self.score[r, code] for r in self.rounds)

    def coalition_final(self) -> Expr:
        weight = fsum(self.round_weight[r] for r in self.rounds)
        return total(self.round_weight[r] / weight * self.coalition[r] for r in self.rounds)

    def decisions(self, solution) -> dict[int, dict[str, dict[str, float]]]:
        chosen: dict[int, dict[str, dict[str, float]]] = {r: {} for r in self.rounds}
        for (r, code, key), picks in self.choice.items():
            value = max(picks, key=lambda pick: solution.value(pick[1]))[0]
            chosen[r].setdefault(code, {})[key] = value
        return chosen
