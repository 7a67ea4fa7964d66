"""Fixtures for end-to-end tests: databases and real server processes.

Databases (migrated and prepared with `manage.py demo_setup`, run as subprocesses):
- `sqlite_template`: a SQLite file prepared once per session; `sqlite_backend` gives a test
  a private copy of it (no Redis: the in-memory channel layer, one process).
- `services_databases`: two fresh PostgreSQL databases for this session,
  `redlines_e2e_<pid>` (the shared servers') and `redlines_e2e_<pid>_own` (for tests that
  start and kill their own servers), dropped at the end. With Redis they make
  `services_backend`. A service that cannot be reached FAILS the test, never skips it.

Servers, started once per session because each start (and each password login, ~1 s of
PBKDF2) costs seconds:
- `shared_pair`: two daphne processes on PostgreSQL + Redis, both running the timer loop;
- `shared_single`: one daphne process on a SQLite copy, running the timer loop;
- `leg`: the shared servers of the leg being run (`shared_pair` in the services leg,
  `shared_single` otherwise). Each test makes its own games on them.
"""

import itertools
import os
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import Server, daphne_servers, manage
from tablekit import SCREENSHOTS, Staff

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TIMER_ENV = {"GAME_TIMER_LOOP": "true", "GAME_TIMER_INTERVAL": "0.05"}
_prefixes = itertools.count(1)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.slow)


def services_leg() -> bool:
    """Is this the PostgreSQL + Redis leg of the suite (bin/test --services, CI)?"""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        return True
    url = os.environ.get("DATABASE_URL", "")
    return url.startswith(("postgres://", "postgresql://")) and bool(os.environ.get("REDIS_URL"))


# -- SQLite ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-sqlite-template")
    env = {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("demo_setup", env=env)
    return folder / "db.sqlite3"


def _sqlite_copy(template, folder) -> dict:
    target = folder / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copy(source, target.with_name(target.name + suffix))
    return {"DATABASE_URL": f"sqlite:///{target}"}


@pytest.fixture
def sqlite_backend(sqlite_template, tmp_path):
    return _sqlite_copy(sqlite_template, tmp_path)


# -- PostgreSQL and Redis ---------------------------------------------------------------------


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DATABASE_URL


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
def services_databases():
    """(shared, own): fresh PostgreSQL databases for this session; dropped at the end."""
    base = _postgres_url()
    shared = f"redlines_e2e_{os.getpid()}"
    own = f"{shared}_own"
    try:
        admin = _admin_connect(base)
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required for this test and unreachable at {base}: {exc}")

    def drop():
        with _admin_connect(base) as conn:
            for name in (own, shared):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url(name: str) -> str:
        return urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path=f"/{name}"))

    with admin:
        for name in (own, shared):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{shared}"')
    try:
        manage("migrate", "--noinput", "-v", "0", env={"DATABASE_URL": url(shared)})
        manage("demo_setup", env={"DATABASE_URL": url(shared)})
        with _admin_connect(base) as conn:  # a copy, while nothing is connected to it
            conn.execute(f'CREATE DATABASE "{own}" TEMPLATE "{shared}"')
        yield url(shared), url(own)
    finally:
        drop()


@pytest.fixture(scope="session")
def redis_service():
    import redis

    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        client = redis.Redis.from_url(url, socket_timeout=5)
        client.ping()
        client.close()
    except Exception as exc:
        pytest.fail(f"Redis is required for this test and unreachable at {url}: {exc}")
    return url


def _prefix() -> str:
    return f"redlines-e2e-{os.getpid()}-{next(_prefixes)}"


@pytest.fixture
def services_backend(services_databases, redis_service):
    """For a test that starts (and kills) its own servers: the session's own database, and
    a channel prefix of its own. No other server uses that database."""
    return {
        "DATABASE_URL": services_databases[1],
        "REDIS_URL": redis_service,
        "CHANNEL_PREFIX": _prefix(),
    }


@pytest.fixture
def leg_backend(request):
    """Back ends for a test's own servers: a private SQLite copy in the default leg;
    PostgreSQL and Redis in the services leg."""
    return request.getfixturevalue("services_backend" if services_leg() else "sqlite_backend")


# -- shared servers ---------------------------------------------------------------------------


@dataclass
class Shared:
    servers: list[Server]
    staff: Staff
    env: dict[str, str]

    @property
    def first(self) -> Server:
        return self.servers[0]

    def server(self, index: int) -> Server:
        """Servers taken in turn: index 0, 1, 2, ... on a pair alternate processes."""
        return self.servers[index % len(self.servers)]


@pytest.fixture(scope="session")
def shared_pair(services_databases, redis_service, tmp_path_factory):
    env = {
        "DATABASE_URL": services_databases[0],
        "REDIS_URL": redis_service,
        "CHANNEL_PREFIX": _prefix(),
        **TIMER_ENV,
    }
    log_dir = tmp_path_factory.mktemp("e2e-pair")
    with daphne_servers(env, count=2, log_dir=log_dir, name="pair") as servers:
        yield Shared(servers, Staff.login(servers[0].url), env)


@pytest.fixture(scope="session")
def shared_single(sqlite_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-single")
    env = {**_sqlite_copy(sqlite_template, folder), **TIMER_ENV}
    with daphne_servers(env, count=1, log_dir=folder, name="single") as servers:
        yield Shared(servers, Staff.login(servers[0].url), env)


@pytest.fixture
def leg(request) -> Shared:
    return request.getfixturevalue("shared_pair" if services_leg() else "shared_single")


# -- a real browser (Debian's Chromium, driven by Playwright) ---------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium under Playwright (never a downloaded browser). Without it the
    browser tests skip with one line, unless REQUIRE_BROWSER=1 (CI), where they fail.

    Module-scoped on purpose: Playwright's sync API runs an event loop in the test thread
    while it is open, and Django refuses database calls with a running loop around, so the
    browser must be closed before other tests run."""
    if not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): a full-page PNG in var/screenshots (CI keeps them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
