"""Settings come from the environment; production mode refuses unsafe configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "hosts": settings.ALLOWED_HOSTS,
    "csrf": settings.CSRF_TRUSTED_ORIGINS,
    "secret": settings.SECRET_KEY,
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
}))
"""


NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}


def run_python(code: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update({"DJANGO_SETTINGS_MODULE": "tabletop.settings", **env_vars})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(**env_vars: str) -> dict:
    """The settings with `env_vars` (and a production SECRET_KEY unless they set one)."""
    result = run_python(PROBE, **{"SECRET_KEY": "p" * 50, **env_vars})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_the_embedded_back_ends():
    """With nothing but a SECRET_KEY set: SQLite file, the in-memory channel layer sized for a
    workshop (it never drops a message silently), DEBUG off."""
    settings = probe()
    assert settings["debug"] is False
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"].endswith("db.sqlite3")
    assert settings["layer"] == "game.realtime.layers.WorkshopChannelLayer"


def test_database_url_and_redis_url_select_production_back_ends():
    """DATABASE_URL picks PostgreSQL; REDIS_URL switches to the Redis PubSub channel layer."""
    settings = probe(
        DATABASE_URL="postgres://someone@db.example:5432/redlines",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "redlines"
    assert settings["layer"] == "game.realtime.layers.TolerantRedisPubSubChannelLayer"


def test_hosts_origins_and_secret_from_environment():
    settings = probe(
        ALLOWED_HOSTS="games.example.org,localhost",
        CSRF_TRUSTED_ORIGINS="https://games.example.org",
        SECRET_KEY="x" * 60,
    )
    assert settings["hosts"] == ["games.example.org", "localhost"]
    assert settings["csrf"] == ["https://games.example.org"]
    assert settings["secret"] == "x" * 60


def test_nothing_set_is_production_mode_and_refuses_the_development_secret():
    """DEBUG defaults to off: with no environment at all the server refuses to start."""
    result = run_python(PROBE)
    assert result.returncode != 0
    assert "SECRET_KEY is the development key but DEBUG is off" in result.stderr
    assert "DEBUG=true" in result.stderr


def test_debug_on_allows_the_development_secret():
    settings = probe(
        DEBUG="true",
        SECRET_KEY="dev-insecure-red-lines-secret-key-change-me-in-production-0123456789",
    )
    assert settings["debug"] is True


def test_production_mode_refuses_the_development_secret():
    result = run_python(PROBE, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    """`manage.py check --deploy` reports no warnings with a production configuration."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "DEBUG": "false",
            "SECRET_KEY": "k9$Qz" * 12,
            "ALLOWED_HOSTS": "games.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_postgresql_uses_a_connection_pool_unless_switched_off():
    """Under ASGI every command runs in a worker thread: PostgreSQL gets a psycopg pool."""
    url = "postgres://someone@db.example:5432/redlines"
    pooled = probe(DATABASE_URL=url, DATABASE_POOL_MAX="7")
    assert pooled["options"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 10}
    plain = probe(DATABASE_URL=url, DATABASE_POOL="false", CONN_MAX_AGE="60")
    assert "pool" not in plain["options"] and plain["conn_max_age"] == 60


SQLITE_PRAGMAS = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA cache_size")
    cache = cursor.fetchone()[0]
print(json.dumps({"journal_mode": journal, "cache_size": cache}))
"""


def sqlite_pragmas(tmp_path, **env_vars: str) -> dict:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = run_python(SQLITE_PRAGMAS, SECRET_KEY="p" * 50, DATABASE_URL=url, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sqlite_connections_use_wal_and_a_small_page_cache(tmp_path):
    """Every SQLite connection is in WAL mode with a 256 KiB page cache (negative sizes are
    KiB), which SQLITE_CACHE_KIB changes; SQLite's own default is 2 MiB per connection."""
    assert sqlite_pragmas(tmp_path) == {"journal_mode": "wal", "cache_size": -256}
    assert sqlite_pragmas(tmp_path, SQLITE_CACHE_KIB="4096")["cache_size"] == -4096
