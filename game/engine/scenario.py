"""Read-only lookups into a normalized scenario document (DESIGN §4)."""

PHASES = ("briefing", "disclosure", "negotiation", "decision", "results")
TIMED_PHASES = PHASES[:4]


def role_codes(scenario: dict) -> list[str]:
    return [role["code"] for role in scenario["roles"]]


def find_role(scenario: dict, code: str) -> dict | None:
    return next((role for role in scenario["roles"] if role["code"] == code), None)


def find_lever(scenario: dict, key: str) -> dict | None:
    return next((lever for lever in scenario["levers"] if lever["key"] == key), None)


def find_red_line(scenario: dict, red_line_id: str) -> dict | None:
    return next((line for line in scenario["red_lines"] if line["id"] == red_line_id), None)


def holds(scenario: dict, role: str, lever_key: str) -> bool:
    lever = find_lever(scenario, lever_key)
    return lever is not None and role in lever["holders"]


def levers_held(scenario: dict, role: str) -> list[dict]:
    return [lever for lever in scenario["levers"] if role in lever["holders"]]


def start_values(scenario: dict) -> dict[str, dict[str, float]]:
    """Every role's start value on every lever it holds: the decision before round 1."""
    return {
        code: {
            lever["key"]: lever["holders"][code]["start"] for lever in levers_held(scenario, code)
        }
        for code in role_codes(scenario)
    }


def round_count(scenario: dict) -> int:
    return len(scenario["rounds"])


def round_spec(scenario: dict, round_no: int) -> dict:
    return scenario["rounds"][round_no - 1]


def phase_seconds(scenario: dict, round_no: int, phase: str) -> int:
    """Timer length of a phase; 0 means the facilitator advances it (results is never timed)."""
    if phase not in TIMED_PHASES:
        return 0
    return round_spec(scenario, round_no)["phase_seconds"].get(phase, 0)


def cost_multipliers(scenario: dict, round_no: int) -> dict[str, dict[str, float]]:
    """m(i,l,r): product of the cost multipliers of the scenario injects of rounds 1..r.

    Only scenario injects carry effects; ad-hoc injects pushed by the facilitator are text.
    Roles and levers without any effect are absent (multiplier 1).
    """
    multipliers: dict[str, dict[str, float]] = {}
    for spec in scenario["rounds"][:round_no]:
        for inject in spec["injects"]:
            for effect in inject["effects"]:
                per_role = multipliers.setdefault(effect["role"], {})
                per_role[effect["lever"]] = (
                    per_role.get(effect["lever"], 1) * effect["cost_multiplier"]
                )
    return multipliers
