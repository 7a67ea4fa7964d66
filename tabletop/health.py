"""/healthz: is the database reachable, is the channel layer working, which back ends run."""

import asyncio
import contextlib
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse

from tabletop.cache import default_cache


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "backend": connection.vendor, "error": str(exc)}
    return {"ok": True, "backend": connection.vendor}


async def _release(layer, channel: str) -> None:
    """Let go of the probe channel: the project's layers have `release`; channels_redis'
    own PubSub layer unsubscribes a channel only when a receive() on it is cancelled."""
    release = getattr(layer, "release", None)
    if release is not None:
        await release(channel)
        return
    waiter = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter


async def _check_channel_layer() -> dict:
    layer = get_channel_layer()
    backend = f"{type(layer).__module__}.{type(layer).__name__}"
    try:
        if hasattr(layer, "ping"):  # Redis: the layer carries on without it, so ask Redis
            await layer.ping()
        channel = await layer.new_channel("healthz.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "healthz.ping", "token": token})
        message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if message.get("token") != token:
            raise RuntimeError("the channel layer returned a different message")
        await _release(layer, channel)
    except Exception as exc:
        return {"ok": False, "backend": backend, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "backend": backend}


def _check_cache() -> dict:
    """The cache holds rate-limit counters (Redis when REDIS_URL is set); without it limits
    fail open, so the server works on but says so here."""
    cache = default_cache()
    backend = f"{type(cache).__module__}.{type(cache).__name__}"
    try:
        token = uuid.uuid4().hex
        cache.set("healthz", token, timeout=10)
        if cache.get("healthz") != token:
            raise RuntimeError("the cache returned a different value")
    except Exception as exc:
        return {"ok": False, "backend": backend, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "backend": backend}


async def healthz(request):
    database = await sync_to_async(_check_database)()
    channel_layer = await _check_channel_layer()
    cache_status = await sync_to_async(_check_cache)()
    ok = database["ok"] and channel_layer["ok"] and cache_status["ok"]
    body = {
        "status": "ok" if ok else "unavailable",
        "database": database,
        "channel_layer": channel_layer,
        "cache": cache_status,
    }
    return JsonResponse(body, status=200 if ok else 503)
