"""The join rate limit behind a reverse proxy: per client, not per proxy; no spoofing."""

import pytest
from django.core.cache import cache
from django.test import Client

PROXY = "10.0.0.5"


@pytest.fixture
def behind_the_proxy(settings, make_game):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.JOIN_RATE_LIMIT = 2
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "join-proxy",
        }
    }
    cache.clear()  # a local-memory cache of this module's own: safe to clear
    return make_game(seat=False)


def join(code, forwarded_for, remote=PROXY):
    return Client(REMOTE_ADDR=remote).post(
        f"/api/games/{code}/join",
        {"name": "P", "team": "R1"},
        "application/json",
        headers={"X-Forwarded-For": forwarded_for},
    )


@pytest.mark.django_db
def test_clients_behind_a_trusted_proxy_have_their_own_join_buckets(behind_the_proxy):
    code = behind_the_proxy.code
    assert [join(code, "198.51.100.1").status_code for _ in range(3)] == [201, 201, 429]
    assert join(code, "198.51.100.2").status_code == 201  # not blocked by the first


@pytest.mark.django_db
def test_a_spoofed_first_hop_does_not_escape_the_limit(behind_the_proxy):
    code = behind_the_proxy.code
    replies = [join(code, f"6.6.6.{n}, 198.51.100.1").status_code for n in range(3)]
    assert replies == [201, 201, 429]


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_header_is_ignored(behind_the_proxy, settings):
    settings.TRUSTED_PROXIES = []
    code = behind_the_proxy.code
    replies = [join(code, f"198.51.100.{n}", remote="203.0.113.9").status_code for n in range(3)]
    assert replies == [201, 201, 429]
