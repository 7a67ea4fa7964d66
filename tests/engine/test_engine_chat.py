"""Chat: all, team and private channels, and who receives each message."""

import pytest


@pytest.mark.parametrize(
    ("channel", "audience"),
    [("all", "all"), ("team", ["B"]), (["C", "B"], ["B", "C"]), (["B"], ["B"])],
)
def test_channels_decide_the_audience(trio, channel, audience):
    [posted] = trio.run("chat", "B", channel=channel, text="  Hello  ")
    assert posted["kind"] == "chat_posted"
    assert posted["audience"] == audience
    assert posted["data"]["text"] == "Hello"
    assert posted["data"]["from"] == "B"
    assert trio.state["chat"][-1]["audience"] == audience


def test_a_private_channel_must_include_the_sender(trio):
    assert trio.refuse("chat", "B", channel=["A", "C"], text="Psst").code == "not_party"


def test_the_facilitator_may_write_to_all_or_to_roles(trio):
    [posted] = trio.run("chat", "facilitator", channel=["A"], text="Five minutes left")
    assert (posted["data"]["from"], posted["audience"]) == ("facilitator", ["A"])
    assert trio.refuse("chat", "facilitator", channel="team", text="x").code == "invalid"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"channel": "all", "text": ""}, "invalid"),
        ({"channel": "all", "text": "   "}, "invalid"),
        ({"channel": "all", "text": "x" * 2001}, "invalid"),
        ({"channel": "all", "text": 42}, "invalid"),
        ({"channel": "all"}, "invalid"),
        ({"channel": "bilateral", "text": "x"}, "invalid"),
        ({"channel": ["Z"], "text": "x"}, "unknown_role"),
        ({"text": "x"}, "invalid"),
    ],
)
def test_malformed_messages_are_refused(trio, payload, code):
    assert trio.refuse("chat", "A", **payload).code == code


def test_exactly_2000_characters_is_allowed(trio):
    assert trio.run("chat", "A", channel="all", text="x" * 2000)


def test_chat_needs_a_running_game(make_table):
    lobby = make_table(started=False)
    assert lobby.refuse("chat", "A", channel="all", text="hi").code == "game_not_running"
    lobby.run("start", "facilitator")
    lobby.run("end", "facilitator")
    assert lobby.refuse("chat", "A", channel="all", text="hi").code == "game_ended"


def test_chat_works_in_every_phase(trio):
    phases = set()
    while trio.state["status"] == "running":
        assert trio.run("chat", "C", channel="team", text=f"In {trio.state['phase']}")
        phases.add(trio.state["phase"])
        trio.run("advance", "facilitator")
    assert len(phases) == 5


def test_chat_while_paused(trio):
    trio.run("pause", "facilitator")
    assert trio.run("chat", "C", channel="all", text="Waiting")


def test_the_server_cannot_chat(trio):
    assert trio.refuse("chat", "system", channel="all", text="x").code == "not_player"
