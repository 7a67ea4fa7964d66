"""REST: a reject's reason over POST /api/games/<code>/commands, seen by the offer's parties."""

import pytest
from django.test import Client

from game.api import PLAYER_TOKEN_HEADER
from game.engine.offers import MAX_REASON

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(make_game):
    """R1's offer o1 to R2 open in round 1 negotiation; R3 is not a party."""
    table = make_game()
    table.advance_to(1, "negotiation")
    term = {"by": "R2", "lever": "sanctions", "op": ">=", "value": 30, "duration": "round"}
    table.run("offer_propose", "R1", to=["R2"], terms=[term])
    return table


def post(table, role, body):
    return Client().post(
        f"/api/games/{table.code}/commands",
        body,
        content_type="application/json",
        headers={PLAYER_TOKEN_HEADER: table.seat(role).token},
    )


def offers_seen(table, role) -> dict:
    reply = Client().get(
        f"/api/games/{table.code}/view", headers={PLAYER_TOKEN_HEADER: table.seat(role).token}
    )
    assert reply.status_code == 200, reply.content
    return {offer["id"]: offer for offer in reply.json()["view"]["offers"]}


def test_reject_reason_over_rest_reaches_the_parties_only(offered):
    reply = post(offered, "R2", {"type": "offer_reject", "offer": "o1", "reason": "MARKER-WHY"})
    assert reply.status_code == 200, reply.content
    for role in ("R1", "R2"):
        offer = offers_seen(offered, role)["o1"]
        assert (offer["status"], offer["reject_reason"]) == ("rejected", "MARKER-WHY")
    assert "o1" not in offers_seen(offered, "R3")
    view = Client().get(
        f"/api/games/{offered.code}/view",
        headers={PLAYER_TOKEN_HEADER: offered.seat("R3").token},
    )
    assert b"MARKER-WHY" not in view.content


def test_too_long_a_reason_over_rest_is_refused_and_changes_nothing(offered):
    before = offered.last_seq()
    reply = post(
        offered, "R2", {"type": "offer_reject", "offer": "o1", "reason": "x" * (MAX_REASON + 1)}
    )
    assert reply.status_code == 400
    assert reply.json()["code"] == "invalid"
    assert reply.json()["message"] == f"'reason' is too long: at most {MAX_REASON} characters."
    assert offered.last_seq() == before
    assert offers_seen(offered, "R1")["o1"]["status"] == "open"
