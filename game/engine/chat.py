"""Chat: to everyone, to the sender's own team, or to a chosen set of roles.

Chat is allowed in every phase while the game runs, even when paused.
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


@applies("chat_posted")
def apply_chat_posted(state: dict, data: dict) -> dict:
    return {**state, "chat": [*state["chat"], data]}
