"""With the database out of reach, a real server answers 503 — JSON `database_unavailable`
under /api/, a short page elsewhere — instead of an HTML 500, and after the first failure at
once (tabletop.dbdown). The database is a closed port: no PostgreSQL is needed."""

import json
import time
import urllib.error
import urllib.request

import pytest
from servers import Server, free_port

pytestmark = pytest.mark.slow
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(server: Server, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{server.url}{path}", data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=30) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_answering(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log_tail()
        try:
            fetch(server, "/favicon.ico")
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(server.log_tail())


@pytest.mark.parametrize("pool", ["true", "false"])
def test_api_and_pages_answer_503_while_the_database_is_unreachable(tmp_path, pool):
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/gone",
        "DATABASE_POOL": pool,
        "DATABASE_POOL_TIMEOUT": "2",
        "DEBUG": "false",
        "SECRET_KEY": "e2e-database-down-" + "k" * 50,
        "SECURE_SSL_REDIRECT": "false",
    }
    server = Server(env, log_path=tmp_path / "daphne.log").start()
    try:
        wait_answering(server)
        for path, body in [
            ("/api/games/ABCDEF/view", None),
            ("/api/games/ABCDEF/join", {"name": "Ann", "team": "US"}),
            ("/api/scenarios/", None),
        ]:
            status, headers, content = fetch(server, path, body)
            assert status == 503, (path, status, content[:300], server.log_tail())
            assert headers["Content-Type"] == "application/json", (path, headers)
            assert json.loads(content)["code"] == "database_unavailable"
            assert headers["Retry-After"]
        for path in ("/", "/join/ABCDEF/", "/admin/login/"):
            status, headers, content = fetch(server, path)
            assert status == 503, (path, status, content[:300])
            assert b"database cannot be reached" in content
        status, _, content = fetch(server, "/healthz")
        assert status == 503 and json.loads(content)["database"]["ok"] is False
    finally:
        server.stop()
