"""Redis stopped: joins still work (the rate limit fails open and logs), /healthz says so.

"Stopped" is a Redis port with nothing listening (6390 here; nothing is started): every cache
call fails with a connection error, as after `redis-cli shutdown`.
"""

import logging

import pytest
from django.test import Client

DEAD_REDIS = "redis://127.0.0.1:6390/0"


@pytest.fixture
def redis_stopped(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.django_db
def test_rest_join_works_without_the_cache_and_logs_it(redis_stopped, make_game, caplog):
    table = make_game(seat=False)
    with caplog.at_level(logging.WARNING, logger="game.api"):
        reply = Client().post(
            f"/api/games/{table.code}/join", {"name": "A", "team": "R1"}, "application/json"
        )
    assert reply.status_code == 201, reply.content
    assert "Join rate limit skipped: the cache is unavailable" in caplog.text


@pytest.mark.django_db
def test_join_page_works_without_the_cache(redis_stopped, make_game):
    table = make_game(seat=False)
    reply = Client().post(f"/join/{table.code}/", {"name": "A", "team": "R1"})
    assert reply.status_code == 302  # seated, on to the table
    assert reply["Location"] == f"/play/{table.code}/"


@pytest.mark.django_db
def test_healthz_says_the_cache_is_down(redis_stopped):
    reply = Client().get("/healthz")
    assert reply.status_code == 503
    body = reply.json()
    assert body["cache"]["ok"] is False
    assert body["cache"]["backend"].endswith("RedisCache")
    assert "Connection" in body["cache"]["error"] or "connect" in body["cache"]["error"]
