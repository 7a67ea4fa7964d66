"""Failed password logins are throttled per account and address, and per address, without
hashing: someone guessing a staff password from one address cannot lock its owner out from
another address."""

import base64
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
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
            "LOCATION": "login-throttle",
        }
    }
    cache.clear()  # a local-memory cache of this module's own: safe to clear
    get_user_model().objects.create_user(
        "host", password=PASSWORD, is_staff=True, is_superuser=True
    )


def basic(username: str, password: str, address: str = "203.0.113.9") -> int:
    header = base64.b64encode(f"{username}:{password}".encode()).decode()
    client = Client(REMOTE_ADDR=address)
    return client.get("/api/games/", HTTP_AUTHORIZATION=f"Basic {header}").status_code


def admin_login(client: Client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "host", "password": password})


def test_basic_auth_locks_the_account_from_that_address_and_stops_hashing():
    assert basic("host", PASSWORD) == 200
    assert [basic("host", "wrong") for _ in range(3)] == [403, 403, 403]
    with mock.patch.object(
        ModelBackend, "authenticate", wraps=ModelBackend().authenticate
    ) as check:
        assert basic("host", PASSWORD) == 403  # even the right password: locked
        assert basic("host", "wrong") == 403
    check.assert_not_called()  # no password was hashed for them
    assert basic("host", PASSWORD, address="198.51.100.7") == 200  # its owner, elsewhere


def test_made_up_basic_auth_headers_stop_costing_a_hash_per_request():
    """The CPU amplifier: unknown users from one address are cut off after the limit."""
    assert [basic(f"nobody{n}", "x") for n in range(5)] == [403] * 5
    with mock.patch.object(ModelBackend, "authenticate") as check:
        assert basic("nobody99", "x") == 403
        assert basic("host", PASSWORD) == 403  # this address is locked out
    check.assert_not_called()
    assert basic("host", PASSWORD, address="198.51.100.7") == 200  # others are not


def test_admin_login_is_throttled_too():
    client = Client()
    for _ in range(3):
        assert admin_login(client, "wrong").status_code == 200  # the form again
    response = admin_login(client, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_success_resets_the_account_counter():
    for _ in range(2):
        basic("host", "wrong")
    assert basic("host", PASSWORD) == 200
    assert [basic("host", "wrong") for _ in range(2)] == [403, 403]
    assert basic("host", PASSWORD) == 200


def test_logins_work_when_the_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    assert basic("host", PASSWORD) == 200


def logs_in(password: str, address: str) -> bool:
    client = Client(REMOTE_ADDR=address)
    client.post("/admin/login/?next=/admin/", {"username": "host", "password": password})
    return "_auth_user_id" in client.session


def test_the_owner_logs_in_from_elsewhere_while_an_attacker_is_locked_out():
    assert not any(logs_in("wrong", ATTACKER) for _ in range(4))
    assert not logs_in(PASSWORD, ATTACKER)  # the attacker's address is locked
    assert logs_in(PASSWORD, OWNER)  # the owner is not
    assert basic("host", PASSWORD, OWNER) == 200


def test_the_owners_success_elsewhere_does_not_unlock_the_attacker():
    for _ in range(3):
        basic("host", "wrong", ATTACKER)
    assert logs_in(PASSWORD, OWNER)
    assert not logs_in(PASSWORD, ATTACKER)


def test_the_address_limit_still_covers_many_usernames_from_one_address():
    for n in range(5):
        basic(f"user{n}", "wrong", ATTACKER)
    assert not logs_in(PASSWORD, ATTACKER)
    assert logs_in(PASSWORD, OWNER)


def test_the_account_limit_counts_case_insensitively_per_address():
    for name in ("host", "HOST", "Host"):
        basic(name, "wrong", ATTACKER)
    assert not logs_in(PASSWORD, ATTACKER)
