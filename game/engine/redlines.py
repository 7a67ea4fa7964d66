"""Red lines: sealed disclosure, immediate reveals, what each role knows, and breaches.

A revealed red line's content is always copied from the scenario, so a reveal can never
misstate it. A player naming a red line it has never been shown gets "unknown_red_line",
the same answer as for an id that does not exist, so ids cannot be probed.
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.offers import binds, in_order, satisfies
from game.engine.registry import applies, command
from game.engine.scenario import find_red_line, role_codes
from game.engine.scoring import LEVEL_RANK, known_level
from game.engine.state import event, offer_parties, ordered

LEVELS = ("existence", "full")
EXISTENCE_FIELDS = ("id", "role", "lever", "kind")
MAX_CHOICES = 100
TOLERANCE = 1e-9


def project(line: dict, level: str) -> dict:
    """What a recipient sees of a red line at `level`."""
    if level == "full":
        return {**line, "unless": [dict(condition) for condition in line["unless"]]}
    return {key: line[key] for key in EXISTENCE_FIELDS}


def _red_line(state: dict, value, where: str, owner: str) -> dict:
    if not isinstance(value, str):
        raise Rejected("invalid", f"'{where}' must be a red line id.")
    line = find_red_line(state["scenario"], value)
    if line is not None and line["role"] == owner:
        return line
    if line is not None and known_level(state["reveals"], line["id"], owner):
        raise Rejected("not_your_red_line", f"'{where}': you can only reveal your own red lines.")
    raise Rejected("unknown_red_line", f"'{where}': you have no red line '{value[:60]}'.")


def _choice(state: dict, item: dict, prefix: str, owner: str) -> dict:
    line = _red_line(state, item.get("red_line"), f"{prefix}red_line", owner)
    to = checks.recipients(state["scenario"], item.get("to"), f"{prefix}to", sender=owner)
    level = checks.choice(item.get("level"), f"{prefix}level", LEVELS)
    return {"red_line": line["id"], "to": to, "level": level}


def _reveal_events(state: dict, line: dict, choices: list[dict]) -> list[dict]:
    """The red_line_revealed events that bring every chosen recipient up to its level.

    One event per recipient set: "all" at the highest public level chosen, then the roles
    newly shown the full text, then those newly shown its existence. Recipients who already
    know at that level or higher are left out.
    """
    reveals = state["reveals"]
    public = None
    targets: dict[str, str] = {}
    for choice in choices:
        if choice["to"] == "all":
            public = max(public, choice["level"], key=LEVEL_RANK.__getitem__)
            continue
        for code in choice["to"]:
            targets[code] = max(targets.get(code), choice["level"], key=LEVEL_RANK.__getitem__)
    events = []
    if LEVEL_RANK[public] > LEVEL_RANK[known_level(reveals, line["id"], None)]:
        events.append(_revealed(state, line, "all", public))
    for level in ("full", "existence"):
        recipients = [
            code
            for code in role_codes(state["scenario"])
            if targets.get(code) == level
            and LEVEL_RANK[level]
            > max(LEVEL_RANK[known_level(reveals, line["id"], code)], LEVEL_RANK[public])
        ]
        if recipients:
            events.append(_revealed(state, line, recipients, level))
    return events


def _revealed(state: dict, line: dict, to, level: str) -> dict:
    data = {
        "red_line": line["id"],
        "owner": line["role"],
        "to": to,
        "level": level,
        "round": state["round"],
        "phase": state["phase"],
        "line": project(line, level),
    }
    audience = "all" if to == "all" else ordered(state, [line["role"], *to])
    return event("red_line_revealed", data, audience)


def disclosure_events(state: dict) -> list[dict]:
    """At the end of disclosure, every team's sealed choices are published together."""
    events = []
    for code in role_codes(state["scenario"]):
        choices = state["disclosures"].get(code, [])
        for line_id in dict.fromkeys(choice["red_line"] for choice in choices):
            line = find_red_line(state["scenario"], line_id)
            mine = [choice for choice in choices if choice["red_line"] == line_id]
            events.extend(_reveal_events(state, line, mine))
    return events


@command(
    "disclosure_set",
    actors=("player",),
    phases=("disclosure",),
    while_paused=False,
    action="Disclosure choices can only be made",
)
def disclosure_set(state: dict, command: dict) -> list[dict]:
    """Replace the team's sealed choices; they are published when the phase ends."""
    owner = command["actor"]["role"]
    raw = checks.list_of(checks.field(command, "choices"), "choices", max_items=MAX_CHOICES)
    choices = []
    for index, item in enumerate(raw):
        where = f"choices[{index}]"
        choice = _choice(state, checks.dict_of(item, where), f"{where}.", owner)
        if choice not in choices:
            choices.append(choice)
    # A first save of no choices is kept: the team has decided to reveal nothing (readiness).
    if owner in state["disclosures"] and choices == state["disclosures"][owner]:
        return []
    return [event("disclosure_drafted", {"role": owner, "choices": choices}, [owner])]


@command(
    "reveal",
    actors=("player",),
    phases=("negotiation",),
    while_paused=False,
    action="Red lines can only be revealed immediately",
)
def reveal(state: dict, command: dict) -> list[dict]:
    owner = command["actor"]["role"]
    choice = _choice(state, command, "", owner)
    line = find_red_line(state["scenario"], choice["red_line"])
    events = _reveal_events(state, line, [choice])
    if not events:
        raise Rejected(
            "already_revealed",
            f"Everyone you named already knows red line {line['id']} at level "
            f"'{choice['level']}' or higher.",
        )
    return events


@applies("disclosure_drafted")
def apply_disclosure_drafted(state: dict, data: dict) -> dict:
    return {**state, "disclosures": {**state["disclosures"], data["role"]: data["choices"]}}


@applies("red_line_revealed")
def apply_red_line_revealed(state: dict, data: dict) -> dict:
    record = {key: data[key] for key in ("red_line", "owner", "to", "level", "round", "phase")}
    return {**state, "reveals": [*state["reveals"], record]}


def crossed(line: dict, value: float) -> bool:
    if line["kind"] == "floor":
        return value < line["value"] - TOLERANCE
    return value > line["value"] + TOLERANCE


def term_meets(term: dict, condition: dict) -> bool:
    """Does a term promise what an `unless` condition asks: same role, lever and op, and a
    value at least as strong?"""
    return (
        term["by"] == condition["role"]
        and term["lever"] == condition["lever"]
        and term["op"] == condition["op"]
        and satisfies(term["value"], condition["op"], condition["value"])
    )


def condition_met(condition: dict, role: str, round_no: int, offers: dict, decisions: dict):
    """Is an `unless` condition of `role`'s red line met in `round_no` (DESIGN §3)?

    Met when an accepted offer with `role` among its parties holds a term by the condition's
    role on its lever, with the same op and a value at least as strong, that binds this round
    and is fulfilled by this round's decisions.
    """
    for offer in in_order(offers):
        if role not in offer_parties(offer):
            continue
        for term in offer["terms"]:
            if (
                term_meets(term, condition)
                and binds(offer, term, round_no)
                and satisfies(decisions[term["by"]][term["lever"]], term["op"], term["value"])
            ):
                return True
    return False


def red_line_outcomes(scenario: dict, offers: dict, decisions: dict, round_no: int) -> list:
    """Every red line crossed by its owner's decision: "lifted" if it has conditions and all
    are met, else "breached". An empty `unless` list never lifts a red line."""
    outcomes = []
    for line in scenario["red_lines"]:
        value = decisions[line["role"]][line["lever"]]
        if not crossed(line, value):
            continue
        lifted = bool(line["unless"]) and all(
            condition_met(condition, line["role"], round_no, offers, decisions)
            for condition in line["unless"]
        )
        outcomes.append({"line": line, "value": value, "lifted": lifted})
    return outcomes
