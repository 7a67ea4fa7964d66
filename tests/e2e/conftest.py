"""Fixtures for end-to-end tests: migrated databases for real server processes.

- `sqlite_backend`: a private copy of a SQLite file that was migrated and prepared with
  `manage.py demo_setup` once per session (both run as subprocesses); no Redis, so each
  server uses the in-memory channel layer.
- `services_backend`: a fresh PostgreSQL database created for this session
  (`redlines_e2e_<pid>`, migrated and prepared once, dropped at the end) and Redis with a
  channel prefix unique to the test. For tests marked `services`: a service that cannot be
  reached FAILS the test; it is never skipped.
"""

import itertools
import os
import shutil
import urllib.parse

import pytest
from servers import manage

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
_prefixes = itertools.count(1)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-sqlite-template")
    env = {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("demo_setup", env=env)
    return folder / "db.sqlite3"


@pytest.fixture
def sqlite_backend(sqlite_template, tmp_path):
    target = tmp_path / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        source = sqlite_template.with_name(sqlite_template.name + suffix)
        if source.exists():
            shutil.copy(source, target.with_name(target.name + suffix))
    return {"DATABASE_URL": f"sqlite:///{target}"}


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DATABASE_URL


def _redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def _admin_connect(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture(scope="session")
def services_database():
    """A fresh PostgreSQL database for this session's server processes; dropped at the end."""
    base = _postgres_url()
    name = f"redlines_e2e_{os.getpid()}"
    try:
        admin = _admin_connect(base)
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required for this test and unreachable at {base}: {exc}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(base)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    try:
        env = {"DATABASE_URL": url}
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("demo_setup", env=env)
        yield url
    finally:
        with _admin_connect(base) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    import redis

    url = _redis_url()
    try:
        client = redis.Redis.from_url(url, socket_timeout=5)
        client.ping()
        client.close()
    except Exception as exc:
        pytest.fail(f"Redis is required for this test and unreachable at {url}: {exc}")
    return url


@pytest.fixture
def services_backend(services_database, redis_url):
    prefix = f"redlines-e2e-{os.getpid()}-{next(_prefixes)}"
    return {"DATABASE_URL": services_database, "REDIS_URL": redis_url, "CHANNEL_PREFIX": prefix}


def services_leg() -> bool:
    """Is this the PostgreSQL + Redis leg of the suite (bin/test --services, CI)?"""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        return True
    url = os.environ.get("DATABASE_URL", "")
    return url.startswith(("postgres://", "postgresql://")) and bool(os.environ.get("REDIS_URL"))


@pytest.fixture
def leg_backend(request):
    """The back ends of the leg being run: a SQLite file with the in-memory channel layer in
    the default leg; PostgreSQL and Redis in the services leg (where they must be up)."""
    name = "services_backend" if services_leg() else "sqlite_backend"
    return request.getfixturevalue(name)
