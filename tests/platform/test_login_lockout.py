"""Someone guessing a staff password from one address cannot lock its owner out from another
address: an account's failures are counted per address (the address's own limit stays)."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "right-password-123"
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "login-lockout",
        }
    }
    cache.clear()  # a local-memory cache of this module's own: safe to clear
    get_user_model().objects.create_user(
        "host", password=PASSWORD, is_staff=True, is_superuser=True
    )


def basic(username: str, password: str, address: str) -> int:
    header = base64.b64encode(f"{username}:{password}".encode()).decode()
    client = Client(REMOTE_ADDR=address)
    return client.get("/api/games/", HTTP_AUTHORIZATION=f"Basic {header}").status_code


def admin_login(password: str, address: str) -> bool:
    client = Client(REMOTE_ADDR=address)
    client.post("/admin/login/?next=/admin/", {"username": "host", "password": password})
    return "_auth_user_id" in client.session


def test_the_owner_logs_in_from_elsewhere_while_an_attacker_is_locked_out():
    assert not any(admin_login("wrong", ATTACKER) for _ in range(4))
    assert not admin_login(PASSWORD, ATTACKER)  # the attacker's address is locked
    assert admin_login(PASSWORD, OWNER)  # the owner is not
    assert basic("host", PASSWORD, OWNER) == 200


def test_the_owners_success_elsewhere_does_not_unlock_the_attacker():
    for _ in range(3):
        basic("host", "wrong", ATTACKER)
    assert admin_login(PASSWORD, OWNER)
    assert not admin_login(PASSWORD, ATTACKER)


def test_the_address_limit_still_covers_many_usernames_from_one_address():
    for n in range(5):
        basic(f"user{n}", "wrong", ATTACKER)
    assert not admin_login(PASSWORD, ATTACKER)
    assert admin_login(PASSWORD, OWNER)


def test_the_account_limit_counts_case_insensitively_per_address():
    for name in ("host", "HOST", "Host"):
        basic(name, "wrong", ATTACKER)
    assert not admin_login(PASSWORD, ATTACKER)
