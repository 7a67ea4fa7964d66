"""Who may be the facilitator on a game's socket: staff who run that game (they created it,
were given it, or are superusers), by their session or by a staff API token."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from game.realtime import protocol
from game.services.tokens import staff_token_create, staff_token_revoke

pytestmark = pytest.mark.django_db(transaction=True)


def make_staff(username: str, *, run: bool = True):
    user = get_user_model().objects.create_user(username=username, password=None, is_staff=True)
    if run:
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_game", "change_game"])
        )
    return user


def cookie_of(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@database_sync_to_async
def other_staff_cookie():
    return cookie_of(make_staff("someone-else"))


async def test_staff_who_do_not_run_the_game_are_not_its_facilitator(table, sockets):
    cookie = await other_staff_cookie()
    socket = await sockets(table.code, cookie=cookie, welcome=False)
    await socket.send({"type": "start", "id": "s"})
    error = await socket.next("error")
    assert error["code"] == "unauthenticated"
    await socket.expect_close(protocol.CLOSE_UNAUTHENTICATED)


async def test_a_facilitator_given_the_game_runs_it(table, sockets):
    @database_sync_to_async
    def given():
        user = make_staff("co-facilitator")
        table.game.facilitators.add(user)
        return cookie_of(user)

    socket = await sockets(table.code, cookie=await given())
    assert socket.welcome["you"]["kind"] == "facilitator"
    await socket.ok("start")


async def test_a_staff_api_token_opens_the_facilitator_socket_until_revoked(table, sockets):
    @database_sync_to_async
    def token_for_runner():
        user = make_staff("script")
        table.game.facilitators.add(user)
        return staff_token_create(user=user, name="bot script")

    record, token = await token_for_runner()
    socket = await sockets(table.code, hello=False, welcome=False)
    await socket.send({"type": "hello", "staff_token": token})
    welcome = await socket.next("welcome")
    assert welcome["you"]["kind"] == "facilitator"
    assert welcome["view"]["roster"] is not None

    await database_sync_to_async(staff_token_revoke)(token=record)
    refused = await sockets(table.code, hello=False, welcome=False)
    await refused.send({"type": "hello", "staff_token": token})
    assert (await refused.next("error"))["code"] == "unauthenticated"
    await refused.expect_close(protocol.CLOSE_UNAUTHENTICATED)


async def test_a_staff_token_for_a_game_its_user_does_not_run_is_refused(table, sockets):
    @database_sync_to_async
    def token_for_stranger():
        return staff_token_create(user=make_staff("stranger"), name="x")[1]

    token = await token_for_stranger()
    socket = await sockets(table.code, hello=False, welcome=False)
    await socket.send({"type": "hello", "staff_token": token})
    assert (await socket.next("error"))["code"] == "unauthenticated"
