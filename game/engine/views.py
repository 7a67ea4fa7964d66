"""What each viewer may see: the only way state or events leave the engine for a person.

Viewers: {"kind": "facilitator"} sees everything (god view); {"kind": "player", "role": code}
sees public information plus its own team's secrets and what was revealed or addressed to
it; {"kind": "observer"} sees public information only. Once the game has ended, everyone
sees everything (the debrief unmasks all) except facilitator notes and private chat: team
and bilateral chat stays with its parties unless the facilitator reveals chat for the
debrief (game.engine.chat.reveal_chat).
"""

import copy

from game.engine.chat import chat_counts, chat_revealed
from game.engine.decisions import current_values, is_locked
from game.engine.offers import in_order
from game.engine.readiness import readiness
from game.engine.redlines import project
from game.engine.scenario import cost_multipliers, role_codes
from game.engine.scoring import awareness_matrix, known_level
from game.engine.state import offer_parties, rules_version

# Chat messages carried in a view; older ones are read page by page from the event log.
CHAT_IN_VIEW = 30

PUBLIC_SCENARIO_KEYS = (
    "format",
    "slug",
    "title",
    "summary",
    "background",
    "learning_objectives",
    "scoring",
)
PUBLIC_ROLE_KEYS = ("code", "name", "color", "weight", "public_brief")
PUBLIC_LEVER_KEYS = (
    "key",
    "label",
    "unit",
    "min",
    "max",
    "step",
    "pressure",
    "weight",
    "description",
)


def _viewer(state: dict, viewer: dict) -> tuple[str, str | None]:
    kind = viewer.get("kind") if isinstance(viewer, dict) else None
    if kind in ("facilitator", "observer"):
        return kind, None
    if kind == "player" and viewer.get("role") in role_codes(state["scenario"]):
        return kind, viewer["role"]
    raise ValueError(f"not a viewer of this game: {viewer!r}")


def can_see(audience, kind: str, role: str | None) -> bool:
    """May a viewer of this kind (and role) see something addressed to `audience`?"""
    if kind == "facilitator" or audience == "all":
        return True
    if audience == "facilitator":
        return False
    return kind == "player" and role in audience


def event_visible(event: dict, viewer: dict, state: dict) -> bool:
    """May `viewer` receive `event`? `state` is the game's state after the event."""
    kind, role = _viewer(state, viewer)
    if event["kind"] == "note_added":  # facilitator notes stay private, also after the end
        return kind == "facilitator"
    if event["kind"] == "chat_posted":
        return _chat_god(state, kind) or can_see(event["audience"], kind, role)
    return state["status"] == "ended" or can_see(event["audience"], kind, role)


def _chat_god(state: dict, kind: str) -> bool:
    """Does this viewer read all chat? The facilitator always; everyone else only after the
    end, and only if the facilitator revealed chat for the debrief."""
    if kind == "facilitator":
        return True
    return state["status"] == "ended" and chat_revealed(state)


def visible_events(events: list[dict], viewer: dict, state: dict) -> list[dict]:
    return [item for item in events if event_visible(item, viewer, state)]


def view(state: dict, viewer: dict) -> dict:
    """Everything `viewer` may see of the game, as a fresh JSON-serialisable dict."""
    return copy.deepcopy(shared_view(state, viewer))


def shared_view(
    state: dict, viewer: dict, *, with_scenario: bool = True, with_chat: bool = True
) -> dict:
    """view() without the copy: parts of it are the state's own, so it is for serialising
    at once and must never be changed. `with_scenario=False` leaves the scenario out (a page
    got it with its welcome); building the view for every kind of viewer after every commit
    is then cheap. `with_chat=False` leaves out `chat` and `chat_count` (view_chat): the
    only part of a view that a chat message changes."""
    kind, role = _viewer(state, viewer)
    god = kind == "facilitator" or state["status"] == "ended"
    result = {}
    for key, build in VIEW_PARTS:
        if key == "notes" and with_chat:  # the chat goes before the notes
            result.update(_recent_chat(state, role, _chat_god(state, kind)))
        if key != "scenario" or with_scenario:
            result[key] = build(state, kind, role, god)
    return result


# A view, key by key: each part is a function of the viewer and of the state (read only as
# `state[key]`, `state.get(key)` or `key in state`), in the order the view has them. The
# chat (view_chat) goes in before the notes.
VIEW_PARTS = (
    ("viewer", lambda state, kind, role, god: {"kind": kind, "role": role}),
    ("status", lambda state, kind, role, god: state["status"]),
    ("round", lambda state, kind, role, god: state["round"]),
    ("phase", lambda state, kind, role, god: state["phase"]),
    ("deadline", lambda state, kind, role, god: state["deadline"]),
    ("paused", lambda state, kind, role, god: state["paused"]),
    ("remaining", lambda state, kind, role, god: state["remaining"]),
    ("rounds_total", lambda state, kind, role, god: len(state["scenario"]["rounds"])),
    ("rules", lambda state, kind, role, god: rules_version(state)),
    (
        "scenario",
        lambda state, kind, role, god: (
            state["scenario"] if god else _public_scenario(state["scenario"])
        ),
    ),
    ("rounds", lambda state, kind, role, god: _rounds(state)),
    ("players", lambda state, kind, role, god: _players(state)),
    ("roster", lambda state, kind, role, god: _roster(state) if kind == "facilitator" else None),
    ("role", lambda state, kind, role, god: _own_role(state, role) if role else None),
    ("red_lines", lambda state, kind, role, god: _red_lines(state, role, god)),
    ("disclosures", lambda state, kind, role, god: _disclosures(state, role, god)),
    (
        "injects",
        lambda state, kind, role, god: [
            item for item in state["injects"] if _sees(item["audience"], role, god)
        ],
    ),
    ("offers", lambda state, kind, role, god: _offers(state, role, god)),
    ("decisions", lambda state, kind, role, god: _decisions(state, role, god)),
    (
        "readiness",
        lambda state, kind, role, god: readiness(state) if kind == "facilitator" else None,
    ),
    ("standing_decisions", lambda state, kind, role, god: state["decisions"]),
    (
        "results",
        lambda state, kind, role, god: [_result(entry, role, god) for entry in state["results"]],
    ),
    ("final", lambda state, kind, role, god: state["final"]),
    ("chat_revealed", lambda state, kind, role, god: chat_revealed(state)),
    # Private, also after the end.
    ("notes", lambda state, kind, role, god: state["notes"] if kind == "facilitator" else []),
    ("awareness", lambda state, kind, role, god: _awareness(state) if god else None),
)
_VIEW_PART_BUILDERS = dict(VIEW_PARTS)


# View parts that list items of a state mapping by their `id`, in the order of their ids,
# each item a function of the state's item of that id: such a part can change by the items
# whose state item changed (view_items_changed). View key -> the state's mapping.
VIEW_ITEM_PARTS = {"offers": "offers"}
_ABSENT = object()


def view_items_changed(previous: dict, state: dict, viewer: dict, key: str) -> list | None:
    """The items of the viewer's part `key` (of VIEW_ITEM_PARTS) in `state` whose state item
    is not the very object it was in `previous`, new ones included. Put in place of the item
    with the same id in the part of `previous`'s view, or appended (a new item's id is the
    greatest yet), they make the part of `state`'s view. None when anything else the part is
    built from changed (the game ending shows everyone the facilitator's view): then only
    the whole part will do."""
    source = VIEW_ITEM_PARTS[key]
    value, read = view_part(state, viewer, key)
    if any(previous.get(k, _ABSENT) is not state.get(k, _ABSENT) for k in read - {source}):
        return None
    before, now = previous.get(source, {}), state[source]
    return [item for item in value if before.get(item["id"]) is not now[item["id"]]]


def view_part(state: dict, viewer: dict, key: str) -> tuple[object, frozenset[str]]:
    """One part of shared_view(state, viewer) (a key of VIEW_PARTS) and the top-level keys
    of the state it was built from (keys_read)."""
    return keys_read(_view_part, state, viewer, key)


def _view_part(state: dict, viewer: dict, key: str):
    kind, role = _viewer(state, viewer)
    god = kind == "facilitator" or state["status"] == "ended"
    return _VIEW_PART_BUILDERS[key](state, kind, role, god)


def keys_read(build, state: dict, *args) -> tuple[object, frozenset[str]]:
    """build(state, *args), and the top-level keys of the state it read. States are never
    changed, only replaced by new ones that share what did not change: a function of the
    state gives the same value for any state whose values at those keys are the same
    objects (game.services.broadcast keeps view parts and the chat on that basis). `build`
    may read the state only by key; anything else fails loudly instead of going unnoted."""
    read = _ReadKeys(state)
    return build(read, *args), frozenset(read.keys_read)


class _ReadKeys:
    """A state that notes which of its top-level keys are read. It offers only reading by
    key: any other use of it fails loudly instead of going unnoted."""

    __slots__ = ("_state", "keys_read")

    def __init__(self, state: dict):
        self._state, self.keys_read = state, set()

    def __getitem__(self, key):
        self.keys_read.add(key)
        return self._state[key]

    def get(self, key, default=None):
        self.keys_read.add(key)
        return self._state.get(key, default)

    def __contains__(self, key):
        self.keys_read.add(key)
        return key in self._state


def view_chat(state: dict, viewer: dict) -> dict:
    """The chat part of `viewer`'s view: {"chat": recent messages, "chat_count": n}."""
    kind, role = _viewer(state, viewer)
    return _recent_chat(state, role, _chat_god(state, kind))


def _recent_chat(state: dict, role: str | None, god: bool) -> dict:
    """The last CHAT_IN_VIEW messages the viewer may read, and how many it may read in all:
    a view stays small however long the game talks (older messages are paged from the log;
    the state keeps only recent ones, see game.engine.chat)."""
    visible = [item for item in state["chat"] if _sees(item["audience"], role, god)]
    counts = chat_counts(state)
    count = counts["all"] if god else counts[role] if role else counts["public"]
    return {"chat": visible[-CHAT_IN_VIEW:], "chat_count": count}


def _sees(audience, role: str | None, god: bool) -> bool:
    return god or can_see(audience, "player" if role else "observer", role)


def _offers(state: dict, role: str | None, god: bool) -> list[dict]:
    """Offers the viewer is party to; a counter's id only if it is party to the counter too."""
    offers = []
    for offer in in_order(state["offers"]):
        if not _sees(offer_parties(offer), role, god):
            continue
        counter = state["offers"].get(offer["countered_by"]) if offer["countered_by"] else None
        if counter is not None and not _sees(offer_parties(counter), role, god):
            offer = {**offer, "countered_by": None}
        offers.append(offer)
    return offers


def _public_scenario(scenario: dict) -> dict:
    public = {key: scenario[key] for key in PUBLIC_SCENARIO_KEYS if key in scenario}
    public["roles"] = [{key: role[key] for key in PUBLIC_ROLE_KEYS} for role in scenario["roles"]]
    public["levers"] = [
        {
            **{key: lever[key] for key in PUBLIC_LEVER_KEYS},
            "holders": {code: {"start": held["start"]} for code, held in lever["holders"].items()},
        }
        for lever in scenario["levers"]
    ]
    return public


def _rounds(state: dict) -> list[dict]:
    """The rounds begun so far; a round's debrief questions once its results are shown."""
    rounds = []
    for round_no in range(1, state["round"] + 1):
        spec = state["scenario"]["rounds"][round_no - 1]
        debriefed = round_no < state["round"] or state["phase"] == "results"
        debriefed = debriefed or state["status"] == "ended"
        rounds.append(
            {
                "round": round_no,
                "title": spec["title"],
                "briefing": spec["briefing"],
                "weight": spec["weight"],
                "questions": spec["questions"] if debriefed else [],
            }
        )
    return rounds


def _players(state: dict) -> dict[str, list[str]]:
    seats = {code: [] for code in role_codes(state["scenario"])}
    for seat in state["players"].values():
        seats[seat["role"]].append(seat["name"])
    return seats


def _roster(state: dict) -> list[dict]:
    return [dict(seat) for seat in state["players"].values()]


def _own_role(state: dict, role: str) -> dict:
    scenario = state["scenario"]
    spec = next(item for item in scenario["roles"] if item["code"] == role)
    return {
        "code": role,
        "name": spec["name"],
        "private_brief": spec["private_brief"],
        "objectives": spec["objectives"],
        "costs": {
            lever["key"]: lever["holders"][role]["cost"]
            for lever in scenario["levers"]
            if role in lever["holders"]
        },
        "multipliers": cost_multipliers(scenario, state["round"]).get(role, {}),
    }


def _red_lines(state: dict, role: str | None, god: bool) -> list[dict]:
    """Own and fully visible red lines in full; others at the level revealed to the viewer."""
    lines = []
    reveals = state["reveals"]
    for line in state["scenario"]["red_lines"]:
        known_by = {
            code: known_level(reveals, line["id"], code)
            for code in role_codes(state["scenario"])
            if code != line["role"]
        }
        if god or line["role"] == role:
            level = "own" if line["role"] == role else "full"
            lines.append({**project(line, "full"), "level": level, "known_by": known_by})
            continue
        level = known_level(reveals, line["id"], role)
        if level:
            lines.append({**project(line, level), "level": level})
    return lines


def _disclosures(state: dict, role: str | None, god: bool) -> dict:
    """This round's sealed disclosure choices: the viewer's own team's only."""
    if god:
        return state["disclosures"]
    return {role: state["disclosures"].get(role, [])} if role else {}


def _decisions(state: dict, role: str | None, god: bool) -> dict:
    """The current round's drafts and locks: sealed until results."""
    codes = role_codes(state["scenario"]) if god else [role] if role else []
    return {
        code: {
            "values": current_values(state, code),
            "drafted": code in state["drafts"],
            "locked": is_locked(state, code),
        }
        for code in codes
    }


def _result(entry: dict, role: str | None, god: bool) -> dict:
    keys = ("round", "weight", "decisions", "locked", "metrics", "scores", "adjustments")
    result = {key: entry[key] for key in keys}
    result["commitments"] = [
        item
        for item in entry["commitments"]
        if god or item["status"] == "broken" or role in item["parties"]
    ]
    if god:
        result["private"] = entry["private"]
    else:
        result["private"] = {role: entry["private"][role]} if role else {}
    return result


def _awareness(state: dict) -> list[dict]:
    return awareness_matrix(
        red_lines=state["scenario"]["red_lines"],
        role_order=role_codes(state["scenario"]),
        reveals=state["reveals"],
        rounds=[entry["round"] for entry in state["results"]],
    )
