"""Builders for tiny scenarios and a driver for games, for tests of the engine and above.

Nothing here assumes particular roles: build the scenario a test needs inline, e.g.

    s = scenario(roles=[role("A"), role("B")],
                 levers=[lever("s", holders={"A": (50, 0.2), "B": (20, 0.5)})])
    table = Table(s)
    table.run("start", by="facilitator")
"""

from game.engine.errors import RuleError
from game.engine.rules import apply, decide
from game.engine.scenario import PHASES
from game.engine.state import initial_state

PHASE_KEYS = ("briefing", "disclosure", "negotiation", "decision")


def role(code: str, *, weight: float = 1, **extra) -> dict:
    return {
        "code": code,
        "name": extra.pop("name", f"Role {code}"),
        "color": extra.pop("color", "#336699"),
        "weight": weight,
        "public_brief": extra.pop("public_brief", f"Public brief of {code}."),
        "private_brief": extra.pop("private_brief", f"Private brief of {code}."),
        "objectives": extra.pop("objectives", [f"Objective of {code}."]),
        **extra,
    }


def lever(
    key: str,
    *,
    holders: dict[str, tuple[float, float]],
    low: float = 0,
    high: float = 100,
    step: float = 1,
    pressure: str = "up",
    weight: float = 1,
) -> dict:
    """`holders` maps role code to (start, cost)."""
    return {
        "key": key,
        "label": f"Lever {key}",
        "unit": "index",
        "min": low,
        "max": high,
        "step": step,
        "pressure": pressure,
        "weight": weight,
        "description": f"What lever {key} does.",
        "holders": {
            code: {"start": start, "cost": cost} for code, (start, cost) in holders.items()
        },
    }


def condition(role_code: str, lever_key: str, op: str, value: float) -> dict:
    return {"role": role_code, "lever": lever_key, "op": op, "value": value}


def red_line(
    line_id: str,
    role_code: str,
    lever_key: str,
    kind: str,
    value: float,
    *,
    penalty: float = 10,
    unless=(),
    statement: str | None = None,
) -> dict:
    return {
        "id": line_id,
        "role": role_code,
        "lever": lever_key,
        "kind": kind,
        "value": value,
        "penalty": penalty,
        "statement": statement or f"{role_code} will not cross {value} on {lever_key}.",
        "unless": [dict(item) for item in unless],
    }


def term(by: str, lever_key: str, op: str, value: float, duration: str = "round") -> dict:
    """One term of an offer."""
    return {"by": by, "lever": lever_key, "op": op, "value": value, "duration": duration}


def inject(title: str, *, audience="all", effects=(), body: str | None = None) -> dict:
    """`effects` = [(role, lever, cost_multiplier)]."""
    return {
        "title": title,
        "body": body or f"Body of {title}.",
        "audience": audience,
        "effects": [
            {"role": code, "lever": key, "cost_multiplier": factor} for code, key, factor in effects
        ],
    }


def round_(
    title: str = "Round",
    *,
    weight: float = 1,
    seconds: int | dict = 0,
    injects=(),
    questions=("What did you learn?",),
    briefing: str | None = None,
) -> dict:
    if isinstance(seconds, int):
        seconds = dict.fromkeys(PHASE_KEYS, seconds)
    return {
        "title": title,
        "briefing": briefing or f"Briefing of {title}.",
        "weight": weight,
        "phase_seconds": {key: seconds.get(key, 0) for key in PHASE_KEYS},
        "injects": list(injects),
        "questions": list(questions),
    }


def scenario(
    *,
    roles: list[dict],
    levers: list[dict],
    red_lines=(),
    rounds=None,
    alignment_weight: float = 0.5,
    coalition_weight: float = 0.5,
    broken_commitment_penalty: float = 10,
) -> dict:
    return {
        "format": "redlines.scenario/1",
        "slug": "test-scenario",
        "title": "Test scenario",
        "summary": "A scenario built by a test.",
        "background": "Background for everyone.",
        "learning_objectives": ["Learn."],
        "scoring": {
            "alignment_weight": alignment_weight,
            "coalition_weight": coalition_weight,
            "broken_commitment_penalty": broken_commitment_penalty,
        },
        "roles": roles,
        "levers": levers,
        "red_lines": list(red_lines),
        "rounds": list(rounds) if rounds is not None else [round_()],
    }


def trio_scenario(**overrides) -> dict:
    """Three roles A, B, C. Lever s (0-100 step 5, up) is held by all; e (0-10, down) by A
    and B; g (0-10, up) by C only. A will not cut e below 5 unless C commits g >= 4; B keeps
    s at 60 or below, unconditionally. Two rounds, untimed unless overridden."""
    spec = {
        "roles": [role("A", weight=2), role("B"), role("C")],
        "levers": [
            lever("s", holders={"A": (50, 0.2), "B": (20, 0.5), "C": (30, 0.1)}, step=5),
            lever("e", holders={"A": (8, 3), "B": (4, 2)}, high=10, pressure="down"),
            lever("g", holders={"C": (0, 1)}, high=10),
        ],
        "red_lines": [
            red_line(
                "a-energy",
                "A",
                "e",
                "floor",
                5,
                penalty=25,
                unless=[condition("C", "g", ">=", 4)],
                statement="SECRET-STATEMENT-A: we keep e at five or more.",
            ),
            red_line(
                "b-sanctions",
                "B",
                "s",
                "ceiling",
                60,
                penalty=15,
                statement="SECRET-STATEMENT-B: sanctions stay at sixty or below.",
            ),
        ],
        "rounds": [round_("First"), round_("Second")],
    }
    spec.update(overrides)
    return scenario(**spec)


def worked_example(**scoring) -> dict:
    """The two-role, one-round example of DESIGN §3."""
    return scenario(
        roles=[role("A", weight=2), role("B", weight=1)],
        levers=[
            lever("s", holders={"A": (50, 0.2), "B": (20, 0.5)}),
            lever("e", holders={"A": (8, 3), "B": (4, 2)}, high=10, pressure="down"),
        ],
        **scoring,
    )


def coalition(size: int, *, rounds: int = 2, seconds: int = 60) -> dict:
    """A generic scenario of `size` roles R1..Rn: a shared sanctions lever, a shared energy
    lever (pressure down) held by all but R1, a private aid lever each, conditional red
    lines that name a partner, an unconditional one, and an inject with a cost effect."""
    codes = [f"R{index}" for index in range(1, size + 1)]
    levers = [
        lever(
            "sanctions",
            holders={code: (10 * index, 0.1 * index) for index, code in enumerate(codes, 1)},
            step=5,
            weight=2,
        ),
        lever(
            "energy",
            holders={code: (4 + index % 3 * 2, 2) for index, code in enumerate(codes) if index}
            or {codes[0]: (6, 2)},
            high=10,
            pressure="down",
        ),
        *[lever(f"aid_{code}", holders={code: (0, 0.5)}, high=20, step=2) for code in codes],
    ]
    red_lines = [
        red_line(
            f"{code}-energy",
            code,
            "energy",
            "floor",
            4,
            penalty=15,
            unless=[condition(codes[0], "aid_" + codes[0], ">=", 10)],
            statement=f"SECRET-{code}: we keep energy imports at 4 or more.",
        )
        for code in codes[1:]
    ]
    red_lines.append(
        red_line(
            f"{codes[0]}-sanctions",
            codes[0],
            "sanctions",
            "ceiling",
            80,
            penalty=20,
            statement=f"SECRET-{codes[0]}: sanctions stay at 80 or below.",
        )
    )
    return scenario(
        roles=[role(code, weight=index) for index, code in enumerate(codes, 1)],
        levers=levers,
        red_lines=red_lines,
        rounds=[
            round_(
                f"Round {number}",
                seconds=seconds,
                weight=number,
                injects=[inject(f"News {number}", effects=[(codes[-1], "energy", 1.5)])],
            )
            for number in range(1, rounds + 1)
        ],
    )


class Table:
    """Drives one game in a test: commands by role code, "facilitator" or "system"."""

    def __init__(self, scenario_: dict, *, seed: int = 7, now: float = 1000.0, rules=None):
        versioned = {} if rules is None else {"rules": rules}
        self.state = initial_state(scenario_, seed=seed, **versioned)
        self.events: list[dict] = []
        self.now = now

    def command(self, type_: str, by: str, **payload) -> dict:
        if by in ("facilitator", "system"):
            actor = {"kind": by, "role": None}
        else:
            actor = {"kind": "player", "role": by}
        return {"type": type_, "actor": actor, "now": self.now, **payload}

    def decide(self, type_: str, by: str, **payload):
        return decide(self.state, self.command(type_, by, **payload))

    def run(self, type_: str, by: str, **payload) -> list[dict]:
        """Decide and apply; the command must be accepted."""
        outcome = self.decide(type_, by, **payload)
        if isinstance(outcome, RuleError):
            raise AssertionError(f"{type_} by {by} refused: {outcome}")
        for item in outcome:
            self.state = apply(self.state, item)
            self.events.append(item)
        return outcome

    def refuse(self, type_: str, by: str, **payload) -> RuleError:
        """Decide only; the command must be refused. Returns the error."""
        outcome = self.decide(type_, by, **payload)
        if not isinstance(outcome, RuleError):
            raise AssertionError(f"{type_} by {by} was accepted: {outcome}")
        return outcome

    def seat_everyone(self) -> None:
        for spec in self.state["scenario"]["roles"]:
            code = spec["code"]
            self.run(
                "player_join", "system", player_id=f"p-{code}", name=f"Player {code}", role=code
            )

    def start(self) -> None:
        """Seat a player in every role (unless someone is seated already) and start."""
        if not self.state["players"]:
            self.seat_everyone()
        self.run("start", "facilitator")

    def advance_to(self, round_no: int, phase: str) -> None:
        """Advance (as the facilitator) until the game is at (round_no, phase)."""
        if self.state["status"] == "lobby":
            self.start()
        target = (round_no, PHASES.index(phase))
        while (self.state["round"], PHASES.index(self.state["phase"])) < target:
            self.run("advance", "facilitator")
        assert (self.state["round"], self.state["phase"]) == (round_no, phase)

    def kinds(self, events: list[dict] | None = None) -> list[str]:
        return [item["kind"] for item in (self.events if events is None else events)]
