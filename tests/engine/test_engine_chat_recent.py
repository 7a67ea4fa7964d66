"""The state keeps only recent chat: every viewer's view still holds the 30 latest messages
it may read, and the count of all of them, exactly as if the state kept every message."""

import random

from game.engine import view
from game.engine.chat import CHAT_KEPT
from game.engine.views import can_see

CHANNELS = ["all", "team", ["A", "B"], ["B", "C"], ["A", "C"]]


def _expected(posted: list[dict], kind: str, role: str | None, ended: bool) -> tuple[list, int]:
    god = kind == "facilitator" or ended
    seen = [m for m in posted if god or can_see(m["audience"], kind, role)]
    return [m["text"] for m in seen[-CHAT_KEPT:]], len(seen)


def test_views_of_a_long_chat_equal_those_of_the_whole_list(trio):
    rng = random.Random(5)
    posted = []
    for n in range(400):
        sender = rng.choice(["A", "B", "C", "facilitator"])
        channel = rng.choice(CHANNELS[:1] + CHANNELS[2:] if sender == "facilitator" else CHANNELS)
        if isinstance(channel, list) and sender != "facilitator" and sender not in channel:
            channel = "team"
        [event] = trio.run("chat", sender, channel=channel, text=f"m{n}")
        posted.append({"text": f"m{n}", "audience": event["audience"]})
        if n % 37 == 0 or n == 399:
            for kind, role in [("facilitator", None), ("observer", None)] + [
                ("player", code) for code in "ABC"
            ]:
                viewer = {"kind": kind, "role": role} if role else {"kind": kind}
                seen = view(trio.state, viewer)
                texts, count = _expected(posted, kind, role, ended=False)
                assert [m["text"] for m in seen["chat"]] == texts, (n, viewer)
                assert seen["chat_count"] == count, (n, viewer)
    assert len(trio.state["chat"]) <= CHAT_KEPT * 5
