"""A socket's handshake with odd bytes — a NUL in the session cookie (quoted cookies carry
octal escapes) or in the URL's query — is handled plainly on both back ends: the cookie is
ignored (no session), the socket still opens and may authenticate with `hello`."""

import pytest

from game.realtime import protocol

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "cookie", ['sessionid="abcdefgh\\000ijkl"', "sessionid=abc\x00defghijk", 'csrftoken="\\000"']
)
async def test_a_nul_in_the_cookie_is_no_session(table, sockets, cookie):
    socket = await sockets(table.code, cookie=cookie, welcome=False)
    assert socket.close_code is None
    await socket.send({"type": "hello", "id": "h", "token": table.seat("R1").token})
    welcome = await socket.next("welcome")
    assert welcome["you"]["role"] == "R1"


@pytest.mark.parametrize("query", ["watch=%00", "seq=%00", "views=%00", "watch=%C3%A9%00"])
async def test_a_nul_in_the_query_is_no_key(table, sockets, query):
    socket = await sockets(table.code, query=query, welcome=False)
    await socket.send({"type": "ping", "id": "p"})
    frames = await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)
    assert [f["code"] for f in frames] == ["unauthenticated"]
