"""Real server processes for end-to-end tests: daphne and manage.py, on 127.0.0.1 only.

Every wait is bounded, every process is stopped (or killed) when its block ends, and each
server logs to a file whose tail is shown when it fails to come up.

The environment of a child is built from scratch for what matters to the tests: the
caller's DATABASE_URL / REDIS_URL / CHANNEL_PREFIX / GAME_TIMER_LOOP are *not* inherited
(a test names its back ends explicitly), the join rate limit is lifted (every test client
joins from 127.0.0.1), and logs go to WARNING.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "CHANNEL_PREFIX", "GAME_TIMER_LOOP")
# No proxy for 127.0.0.1, whatever the environment says.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "tabletop.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "true",  # the development key; production mode is tested in tests/platform
        "JOIN_RATE_LIMIT": "100000",
        # Tests play many sockets and messages from one address and player, on purpose.
        "SOCKETS_PER_PLAYER": "1000",
        "SOCKETS_PER_ADDRESS": "100000",
        "COMMAND_RATE_PER_PLAYER": "100000",
        "CHAT_PER_MINUTE": "100000",
        "LOG_LEVEL": "WARNING",
        "GAME_TIMER_LOOP": "false",
        **env,
    }


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run `manage.py <args>` with `env`; return its output, or fail with it."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return completed.stdout


class Server:
    """One `daphne tabletop.asgi:application` process on 127.0.0.1:<port>."""

    def __init__(self, env: dict[str, str], *, log_path: Path, port: int | None = None):
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.url

    def ws_url(self, code: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/games/{code}/"

    def argv(self) -> list[str]:
        return [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "tabletop.asgi:application"]

    def start(self) -> "Server":
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.argv(),
            cwd=ROOT,
            env=child_env(self.env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches any child too
        )
        return self

    def log_tail(self, size: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode(errors="replace")
        except OSError:
            return ""

    def wait_healthy(self, *, timeout: float = 30.0) -> dict:
        """Poll /healthz until it answers 200; fail fast if the process exits."""
        deadline = time.monotonic() + timeout
        last_error: object = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"daphne on port {self.port} exited with {self.process.returncode}:\n"
                    f"{self.log_tail()}"
                )
            try:
                with _opener.open(f"{self.url}/healthz", timeout=2) as reply:
                    return json.loads(reply.read())
            except urllib.error.HTTPError as exc:  # 503: a back end is not ready
                last_error = f"{exc.code} {exc.read()[:500]!r}"
            except OSError as exc:
                last_error = exc
            time.sleep(0.1)
        raise TimeoutError(
            f"daphne on port {self.port} did not become healthy in {timeout:.0f} s "
            f"({last_error}):\n{self.log_tail()}"
        )

    def stop(self, *, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        self._signal(signal.SIGTERM, timeout)
        if self._log:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL: a crash, no clean shutdown."""
        self._signal(signal.SIGKILL, 10.0)

    def _signal(self, sig: int, timeout: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def daphne_servers(
    env: dict[str, str],
    *,
    count: int = 1,
    log_dir: Path,
    name: str = "daphne",
    server_class: type[Server] = Server,
):
    """Start `count` daphne processes (or `server_class`'s) in parallel on free ports; stop
    them all at the end.

    A process that loses its port to a race is restarted on another (up to 3 tries).
    """
    with ExitStack() as stack:
        servers = []
        for index in range(count):
            server = server_class(env, log_path=log_dir / f"{name}-{index}.log").start()
            stack.callback(server.stop)
            servers.append(server)
        for server in servers:
            for attempt in range(3):
                try:
                    server.wait_healthy()
                    break
                except RuntimeError:
                    if attempt == 2 or "Address already in use" not in server.log_tail():
                        raise
                    server.stop()
                    server.port = free_port()
                    server.start()
        yield servers


@contextmanager
def daphne_server(env: dict[str, str], *, log_dir: Path, name: str = "daphne"):
    """One daphne process (see daphne_servers)."""
    with daphne_servers(env, count=1, log_dir=log_dir, name=name) as servers:
        yield servers[0]
