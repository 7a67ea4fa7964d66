"""The facilitator's readiness board: what each team has done and what is pending."""

from game.engine import view
from game.engine.readiness import readiness
from game.engine.testing import Table, term, trio_scenario

FACILITATOR = {"kind": "facilitator"}


def board(table) -> dict:
    return {team["role"]: team for team in readiness(table.state)["teams"]}


def test_only_the_facilitator_sees_the_board(trio):
    assert view(trio.state, FACILITATOR)["readiness"]["phase"] == "briefing"
    assert view(trio.state, {"kind": "observer"})["readiness"] is None
    assert view(trio.state, {"kind": "player", "role": "A"})["readiness"] is None
    trio.run("end", "facilitator")
    assert view(trio.state, {"kind": "player", "role": "A"})["readiness"] is None


def test_briefing_asks_nothing_of_the_teams(trio):
    state = readiness(trio.state)
    assert state["everyone_ready"] is None
    assert [team["ready"] for team in state["teams"]] == [None, None, None]
    assert [team["pending"] for team in state["teams"]] == [[], [], []]


def test_disclosure_is_ready_once_every_team_saved_its_choices(trio):
    trio.advance_to(1, "disclosure")
    assert board(trio)["A"]["pending"] == ["disclosure"]
    assert readiness(trio.state)["everyone_ready"] is False
    choice = {"red_line": "a-energy", "to": ["C"], "level": "full"}
    trio.run("disclosure_set", "A", choices=[choice])
    trio.run("disclosure_set", "B", choices=[])  # revealing nothing is a choice too
    teams = board(trio)
    assert (teams["A"]["disclosure"], teams["A"]["ready"]) == (1, True)
    assert (teams["B"]["disclosure"], teams["B"]["ready"]) == (0, True)
    assert (teams["C"]["disclosure"], teams["C"]["pending"]) == (None, ["disclosure"])
    assert readiness(trio.state)["everyone_ready"] is False
    trio.run("disclosure_set", "C", choices=[])
    assert readiness(trio.state)["everyone_ready"] is True


def test_negotiation_counts_offers_awaiting_an_answer_and_never_prompts(trio):
    trio.advance_to(1, "negotiation")
    assert readiness(trio.state)["everyone_ready"] is None
    trio.run("offer_propose", "A", to=["B", "C"], terms=[term("A", "s", ">=", 60)])
    teams = board(trio)
    assert (teams["B"]["awaiting"], teams["B"]["pending"]) == (1, ["answer"])
    assert (teams["A"]["awaiting"], teams["A"]["ready"]) == (0, True)
    trio.run("offer_accept", "B", offer="o1")
    teams = board(trio)
    assert (teams["B"]["awaiting"], teams["C"]["awaiting"]) == (0, 1)
    trio.run("offer_reject", "C", offer="o1")
    assert [team["awaiting"] for team in board(trio).values()] == [0, 0, 0]
    assert readiness(trio.state)["everyone_ready"] is None


def test_decision_is_ready_when_every_team_locked(trio):
    trio.advance_to(1, "decision")
    trio.run("decision_set", "A", values={"s": 70})
    trio.run("decision_lock", "B")
    teams = board(trio)
    assert (teams["A"]["decision"], teams["A"]["pending"]) == ("drafted", ["lock"])
    assert (teams["B"]["decision"], teams["B"]["ready"]) == ("locked", True)
    assert (teams["C"]["decision"], teams["C"]["ready"]) == ("none", False)
    trio.run("decision_lock", "A")
    trio.run("decision_lock", "C")
    assert readiness(trio.state)["everyone_ready"] is True
    trio.run("decision_unlock", "C")
    assert readiness(trio.state)["everyone_ready"] is False


def test_a_team_nobody_plays_neither_blocks_nor_counts():
    table = Table(trio_scenario())
    table.run("player_join", "system", player_id="p1", name="Ann", role="A")
    table.run("player_join", "system", player_id="p2", name="Bo", role="A")
    table.advance_to(1, "decision")
    teams = board(table)
    assert (teams["A"]["seated"], teams["B"]["seated"]) == (2, 0)
    assert (teams["B"]["ready"], teams["B"]["pending"]) == (None, [])
    assert readiness(table.state)["everyone_ready"] is False
    table.run("decision_lock", "A")
    assert readiness(table.state)["everyone_ready"] is True


def test_the_lobby_and_the_end_have_no_phase_to_be_ready_for():
    table = Table(trio_scenario())
    table.run("player_join", "system", player_id="p1", name="Ann", role="A")
    assert readiness(table.state)["phase"] is None
    assert board(table)["A"]["seated"] == 1
    table.advance_to(1, "decision")
    table.run("end", "facilitator")
    state = readiness(table.state)
    assert (state["phase"], state["everyone_ready"]) == (None, None)


def test_an_advance_naming_the_phase_it_ends_advances_once(trio):
    """Two clicks on "advance to negotiation" (or a click as the timer fires) end the
    disclosure once: the second names a phase that is no longer current."""
    trio.advance_to(1, "disclosure")
    expected = {"round": 1, "phase": "disclosure"}
    trio.run("advance", "facilitator", expected=expected)
    assert trio.state["phase"] == "negotiation"
    refused = trio.refuse("advance", "facilitator", expected=expected)
    assert refused.code == "wrong_phase"
    assert "already moved on" in refused.message
    assert trio.state["phase"] == "negotiation"
    assert trio.refuse("advance", "facilitator", expected={"round": "1"}).code == "invalid"
    trio.run("advance", "facilitator")  # without `expected`, as before
    assert trio.state["phase"] == "decision"
