import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

# Tests drive timers explicitly; the in-process timer loop would race them. Server processes
# started by end-to-end tests inherit this unless they set GAME_TIMER_LOOP themselves.
os.environ.setdefault("GAME_TIMER_LOOP", "false")


def pytest_configure(config):
    # pytest-django has loaded the settings before this file is imported, so the environment
    # default above comes too late for this process: switch the loop off here as well.
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        settings.GAME_TIMER_LOOP = False


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"red lines back ends: database={db} channel_layer={layer}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database, closed to this process's connections before it is
    dropped: PostgreSQL refuses to drop a database in use ("is being accessed by other
    users"), which left test_test behind after every run. Channels' test communicator keeps
    the database threads' connections open (it turns off the closing after each call), and
    the connection pool keeps its idle ones."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from game.realtime import dbthreads

    dbthreads.close_connections()
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)
    connections.close_all()
    for connection in connections.all():
        pools = getattr(type(connection), "_connection_pools", {})  # PostgreSQL's pools
        if connection.alias in pools:
            connection.close_pool()


@pytest.fixture
def require_services():
    """True when CI demands the real PostgreSQL + Redis leg (never skipped there)."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a free port (nothing kept on disk), to stop, start
    again on the same port, freeze (SIGSTOP: connections stay open, nothing answers) or
    thaw. It is always killed when the test ends."""

    def __init__(self, executable: str):
        self.executable = executable
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "the private redis-server did not start"
                assert self.process.poll() is None, "the private redis-server exited (port taken?)"
                time.sleep(0.05)

    def stop(self) -> None:
        """Gone, as after `redis-cli shutdown`: connections reset, the port refuses."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis():
    """A PrivateRedis, started (tests of Redis failures)."""
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is needed for the Redis failure tests")
        pytest.skip("no redis-server on this machine")
    redis = PrivateRedis(executable)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
