"""Staff API tokens: created in the admin (shown once), stored hashed, accepted by REST as
`Authorization: Bearer`, refused once revoked or when the user is no longer staff."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from game.models import StaffToken
from game.services.tokens import staff_token_authenticate, staff_token_create, staff_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def host():
    return get_user_model().objects.create_user(
        "host", password=None, is_staff=True, is_superuser=True
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_is_stored_hashed_and_authenticates_its_user(host):
    row, token = staff_token_create(user=host, name="script")
    assert token not in row.token_hash and token.startswith(row.prefix)
    assert staff_token_authenticate(token) == host
    assert staff_token_authenticate(token + "x") is None
    assert staff_token_authenticate("") is None


def test_rest_accepts_a_token_without_csrf_or_cookies(host, table):
    _, token = staff_token_create(user=host, name="script")
    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/games/", **bearer(token)).status_code == 200
    reply = client.post(
        f"/api/games/{table.game.code}/commands",
        {"type": "note", "text": "from a script"},
        "application/json",
        **bearer(token),
    )
    assert reply.status_code == 200, reply.content
    assert "sessionid" not in reply.cookies


def test_a_revoked_token_or_a_former_staff_member_is_refused(host):
    row, token = staff_token_create(user=host, name="script")
    staff_token_revoke(token=row)
    reply = Client().get("/api/games/", **bearer(token))
    assert reply.status_code in (401, 403)
    assert staff_token_authenticate(token) is None
    _, other = staff_token_create(user=host, name="other")
    host.is_staff = False
    host.save()
    assert staff_token_authenticate(other) is None


def test_the_admin_creates_a_token_shows_it_once_and_revokes_it(host):
    client = Client()
    client.force_login(host)
    reply = client.post(reverse("admin:game_stafftoken_add"), {"name": "results script"})
    assert reply.status_code == 302
    shown = client.get(reply["Location"]).content.decode()  # the message, this once
    token = re.search(r"<code>(rls_[^<]+)</code>", shown).group(1)
    row = StaffToken.objects.get()
    assert (row.user, row.name) == (host, "results script")
    assert staff_token_authenticate(token) == host
    listing = client.get(reverse("admin:game_stafftoken_changelist")).content.decode()
    assert token not in listing and row.prefix in listing  # never again
    client.post(
        reverse("admin:game_stafftoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [row.pk]},
    )
    assert staff_token_authenticate(token) is None
