"""/healthz checks the database and channel layer and names the back ends in use."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_reports_ok_and_back_ends(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {
        "ok": True,
        "backend": "sqlite"
        if "sqlite" in settings.DATABASES["default"]["ENGINE"]
        else "postgresql",
    }
    assert body["channel_layer"]["ok"] is True
    assert body["channel_layer"]["backend"].endswith(
        settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    )


@pytest.mark.django_db
def test_healthz_reports_a_broken_channel_layer(client, settings):
    """A channel layer that cannot be reached makes /healthz answer 503 with the reason."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["channel_layer"]["ok"] is False
    assert "RedisChannelLayer" in body["channel_layer"]["backend"]
    assert body["channel_layer"]["error"]


@pytest.mark.django_db
def test_service_leg_really_uses_postgresql_and_redis(require_services):
    """Under CI's service leg the suite must run on PostgreSQL and Redis, never silently not."""
    from django.db import connection

    if require_services:
        assert connection.vendor == "postgresql"
        from channels.layers import get_channel_layer
        from channels_redis.pubsub import RedisPubSubChannelLayer

        assert isinstance(get_channel_layer(), RedisPubSubChannelLayer)
    else:
        assert connection.vendor in {"sqlite", "postgresql"}
