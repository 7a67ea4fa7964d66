"""Private chat after the end: it stays with its parties unless the facilitator reveals
chat for the debrief (`reveal_chat`), a choice logged as an event that every view reports."""

import json

import pytest

from game.engine import event_visible, replay, view, view_chat, visible_events
from game.engine.testing import Table, trio_scenario

FACILITATOR = {"kind": "facilitator"}
OBSERVER = {"kind": "observer"}
PRIVATE = ("BILATERAL-AB", "TEAM-C")


def player(code):
    return {"kind": "player", "role": code}


@pytest.fixture
def talked():
    """A trio game where A and B talked privately, C to its team and everyone in public."""
    table = Table(trio_scenario())
    table.start()
    table.run("chat", "A", channel=["A", "B"], text="BILATERAL-AB")
    table.run("chat", "C", channel="team", text="TEAM-C")
    table.run("chat", "B", channel="all", text="PUBLIC-B")
    return table


def seen(table, viewer) -> str:
    return json.dumps(
        [view(table.state, viewer), visible_events(table.events, viewer, table.state)]
    )


def test_private_chat_stays_with_its_parties_after_the_end(talked):
    talked.run("end", "facilitator")
    outsiders = {"BILATERAL-AB": [player("C"), OBSERVER], "TEAM-C": [player("A"), OBSERVER]}
    for text, viewers in outsiders.items():
        for viewer in viewers:
            assert text not in seen(talked, viewer), f"{text} reached {viewer} after the end"
    assert "BILATERAL-AB" in seen(talked, player("B"))
    assert "TEAM-C" in seen(talked, player("C"))
    for viewer in (player("A"), player("C"), OBSERVER):
        assert "PUBLIC-B" in seen(talked, viewer)
    assert all(text in seen(talked, FACILITATOR) for text in PRIVATE)
    # The count is of the messages the viewer may read, as while the game ran.
    assert view_chat(talked.state, player("C"))["chat_count"] == 2
    assert view_chat(talked.state, OBSERVER)["chat_count"] == 1
    assert view(talked.state, player("C"))["chat_revealed"] is False


@pytest.mark.parametrize("when", ["before the end", "after the end"])
def test_the_facilitator_may_reveal_chat_for_the_debrief(talked, when):
    if when == "after the end":
        talked.run("end", "facilitator")
    [event] = talked.run("reveal_chat", "facilitator", reveal=True)
    assert event["kind"] == "chat_reveal_set" and event["audience"] == "all"
    assert event["data"] == {"revealed": True}
    assert event_visible(event, player("C"), talked.state)
    if when == "before the end":  # the choice is for the debrief: nothing shows during play
        assert not any(text in seen(talked, player("C")) for text in PRIVATE[:1])
        talked.run("end", "facilitator")
    for viewer in (player("A"), player("C"), OBSERVER):
        text = seen(talked, viewer)
        assert all(secret in text for secret in PRIVATE), viewer
        assert view(talked.state, viewer)["chat_revealed"] is True
        assert view_chat(talked.state, viewer)["chat_count"] == 3
    # Facilitator notes stay private whatever the choice.
    talked.run("note", "facilitator", text="NOTE-KEPT")
    assert "NOTE-KEPT" not in seen(talked, player("A"))


def test_revealed_chat_can_be_made_private_again(talked):
    talked.run("end", "facilitator")
    talked.run("reveal_chat", "facilitator", reveal=True)
    [event] = talked.run("reveal_chat", "facilitator", reveal=False)
    assert event["data"] == {"revealed": False}
    assert "BILATERAL-AB" not in seen(talked, player("C"))


def test_reveal_chat_refusals(talked):
    before = talked.state
    assert talked.refuse("reveal_chat", "A", reveal=True).code == "not_facilitator"
    assert talked.refuse("reveal_chat", "facilitator").code == "invalid"
    error = talked.refuse("reveal_chat", "facilitator", reveal="yes")
    assert error.code == "invalid" and "true or false" in error.message
    error = talked.refuse("reveal_chat", "facilitator", reveal=False)
    assert (error.code, error.message) == ("unchanged", "Chat is already private.")
    talked.run("reveal_chat", "facilitator", reveal=True)
    error = talked.refuse("reveal_chat", "facilitator", reveal=True)
    assert error.message == "Chat is already revealed for the debrief."
    assert before["chat_revealed"] is False


def test_a_withheld_message_replays_as_nothing(talked):
    """A player's export carries others' private messages as placeholders
    ({"private": true}); folding one changes nothing, so the export still replays."""
    withheld = [
        {**e, "data": {"private": True, "round": 1, "phase": "briefing"}}
        if e["kind"] == "chat_posted" and e["audience"] != "all"
        else e
        for e in talked.events
    ]
    state = replay(trio_scenario(), seed=talked.state["seed"], events=withheld)
    assert [item["text"] for item in state["chat"]] == ["PUBLIC-B"]
    assert state["chat_counts"]["all"] == 1


def test_a_state_from_before_the_choice_keeps_chat_private(talked):
    talked.run("end", "facilitator")
    old = {key: value for key, value in talked.state.items() if key != "chat_revealed"}
    assert "BILATERAL-AB" not in json.dumps(view(old, player("C")))
    assert view(old, player("C"))["chat_revealed"] is False
