"""Replacing the watch key closes the observer and projector sockets still open with the old
key (an `error` `watch_key_replaced`, then close 4410), refuses the old key from then on in
the URL and in `hello`, and leaves players' and the facilitator's sockets alone."""

import pytest
from channels.db import database_sync_to_async

from game.realtime import protocol
from game.services.watchkeys import game_watch_key_rotate

pytestmark = pytest.mark.django_db(transaction=True)
REPLACED = "This link has been replaced; ask the facilitator for the new one."


async def watch_key(table) -> str:
    return await database_sync_to_async(lambda: table.refresh().watch_key)()


async def rotate(table) -> str:
    return await database_sync_to_async(game_watch_key_rotate)(game_id=table.game.pk)


async def expect_replaced(socket) -> None:
    frames = await socket.expect_close(protocol.CLOSE_WATCH_KEY_REPLACED)
    errors = [frame for frame in frames if frame["type"] == "error"]
    assert [(e["code"], e["message"]) for e in errors] == [("watch_key_replaced", REPLACED)]


async def test_open_observer_sockets_are_closed_and_others_stay(table, sockets, staff_cookie):
    old = await watch_key(table)
    by_url = await sockets(table.code, query=f"watch={old}")
    by_hello = await sockets(table.code, hello=False, welcome=False)
    await by_hello.send({"type": "hello", "watch": old})
    await by_hello.next("welcome")
    player = await sockets(table.code, token=table.seat("R1").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)

    new = await rotate(table)
    assert new != old
    await expect_replaced(by_url)
    await expect_replaced(by_hello)
    assert (await player.ping())["type"] == "pong"
    assert (await facilitator.ping())["type"] == "pong"


async def test_the_old_key_is_refused_with_its_reason_and_the_new_one_opens(table, sockets):
    old = await watch_key(table)
    new = await rotate(table)
    in_url = await sockets(table.code, query=f"watch={old}", welcome=False)
    await expect_replaced(in_url)
    in_hello = await sockets(table.code, hello=False, welcome=False)
    await in_hello.send({"type": "hello", "id": "h1", "watch": old})
    await expect_replaced(in_hello)

    wrong = await sockets(table.code, hello=False, welcome=False)
    await wrong.send({"type": "hello", "watch": "never-a-key"})
    assert (await wrong.next("error"))["code"] == "unauthenticated"
    await wrong.expect_close(protocol.CLOSE_UNAUTHENTICATED)

    fresh = await sockets(table.code, query=f"watch={new}")
    assert fresh.welcome["you"]["kind"] == "observer"
    again = await rotate(table)  # and the socket opened with that key is closed in turn
    await expect_replaced(fresh)
    assert (await sockets(table.code, query=f"watch={again}")).welcome["you"]["kind"] == "observer"


async def test_a_lost_close_message_is_made_good_by_the_heal_pass(table, sockets, monkeypatch):
    """The close travels on the channel layer; if it is lost, the heal pass's database read
    (every few seconds) finds the observer's key replaced and closes it."""
    from game.realtime import watch
    from game.services import watchkeys

    monkeypatch.setattr(watchkeys, "publish", lambda *args, **kwargs: None)  # lost
    observer = await sockets(table.code, query=f"watch={await watch_key(table)}")
    player = await sockets(table.code, token=table.seat("R1").token)
    await rotate(table)
    assert "error" not in {f["type"] for f in await observer.drain(0.3)}  # still open
    await watch.heal_pass(read_database=True)
    await expect_replaced(observer)
    assert (await player.ping())["type"] == "pong"
