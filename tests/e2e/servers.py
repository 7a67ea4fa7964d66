"""Start real daphne server processes for end-to-end tests (127.0.0.1 only, bounded waits)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).with_name("daphne")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, *, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    import json

                    return json.loads(reply.read())
        except OSError as exc:
            last_error = exc
        time.sleep(0.2)
    raise TimeoutError(f"daphne on port {port} did not become healthy: {last_error}")


@contextmanager
def daphne_server(env: dict[str, str], *, port: int | None = None, log_path: Path | None = None):
    """Run `daphne tabletop.asgi:application` on 127.0.0.1:<port> until the block ends."""
    port = port or free_port()
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tabletop.settings", **env}
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "tabletop.asgi:application"],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(port)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if log_path:
            log.close()
