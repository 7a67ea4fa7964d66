"""Secrecy: what each viewer's view and event stream may contain, phase by phase.

The checks serialise views and visible events with json.dumps and search them for the
secret strings and numbers themselves, not just for keys.
"""

import json

import pytest

from game.engine import event_visible, view, visible_events
from game.engine.testing import (
    Table,
    condition,
    inject,
    lever,
    red_line,
    role,
    round_,
    scenario,
    term,
)
from game.engine.views import CHAT_IN_VIEW

VIEW_KEYS = {
    "viewer",
    "status",
    "round",
    "phase",
    "deadline",
    "paused",
    "remaining",
    "rounds_total",
    "rules",
    "scenario",
    "rounds",
    "players",
    "roster",
    "role",
    "red_lines",
    "disclosures",
    "injects",
    "offers",
    "decisions",
    "readiness",
    "standing_decisions",
    "results",
    "final",
    "chat_revealed",
    "chat",
    "chat_count",
    "notes",
    "awareness",
}

FACILITATOR = {"kind": "facilitator"}
OBSERVER = {"kind": "observer"}


def player(code):
    return {"kind": "player", "role": code}


def secret_scenario():
    roles = [
        role(
            code,
            private_brief=f"PRIVATE-BRIEF-{code}",
            objectives=[f"PRIVATE-OBJECTIVE-{code}"],
        )
        for code in "ABC"
    ]
    return scenario(
        roles=roles,
        levers=[
            lever("s", holders={"A": (50, 0.123), "B": (20, 0.5), "C": (30, 0.5)}, step=0.25),
            lever("g", holders={"C": (0, 1)}, high=10, step=0.01),
        ],
        red_lines=[
            red_line(
                "rl-a-hidden",
                "A",
                "s",
                "ceiling",
                61.37,
                penalty=31.7,
                statement="SECRET-STATEMENT-A",
                unless=[condition("C", "g", ">=", 4.37)],
            ),
            red_line(
                "rl-b-hidden",
                "B",
                "s",
                "floor",
                11.13,
                penalty=29.3,
                statement="SECRET-STATEMENT-B",
            ),
        ],
        rounds=[
            round_(
                "One",
                injects=[inject("Cable", audience=["A"], body="INJECT-FOR-A")],
                questions=["DEBRIEF-QUESTION-1"],
            ),
            round_("Two", briefing="BRIEFING-TWO", questions=["DEBRIEF-QUESTION-2"]),
        ],
    )


A_LINE = ["rl-a-hidden", "SECRET-STATEMENT-A", "61.37", "31.7", "4.37"]
B_LINE_FULL = ["SECRET-STATEMENT-B", "11.13", "29.3"]


def text_of(table, viewer):
    return json.dumps(view(table.state, viewer))


def stream_of(table, viewer):
    return json.dumps(visible_events(table.events, viewer, table.state))


def assert_hidden(table, viewer, secrets):
    for where, text in (("view", text_of(table, viewer)), ("events", stream_of(table, viewer))):
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked to {viewer} through its {where}"


def assert_shown(table, viewer, secrets):
    text = text_of(table, viewer)
    for secret in secrets:
        assert secret in text, f"{viewer} should see {secret!r}"


@pytest.fixture
def table():
    game = Table(secret_scenario())
    game.seat_everyone()
    return game


def test_every_viewer_gets_the_same_top_level_keys(table):
    for viewer in (FACILITATOR, OBSERVER, player("A")):
        assert set(view(table.state, viewer)) == VIEW_KEYS
        json.dumps(view(table.state, viewer))


def test_private_briefs_costs_and_red_lines_stay_with_their_role(table):
    for viewer in (player("B"), OBSERVER):  # already in the lobby
        assert_hidden(table, viewer, ["PRIVATE-BRIEF-A", "0.123", *A_LINE])
    table.run("start", "facilitator")
    assert_shown(table, player("A"), ["PRIVATE-BRIEF-A", "PRIVATE-OBJECTIVE-A", "0.123"])
    assert_shown(table, player("A"), A_LINE)
    for viewer in (player("B"), player("C"), OBSERVER):
        assert_hidden(table, viewer, ["PRIVATE-BRIEF-A", "PRIVATE-OBJECTIVE-A", "0.123", *A_LINE])
    assert_hidden(table, OBSERVER, ["PRIVATE-BRIEF", "PRIVATE-OBJECTIVE", "SECRET-STATEMENT"])
    assert_shown(table, FACILITATOR, ["PRIVATE-BRIEF-B", "0.123", *A_LINE, *B_LINE_FULL])


def test_injects_go_to_their_audience(table):
    table.run("start", "facilitator")
    assert_shown(table, player("A"), ["INJECT-FOR-A"])
    for viewer in (player("B"), OBSERVER):
        assert_hidden(table, viewer, ["INJECT-FOR-A"])


def test_future_briefings_and_questions_are_not_shown_early(table):
    table.run("start", "facilitator")
    for viewer in (player("A"), OBSERVER):
        assert_hidden(table, viewer, ["BRIEFING-TWO", "DEBRIEF-QUESTION-1", "DEBRIEF-QUESTION-2"])
    table.advance_to(1, "results")
    assert_shown(table, player("B"), ["DEBRIEF-QUESTION-1"])
    assert_hidden(table, player("B"), ["BRIEFING-TWO", "DEBRIEF-QUESTION-2"])


def test_disclosure_choices_are_sealed_then_published_at_their_level(table):
    table.advance_to(1, "disclosure")
    table.run(
        "disclosure_set",
        "A",
        choices=[{"red_line": "rl-a-hidden", "to": ["C"], "level": "full"}],
    )
    table.run(
        "disclosure_set",
        "B",
        choices=[{"red_line": "rl-b-hidden", "to": ["A"], "level": "existence"}],
    )
    for viewer in (player("B"), player("C"), OBSERVER):
        assert_hidden(table, viewer, A_LINE)
    assert_hidden(table, player("A"), ["rl-b-hidden", *B_LINE_FULL])
    assert_shown(table, FACILITATOR, ["rl-a-hidden", "rl-b-hidden"])

    table.run("advance", "facilitator")
    assert_shown(table, player("C"), A_LINE)
    assert_hidden(table, player("B"), A_LINE)
    assert_shown(table, player("A"), ["rl-b-hidden"])
    assert_hidden(table, player("A"), B_LINE_FULL)
    assert_hidden(table, OBSERVER, ["rl-a-hidden", "rl-b-hidden", *B_LINE_FULL])
    [seen] = [x for x in view(table.state, player("A"))["red_lines"] if x["role"] == "B"]
    assert seen == {
        "id": "rl-b-hidden",
        "role": "B",
        "lever": "s",
        "kind": "floor",
        "level": "existence",
    }


def test_offers_and_private_chat_stay_with_their_parties(table):
    table.advance_to(1, "negotiation")
    table.run(
        "offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4.37)], note="OFFER-NOTE-AC"
    )
    table.run("chat", "A", channel=["A", "C"], text="PRIVATE-CHAT-AC")
    table.run("chat", "B", channel="team", text="TEAM-CHAT-B")
    table.run("chat", "C", channel="all", text="PUBLIC-CHAT-C")
    table.run("note", "facilitator", text="FACILITATOR-NOTE")
    for viewer in (player("A"), player("C")):
        assert_shown(table, viewer, ["OFFER-NOTE-AC", "PRIVATE-CHAT-AC", "PUBLIC-CHAT-C"])
        assert_hidden(table, viewer, ["TEAM-CHAT-B", "FACILITATOR-NOTE"])
    assert_hidden(table, player("B"), ["OFFER-NOTE-AC", "PRIVATE-CHAT-AC", "FACILITATOR-NOTE"])
    assert_shown(table, player("B"), ["TEAM-CHAT-B", "PUBLIC-CHAT-C"])
    assert_hidden(table, OBSERVER, ["OFFER-NOTE", "PRIVATE-CHAT", "TEAM-CHAT", "FACILITATOR"])
    assert_shown(table, OBSERVER, ["PUBLIC-CHAT-C"])
    assert_shown(table, FACILITATOR, ["OFFER-NOTE-AC", "TEAM-CHAT-B", "FACILITATOR-NOTE"])


def test_drafts_and_locks_are_sealed_until_results(table):
    table.advance_to(1, "decision")
    table.run("decision_set", "A", values={"s": 73.25})
    table.run("decision_lock", "A")
    table.run("decision_set", "B", values={"s": 12.75})
    table.run("pause", "facilitator")  # pausing unseals nothing
    for viewer in (player("B"), player("C"), OBSERVER):
        assert_hidden(table, viewer, ["73.25"])
        assert view(table.state, viewer)["decisions"].get("A") is None
    table.run("resume", "facilitator")
    assert_hidden(table, player("A"), ["12.75"])
    assert_shown(table, player("A"), ["73.25"])
    assert view(table.state, FACILITATOR)["decisions"]["B"] == {
        "values": {"s": 12.75},
        "drafted": True,
        "locked": False,
    }

    table.run("advance", "facilitator")  # results: A's locked 73.25 is published
    assert_shown(table, player("B"), ["73.25"])
    assert_shown(table, OBSERVER, ["73.25"])
    # B never locked: its draft is never published, and its start value stood.
    for viewer in (player("A"), player("C"), OBSERVER):
        assert_hidden(table, viewer, ["12.75"])


def test_results_publish_scores_but_keep_costs_and_breaches_private(table):
    table.advance_to(1, "decision")
    table.run("decision_set", "A", values={"s": 73.25})
    table.run("decision_lock", "A")
    table.run("advance", "facilitator")
    cost_of_a = repr(23.25 * 0.123)
    assert_shown(table, player("A"), [cost_of_a, "rl-a-hidden"])
    for viewer in (player("B"), player("C"), OBSERVER):
        assert_hidden(table, viewer, [cost_of_a, *A_LINE])
        results = view(table.state, viewer)["results"]
        assert "national" in results[0]["scores"]["A"]
    observer_result = view(table.state, OBSERVER)["results"][0]
    assert observer_result["private"] == {}
    assert set(view(table.state, player("B"))["results"][0]["private"]) == {"B"}


def test_fulfilled_commitments_reach_parties_broken_ones_everyone(table):
    table.advance_to(1, "negotiation")
    table.run(
        "offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4.37)], note="OFFER-NOTE-AC"
    )
    table.run("offer_accept", "C", offer="o1")
    table.advance_to(1, "decision")
    table.run("decision_set", "C", values={"g": 4.37})
    table.run("decision_lock", "C")
    table.run("advance", "facilitator")
    assert view(table.state, player("B"))["results"][0]["commitments"] == []
    assert len(view(table.state, player("A"))["results"][0]["commitments"]) == 1

    table.advance_to(2, "decision")  # round-duration term no longer binds: nothing to check
    table.run("advance", "facilitator")
    assert view(table.state, player("A"))["results"][1]["commitments"] == []


def test_broken_commitments_are_announced_to_everyone(table):
    table.advance_to(1, "negotiation")
    table.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4.37)])
    table.run("offer_accept", "C", offer="o1")
    table.advance_to(1, "results")
    [commitment] = view(table.state, OBSERVER)["results"][0]["commitments"]
    assert commitment["status"] == "broken"
    assert commitment["term"]["value"] == 4.37


def test_after_the_end_everyone_sees_everything_but_facilitator_notes(table):
    """The debrief unmasks every team's secrets; the facilitator's notes and private chat
    stay private (game.engine.chat.reveal_chat; tests/engine/test_engine_chat_debrief.py)."""
    table.advance_to(1, "negotiation")
    table.run("chat", "B", channel="team", text="TEAM-CHAT-B")
    table.run(
        "offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4.37)], note="OFFER-NOTE-AC"
    )
    table.run("note", "facilitator", text="FACILITATOR-NOTE")
    table.run("end", "facilitator")
    everything = [
        "OFFER-NOTE-AC",
        "PRIVATE-BRIEF-B",
        *A_LINE,
        *B_LINE_FULL,
        "BRIEFING-TWO",
        "DEBRIEF-QUESTION-2",
    ]
    for viewer in (player("C"), OBSERVER):
        assert_shown(table, viewer, everything)
        assert_hidden(table, viewer, ["FACILITATOR-NOTE", "TEAM-CHAT-B"])
        private = [e for e in table.events if e["kind"] in ("note_added", "chat_posted")]
        assert len(visible_events(table.events, viewer, table.state)) == len(table.events) - len(
            private
        )
    assert_shown(table, {"kind": "facilitator"}, ["FACILITATOR-NOTE"])
    assert view(table.state, OBSERVER)["awareness"] is not None


def test_event_visibility_rules(table):
    state = table.state
    to_b = {"kind": "x", "data": {}, "audience": ["B"]}
    to_all = {"kind": "x", "data": {}, "audience": "all"}
    to_facilitator = {"kind": "x", "data": {}, "audience": "facilitator"}
    assert event_visible(to_b, player("B"), state)
    assert not event_visible(to_b, player("A"), state)
    assert not event_visible(to_b, OBSERVER, state)
    assert event_visible(to_b, FACILITATOR, state)
    assert all(event_visible(to_all, viewer, state) for viewer in (OBSERVER, player("C")))
    assert not event_visible(to_facilitator, player("A"), state)
    assert not event_visible(to_facilitator, OBSERVER, state)
    assert event_visible(to_facilitator, FACILITATOR, state)


def test_unknown_viewers_are_refused(table):
    for viewer in ({"kind": "player", "role": "Z"}, {"kind": "god"}, None):
        with pytest.raises(ValueError):
            view(table.state, viewer)


def test_views_are_fresh_copies(table):
    table.run("start", "facilitator")
    seen = view(table.state, FACILITATOR)
    seen["scenario"]["roles"][0]["private_brief"] = "changed"
    seen["standing_decisions"]["A"]["s"] = 0
    assert table.state["scenario"]["roles"][0]["private_brief"] == "PRIVATE-BRIEF-A"
    assert table.state["decisions"]["A"]["s"] == 50


def test_players_are_listed_by_team_with_names_only(table):
    seen = view(table.state, player("B"))
    assert seen["players"] == {"A": ["Player A"], "B": ["Player B"], "C": ["Player C"]}
    assert seen["roster"] is None
    assert "p-A" not in json.dumps(seen["players"])
    assert view(table.state, FACILITATOR)["roster"][0] == {
        "id": "p-A",
        "name": "Player A",
        "role": "A",
    }


def test_own_red_lines_show_who_knows_them(table):
    table.advance_to(1, "negotiation")
    table.run("reveal", "A", red_line="rl-a-hidden", to=["B"], level="existence")
    [own] = [x for x in view(table.state, player("A"))["red_lines"] if x["role"] == "A"]
    assert own["level"] == "own"
    assert own["known_by"] == {"B": "existence", "C": None}


def test_a_view_carries_only_the_most_recent_chat_and_the_count(table):
    """A long game's view stays small: the last CHAT_IN_VIEW messages the viewer may read,
    and how many it may read in all (older ones are paged from the log)."""
    table.run("start", "facilitator")
    for number in range(CHAT_IN_VIEW + 3):
        table.run("chat", "A", channel="all", text=f"public {number}")
    table.run("chat", "A", channel="team", text="TEAM-A")
    seen_by_b = view(table.state, player("B"))
    assert seen_by_b["chat_count"] == CHAT_IN_VIEW + 3
    assert [m["text"] for m in seen_by_b["chat"]] == [
        f"public {n}" for n in range(3, CHAT_IN_VIEW + 3)
    ]
    seen_by_a = view(table.state, player("A"))
    assert seen_by_a["chat_count"] == CHAT_IN_VIEW + 4
    assert seen_by_a["chat"][-1]["text"] == "TEAM-A"


def test_each_view_part_is_the_views_key_and_names_the_state_keys_it_read(table):
    from game.engine import VIEW_PARTS, shared_view, view_part

    state = table.state
    for viewer in (FACILITATOR, OBSERVER, player("A")):
        whole = shared_view(state, viewer, with_chat=False)
        assert [key for key, _ in VIEW_PARTS] == list(whole)
        for key, _ in VIEW_PARTS:
            value, read = view_part(state, viewer, key)
            assert value == whole[key], key
            assert read <= set(state), key
    # What a part was built from: a player's view turns on its role being the scenario's
    # and on the status (everyone sees everything once the game has ended); each part then
    # on what it shows. The facilitator's notes on nothing but the notes.
    assert view_part(state, player("A"), "offers")[1] == {"scenario", "status", "offers"}
    assert "offers" not in view_part(state, player("A"), "red_lines")[1]
    assert view_part(state, FACILITATOR, "notes")[1] == {"notes"}


def test_a_view_part_may_read_the_state_only_by_key():
    from game.engine.views import _ReadKeys

    read = _ReadKeys({"a": 1, "b": 2})
    assert (read["a"], read.get("c"), "b" in read) == (1, None, True)
    assert read.keys_read == {"a", "b", "c"}
    with pytest.raises(AttributeError):  # any other use fails instead of going unnoted
        read.items()
