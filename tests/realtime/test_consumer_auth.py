"""GameConsumer: who a socket is (token, session, staff), and the sockets it turns away."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from game.realtime import protocol

pytestmark = pytest.mark.django_db(transaction=True)


async def test_welcome_for_a_player_authenticated_by_hello_token(table, sockets):
    """A `hello` with the player's token gets `welcome`: protocol version, game code, the
    player's identity, the current seq and the player's own view."""
    seat = table.seat("R1")
    socket = await sockets(table.code, token=seat.token)
    welcome = socket.welcome
    assert welcome["protocol"] == protocol.PROTOCOL_VERSION == 1
    assert welcome["game"] == {"code": table.code}
    assert welcome["you"] == {
        "kind": "player",
        "role": "R1",
        "name": seat.name,
        "player_id": seat.player_id,
    }
    assert welcome["resumed"] is False
    assert welcome["seq"] == await table.seq() == 3  # three players joined
    assert welcome["view"]["viewer"] == {"kind": "player", "role": "R1"}
    assert welcome["view"]["role"]["code"] == "R1"
    assert welcome["view"]["roster"] is None
    assert [line["id"] for line in welcome["view"]["red_lines"]] == ["R1-sanctions"]


async def test_welcome_for_a_player_authenticated_by_the_session_of_the_rest_join(table, sockets):
    """Joining through POST /api/games/<code>/join stores the seat in the session; a socket
    opened with that session cookie is that player without any hello."""
    client = Client()
    reply = await database_sync_to_async(client.post)(
        f"/api/games/{table.code}/join",
        {"name": "Aiko", "team": "r2"},
        content_type="application/json",
    )
    assert reply.status_code == 201, reply.content
    socket = await sockets(table.code, client=client)
    assert socket.welcome["you"] == {
        "kind": "player",
        "role": "R2",
        "name": "Aiko",
        "player_id": reply.json()["player_id"],
    }
    assert socket.welcome["seq"] == await table.seq() == 4
    assert socket.welcome["view"]["role"]["code"] == "R2"


async def test_welcome_for_a_player_authenticated_by_the_session_of_the_join_page(table, sockets):
    """The join page (GET, then POST of name and team) keeps the seat in the browser's
    session, and the session authenticates the socket."""
    client = Client(enforce_csrf_checks=True)
    page = await database_sync_to_async(client.get)(f"/join/{table.code}/?team=R3")
    assert page.status_code == 200
    csrf = client.cookies["csrftoken"].value
    reply = await database_sync_to_async(client.post)(
        f"/join/{table.code}/",
        {"name": "Min-jun", "team": "R3", "csrfmiddlewaretoken": csrf},
    )
    assert reply.status_code == 302, reply.content  # to the table
    socket = await sockets(table.code, client=client)
    assert socket.welcome["you"]["kind"] == "player"
    assert socket.welcome["you"]["role"] == "R3"
    assert socket.welcome["you"]["name"] == "Min-jun"


async def test_welcome_for_a_facilitator_authenticated_by_a_staff_session(
    table, sockets, staff_cookie, staff_user
):
    """A logged-in staff user is the facilitator: god view, roster included."""
    socket = await sockets(table.code, cookie=staff_cookie)
    assert socket.welcome["you"] == {
        "kind": "facilitator",
        "role": None,
        "name": staff_user.username,
    }
    assert socket.welcome["view"]["viewer"]["kind"] == "facilitator"
    assert len(socket.welcome["view"]["roster"]) == 3
    assert len(socket.welcome["view"]["red_lines"]) == 3


async def test_a_logged_in_user_who_is_not_staff_must_still_say_hello(table, sockets):
    """A Django login without staff rights is no facilitator: the socket waits for hello."""

    def login() -> Client:
        user = get_user_model().objects.create_user(username="visitor", password=None)
        client = Client()
        client.force_login(user)
        return client

    client = await database_sync_to_async(login)()
    socket = await sockets(table.code, client=client, welcome=False)
    await socket.send({"type": "hello", "token": table.seat("R1").token})
    welcome = await socket.next("welcome")
    assert welcome["you"]["role"] == "R1"


async def test_wrong_token_gets_an_error_and_close_4401(table, sockets):
    socket = await sockets(table.code, welcome=False)
    await socket.send({"type": "hello", "id": "h1", "token": "not-a-real-token"})
    error = await socket.next("error")
    assert error["code"] == "unauthenticated"
    assert error["id"] == "h1"
    assert "token" in error["message"]
    await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)


async def test_a_token_of_another_game_is_refused(table, make_game, sockets):
    other = await database_sync_to_async(make_game)()
    socket = await sockets(table.code, token=other.seat("R1").token, welcome=False)
    assert (await socket.next("error"))["code"] == "unauthenticated"
    await socket.expect_close(4401)


@pytest.mark.parametrize(
    "first_frame",
    [
        {"type": "ping", "id": "p1"},
        {"type": "sync"},
        {"type": "chat", "id": "c1", "channel": "all", "text": "hi"},
        {"type": "hello"},
        {"type": "hello", "token": 12345},
    ],
    ids=["ping", "sync", "command", "hello-without-token", "hello-token-not-a-string"],
)
async def test_a_first_frame_that_is_not_a_hello_with_a_token_closes_4401(
    table, sockets, first_frame
):
    socket = await sockets(table.code, welcome=False)
    await socket.send(first_frame)
    error = await socket.next("error")
    assert error["code"] == "unauthenticated"
    assert error["id"] == first_frame.get("id")
    assert "hello" in error["message"]
    await socket.expect_close(4401)


async def test_garbage_before_authenticating_closes_4401(table, sockets):
    """Any bad first frame is answered with its error, then the socket is closed."""
    socket = await sockets(table.code, welcome=False)
    await socket.send("{not json")
    assert (await socket.next("error"))["code"] == "invalid_json"
    await socket.expect_close(4401)


async def test_no_hello_within_the_auth_timeout_closes_4401(table, sockets, monkeypatch):
    monkeypatch.setattr(protocol, "AUTH_TIMEOUT_SECONDS", 0.2)
    socket = await sockets(table.code, welcome=False)
    error = await socket.next("error")
    assert error["code"] == "unauthenticated"
    assert "0.2 seconds" in error["message"]
    await socket.expect_close(4401)


async def test_an_authenticated_socket_is_not_closed_by_the_auth_timer(table, sockets, monkeypatch):
    monkeypatch.setattr(protocol, "AUTH_TIMEOUT_SECONDS", 0.2)
    socket = await sockets(table.code, token=table.seat("R1").token)
    await asyncio.sleep(0.4)
    assert (await socket.ping())["type"] == "pong"


async def test_unknown_game_code_closes_4404(table, sockets):
    socket = await sockets("NOSUCH", token=table.seat("R1").token, hello=False, welcome=False)
    await socket.expect_close(protocol.CLOSE_UNKNOWN_GAME)


async def test_game_codes_are_case_insensitive(table, sockets):
    socket = await sockets(table.code.lower(), token=table.seat("R1").token)
    assert socket.welcome["game"]["code"] == table.code


async def test_a_removed_players_token_no_longer_authenticates(table, sockets):
    seat = table.seat("R2")
    await database_sync_to_async(_remove)(table, seat.player_id)
    socket = await sockets(table.code, token=seat.token, welcome=False)
    assert (await socket.next("error"))["code"] == "unauthenticated"
    await socket.expect_close(4401)


def _remove(table, player_id):
    from game.services.seating import player_remove

    player_remove(game=table.game, player_id=player_id, actor=table.actor("facilitator"))


@pytest.mark.parametrize(
    "origin",
    [(b"origin", b"http://evil.example.com"), (b"origin", b"null"), None],
    ids=["foreign", "null", "missing"],
)
async def test_a_disallowed_origin_is_rejected_before_the_consumer(table, sockets, origin):
    """AllowedHostsOriginValidator turns the handshake down (no accept, nothing sent)."""
    socket = await sockets(table.code, origin=origin, welcome=False)
    assert socket.close_code is not None  # the handshake was rejected
    assert socket.inbox == []


async def test_every_allowed_host_is_an_allowed_origin(table, sockets):
    socket = await sockets(
        table.code, token=table.seat("R1").token, origin=(b"origin", b"http://localhost:8000")
    )
    assert socket.welcome["you"]["role"] == "R1"


async def test_hello_on_an_authenticated_socket_is_an_error_and_changes_nothing(
    table, sockets, staff_cookie
):
    player = await sockets(table.code, token=table.seat("R1").token)
    await player.send({"type": "hello", "id": "again", "token": table.seat("R2").token})
    error = await player.next("error")
    assert (error["code"], error["id"]) == ("already_authenticated", "again")
    assert (await player.ping())["type"] == "pong"

    facilitator = await sockets(table.code, cookie=staff_cookie)
    await facilitator.send({"type": "hello", "token": table.seat("R2").token})
    assert (await facilitator.next("error"))["code"] == "already_authenticated"
    snapshot = await _sync(facilitator)
    assert snapshot["you"]["kind"] == "facilitator"  # still the facilitator, not R2


async def _sync(socket):
    await socket.send({"type": "sync", "id": "s"})
    return await socket.next("snapshot")


async def test_the_session_wins_over_a_staff_users_seat(table, sockets, staff_client):
    """A staff user who also joined as a player in the same browser is the facilitator."""
    reply = await database_sync_to_async(staff_client.post)(
        f"/api/games/{table.code}/join",
        {"name": "Staff", "team": "R1"},
        content_type="application/json",
    )
    assert reply.status_code == 201
    socket = await sockets(table.code, client=staff_client)
    assert socket.welcome["you"]["kind"] == "facilitator"
