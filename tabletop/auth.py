"""Password logins (the admin's form, HTTP basic on REST) with failed attempts throttled.

After LOGIN_FAILURES_PER_ACCOUNT failures for one username from one client address, or
LOGIN_FAILURES_PER_ADDRESS from one address whatever the usernames, within
LOGIN_FAILURE_WINDOW seconds, further attempts from that address fail at once, without
hashing the password: guessing is slowed, and a made-up `Authorization: Basic` header can no
longer buy a password hash (~0.3 s of CPU) per request. The account is counted per address,
so someone guessing from one address cannot lock its owner out from another. The counters
live in the cache (Redis when there is one); if it is down, logins are not throttled (logged).
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from tabletop.cache import default_cache
from tabletop.clients import client_address

logger = logging.getLogger(__name__)


def _account_key(username: str, address: str | None) -> str:
    """The counter of one username's failures from one address (hashed: any length)."""
    pair = f"{username.lower()}\0{address or ''}"
    return "login-fail:account:" + hashlib.sha256(pair.encode()).hexdigest()[:32]


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(_account_key(username, address), settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if address:
        keys.append((f"login-fail:address:{address}", settings.LOGIN_FAILURES_PER_ADDRESS))
    return keys


def login_locked(username: str, address: str | None) -> bool:
    try:
        counts = default_cache().get_many([key for key, _ in _keys(username, address)])
    except Exception:
        logger.warning("Login throttling skipped: the cache is unavailable", exc_info=True)
        return False
    return any(counts.get(key, 0) >= limit for key, limit in _keys(username, address))


def login_failed(username: str, address: str | None) -> None:
    cache = default_cache()
    try:
        for key, _limit in _keys(username, address):
            if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
                cache.incr(key)
    except Exception:
        logger.warning("Login failure not counted: the cache is unavailable", exc_info=True)


def login_succeeded(username: str, address: str | None) -> None:
    """Forget the account's failures from this address (not the address's own count)."""
    try:
        default_cache().delete(_account_key(username, address))
    except Exception:
        logger.warning("Login counter not reset: the cache is unavailable", exc_info=True)


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend behind the failed-login throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        if login_locked(username, address):
            logger.warning("Login refused without checking: too many failures (%s)", address)
            raise PermissionDenied("Too many failed logins; wait and try again.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failed(username, address)
        else:
            login_succeeded(username, address)
        return user
