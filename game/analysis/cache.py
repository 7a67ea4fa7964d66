"""The scenario analysis cached per scenario content, for the after-action report.

An analysis takes seconds (docs/analysis.md) and depends only on the scenario document and
the scoring rules version, so it is solved once per (content, rules) and kept in Django's
cache (Redis in production): the key is a SHA-256 of the normalized snapshot as canonical
JSON, the rules version and `ANALYSIS_VERSION` (bump it when the analyser's results change).

The first request waits at most `wait` seconds (setting `REPORT_ANALYSIS_SECONDS`, default
20): the solve runs in a worker thread, so a slow scenario never holds a page longer; the
caller gets `{"status": "pending"}` and the thread stores the result when it is done. One
solve per key runs at a time in a process; a failed analysis is cached (for an hour) with
its reason, so a scenario the analyser cannot solve is not solved again on every render.
A cache that does not answer is skipped (the analysis is then solved, not cached).
"""

import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from game.analysis.analyser import analyse_scenario

log = logging.getLogger(__name__)

ANALYSIS_VERSION = 1
CACHE_SECONDS = 30 * 24 * 3600  # content-addressed: never stale, only evicted
FAILURE_SECONDS = 3600
DEFAULT_WAIT = 20.0

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scenario-analysis")
_running: dict = {}
_lock = threading.Lock()


def analysis_key(scenario: dict, rules: int) -> str:
    canonical = json.dumps(
        scenario, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"scenario-analysis:{ANALYSIS_VERSION}:rules{rules}:{digest}"


def _cache():
    from tabletop.cache import default_cache

    return default_cache()


def _cache_get(key: str):
    try:
        return _cache().get(key)
    except Exception:  # a cache that does not answer: solve without it
        log.warning("scenario analysis cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, value: dict, seconds: int) -> None:
    try:
        _cache().set(key, value, seconds)
    except Exception:
        log.warning("scenario analysis cache unavailable", exc_info=True)


def _solve(key: str, scenario: dict, rules: int) -> dict:
    began = time.perf_counter()
    try:
        result = analyse_scenario(scenario, rules=rules)
    except Exception as error:  # the report says so; the rest of it still renders
        log.warning("scenario analysis failed for %s", scenario.get("slug"), exc_info=True)
        entry = {
            "status": "failed",
            "reason": f"{type(error).__name__}: {error}",
            "seconds": time.perf_counter() - began,
        }
        _cache_set(key, entry, FAILURE_SECONDS)
    else:
        entry = {"status": "ok", "analysis": result, "seconds": time.perf_counter() - began}
        _cache_set(key, entry, CACHE_SECONDS)
    finally:
        with _lock:
            _running.pop(key, None)
    return entry


def cached_analysis(scenario: dict, rules: int, *, wait: float | None = None) -> dict:
    """`{"status": "ok", "analysis", "seconds", "cached"}`, `{"status": "failed", "reason"}`
    or `{"status": "pending", "waited"}` (still solving after `wait` seconds)."""
    key = analysis_key(scenario, rules)
    entry = _cache_get(key)
    if entry is not None:
        return {**entry, "cached": True}
    if wait is None:
        from django.conf import settings

        wait = float(getattr(settings, "REPORT_ANALYSIS_SECONDS", DEFAULT_WAIT))
    with _lock:
        future = _running.get(key)
        if future is None:
            future = _running[key] = _executor.submit(_solve, key, scenario, rules)
    try:
        entry = future.result(timeout=wait)
    except FutureTimeout:
        return {"status": "pending", "waited": wait, "cached": False}
    return {**entry, "cached": False}
