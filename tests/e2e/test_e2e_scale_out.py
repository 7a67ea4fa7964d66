"""Scale-out: two daphne processes, one PostgreSQL database, Redis as the channel layer.

Every role (and the facilitator) has one socket on each process. The test proves that:
- both sockets of a viewer receive the same events in the same order, and exactly the
  events that viewer may see (compared in full against the exported log);
- commands sent to both processes at once are serialised into one gapless log: every
  command gets its own seq, and no socket ever sees a gap.
"""

import asyncio
import time
from collections import Counter

import pytest
from tablekit import expected_for, join, log_problems

from game.realtime.botclient import BotClient

pytestmark = pytest.mark.services
SEED = 4242
ROLES = ("US", "JP", "ROK")
CHATS_PER_SOCKET = 8


def test_two_processes_same_events_same_order_and_serialised_commands(shared_pair):
    started = time.monotonic()
    one, two = shared_pair.servers
    staff = shared_pair.staff
    health = [server.wait_healthy() for server in (one, two)]
    assert all(h["channel_layer"]["backend"].endswith("RedisPubSubChannelLayer") for h in health)
    assert all(h["database"]["backend"] == "postgresql" for h in health)
    code = staff.create_game(one.url, seed=SEED)
    tokens = {role: join(two.url if i % 2 else one.url, code, role) for i, role in enumerate(ROLES)}

    async def scenario():
        # Logs start as early as the server allows: the facilitator's at seq 0 (?seq=0);
        # a player asking for seq 0 gets a fresh welcome instead, because the log holds its
        # own seating, so its log starts after the joins. All before the game starts.
        sockets = {}
        for server in (one, two):
            sockets[("facilitator", server.port)] = BotClient(
                server.ws_url(code) + "?seq=0",
                headers={"Cookie": staff.cookie},
                origin=server.origin,
                label=f"facilitator@{server.port}",
            )
            for role in ROLES:
                sockets[(role, server.port)] = BotClient(
                    server.ws_url(code),
                    token=tokens[role],
                    origin=server.origin,
                    seed=SEED,
                    last_seq=0,
                    label=f"{role}@{server.port}",
                )
        clients = list(sockets.values())
        await asyncio.gather(*(client.connect() for client in clients))
        try:
            fac = sockets[("facilitator", one.port)]
            # Bots play on alternating processes; their twins on the other only listen.
            players = [sockets[(role, (one, two)[i % 2].port)] for i, role in enumerate(ROLES)]

            await fac.send_command("start")
            # Concurrent burst on both processes: every socket chats at once.
            burst = [
                client.command(
                    "chat",
                    channel="all" if n % 2 else ("team" if client.role else "all"),
                    text=f"{client.label} says {n}",
                )
                for client in clients
                for n in range(CHATS_PER_SOCKET)
            ]
            answers = await asyncio.gather(*burst)
            # One full round of bot play across both processes, the facilitator
            # advancing from either process in turn.
            facilitators = [sockets[("facilitator", s.port)] for s in (one, two)]
            errors = []
            for step in range(5):
                for _ in range(6):
                    changed = False
                    for bot in players:
                        result = await bot.play()
                        errors += result.errors
                        changed = changed or result.changed
                    if not changed:
                        break
                last = await facilitators[step % 2].send_command("advance")
            await asyncio.gather(*(c.wait_seq(last["seq"], timeout=15) for c in clients))
            return sockets, answers, errors, last["seq"]
        finally:
            await asyncio.gather(*(client.close() for client in clients))

    sockets, answers, errors, last_seq = asyncio.run(asyncio.wait_for(scenario(), 60))
    record = staff.export(two.url, code)
    staff.command(one.url, code, "end")  # no leftover game for the shared servers' timers

    assert errors == []
    # Serialised: every chat was accepted with its own seq, and the log is gapless.
    assert [a["type"] for a in answers] == ["ack"] * len(answers)
    seqs = Counter(a["seq"] for a in answers)
    assert max(seqs.values()) == 1, "two concurrent commands were given the same seq"
    logged = [event["seq"] for event in record["events"]]
    assert logged == list(range(1, record["game"]["last_seq"] + 1))
    assert record["game"]["last_seq"] == last_seq
    chats = [e for e in record["events"] if e["kind"] == "chat_posted"]
    assert len(chats) == len(answers)
    offers = [e for e in record["events"] if e["kind"] == "offer_proposed"]
    assert offers, "the bots made no offers: the round exercised too little"

    # No socket saw a gap; every log began before the game started.
    assert log_problems(list(sockets.values())) == {}
    started_seq = next(e["seq"] for e in record["events"] if e["kind"] == "game_started")
    assert all(client.start_seq < started_seq for client in sockets.values())
    # Same events, same order on both processes, and exactly what each viewer may see.
    ports = sorted({port for _, port in sockets})
    for who in ("facilitator", *ROLES):
        viewer = (
            {"kind": "facilitator"} if who == "facilitator" else {"kind": "player", "role": who}
        )
        twins = [sockets[(who, port)] for port in ports]
        since = max(twin.start_seq for twin in twins)
        first, second = ([k for k in twin.kinds() if k[0] > since] for twin in twins)
        assert first == second, f"{who}: the two processes delivered different sequences"
        for twin in twins:
            expected = [k for k in expected_for(record, viewer) if k[0] > twin.start_seq]
            assert twin.kinds() == expected, f"{twin.label}: not exactly what it may see"
    for port in ports:
        assert sockets[("facilitator", port)].start_seq == 0
        assert len(sockets[("facilitator", port)].events) == record["game"]["last_seq"]
    assert time.monotonic() - started < 60
