"""A new staff token is shown once in the page body: never in a cookie (the messages
framework's cookie is readable by anyone who sees the browser's traffic or storage), and no
longer in the session once shown."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from game.admin import NEW_TOKEN_SESSION_KEY
from game.models import StaffToken
from game.services.tokens import staff_token_authenticate, staff_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    host = get_user_model().objects.create_user(
        "host", password=None, is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(host)
    return client


def stored_sessions() -> str:
    return " ".join(str(session.get_decoded()) for session in Session.objects.all())


def test_the_token_is_in_no_cookie_and_shown_once_in_the_page(client):
    created = client.post(reverse("admin:game_stafftoken_add"), {"name": "results script"})
    assert created.status_code == 302
    row = StaffToken.objects.get()
    cookies = " ".join(morsel.OutputString() for morsel in created.cookies.values())
    assert row.prefix not in cookies and "rls_" not in cookies
    assert "messages" not in created.cookies

    page = client.get(created["Location"])
    assert "no-store" in page["Cache-Control"]
    cookies = " ".join(morsel.OutputString() for morsel in page.cookies.values())
    token = re.search(r'<p id="new-token"><code>(rls_[^<]+)</code>', page.content.decode())[1]
    assert staff_token_authenticate(token).username == "host"
    assert token not in cookies
    assert token not in stored_sessions()  # gone from the session once shown
    assert NEW_TOKEN_SESSION_KEY not in client.session

    again = client.get(created["Location"]).content.decode()
    assert token not in again and "cannot be shown again" in again
    assert token not in client.get(reverse("admin:game_stafftoken_changelist")).content.decode()


def test_another_staff_member_cannot_open_someone_elses_token_page(client):
    created = client.post(reverse("admin:game_stafftoken_add"), {"name": "mine"})
    other = get_user_model().objects.create_user("other", password=None, is_staff=True)
    other.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_stafftoken", "add_stafftoken"])
    )
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(created["Location"]).status_code == 404


def test_staff_without_token_permissions_cannot_open_the_page():
    bare = get_user_model().objects.create_user("bare", password=None, is_staff=True)
    row, _ = staff_token_create(user=bare, name="made by a superuser's script")
    client = Client()
    client.force_login(bare)
    assert client.get(reverse("admin:game_stafftoken_created", args=[row.pk])).status_code == 403
