"""The timer loop starts with the server process, not with its first request: a deadline
that passed while no server ran is caught up by a fresh daphne that nobody has requested
anything from (issue 10: 5 s after a restart a deadline was 4.8 s overdue)."""

import socket
import time

import pytest
from servers import Server
from tablekit import Staff, join, timed_scenario

TIMER_ENV = {"GAME_TIMER_LOOP": "true", "GAME_TIMER_INTERVAL": "0.1"}
WITHIN = 3.0  # seconds after the port opens by which the overdue phase must have advanced

pytestmark = pytest.mark.slow


def wait_listening(server: Server, timeout: float = 30.0) -> float:
    """Wait for the port to accept TCP connections, without sending any request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log_tail()
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.5):
                return time.time()
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"daphne did not listen in {timeout} s:\n{server.log_tail()}")


def test_a_fresh_process_ticks_overdue_games_before_any_request(leg_backend, tmp_path):
    seconds = {"briefing": 2, "disclosure": 60, "negotiation": 60, "decision": 60}
    first = Server({**leg_backend, **TIMER_ENV}, log_path=tmp_path / "first.log")
    idle = Server({**leg_backend, **TIMER_ENV}, log_path=tmp_path / "idle.log")
    reader = Server({**leg_backend, "GAME_TIMER_LOOP": "false"}, log_path=tmp_path / "reader.log")
    try:
        first.start().wait_healthy()
        staff = Staff.login(first.url)
        document = timed_scenario(seconds)
        staff.import_scenario(first.url, document)
        code = staff.create_game(first.url, scenario=document["slug"], seed=3)
        for role in ("US", "JP", "ROK"):
            join(first.url, code, role)
        staff.command(first.url, code, "start")
        deadline = staff.get(first.url, f"/api/games/{code}/view")["view"]["deadline"]
        first.kill()  # before the briefing's deadline
        time.sleep(max(0.0, deadline - time.time()) + 0.3)  # it passes with no server up

        idle.start()
        listening = wait_listening(idle)
        time.sleep(WITHIN)  # no request reaches this process
        idle.kill()

        reader.start().wait_healthy()  # its own timer loop is off: it only reads
        record = staff.export(reader.url, code)
    finally:
        for server in (first, idle, reader):
            server.stop()
    started = [
        e
        for e in record["events"]
        if e["kind"] == "phase_started" and e["data"]["phase"] == "disclosure"
    ]
    assert len(started) == 1, "the idle process never ticked the overdue briefing"
    from datetime import datetime

    at = datetime.fromisoformat(started[0]["at"]).timestamp()
    assert deadline <= at <= listening + WITHIN
