"""deploy/nginx.conf, run by a real nginx in front of two stand-in processes: every request
for one game's socket goes to the same process, and every other request round robin.

Without nginx the test skips with one line, except under CI (REQUIRE_NGINX=1, set by
.ci/run, which installs it), where that is a failure."""

import itertools
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GAME_CODES = ["AB12CD", "EF34GH", "JK56LM", "NP78QR", "ST90UV", "WX23YZ", "QQ11QQ", "RR22RR"]
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def nginx_binary() -> str:
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail("nginx is required (REQUIRE_NGINX=1) but not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return NGINX


class Answer(BaseHTTPRequestHandler):
    """A stand-in web process: answers every request with its own port."""

    def do_GET(self):
        body = str(self.server.server_port).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_config(backends: list[int], port: int) -> str:
    """The shipped file with the stand-ins for Docker's `web` replicas and a local port."""
    text = CONF.read_text()
    replaced = {
        "server web:8000;": "\n".join(f"server 127.0.0.1:{b};" for b in backends),
        "listen 80;": f"listen 127.0.0.1:{port};",
        "resolver 127.0.0.11 valid=10s;": "",  # Docker's DNS; the stand-ins need none
    }
    for old, new in replaced.items():
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def proxy(nginx_binary, tmp_path):
    backends = [ThreadingHTTPServer(("127.0.0.1", 0), Answer) for _ in range(2)]
    for server in backends:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    (tmp_path / "site.conf").write_text(site_config([b.server_port for b in backends], port))
    temp = {k: tmp_path / k for k in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        "events {}\nhttp {\n    access_log off;\n"
        f"    client_body_temp_path {temp['body']};\n    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n    include {tmp_path / 'site.conf'};\n}}\n"
    )
    process = subprocess.Popen(
        [nginx_binary, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c",
         str(tmp_path / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode(errors="replace")
                    pytest.fail(f"nginx did not start:\n{output}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", [b.server_port for b in backends]
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in backends:
            server.shutdown()
            server.server_close()


def served_by(url: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    with _opener.open(request, timeout=5) as reply:
        return int(reply.read())


def test_every_socket_of_a_game_reaches_the_same_process(proxy):
    base, backends = proxy
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}
    placed = {}
    for code in GAME_CODES:
        seen = {served_by(f"{base}/ws/games/{code}/?views=3&n={n}") for n in range(4)}
        seen.add(served_by(f"{base}/ws/games/{code}/", upgrade))
        assert len(seen) == 1, f"game {code}'s sockets reached {sorted(seen)}"
        placed[code] = seen.pop()
    # The games themselves are spread: both processes serve some.
    assert set(placed.values()) == set(backends)


def test_other_requests_go_round_robin(proxy):
    base, backends = proxy
    served = [served_by(f"{base}/healthz?n={n}") for n in range(6)]
    assert sorted(served) == sorted(backends * 3)
    assert all(a != b for a, b in itertools.pairwise(served))
