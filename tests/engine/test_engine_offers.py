"""Offers: propose, accept, reject, withdraw, counter, expire, and their checks."""

import json

import pytest

from game.engine import view
from game.engine.testing import term


@pytest.fixture
def talks(trio):
    """The trio game in round 1 negotiation."""
    trio.advance_to(1, "negotiation")
    return trio


def propose(table, proposer, to, terms, **extra):
    [proposed] = table.run("offer_propose", proposer, to=to, terms=terms, **extra)
    return proposed["data"]["offer"]["id"]


def test_proposal_is_seen_by_its_parties_only(talks):
    [proposed] = talks.run(
        "offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)], note="Help us out."
    )
    assert proposed["audience"] == ["A", "C"]
    offer = proposed["data"]["offer"]
    assert offer == {
        "id": "o1",
        "round": 1,
        "proposer": "A",
        "to": ["C"],
        "terms": [{"by": "C", "lever": "g", "op": ">=", "value": 4, "duration": "round"}],
        "note": "Help us out.",
        "counter_of": None,
    }
    assert talks.state["offers"]["o1"]["status"] == "open"
    assert talks.state["offer_count"] == 1


def test_accepted_when_every_addressee_accepts(talks):
    offer_id = propose(talks, "A", ["B", "C"], [term("B", "s", ">=", 40)])
    first = talks.run("offer_accept", "B", offer=offer_id)
    assert talks.kinds(first) == ["offer_accepted_by"]
    assert talks.state["offers"][offer_id]["status"] == "open"
    second = talks.run("offer_accept", "C", offer=offer_id)
    assert talks.kinds(second) == ["offer_accepted_by", "offer_accepted"]
    assert second[1]["audience"] == ["A", "B", "C"]
    offer = talks.state["offers"][offer_id]
    assert (offer["status"], offer["accepted_round"], offer["accepted_by"]) == (
        "accepted",
        1,
        ["B", "C"],
    )


def test_rejected_when_any_addressee_rejects(talks):
    offer_id = propose(talks, "A", ["B", "C"], [term("B", "s", ">=", 40)])
    talks.run("offer_accept", "B", offer=offer_id)
    talks.run("offer_reject", "C", offer=offer_id)
    assert talks.state["offers"][offer_id]["status"] == "rejected"
    assert talks.state["offers"][offer_id]["rejected_by"] == "C"
    assert talks.refuse("offer_accept", "C", offer=offer_id).code == "offer_not_open"


def test_withdrawn_by_its_proposer_only(talks):
    offer_id = propose(talks, "A", ["C"], [term("C", "g", ">=", 4)])
    assert talks.refuse("offer_withdraw", "C", offer=offer_id).code == "not_proposer"
    talks.run("offer_withdraw", "A", offer=offer_id)
    assert talks.state["offers"][offer_id]["status"] == "withdrawn"
    assert talks.refuse("offer_withdraw", "A", offer=offer_id).code == "offer_not_open"


def test_counter_offer_replaces_the_original(talks):
    offer_id = propose(talks, "A", ["C"], [term("C", "g", ">=", 6)])
    events = talks.run(
        "offer_counter",
        "C",
        offer=offer_id,
        to=["A"],
        terms=[term("C", "g", ">=", 4), term("A", "e", "<=", 4)],
        note="Meet us halfway.",
    )
    assert talks.kinds(events) == ["offer_countered", "offer_proposed"]
    assert events[0]["data"] == {"offer": "o1", "by": "C"}
    counter = events[1]["data"]["offer"]
    assert (counter["id"], counter["proposer"], counter["to"], counter["counter_of"]) == (
        "o2",
        "C",
        ["A"],
        "o1",
    )
    assert talks.state["offers"]["o1"]["status"] == "countered"
    assert talks.state["offers"]["o1"]["countered_by"] == "o2"
    talks.run("offer_accept", "A", offer="o2")
    assert talks.state["offers"]["o2"]["status"] == "accepted"


def test_counter_is_audienced_to_old_and_new_parties_separately(talks):
    offer_id = propose(talks, "A", ["B"], [term("B", "s", ">=", 40)])
    events = talks.run(
        "offer_counter", "B", offer=offer_id, to=["C"], terms=[term("C", "g", ">=", 1)]
    )
    assert [item["audience"] for item in events] == [["A", "B"], ["B", "C"]]
    assert "o2" not in json.dumps(events[0])
    # A, a party of the original only, sees it countered but not by which offer.
    seen_by_a = next(o for o in view(talks.state, {"kind": "player", "role": "A"})["offers"])
    assert (seen_by_a["status"], seen_by_a["countered_by"]) == ("countered", None)
    seen_by_b = view(talks.state, {"kind": "player", "role": "B"})["offers"]
    assert [o["countered_by"] for o in seen_by_b if o["id"] == "o1"] == ["o2"]


def test_open_offers_expire_when_negotiation_ends(talks):
    open_id = propose(talks, "A", ["C"], [term("C", "g", ">=", 4)])
    done_id = propose(talks, "B", ["A"], [term("A", "s", ">=", 60)])
    talks.run("offer_accept", "A", offer=done_id)
    events = talks.run("advance", "facilitator")
    assert [item["data"] for item in events if item["kind"] == "offer_expired"] == [
        {"offer": open_id}
    ]
    assert talks.state["offers"][open_id]["status"] == "expired"
    assert talks.state["offers"][done_id]["status"] == "accepted"


def test_term_must_be_kept_by_a_party(talks):
    error = talks.refuse("offer_propose", "A", to=["C"], terms=[term("B", "s", ">=", 40)])
    assert error.code == "term_party"
    assert "terms[0].by" in error.message


def test_term_lever_must_be_held_by_its_role(talks):
    error = talks.refuse("offer_propose", "A", to=["C"], terms=[term("C", "e", "<=", 4)])
    assert error.code == "not_your_lever"
    assert (
        talks.refuse("offer_propose", "A", to=["C"], terms=[term("C", "oil", "<=", 4)]).code
        == "unknown_lever"
    )


def test_term_value_must_be_in_range_and_on_step(talks):
    assert (
        talks.refuse("offer_propose", "A", to=["B"], terms=[term("B", "s", ">=", 105)]).code
        == "out_of_range"
    )
    error = talks.refuse("offer_propose", "A", to=["B"], terms=[term("B", "s", ">=", 42)])
    assert error.code == "off_step"
    assert "steps of 5" in error.message


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"to": ["C"]}, "invalid"),
        ({"terms": [term("C", "g", ">=", 4)]}, "invalid"),
        ({"to": "C", "terms": [term("C", "g", ">=", 4)]}, "invalid"),
        ({"to": [], "terms": [term("C", "g", ">=", 4)]}, "invalid"),
        ({"to": ["A"], "terms": [term("A", "s", ">=", 40)]}, "invalid"),
        ({"to": ["C", "C"], "terms": [term("C", "g", ">=", 4)]}, "invalid"),
        ({"to": ["Z"], "terms": [term("A", "s", ">=", 40)]}, "unknown_role"),
        ({"to": [3], "terms": [term("A", "s", ">=", 40)]}, "invalid"),
        ({"to": ["C"], "terms": []}, "invalid"),
        ({"to": ["C"], "terms": "g>=4"}, "invalid"),
        ({"to": ["C"], "terms": [["C", "g"]]}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", "==", 4)]}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", "4")]}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", True)]}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", float("nan"))]}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", 4, "forever")]}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", 4)] * 21}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", 4)], "note": 5}, "invalid"),
        ({"to": ["C"], "terms": [term("C", "g", ">=", 4)], "note": "x" * 2001}, "invalid"),
    ],
)
def test_malformed_proposals_are_refused_as_invalid(talks, payload, code):
    assert talks.refuse("offer_propose", "A", **payload).code == code


def test_only_addressees_accept_or_reject(talks):
    offer_id = propose(talks, "A", ["C"], [term("C", "g", ">=", 4)])
    assert talks.refuse("offer_accept", "A", offer=offer_id).code == "not_addressee"
    assert talks.refuse("offer_reject", "A", offer=offer_id).code == "not_addressee"


def test_accepting_twice_is_refused(talks):
    offer_id = propose(talks, "A", ["B", "C"], [term("C", "g", ">=", 4)])
    talks.run("offer_accept", "B", offer=offer_id)
    assert talks.refuse("offer_accept", "B", offer=offer_id).code == "already_responded"


def test_non_parties_cannot_tell_an_offer_exists(talks):
    """A role that is not a party gets the same answer as for an id that does not exist."""
    offer_id = propose(talks, "A", ["C"], [term("C", "g", ">=", 4)])
    for command in ("offer_accept", "offer_reject", "offer_withdraw"):
        hidden = talks.refuse(command, "B", offer=offer_id)
        missing = talks.refuse(command, "B", offer="o99")
        assert hidden.code == missing.code == "unknown_offer"
        assert hidden.message.replace(offer_id, "o99") == missing.message
    assert (
        talks.refuse(
            "offer_counter", "B", offer=offer_id, to=["A"], terms=[term("A", "s", ">=", 40)]
        ).code
        == "unknown_offer"
    )
    assert talks.refuse("offer_accept", "C", offer=7).code == "invalid"


def test_counter_needs_an_open_offer_and_valid_terms(talks):
    offer_id = propose(talks, "A", ["C"], [term("C", "g", ">=", 4)])
    error = talks.refuse(
        "offer_counter", "C", offer=offer_id, to=["A"], terms=[term("B", "s", ">=", 40)]
    )
    assert error.code == "term_party"
    talks.run("offer_withdraw", "A", offer=offer_id)
    assert (
        talks.refuse(
            "offer_counter", "C", offer=offer_id, to=["A"], terms=[term("A", "s", ">=", 40)]
        ).code
        == "offer_not_open"
    )


@pytest.mark.parametrize(
    "command", ["offer_propose", "offer_accept", "offer_reject", "offer_withdraw", "offer_counter"]
)
def test_offers_only_during_negotiation(trio, command):
    trio.advance_to(1, "disclosure")
    error = trio.refuse(command, "A", offer="o1", to=["C"], terms=[term("C", "g", ">=", 4)])
    assert error.code == "wrong_phase"
    assert "during negotiation; the game is in the disclosure phase" in error.message


def test_offers_are_for_players(talks):
    error = talks.refuse("offer_propose", "facilitator", to=["C"], terms=[term("C", "g", ">=", 4)])
    assert error.code == "not_player"
