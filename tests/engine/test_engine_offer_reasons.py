"""A reject's optional reason: validated, kept on the offer, seen by the offer's parties only."""

import pytest

from game.engine import view
from game.engine.offers import MAX_REASON
from game.engine.testing import term


@pytest.fixture
def talks(trio):
    """The trio game in round 1 negotiation, with A's offer o1 to B and C open."""
    trio.advance_to(1, "negotiation")
    trio.run("offer_propose", "A", to=["B", "C"], terms=[term("B", "s", ">=", 40)])
    return trio


def player(role: str) -> dict:
    return {"kind": "player", "role": role}


def seen_offer(state: dict, viewer: dict) -> dict | None:
    return next((o for o in view(state, viewer)["offers"] if o["id"] == "o1"), None)


def test_reject_reason_is_in_the_event_and_on_the_offer(talks):
    """The reason (trimmed) rides in the offer_rejected event, addressed to the parties."""
    [rejected] = talks.run("offer_reject", "C", offer="o1", reason="  Too costly for us now. ")
    assert rejected["data"] == {"offer": "o1", "role": "C", "reason": "Too costly for us now."}
    assert rejected["audience"] == ["A", "B", "C"]
    offer = talks.state["offers"]["o1"]
    assert (offer["status"], offer["rejected_by"], offer["reject_reason"]) == (
        "rejected",
        "C",
        "Too costly for us now.",
    )


def test_reject_reason_reaches_every_party_and_the_facilitator_only(make_table):
    """The proposer, the rejecting team and the facilitator see the reason; a team that is
    not a party sees neither the offer nor its reason."""
    table = make_table()
    table.advance_to(1, "negotiation")
    table.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    table.run("offer_reject", "C", offer="o1", reason="MARKER-REASON")
    for viewer in (player("A"), player("C"), {"kind": "facilitator"}):
        assert seen_offer(table.state, viewer)["reject_reason"] == "MARKER-REASON"
    assert seen_offer(table.state, player("B")) is None
    assert "MARKER-REASON" not in repr(view(table.state, player("B")))


def test_reject_without_reason_carries_none(talks):
    """No reason, or only spaces: the event has no reason and the offer an empty one."""
    [rejected] = talks.run("offer_reject", "B", offer="o1", reason="   ")
    assert rejected["data"] == {"offer": "o1", "role": "B"}
    assert talks.state["offers"]["o1"]["reject_reason"] == ""
    assert seen_offer(talks.state, player("A"))["reject_reason"] == ""


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("x" * (MAX_REASON + 1), f"'reason' is too long: at most {MAX_REASON} characters."),
        (42, "'reason' must be text."),
        (["no"], "'reason' must be text."),
    ],
)
def test_bad_reason_is_refused_and_changes_nothing(talks, reason, message):
    before = talks.state
    refused = talks.refuse("offer_reject", "C", offer="o1", reason=reason)
    assert (refused.code, refused.message) == ("invalid", message)
    assert talks.state == before
    assert talks.state["offers"]["o1"]["status"] == "open"


def test_longest_reason_is_accepted(talks):
    talks.run("offer_reject", "C", offer="o1", reason="y" * MAX_REASON)
    assert talks.state["offers"]["o1"]["reject_reason"] == "y" * MAX_REASON
