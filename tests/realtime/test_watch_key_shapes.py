"""A wrong watch key of any shape (non-ASCII, NUL, a lone surrogate, very long) is refused
plainly: 403 on the observer and projector pages, `unauthenticated` and close 4401 on the
socket, and the socket leaves no connection row behind. Keys are compared as bytes."""

from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from game.models import Connection
from game.realtime import protocol
from game.realtime.auth import watch_key_valid

pytestmark = pytest.mark.django_db(transaction=True)

WRONG_KEYS = ["é", "\u00e9" * 40, "中文", "\U0001f600", "a\x00b", "x" * 5000, " "]


@pytest.mark.parametrize("page", ["watch", "projector"])
@pytest.mark.parametrize("key", [*WRONG_KEYS, "%ED%A0%80"])
def test_pages_refuse_a_wrong_key_of_any_shape(table, page, key):
    url = f"/{page}/{table.code}/?key={quote(key) if '%' not in key else key}"
    response = Client().get(url)
    assert response.status_code in {403, 400}, (url, response.status_code)


@pytest.mark.parametrize("page", ["watch", "projector"])
def test_pages_open_with_the_right_key(table, page):
    response = Client().get(f"/{page}/{table.code}/?key={table.game.watch_key}")
    assert response.status_code == 200


def test_keys_are_compared_as_bytes(table):
    game = table.game
    assert watch_key_valid(game, game.watch_key)
    for key in [*WRONG_KEYS, "\ud800", game.watch_key + "é", None, 5, ""]:
        assert not watch_key_valid(game, key)


async def test_socket_refuses_a_non_ascii_key_in_the_url_and_in_hello(table, sockets):
    for key in WRONG_KEYS[:4]:
        socket = await sockets(table.code, query=f"watch={quote(key)}", welcome=False)
        await socket.send({"type": "hello", "id": "h", "watch": key})
        frames = await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)
        assert [(f["type"], f["code"]) for f in frames] == [("error", "unauthenticated")]
        await socket.disconnect()
    rows = await database_sync_to_async(Connection.objects.filter(game=table.game).count)()
    assert rows == 0


async def test_socket_opens_with_the_right_key(table, sockets):
    socket = await sockets(table.code, query=f"watch={table.game.watch_key}")
    assert socket.welcome["you"]["kind"] == "observer"
