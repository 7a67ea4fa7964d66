"""The default cache as one backend object for the whole process.

Django's `caches` (and `django.core.cache.cache`) keeps its backend objects in asgiref's
`Local`, which under ASGI is local to each asyncio context: every socket's task and every
request got a backend of its own. For Redis each such backend makes its own connection pool,
so every open socket held a Redis connection for its whole life, and every request opened
one (issue 11: 289 Redis connections for 210 sockets, ~12 KiB of server memory per socket).
Django's backends are safe to share between threads (redis-py's pools are; the in-memory
cache locks), so the project reads and writes its cache through this one.
"""

import threading

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.signals import setting_changed
from django.dispatch import receiver

_lock = threading.Lock()
_backend: BaseCache | None = None


def default_cache() -> BaseCache:
    """The process's backend of the "default" cache (made on first use)."""
    global _backend
    backend = _backend
    if backend is None:
        with _lock:
            if _backend is None:
                _backend = caches.create_connection("default")
            backend = _backend
    return backend


@receiver(setting_changed)
def _forget_on_new_settings(*, setting, **kwargs):
    """Tests change CACHES: the next use makes a backend from the new setting."""
    global _backend
    if setting == "CACHES":
        with _lock:
            _backend = None
