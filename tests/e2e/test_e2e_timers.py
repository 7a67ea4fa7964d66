"""Timed phases over real server processes: every phase with a timer advances by itself,
exactly once, at its deadline — with one process, with two processes each running the timer
loop, and across a crash and restart (the deadline lives in the database). Pause freezes the
remaining time, extend adds to it, and every client is told the deadline.

Scenarios are the bundled coalition-2022 cut to one or two rounds with timers of a few
seconds, imported through the REST API as staff.
"""

import asyncio
import time
from collections import Counter
from datetime import datetime

import pytest
from servers import Server
from tablekit import Staff, Table, join, log_problems, timed_scenario

from game import engine
from game.realtime.botclient import BotClient

TIMER_ENV = {"GAME_TIMER_LOOP": "true", "GAME_TIMER_INTERVAL": "0.1"}
# How late a tick may be: the loop runs every 0.1 s, but CI machines are busy.
SLACK = 1.5
ROLES = ("US", "JP", "ROK")


def at(event: dict) -> float:
    return datetime.fromisoformat(event["at"]).timestamp()


def is_start(round_no: int, phase: str):
    def check(event: dict) -> bool:
        return event["kind"] == "phase_started" and (
            event["data"]["round"],
            event["data"]["phase"],
        ) == (round_no, phase)

    return check


def phase_starts(events: list[dict]) -> list[tuple[int, str]]:
    return [
        (event["data"]["round"], event["data"]["phase"])
        for event in events
        if event["kind"] == "phase_started"
    ]


def assert_each_phase_started_once(record: dict, rounds: int) -> None:
    starts = phase_starts(record["events"])
    counts = Counter(starts)
    assert all(count == 1 for count in counts.values()), counts
    expected = [(r, phase) for r in range(1, rounds + 1) for phase in engine.PHASES]
    assert starts == expected[: len(starts)]


def prepare(server: Server, seconds: dict, *, rounds: int = 1, seed: int = 1, staff=None):
    staff = staff or Staff.login(server.url)
    document = timed_scenario(seconds, rounds=rounds)
    staff.import_scenario(server.url, document)
    code = staff.create_game(server.url, scenario=document["slug"], seed=seed)
    tokens = {role: join(server.url, code, role) for role in ROLES}
    return staff, code, tokens


def table_on(server: Server, staff: Staff, code: str, tokens: dict, *, seq0: bool = False):
    suffix = "?seq=0" if seq0 else ""
    facilitator = BotClient(
        server.ws_url(code) + suffix,
        headers={"Cookie": staff.cookie},
        origin=server.origin,
        label=f"facilitator@{server.port}",
    )
    players = [
        BotClient(
            server.ws_url(code),
            token=token,
            origin=server.origin,
            last_seq=0 if seq0 else None,
            label=f"{role}@{server.port}",
        )
        for role, token in tokens.items()
    ]
    return Table(code, facilitator, players)


def test_timed_phases_advance_once_pause_freezes_extend_adds(leg):
    """On the leg's shared servers (one process; two in the services leg). Also: a client
    connecting mid-phase gets the deadline in its welcome view."""
    seconds = {"briefing": 1, "disclosure": 1, "negotiation": 2, "decision": 1}
    server = leg.first
    staff, code, tokens = prepare(server, seconds, staff=leg.staff)

    async def scenario():
        async with table_on(server, staff, code, tokens) as table:
            fac = table.facilitator
            assert fac.view["deadline"] is None  # the lobby is untimed
            await fac.send_command("start")
            briefing = await fac.wait_event(is_start(1, "briefing"))
            assert briefing["data"]["deadline"] == pytest.approx(at(briefing) + 1)

            # A socket connecting mid-phase is told the deadline in its welcome view.
            async with BotClient(
                server.ws_url(code), token=tokens["US"], origin=server.origin, label="late"
            ) as late:
                phase = (late.view["round"], late.view["phase"])
                started = await fac.wait_event(is_start(*phase))
                assert late.view["deadline"] == started["data"]["deadline"]

            # Timed phases advance by themselves, at (not before) their deadline.
            disclosure = await fac.wait_event(is_start(1, "disclosure"), timeout=1 + SLACK)
            negotiation = await fac.wait_event(is_start(1, "negotiation"), timeout=1 + SLACK)
            for before, after in ((briefing, disclosure), (disclosure, negotiation)):
                assert before["data"]["deadline"] <= at(after)
                assert at(after) <= before["data"]["deadline"] + SLACK
                assert after["actor"]["kind"] == "system"
                assert fac.received_at[after["seq"]] >= before["data"]["deadline"]

            # Pause freezes the remaining time: no advance while paused, even past the
            # deadline the phase had.
            await asyncio.sleep(0.3)
            paused = await fac.send_command("pause")
            await fac.wait_seq(paused["seq"])
            remaining = fac.events[-1]["data"]["remaining"]
            assert fac.events[-1]["kind"] == "game_paused"
            assert 0.5 < remaining < 2.0
            original = negotiation["data"]["deadline"]
            await asyncio.sleep(max(0.0, original - time.time()) + 0.7)
            view = await fac.sync()
            assert (view["phase"], view["paused"], view["deadline"]) == (
                "negotiation",
                True,
                None,
            )
            assert view["remaining"] == remaining
            assert phase_starts(fac.events)[-1] == (1, "negotiation")

            # Resume restarts the frozen time; extend adds to it.
            resumed = await fac.send_command("resume")
            await fac.wait_seq(resumed["seq"])
            event = fac.events[-1]
            assert event["kind"] == "game_resumed"
            assert event["data"]["deadline"] == pytest.approx(at(event) + remaining)
            extended = await fac.send_command("extend", seconds=1)
            await fac.wait_seq(extended["seq"])
            event = fac.events[-1]
            assert event["kind"] == "timer_extended"
            deadline = event["data"]["deadline"]
            assert deadline == pytest.approx(at(fac.events[-2]) + remaining + 1)
            decision = await fac.wait_event(is_start(1, "decision"), timeout=remaining + 1 + SLACK)
            assert deadline <= at(decision) <= deadline + SLACK
            assert fac.received_at[decision["seq"]] >= deadline

            # Decision ends by its timer; results are untimed and wait for the facilitator.
            results = await fac.wait_event(is_start(1, "results"), timeout=1 + SLACK)
            assert results["data"]["deadline"] is None
            assert at(results) >= decision["data"]["deadline"]
            await asyncio.sleep(1.0)
            assert phase_starts(fac.events)[-1] == (1, "results")
            final = await fac.send_command("advance")
            await table.settle(final["seq"])
            return table

    table = asyncio.run(asyncio.wait_for(scenario(), 60))
    record = staff.export(server.url, code)

    assert record["game"]["status"] == "ended"
    assert_each_phase_started_once(record, rounds=1)
    assert log_problems(table.clients) == {}
    # Every client was told every deadline: the same timer events, with the same data.
    timer_kinds = {"phase_started", "game_paused", "game_resumed", "timer_extended"}
    timeline = [
        (e["kind"], e["data"]) for e in table.facilitator.events if e["kind"] in timer_kinds
    ]
    assert len(timeline) == 5 + 3
    for player in table.bots:
        assert [(e["kind"], e["data"]) for e in player.events if e["kind"] in timer_kinds] == (
            timeline
        )


def test_restart_mid_phase_keeps_the_deadline(leg_backend, tmp_path):
    """Kill the only server mid-phase and start another: the phase still advances once, at its
    deadline. Kill it again and let a deadline pass while no server runs: the next server
    advances the phase once, as soon as it is up."""
    seconds = {"briefing": 1, "disclosure": 5, "negotiation": 1, "decision": 1}
    env = {**leg_backend, **TIMER_ENV}
    servers = [Server(env, log_path=tmp_path / f"daphne-{n}.log") for n in range(3)]
    try:
        first = servers[0].start()
        first.wait_healthy()
        staff, code, _ = prepare(first, seconds)
        staff.command(first.url, code, "start")
        deadline = None
        for _ in range(100):  # bounded: ~1 s of briefing
            view = staff.get(first.url, f"/api/games/{code}/view")["view"]
            if view["phase"] == "disclosure":
                deadline = view["deadline"]
                break
            time.sleep(0.05)
        assert deadline is not None, "the briefing did not end by itself"
        first.kill()  # a crash, mid-disclosure
        assert time.time() < deadline - 2, "too slow to restart before the deadline"

        second = servers[1].start()
        second.wait_healthy()  # its first request starts its timer loop

        async def watch(server: Server, round_no: int, phase: str, timeout: float) -> dict:
            url = server.ws_url(code) + "?seq=0"
            client = BotClient(url, headers={"Cookie": staff.cookie}, origin=server.origin)
            async with client:
                event = await client.wait_event(is_start(round_no, phase), timeout=timeout)
                assert log_problems([client]) == {}
                return event

        negotiation = asyncio.run(watch(second, 1, "negotiation", deadline - time.time() + SLACK))
        assert deadline <= at(negotiation) <= deadline + SLACK
        second.kill()  # a crash, as soon as negotiation began
        next_deadline = negotiation["data"]["deadline"]
        time.sleep(max(0.0, next_deadline - time.time()) + 0.5)  # passes with no server up

        third = servers[2].start()
        up = time.time()
        third.wait_healthy()
        decision = asyncio.run(watch(third, 1, "decision", 5 + SLACK))
        assert up <= at(decision) <= time.time()
        results = asyncio.run(watch(third, 1, "results", 1 + SLACK))
        assert at(results) >= decision["data"]["deadline"]
        record = staff.export(third.url, code)
    finally:
        for server in servers:
            server.stop()
    assert_each_phase_started_once(record, rounds=1)
    assert phase_starts(record["events"])[-1] == (1, "results")


@pytest.mark.services
def test_two_processes_both_ticking_advance_each_phase_once(shared_pair):
    """Both processes run the timer loop (every 50 ms) against the same games: every timed
    phase still starts exactly once, and both processes' sockets see the same log."""
    seconds = {"briefing": 1, "disclosure": 1, "negotiation": 1, "decision": 1}
    one, two = shared_pair.servers
    assert shared_pair.env["GAME_TIMER_LOOP"] == "true"
    staff, code, tokens = prepare(one, seconds, rounds=2, staff=shared_pair.staff)

    async def scenario():
        tables = [table_on(server, staff, code, tokens, seq0=True) for server in (one, two)]
        async with tables[0], tables[1]:
            fac = tables[0].facilitator
            await fac.send_command("start")
            for round_no in (1, 2):
                await fac.wait_event(is_start(round_no, "results"), timeout=4 * (1 + SLACK))
                last = await fac.send_command("advance")
            for table in tables:
                await table.settle(last["seq"])
            return tables

    tables = asyncio.run(asyncio.wait_for(scenario(), 60))
    record = staff.export(two.url, code)

    assert record["game"]["status"] == "ended"
    assert_each_phase_started_once(record, rounds=2)
    assert len(phase_starts(record["events"])) == 10
    timed = [e for e in record["events"] if e["kind"] == "phase_started"]
    assert [e["actor"]["kind"] for e in timed if e["data"]["phase"] != "briefing"] == ["system"] * 8
    first, second = tables
    assert log_problems(first.clients + second.clients) == {}
    for a, b in zip(first.clients, second.clients, strict=True):
        since = max(a.start_seq, b.start_seq)
        assert [k for k in a.kinds() if k[0] > since] == [k for k in b.kinds() if k[0] > since]
