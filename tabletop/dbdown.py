"""When the database cannot be reached: a quick 503 instead of an HTML 500 after a wait.

A request that fails because no database connection could be had (the pool's wait ran out,
the server refused or dropped the connection) is answered 503 (DatabaseDownMiddleware for
the views, handler500 for the rest) — JSON
`{"code": "database_unavailable", ...}` under /api/, a short page elsewhere — and the
process then holds the database for down: further requests get the same 503 at once,
without waiting on the pool, until a direct connection (at most one try every
PROBE_SECONDS, CONNECT_TIMEOUT each) succeeds again. /healthz always asks the database
itself. Query errors (a bad statement, a lock timeout) are not an outage: they stay 500s.
"""

import logging
import sys
import threading
import time

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults

logger = logging.getLogger(__name__)

PROBE_SECONDS = 1.0
CONNECT_TIMEOUT = 2
RETRY_AFTER = "5"
MESSAGE = (
    "The database cannot be reached at the moment; nothing was changed. Try again in a few seconds."
)
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>Unavailable</title></head><body><h1>Unavailable</h1><p>{}</p></body></html>"
)

_lock = threading.Lock()
_down_since: float | None = None
_next_probe = 0.0


def connection_lost(exc: BaseException | None) -> bool:
    """Is `exc` the database being out of reach, rather than a query's own error?"""
    if isinstance(exc, InterfaceError):
        return True  # the connection closed under us
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if type(cause).__name__ == "PoolTimeout":  # psycopg_pool: no connection could be had
        return True
    sqlstate = getattr(cause, "sqlstate", None)
    if connection.vendor != "postgresql":
        return False  # SQLite's OperationalErrors (a locked file) are not an outage
    # No SQLSTATE: the connection itself failed. 08: connection exception; 57P01-57P03:
    # the server is shutting down, crashed or not yet accepting connections.
    return sqlstate is None or sqlstate.startswith(("08", "57P0"))


def database_failed() -> None:
    """Hold the database for down (PostgreSQL: SQLite is a file, there is no server to lose)."""
    global _down_since, _next_probe
    if connection.vendor != "postgresql":
        return
    with _lock:
        if _down_since is None:
            logger.error("The database cannot be reached: answering 503 until it can")
            _down_since = time.monotonic()
            _next_probe = _down_since + PROBE_SECONDS


def _probe() -> bool:
    """One direct connection attempt (not through the pool, whose wait is long)."""
    try:
        params = connection.get_connection_params()
        params["connect_timeout"] = CONNECT_TIMEOUT
        connection.Database.connect(**params).close()
    except Exception:
        return False
    return True


def database_down() -> bool:
    """Is the database held for down (and not found back by a probe just now)?"""
    global _down_since, _next_probe
    with _lock:
        if _down_since is None:
            return False
        now = time.monotonic()
        if now < _next_probe:
            return True
        _next_probe = now + PROBE_SECONDS
    if not _probe():
        return True
    with _lock:
        if _down_since is not None:
            logger.warning(
                "The database answers again after %.0f s", time.monotonic() - _down_since
            )
        _down_since = None
    return False


def unavailable(request) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"code": "database_unavailable", "message": MESSAGE}, status=503)
    else:
        response = HttpResponse(PAGE.format(MESSAGE), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def server_error(request):
    """handler500: a lost database is a 503 (and remembered); anything else Django's 500."""
    if connection_lost(sys.exc_info()[1]):
        database_failed()
        return unavailable(request)
    return defaults.server_error(request)


class DatabaseDownMiddleware:
    """While the database is held for down, answer 503 at once (but /healthz); a view that
    loses it answers 503 too (also with DEBUG on, where handler500 is not used)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != "/healthz" and database_down():
            return unavailable(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not connection_lost(exception):
            return None
        database_failed()
        return unavailable(request)
