"""Broadcast benchmark: N tables of sockets on one or two daphne processes (127.0.0.1 only).

Every table is a game of the bundled coalition-2022 scenario with `--sockets` player sockets
per role plus one facilitator socket, spread over the processes in turn. Every player socket
sends `--messages` chat messages to all, at its own pace (the bot client keeps just under
the server's rate limit of 10 frames/s per socket), all tables at once. Each message is one
command (one commit) and one broadcast, delivered to every socket of its table.

Reported: commands/s (commits), deliveries/s (events received by sockets), and the
latency from sending a command to each socket receiving its event (p50/p95/p99/max), and
whether any socket saw a gap. Bounded: every wait has a timeout; servers are stopped at the
end; the temporary database is removed.

    .venv/bin/python bench/broadcast.py                         # SQLite, in-memory, 1 process
    .venv/bin/python bench/broadcast.py --backend services --processes 2   # PostgreSQL + Redis
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from servers import daphne_servers, manage  # noqa: E402
from tablekit import Staff, join  # noqa: E402

from game.realtime.botclient import BotClient, contiguous  # noqa: E402

ROLES = ("US", "JP", "ROK")
MAX_TABLES, MAX_SOCKETS, MAX_MESSAGES = 50, 10, 200


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_tables(servers, staff: Staff, args) -> dict:
    tables = []
    for t in range(args.tables):
        code = staff.create_game(servers[0].url, seed=t)
        tokens = {role: join(servers[0].url, code, role) for role in ROLES}
        staff.command(servers[0].url, code, "start")
        clients = [
            BotClient(
                servers[t % len(servers)].ws_url(code),
                headers={"Cookie": staff.cookie},
                origin=servers[0].origin,
                label=f"t{t}-facilitator",
            )
        ]
        n = 0
        for role in ROLES:
            for k in range(args.sockets):
                server = servers[(t + n + 1) % len(servers)]
                n += 1
                clients.append(
                    BotClient(
                        server.ws_url(code),
                        token=tokens[role],
                        origin=server.origin,
                        label=f"t{t}-{role}-{k}",
                    )
                )
        tables.append((code, clients))
    everyone = [client for _, clients in tables for client in clients]
    await asyncio.gather(*(client.connect() for client in everyone))
    sent_at: dict[tuple[int, int], float] = {}
    committed_at: dict[tuple[int, int], float] = {}

    async def talk(t: int, client: BotClient, start: float):
        for m in range(args.messages):
            if args.rate:  # an open-loop schedule: offered load independent of latency
                await asyncio.sleep(max(0.0, start + m / args.rate - time.monotonic()))
            began = time.time()
            answer = await client.command("chat", channel="all", text=f"{client.label} {m}")
            if answer["type"] == "ack":
                sent_at[(t, answer["seq"])] = began

    try:
        began = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    talk(t, c, began + 0.5 * i / len(everyone))
                    for t, (_, clients) in enumerate(tables)
                    for i, c in enumerate(clients[1:])
                )
            ),
            args.timeout,
        )
        last = {t: max(seq for (tt, seq) in sent_at if tt == t) for t in range(len(tables))}
        await asyncio.gather(
            *(
                client.wait_seq(last[t], timeout=args.timeout)
                for t, (_, clients) in enumerate(tables)
                for client in clients
            )
        )
        elapsed = time.monotonic() - began
    finally:
        await asyncio.gather(*(client.close() for client in everyone))
    for t, (_, clients) in enumerate(tables):
        for event in clients[0].events:
            committed_at[(t, event["seq"])] = datetime.fromisoformat(event["at"]).timestamp()
    to_commit = [committed_at[key] - sent for key, sent in sent_at.items() if key in committed_at]
    latencies = [
        client.received_at[seq] - sent
        for (t, seq), sent in sent_at.items()
        for client in tables[t][1]
        if seq in client.received_at
    ]
    for code, _ in tables:
        staff.command(servers[0].url, code, "end")
    return {
        "commands": len(sent_at),
        "deliveries": len(latencies),
        "seconds": elapsed,
        "latencies": latencies,
        "gaps": sum(len(contiguous(client)) for client in everyone),
        "rate_limited": sum(client.rate_limited for client in everyone),
        "to_commit": to_commit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "services"), default="sqlite")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--tables", type=int, default=4)
    parser.add_argument("--sockets", type=int, default=2, help="player sockets per role")
    parser.add_argument("--messages", type=int, default=10, help="chats per player socket")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="messages/s per socket on a fixed schedule (0: as fast as the answers come)",
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="PostgreSQL: no pool, CONN_MAX_AGE=N instead (default: the connection pool)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--log-dir", help="keep the servers' logs here (default: discarded)")
    args = parser.parse_args()
    if not (0 < args.tables <= MAX_TABLES and 0 < args.sockets <= MAX_SOCKETS):
        parser.error(f"at most {MAX_TABLES} tables and {MAX_SOCKETS} sockets per role")
    if not 0 < args.messages <= MAX_MESSAGES:
        parser.error(f"at most {MAX_MESSAGES} messages per socket")
    if args.rate < 0 or args.rate > 8:
        parser.error("--rate must be 0..8 (the server allows 10 frames/s per socket)")
    if args.backend == "sqlite" and args.processes != 1:
        parser.error("SQLite and the in-memory channel layer serve one process only")

    with tempfile.TemporaryDirectory(prefix="redlines-bench-") as folder:
        folder = Path(folder)
        database = None
        if args.backend == "sqlite":
            env = {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
        else:
            import psycopg

            database = f"redlines_bench_{os.getpid()}"
            admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
            admin.autocommit = True
            admin.execute(f'CREATE DATABASE "{database}"')
            env = {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "CHANNEL_PREFIX": f"redlines-bench-{uuid.uuid4().hex[:8]}",
            }
            if args.conn_max_age is not None:
                env.update(DATABASE_POOL="false", CONN_MAX_AGE=str(args.conn_max_age))
        try:
            manage("migrate", "--noinput", "-v", "0", env=env)
            manage("demo_setup", env=env)
            log_dir = Path(args.log_dir) if args.log_dir else folder
            log_dir.mkdir(parents=True, exist_ok=True)
            with daphne_servers(env, count=args.processes, log_dir=log_dir) as servers:
                staff = Staff.login(servers[0].url)
                result = asyncio.run(run_tables(servers, staff, args))
        finally:
            if database:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                admin.close()

    latencies = result.pop("latencies")
    to_commit = result.pop("to_commit")
    summary = {
        "backend": args.backend,
        "processes": args.processes,
        "tables": args.tables,
        "sockets_per_table": 1 + 3 * args.sockets,
        "rate_per_socket": args.rate or "max",
        **result,
        "commands_per_s": result["commands"] / result["seconds"],
        "deliveries_per_s": result["deliveries"] / result["seconds"],
        "latency_ms": {
            "p50": 1000 * statistics.median(latencies),
            "p95": 1000 * percentile(latencies, 0.95),
            "p99": 1000 * percentile(latencies, 0.99),
            "max": 1000 * max(latencies),
            "p50_to_commit": 1000 * statistics.median(to_commit),
        },
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    lat = summary["latency_ms"]
    print(
        f"| {args.backend} | {args.processes} | {args.tables} | {summary['sockets_per_table']} "
        f"| {summary['rate_per_socket']} "
        f"| {result['commands']} | {summary['commands_per_s']:.0f} "
        f"| {summary['deliveries_per_s']:.0f} | {lat['p50']:.0f} / {lat['p95']:.0f} / "
        f"{lat['p99']:.0f} | {result['gaps']} |"
    )


if __name__ == "__main__":
    main()
