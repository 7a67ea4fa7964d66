"""Chat: to everyone, to the sender's own team, or to a chosen set of roles.

Chat is allowed in every phase while the game runs, even when paused. Private chat (team
and bilateral) stays with its parties also after the end, unless the facilitator reveals
chat for the debrief (`reveal_chat`).
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.registry import applies, command
from game.engine.state import event

MAX_TEXT = 2000


def _channel(state: dict, command: dict):
    """The message's channel and the audience that follows from it."""
    channel = checks.field(command, "channel")
    sender = command["actor"]["role"]
    if channel == "all":
        return "all", "all"
    if channel == "team":
        if sender is None:
            raise Rejected("invalid", "The facilitator has no team channel; name the roles.")
        return "team", [sender]
    if not isinstance(channel, list):
        raise Rejected("invalid", "'channel' must be 'all', 'team' or a list of role codes.")
    codes = checks.role_list(state["scenario"], channel, "channel")
    if sender is not None and sender not in codes:
        raise Rejected("not_party", "A private channel must include your own role.")
    return codes, codes


@command("chat", actors=("player", "facilitator"))
def chat(state: dict, command: dict) -> list[dict]:
    channel, audience = _channel(state, command)
    sender = command["actor"]["role"]
    data = {
        "from": sender or "facilitator",
        "channel": channel,
        "audience": audience,
        "text": checks.text(checks.field(command, "text"), "text", max_length=MAX_TEXT),
        "round": state["round"],
        "phase": state["phase"],
    }
    return [event("chat_posted", data, audience)]


@command("reveal_chat", actors=("facilitator",), statuses=("lobby", "running", "ended"))
def reveal_chat(state: dict, command: dict) -> list[dict]:
    """Show (or keep) every team's private chat to everyone once the game has ended: a
    choice for the debrief, published so the teams know it and the log carries it."""
    reveal = checks.field(command, "reveal")
    if not isinstance(reveal, bool):
        raise Rejected("invalid", "'reveal' must be true or false.")
    if reveal == chat_revealed(state):
        now = "already revealed for the debrief" if reveal else "already private"
        raise Rejected("unchanged", f"Chat is {now}.")
    return [event("chat_reveal_set", {"revealed": reveal}, "all")]


def chat_revealed(state: dict) -> bool:
    """Has the facilitator chosen to show all chat in the debrief? (Off by default.)"""
    return state.get("chat_revealed", False)


@applies("chat_reveal_set")
def apply_chat_reveal_set(state: dict, data: dict) -> dict:
    return {**state, "chat_revealed": data["revealed"]}


# How many recent messages each kind of viewer keeps in the state (views carry this many).
CHAT_KEPT = 30


def chat_counts(state: dict) -> dict:
    """How many messages each kind of viewer may read in all: `all` (the facilitator, and
    everyone once the game has ended), `public` (observers), and each role."""
    if "chat_counts" in state:
        return state["chat_counts"]
    counts = _zero_counts(state)  # a state from before counts were kept: count its list
    for item in state["chat"]:
        _count(counts, item["audience"])
    return counts


@applies("chat_posted")
def apply_chat_posted(state: dict, data: dict) -> dict:
    """The message joins the state's recent chat, which keeps only messages that are among
    the CHAT_KEPT latest for some viewer (older ones stay in the event log, paged by the
    `history` frame): a command's cost and a view's size stay flat however long the game
    talks. A message withheld from a player's record (`{"private": true}`, see
    game.services.export) changes nothing."""
    if data.get("private"):
        return state
    counts = {**chat_counts(state)}
    _count(counts, data["audience"])
    return {**state, "chat": _recent([*state["chat"], data], state), "chat_counts": counts}


def _zero_counts(state: dict) -> dict:
    return {"all": 0, "public": 0, **{role["code"]: 0 for role in state["scenario"]["roles"]}}


def _count(counts: dict, audience) -> None:
    counts["all"] += 1
    if audience == "all":
        counts["public"] += 1
    for code in counts:
        if code not in ("all", "public") and (audience == "all" or code in audience):
            counts[code] += 1


def _recent(chat: list[dict], state: dict) -> list[dict]:
    seen = _zero_counts(state)
    kept = []
    for item in reversed(chat):
        audience = item["audience"]
        wanted = seen["all"] < CHAT_KEPT or (audience == "all" and seen["public"] < CHAT_KEPT)
        _count(seen, audience)
        wanted = wanted or any(
            seen[code] <= CHAT_KEPT
            for code in seen
            if code not in ("all", "public") and (audience == "all" or code in audience)
        )
        if wanted:
            kept.append(item)
    kept.reverse()
    return kept
