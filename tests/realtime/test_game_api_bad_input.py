"""Every bad input to the game endpoints is a 4xx with a message, never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

DEEP = '{"name": ' + "[" * 5000 + "]" * 5000 + ', "team": "R1"}'
UNDER_THE_DECODERS_LIMIT = '{"type": "chat", "text": ' + "[" * 900 + "]" * 900 + "}"


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """A private, empty cache (clearing a shared Redis would flush other users' keys)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bad-input",
        }
    }
    cache.clear()  # a local-memory cache of this module's own: safe to clear


@pytest.mark.parametrize("body", [DEEP, UNDER_THE_DECODERS_LIMIT])
def test_deep_json_on_join_is_400(make_game, body):
    table = make_game(seat=False)
    reply = Client().post(f"/api/games/{table.code}/join", body, content_type="application/json")
    assert reply.status_code == 400
    assert reply.json()["code"] == "parse_error"
    assert "nested deeper" in reply.json()["message"]


@pytest.mark.parametrize("body", [DEEP, UNDER_THE_DECODERS_LIMIT])
def test_deep_json_on_commands_is_400(make_game, body):
    table = make_game()
    reply = Client().post(
        f"/api/games/{table.code}/commands",
        body,
        content_type="application/json",
        headers={"X-Player-Token": table.seat("R1").token},
    )
    assert reply.status_code == 400
    assert "nested deeper" in reply.json()["message"]


@pytest.mark.parametrize("code", ["AB%00CD", "AB%0ACD", "%C3%A9T%C3%A9", "A" * 13, "AB-CD"])
@pytest.mark.parametrize(
    "path", ["/api/games/{}/join", "/api/games/{}/view", "/api/games/{}/export", "/join/{}/"]
)
def test_impossible_codes_in_the_url_are_404(path, code):
    """A NUL (PostgreSQL refuses it in text) or any non-code character never reaches a query."""
    reply = Client().post(path.format(code), {"name": "x", "team": "R1"})
    assert reply.status_code == 404
