"""A whole game of the bundled coalition-2022 scenario over real WebSockets.

The leg's shared servers: one daphne process on a SQLite file with the in-memory channel
layer; in the services leg two processes on PostgreSQL and Redis, the bots spread over
both. One bot client per role
(game.realtime.botclient, deciding with the engine's bot_plan from its own view) and a
facilitator client logged in with a Django session, which starts the game and advances
every phase to the end.
"""

import asyncio
import time

from tablekit import Table, expected_for, join, log_problems

from game import engine
from game.realtime.botclient import BotClient

SEED = 20220224


async def _play_whole_game(table: Table) -> int:
    """The facilitator starts and advances; between advances the bots play turn by turn."""
    facilitator = table.facilitator
    ack = await facilitator.send_command("start")
    errors = []
    for _ in range(200):  # bounded: 4 rounds x 5 phases need 20 advances
        errors += await table.bots_play()
        ack = await facilitator.send_command("advance")
        await facilitator.wait_seq(ack["seq"])
        if facilitator.view is not None and any(
            event["kind"] == "game_ended" for event in facilitator.events[-5:]
        ):
            break
    assert not errors, errors
    return ack["seq"]


def test_full_game_over_real_sockets(leg):
    started = time.monotonic()
    server, staff = leg.first, leg.staff
    code = staff.create_game(server.url, seed=SEED)
    tokens = {role: join(server.url, code, role) for role in ("US", "JP", "ROK")}

    async def scenario():
        facilitator = BotClient(
            server.ws_url(code),
            headers={"Cookie": staff.cookie},
            origin=server.origin,
            label="facilitator",
        )
        bots = [
            BotClient(
                leg.server(n + 1).ws_url(code),
                token=token,
                origin=leg.server(n + 1).origin,
                seed=SEED,
                label=role,
            )
            for n, (role, token) in enumerate(tokens.items())
        ]
        async with Table(code, facilitator, bots) as table:
            assert facilitator.you["kind"] == "facilitator"
            assert [bot.role for bot in bots] == ["US", "JP", "ROK"]
            final_seq = await _play_whole_game(table)
            await table.settle(final_seq)
            await asyncio.gather(*(client.sync() for client in table.clients))
            return table

    table = asyncio.run(asyncio.wait_for(scenario(), 60))
    record = staff.export(server.url, code)

    facilitator = table.facilitator
    # The game ended, with a final score for every role.
    assert record["game"]["status"] == "ended"
    final = record["final"]
    assert set(final["roles"]) == {"US", "JP", "ROK"}
    assert all(isinstance(score, float | int) for score in final["roles"].values()), final
    assert final["rounds"] == 4
    for client in table.clients:
        assert client.view["status"] == "ended"
        assert client.view["final"] == final
        assert client.seq == record["game"]["last_seq"]

    # Every client saw contiguous seqs: no gap, no anomaly, every event once.
    assert log_problems(table.clients) == {}
    # The facilitator received every event after its welcome; each bot exactly the events
    # its role may see (it joined before connecting, so its log starts at its welcome).
    seqs = [e["seq"] for e in facilitator.events]
    assert seqs == list(range(facilitator.start_seq + 1, record["game"]["last_seq"] + 1))
    for bot in table.bots:
        expected = expected_for(record, {"kind": "player", "role": bot.role})
        assert bot.kinds() == [item for item in expected if item[0] > bot.start_seq]

    # The final results are exactly what the engine replays from the exported log.
    replayed = engine.replay(
        record["scenario"], seed=record["game"]["seed"], events=record["events"]
    )
    assert replayed["final"] == final
    assert replayed["results"] == record["results"]
    # And the same as the engine's own bot game with the same seed: the remote bots decided
    # from their views exactly as in-process bots do.
    state, _ = engine.play_game(record["scenario"], seed=SEED)
    assert state["final"] == final

    # One phase_started per (round, phase), 4 rounds x 5 phases.
    starts = [
        (e["data"]["round"], e["data"]["phase"])
        for e in record["events"]
        if e["kind"] == "phase_started"
    ]
    assert len(starts) == len(set(starts)) == 20
    assert time.monotonic() - started < 60
