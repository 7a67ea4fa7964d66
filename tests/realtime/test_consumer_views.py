"""What the browser pages use on the socket: followed views, paged history, previews, watch
keys for observers, and the id of what a command created."""

import json

import pytest
from channels.db import database_sync_to_async

from game.engine.testing import term
from game.engine.views import CHAT_IN_VIEW
from game.realtime import protocol
from game.realtime.botclient import with_items

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def negotiating(table):
    table.advance_to(1, "negotiation")
    return table


async def watch_key(table) -> str:
    return await database_sync_to_async(lambda: table.refresh().watch_key)()


async def test_a_socket_that_follows_views_gets_the_fresh_view_after_each_change(
    negotiating, sockets
):
    table = negotiating
    follower = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": True})
    plain = await sockets(table.code, token=table.seat("R2").token)
    ack = await follower.ok("offer_propose", to=["R2"], terms=[term("R1", "aid_R1", ">=", 4)])
    view = await follower.next("view")
    assert view["seq"] == ack["seq"]
    assert [offer["id"] for offer in view["view"]["offers"]] == ["o1"]
    assert "scenario" not in view["view"]  # came with the welcome; unchanged while running
    await plain.next("events")
    assert "view" not in {frame["type"] for frame in await plain.drain(0.1)}


async def test_commits_build_views_only_for_the_viewers_someone_follows(
    negotiating, sockets, monkeypatch
):
    """One process (no Redis): a commit builds the view of a viewer only while one of its
    sockets here follows views; the count follows sockets as they come, move and go."""
    from game.services import broadcast

    monkeypatch.setattr(broadcast.settings, "REDIS_URL", "")
    built = []
    real = broadcast.live_view_text
    monkeypatch.setattr(
        broadcast,
        "live_view_text",
        lambda state, viewer, seq: (
            built.append(broadcast.viewer_key(viewer)) or real(state, viewer, seq)
        ),
    )
    table = negotiating
    game_id = table.game.pk
    plain = await sockets(table.code, token=table.seat("R2").token)
    await plain.ok("chat", channel="all", text="nobody follows")
    assert built == [] and game_id not in broadcast.view_followers

    follower = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": True})
    twin = await sockets(table.code, token=table.seat("R1").token, query="views=1")
    assert broadcast.view_followers[game_id] == {"role:R1": 2}
    ack = await plain.ok("chat", channel="all", text="R1 follows")
    assert built == ["role:R1"]
    assert (await follower.next("view"))["seq"] == ack["seq"]
    assert (await twin.next("view"))["seq"] == ack["seq"]

    await twin.disconnect()
    assert broadcast.view_followers[game_id] == {"role:R1": 1}
    await follower.disconnect()
    assert game_id not in broadcast.view_followers
    built.clear()
    await plain.ok("chat", channel="all", text="nobody again")
    assert built == []


async def test_a_follower_missing_from_a_broadcast_reads_its_view_itself(negotiating, sockets):
    """A broadcast built before the socket was counted (or in a process that did not know of
    it) has no view for it: the consumer reads the view at the current seq instead."""
    from channels.layers import get_channel_layer

    from game.services.broadcast import game_group

    table = negotiating
    follower = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": True})
    result = await table.arun("chat", by="R2", channel="all", text="behind its back")
    await follower.next("events")
    await follower.next("view")  # the real broadcast's
    seq = result.seq
    await get_channel_layer().group_send(
        game_group(table.game.pk),
        {
            "type": "game.events",
            "seq_from": seq + 1,
            "seq": seq + 1,
            "players": [],
            "frames": {"role:R1": json.dumps({"type": "events", "seq_from": seq + 1,
                                              "seq": seq + 1, "events": []})},
            "views": {},
        },
    )  # fmt: skip
    view = await follower.next("view")
    assert view["seq"] == seq  # read from the game as it is: nothing later was committed
    assert [m["text"] for m in view["view"]["chat"]][-1] == "behind its back"


async def test_a_followed_view_never_carries_another_teams_secrets(negotiating, sockets):
    table = negotiating
    r3 = await sockets(table.code, token=table.seat("R3").token, hello_extra={"views": True})
    r1 = await sockets(table.code, token=table.seat("R1").token)
    await r1.ok("offer_propose", to=["R2"], terms=[term("R1", "aid_R1", ">=", 4)])
    await r1.ok("chat", channel=["R1", "R2"], text="PRIVATE-R1-R2")
    await r1.ok("chat", channel="all", text="hello all")
    view = None
    while view is None or view["view"]["chat_count"] < 1:
        view = await r3.next("view")
    text = json.dumps(view)
    assert "PRIVATE-R1-R2" not in text and "SECRET-R1" not in text
    assert view["view"]["offers"] == []


async def test_catching_up_sends_the_view_after_the_missed_events(negotiating, sockets):
    table = negotiating
    first = await sockets(table.code, token=table.seat("R1").token)
    mark = first.welcome["seq"]
    await first.ok("chat", channel="all", text="while you were away")
    back = await sockets(
        table.code, token=table.seat("R2").token, hello_extra={"last_seq": mark, "views": True}
    )
    assert back.welcome["resumed"] is True
    missed = await back.next("events")
    view = await back.next("view")
    assert view["seq"] == missed["seq"]
    assert view["view"]["chat"][-1]["text"] == "while you were away"


async def test_the_view_carries_recent_chat_and_history_pages_the_rest(negotiating, sockets):
    table = negotiating
    for number in range(CHAT_IN_VIEW + 5):
        await database_sync_to_async(table.run)(
            "chat", by="R1", channel="all", text=f"public {number}"
        )
    await database_sync_to_async(table.run)("chat", by="R1", channel="team", text="TEAM-ONLY-R1")
    r2 = await sockets(table.code, token=table.seat("R2").token)
    view = r2.welcome["view"]
    assert view["chat_count"] == CHAT_IN_VIEW + 5
    assert len(view["chat"]) == CHAT_IN_VIEW
    assert view["chat"][-1]["text"] == f"public {CHAT_IN_VIEW + 4}"

    await r2.send({"type": "history", "id": "h1", "kinds": "chat", "limit": 20})
    newest = await r2.next(lambda f: f.get("id") == "h1")
    assert [e["data"]["text"] for e in newest["events"]] == [
        f"public {n}" for n in range(15, CHAT_IN_VIEW + 5)
    ]
    assert newest["more"] is True
    before = newest["events"][0]["seq"]
    await r2.send({"type": "history", "id": "h2", "kinds": "chat", "before": before, "limit": 20})
    older = await r2.next(lambda f: f.get("id") == "h2")
    assert [e["data"]["text"] for e in older["events"]] == [f"public {n}" for n in range(15)]
    assert older["more"] is False
    assert "TEAM-ONLY-R1" not in json.dumps([newest, older])


async def test_the_log_page_shows_only_what_the_viewer_may_see(negotiating, sockets, staff_cookie):
    table = negotiating
    await database_sync_to_async(table.run)("note", text="NOTE-FOR-FACILITATORS")
    r1 = await sockets(table.code, token=table.seat("R1").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    await r1.send({"type": "history", "id": "log"})
    await facilitator.send({"type": "history", "id": "log"})
    player_page = await r1.next(lambda f: f.get("id") == "log")
    god_page = await facilitator.next(lambda f: f.get("id") == "log")
    assert "NOTE-FOR-FACILITATORS" not in json.dumps(player_page)
    assert "NOTE-FOR-FACILITATORS" in json.dumps(god_page)
    assert len(god_page["events"]) > len(player_page["events"])
    assert all("user_id" not in e["actor"] for e in player_page["events"])


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "history", "id": "x", "kinds": "secrets"},
        {"type": "history", "id": "x", "before": -1},
        {"type": "history", "id": "x", "limit": "ten"},
    ],
)
async def test_a_bad_history_request_is_refused(table, sockets, frame):
    socket = await sockets(table.code, token=table.seat("R1").token)
    await socket.send(frame)
    error = await socket.next("error")
    assert error["code"] == "invalid_field" and error["id"] == "x"


async def test_a_player_previews_its_own_decision(table, sockets):
    await database_sync_to_async(table.advance_to)(1, "decision")
    r1 = await sockets(table.code, token=table.seat("R1").token)
    await r1.send({"type": "preview", "id": "pv", "decision": {"aid_R1": 10}})
    answer = await r1.next(lambda f: f.get("id") == "pv")
    assert answer["type"] == "preview"
    assert answer["preview"]["cost_by_lever"]["aid_R1"] == pytest.approx(5.0)  # 10 x 0.5
    before = await table_seq(table)
    assert before == (await r1.ping())["seq"]  # nothing was appended

    await r1.send({"type": "preview", "id": "bad", "decision": {"aid_R2": 2}})
    error = await r1.next(lambda f: f.get("id") == "bad")
    assert error["type"] == "error" and error["code"] == "not_your_lever"


async def test_only_players_preview(table, sockets, staff_cookie):
    await database_sync_to_async(table.advance_to)(1, "decision")
    facilitator = await sockets(table.code, cookie=staff_cookie)
    await facilitator.send({"type": "preview", "id": "pv", "decision": {"aid_R1": 2}})
    error = await facilitator.next(lambda f: f.get("id") == "pv")
    assert error["code"] == "not_player"


async def test_a_preview_of_an_offer_the_player_is_not_party_to_is_unknown(negotiating, sockets):
    table = negotiating
    r1 = await sockets(table.code, token=table.seat("R1").token)
    r3 = await sockets(table.code, token=table.seat("R3").token)
    await r1.ok("offer_propose", to=["R2"], terms=[term("R1", "aid_R1", ">=", 4)])
    await r3.send({"type": "preview", "id": "pv", "offer": "o1"})
    error = await r3.next(lambda f: f.get("id") == "pv")
    assert error["code"] == "unknown_offer"


async def test_the_ack_names_the_offer_created_also_for_a_repeated_id(negotiating, sockets):
    table = negotiating
    r1 = await sockets(table.code, token=table.seat("R1").token)
    r2 = await sockets(table.code, token=table.seat("R2").token)
    terms = [term("R1", "aid_R1", ">=", 4)]
    first = await r1.command("offer_propose", id="mine", to=["R2"], terms=terms)
    again = await r1.command("offer_propose", id="mine", to=["R2"], terms=terms)
    assert first["offer"] == again["offer"] == "o1"
    assert again["duplicate"] is True
    counter = await r2.ok("offer_counter", offer="o1", to=["R1"], terms=terms)
    assert counter["offer"] == "o2"
    plain = await r1.ok("chat", channel="all", text="no offer here")
    assert "offer" not in plain


async def test_the_watch_key_opens_a_read_only_public_view(negotiating, sockets):
    table = negotiating
    await database_sync_to_async(table.run)("chat", by="R1", channel="team", text="TEAM-R1")
    key = await watch_key(table)
    by_url = await sockets(table.code, query=f"watch={key}")
    assert by_url.welcome["you"]["kind"] == "observer"
    view = by_url.welcome["view"]
    assert view["viewer"]["kind"] == "observer"
    text = json.dumps(view)
    assert "SECRET-R1" not in text and "TEAM-R1" not in text and "private_brief" not in text
    refused = await by_url.command("chat", channel="all", text="may I?")
    assert refused["code"] == "read_only"

    by_hello = await sockets(table.code, hello=False, welcome=False)
    await by_hello.send({"type": "hello", "watch": key})
    assert (await by_hello.next("welcome"))["you"]["kind"] == "observer"


async def test_a_wrong_watch_key_is_unauthenticated(table, sockets):
    socket = await sockets(table.code, query="watch=not-the-key", welcome=False)
    await socket.send({"type": "hello", "watch": "not-the-key-either"})
    error = await socket.next("error")
    assert error["code"] == "unauthenticated"
    await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)


async def table_seq(table) -> int:
    return await database_sync_to_async(lambda: table.refresh().last_seq)()


async def test_a_socket_that_follows_view_patches_gets_the_parts_changed_since_its_view(
    negotiating, sockets
):
    """?views=2: after the welcome's whole view, each view frame carries only the parts that
    changed since the socket's last view (`base`); put in place, they make exactly the whole
    view a ?views=1 socket of the same viewer gets."""
    table = negotiating
    patched = await sockets(table.code, token=table.seat("R1").token, query="views=2")
    whole = await sockets(table.code, token=table.seat("R1").token, query="views=1")
    view, view_seq = patched.welcome["view"], patched.welcome["seq"]
    ack = await patched.ok("offer_propose", to=["R2"], terms=[term("R1", "aid_R1", ">=", 4)])
    patch = await patched.next("view")
    assert (patch["seq"], patch["base"]) == (ack["seq"], view_seq)
    assert set(patch["view"]) == {"offers"}
    view, view_seq = {**view, **patch["view"]}, patch["seq"]
    expected = (await whole.next("view"))["view"]
    assert {key: value for key, value in view.items() if key != "scenario"} == expected

    ack = await patched.ok("chat", channel="all", text="only the chat changes")
    patch = await patched.next("view")
    assert (patch["seq"], patch["base"]) == (ack["seq"], view_seq)
    assert set(patch["view"]) == {"chat", "chat_count"}
    assert patch["view"]["chat"][-1]["text"] == "only the chat changes"


async def two_chats_the_first_lost(table):
    """Two chat messages by R2 whose first broadcast is lost on the way (their results)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    sent = layer.group_send
    dropped = []

    async def lose_one(group, message):
        if not dropped:
            dropped.append(message["seq"])
            return
        await sent(group, message)

    layer.group_send = lose_one
    try:
        lost = await table.arun("chat", by="R2", channel="all", text="lost on the way")
        after = await table.arun("chat", by="R2", channel="all", text="arrives")
    finally:
        layer.group_send = sent
    assert dropped == [lost.seq]
    return lost, after


async def test_a_patch_follower_whose_view_is_not_the_base_gets_the_whole_view(
    negotiating, sockets
):
    """A broadcast lost on the way: the socket catches up from the log and is sent the whole
    view, never a patch against a view its page does not hold; patches then resume."""
    table = negotiating
    patched = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": 2})
    welcome_seq = patched.welcome["seq"]
    _, after = await two_chats_the_first_lost(table)
    missed = await patched.next("events")
    assert missed["seq_from"] == welcome_seq + 1
    view = await patched.next("view")
    assert "base" not in view and view["seq"] == after.seq
    assert [m["text"] for m in view["view"]["chat"]][-2:] == ["lost on the way", "arrives"]
    ack = await patched.ok("chat", channel="all", text="patches again")
    patch = await patched.next("view")
    assert (patch["base"], patch["seq"]) == (after.seq, ack["seq"])


async def test_a_patch_is_relayed_only_to_a_socket_whose_last_view_is_its_base(
    negotiating, sockets
):
    """The socket's events are at seq + 1 but its last view is at seq (read when a broadcast
    had none for it): a broadcast of seq + 2 carries a patch from seq + 1, which its page
    could not apply, so the whole view is sent instead."""
    from channels.layers import get_channel_layer

    from game.services.broadcast import game_group

    table = negotiating
    patched = await sockets(table.code, token=table.seat("R1").token, query="views=2")
    seq = patched.welcome["seq"]
    layer, group = get_channel_layer(), game_group(table.game.pk)

    def message(n: int, views: dict) -> dict:
        frame = {"type": "events", "seq_from": n, "seq": n, "events": []}
        return {"type": "game.events", "seq_from": n, "seq": n, "players": [],
                "frames": {"role:R1": json.dumps(frame)}, "views": views}  # fmt: skip

    await layer.group_send(group, message(seq + 1, {}))
    await patched.next("events")
    assert (await patched.next("view"))["seq"] == seq  # read: nothing later was committed
    patch = {"type": "view", "seq": seq + 2, "base": seq + 1, "view": {"phase": "PATCH"}}
    whole = {"type": "view", "seq": seq + 2, "view": {"phase": "WHOLE"}}
    views = {"role:R1+patches": json.dumps(patch), "role:R1": json.dumps(whole)}
    await layer.group_send(group, message(seq + 2, views))
    await patched.next("events")
    assert await patched.next("view") == whole
    # In step again: the next patch is relayed.
    patch = {**patch, "seq": seq + 3, "base": seq + 2}
    views = {"role:R1+patches": json.dumps(patch), "role:R1": json.dumps(whole)}
    await layer.group_send(group, message(seq + 3, views))
    await patched.next("events")
    assert await patched.next("view") == patch


async def test_a_socket_that_follows_views_in_events_gets_one_frame_per_change(
    negotiating, sockets
):
    """?views=3: each change reaches the socket as one `events` frame carrying the view's
    patch as `view`, the offers changed as `items` (not the whole list); put in place, it
    makes the same view as a ?views=2 socket's patch frame; no separate view frame
    follows."""
    table = negotiating
    carried = await sockets(table.code, token=table.seat("R1").token, query="views=3")
    patched = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": 2})
    r2 = await sockets(table.code, token=table.seat("R2").token)
    view, view_seq = carried.welcome["view"], carried.welcome["seq"]
    for command, payload, status in [
        ("offer_propose", {"to": ["R2"], "terms": [term("R1", "aid_R1", ">=", 4)]}, "open"),
        ("offer_reject", {"offer": "o1"}, "rejected"),
    ]:
        ack = await (carried if command == "offer_propose" else r2).ok(command, **payload)
        frame = await carried.next("events")
        assert frame["seq"] == ack["seq"]
        patch = frame["view"]
        assert (patch["seq"], patch["base"]) == (ack["seq"], view_seq)
        assert "offers" not in patch["view"]
        assert [(o["id"], o["status"]) for o in patch["items"]["offers"]] == [("o1", status)]
        view, view_seq = with_items({**view, **patch["view"]}, patch["items"]), patch["seq"]
        expected = await patched.next("view")
        assert "items" not in expected and "offers" in expected["view"]
        assert view == {**view, **expected["view"]}

    ack = await carried.ok("chat", channel="all", text="only the chat changes")
    frame = await carried.next("events")
    assert (frame["view"]["seq"], frame["view"]["base"]) == (ack["seq"], ack["seq"] - 1)
    assert set(frame["view"]["view"]) == {"chat", "chat_count"}
    assert "view" not in {frame["type"] for frame in await carried.drain(0.1)}


async def test_a_views_in_events_follower_whose_view_is_not_the_base_gets_the_whole_view(
    negotiating, sockets
):
    """?views=3 after a lost broadcast: the events from the log, then the whole view as a
    frame of its own; the next change carries its patch again. A broadcast without the
    socket's frame (built before its process knew of it) sends the events and the view read
    afresh."""
    from channels.layers import get_channel_layer

    from game.services.broadcast import game_group

    table = negotiating
    carried = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": 3})
    welcome_seq = carried.welcome["seq"]
    _, after = await two_chats_the_first_lost(table)
    missed = await carried.next("events")
    assert missed["seq_from"] == welcome_seq + 1 and "view" not in missed
    view = await carried.next("view")
    assert "base" not in view and view["seq"] == after.seq
    assert [m["text"] for m in view["view"]["chat"]][-2:] == ["lost on the way", "arrives"]
    ack = await carried.ok("chat", channel="all", text="patches again")
    frame = await carried.next("events")
    assert (frame["view"]["base"], frame["view"]["seq"]) == (after.seq, ack["seq"])

    seq = ack["seq"]
    bare = {"type": "events", "seq_from": seq + 1, "seq": seq + 1, "events": []}
    message = {"type": "game.events", "seq_from": seq + 1, "seq": seq + 1, "players": [],
               "frames": {"role:R1": json.dumps(bare)}, "views": {}}  # fmt: skip
    await get_channel_layer().group_send(game_group(table.game.pk), message)
    assert await carried.next("events") == bare
    assert (await carried.next("view"))["seq"] == seq  # read: nothing later was committed


async def test_a_view_read_ahead_of_the_broadcasts_is_not_sent_again_until_they_pass_it(
    negotiating, sockets
):
    """Under load a socket that had to read its view afresh gets it at the game's seq of the
    moment, ahead of the broadcasts still on their way: those send no view (the page holds a
    newer one), and patches start again from the view it holds, without a read per
    broadcast."""
    from channels.layers import get_channel_layer

    table = negotiating
    patched = await sockets(table.code, token=table.seat("R1").token, query="views=2")
    seq = patched.welcome["seq"]
    layer = get_channel_layer()
    sent, held = layer.group_send, []

    async def hold(group, message):
        held.append((group, message))

    layer.group_send = hold
    try:
        await table.arun("chat", by="R2", channel="all", text="one")
        await table.arun("chat", by="R2", channel="all", text="two")
    finally:
        layer.group_send = sent
    (group, first), (_, second) = [(g, m) for g, m in held if m["type"] == "game.events"]
    await sent(group, {**first, "views": {}})  # no view built for it: it reads its own
    assert (await patched.next("events"))["seq"] == seq + 1
    view = await patched.next("view")
    assert "base" not in view and view["seq"] == seq + 2  # the game's seq: ahead
    await sent(group, second)
    assert (await patched.next("events"))["seq"] == seq + 2
    assert "view" not in {frame["type"] for frame in await patched.drain(0.2)}
    ack = await patched.ok("chat", channel="all", text="three")
    patch = await patched.next("view")
    assert (patch["base"], patch["seq"]) == (seq + 2, ack["seq"])
