"""Flood benchmark: other teams' ping and command latency while one player floods frames.

    .venv/bin/python bench/flood.py                          # SQLite + in-memory
    .venv/bin/python bench/flood.py --backend services       # PostgreSQL + Redis
    .venv/bin/python bench/flood.py --frame sync --reconnect 0 --seconds 20 --json out.json

One daphne server is started on 127.0.0.1 (the settings of bench/perf.py) with one game in
progress. The victims: one socket of each other team of that game and one player of a second
game, each sending a `ping` 10 times a second and a chat command once a second (as pages and
players do, far more often). Two phases of `--seconds` each:

- `quiet`: the victims alone;
- `busy`: the control: a process of the load generator spins on a core for the phase, never
  talking to the server (on a small machine the flooder's own CPU slows everyone too);
- `flood`: one player of the first game opens its maximum of sockets (`SOCKETS_PER_PLAYER`)
  in a process of its own and sends `--frame` frames on each as fast as the socket takes
  them, reading (and dropping) whatever comes back. A socket the server closes is opened
  again after `--reconnect` seconds (a script that keeps trying), or not at all (`none`).

Reported per phase: the victims' ping → pong and chat → ack latencies (p50/p95/p99/max), and
for the flood, the frames the flooder sent, how its sockets were closed, how often it opened
them again, and the server's CPU seconds. Loops are bounded in count and time, on 127.0.0.1
only; the server is stopped and the temporary database removed.
"""

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from servers import daphne_servers, manage  # noqa: E402
from tablekit import Staff, join  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from bench.output import emit  # noqa: E402
from bench.perf import backend, cpu_seconds, latency_ms  # noqa: E402
from game.realtime.botclient import BotClient  # noqa: E402

ROLES = ("US", "JP", "ROK")
PINGS_PER_SECOND = 10
CHATS_PER_SECOND = 1
MAX_FRAMES_PER_SOCKET = 5_000_000
MAX_RECONNECTS = 2000
MAX_SECONDS = 300
FRAMES = {
    "chat": '{"type": "chat", "id": "flood", "channel": "all", "text": "flood"}',
    "ping": '{"type": "ping", "id": "flood"}',
    "sync": '{"type": "sync", "id": "flood"}',
    "junk": "{not json",
}


# -- the flooder (a process of its own, so its tight loops never delay the victims' clock) ----


async def drain(ws, tally: Counter) -> None:
    """Read (and drop) what the server sends, so that its writes never wait on this client."""
    async for _ in ws:
        tally["frames received"] += 1


async def flood_socket(url: str, origin: str, token: str, args, end: float, tally: Counter):
    """One of the player's sockets: open, say hello, send as fast as it takes frames; when
    the server closes it, open it again after args.reconnect seconds (or stop)."""
    frame = FRAMES[args.frame]
    while time.monotonic() < end and tally["opened"] < MAX_RECONNECTS:
        try:
            ws = await connect(url, origin=origin, open_timeout=10, ping_interval=None, proxy=None)
        except (OSError, TimeoutError) as error:
            tally[f"open failed: {type(error).__name__}"] += 1
            await asyncio.sleep(0.5)
            continue
        tally["opened"] += 1

        reader = asyncio.create_task(drain(ws, tally))
        try:
            await ws.send(f'{{"type": "hello", "token": "{token}"}}')
            sent = 0
            while time.monotonic() < end and sent < MAX_FRAMES_PER_SOCKET:
                await ws.send(frame)
                sent += 1
                if sent % 64 == 0:
                    await asyncio.sleep(0)  # let the reader see a close
            tally["frames sent"] += sent
        except ConnectionClosed:
            tally["frames sent"] += sent
        finally:
            await ws.close()
            await asyncio.gather(reader, return_exceptions=True)
            if ws.close_code is not None and time.monotonic() < end:
                tally[f"closed {ws.close_code} {ws.close_reason or ''}".strip()] += 1
        if args.reconnect is None:
            return
        await asyncio.sleep(args.reconnect)


def spinner(seconds: float, results) -> None:
    """The control: a process as busy as the flooder's, that never talks to the server."""
    end = time.monotonic() + seconds
    spins = 0
    while time.monotonic() < end:
        spins += 1
    results.put({"spins": spins})


def flooder(url: str, origin: str, token: str, args, seconds: float, results) -> None:
    async def main():
        tally: Counter = Counter()
        end = time.monotonic() + seconds
        await asyncio.gather(
            *(flood_socket(url, origin, token, args, end, tally) for _ in range(args.sockets))
        )
        return dict(tally)

    results.put(asyncio.run(main()))


# -- the victims --------------------------------------------------------------------------


async def victim(client: BotClient, seconds: float, pings: list, chats: list, failures: Counter):
    """Ping 10 times a second and chat once a second, on a fixed schedule, for `seconds`."""
    start = time.monotonic()

    async def timed(frame: dict, into: list, expected: str):
        began = time.perf_counter()
        try:
            answer = await client.send_raw(frame)
        except Exception as error:  # counted and reported
            failures[f"{frame['type']}: {type(error).__name__}"] += 1
            return
        if answer["type"] == expected:
            into.append(time.perf_counter() - began)
        else:
            failures[f"{frame['type']}: {answer.get('code', answer['type'])}"] += 1

    tasks = []
    for n in range(int(seconds * PINGS_PER_SECOND)):
        await asyncio.sleep(max(0.0, start + n / PINGS_PER_SECOND - time.monotonic()))
        tasks.append(asyncio.create_task(timed({"type": "ping"}, pings, "pong")))
        if n % (PINGS_PER_SECOND // CHATS_PER_SECOND) == 0:
            chat = {"type": "chat", "channel": "all", "text": f"{client.label} {n}"}
            tasks.append(asyncio.create_task(timed(chat, chats, "ack")))
    await asyncio.gather(*tasks)


async def phase(name: str, victims: list[BotClient], seconds: float, pids: list[int]) -> dict:
    pings: list[float] = []
    chats: list[float] = []
    failures: Counter = Counter()
    cpu = cpu_seconds(pids)
    await asyncio.gather(*(victim(v, seconds, pings, chats, failures) for v in victims))
    return {
        "phase": name,
        "pings": len(pings),
        "ping_ms": latency_ms(pings),
        "chats": len(chats),
        "chat_ms": latency_ms(chats),
        "failures": dict(failures),
        "server_cpu_s": round(cpu_seconds(pids) - cpu, 2),
    }


def run(args) -> dict:
    results = {"backend": args.backend, "frame": args.frame, "sockets": args.sockets}
    results["reconnect_s"] = args.reconnect
    results["seconds_per_phase"] = args.seconds
    results["phases"] = []
    with tempfile.TemporaryDirectory(prefix="redlines-flood-") as folder:
        folder = Path(folder)
        with backend(args, folder) as env:
            manage("migrate", "--noinput", "-v", "0", env=env)
            manage("demo_setup", env=env)
            env = {**env, "DJANGO_SETTINGS_MODULE": "bench.server_settings"}
            with daphne_servers(env, log_dir=folder, name="flood") as servers:
                server = servers[0]
                pids = [server.process.pid]
                staff = Staff.login(server.url)
                codes = [staff.create_game(server.url, seed=seed) for seed in (1, 2)]
                tokens = {role: join(server.url, codes[0], role) for role in ROLES}
                other = join(server.url, codes[1], "JP")
                for code in codes:
                    staff.command(server.url, code, "start")

                def victims():
                    return [
                        BotClient(
                            server.ws_url(code),
                            token=token,
                            origin=server.origin,
                            label=label,
                            ping_interval=None,
                            rate=100.0,  # the victims' own pace is the schedule above
                            burst=100,
                        )
                        for code, token, label in [
                            (codes[0], tokens["JP"], "JP"),
                            (codes[0], tokens["ROK"], "ROK"),
                            (codes[1], other, "other game"),
                        ]
                    ]

                flood = (server.ws_url(codes[0]), server.origin, tokens["US"])
                for name in ("quiet", "busy", "flood"):
                    measured = measure(args, name, victims(), pids, flood)
                    results["phases"].append(asyncio.run(measured))
                log = Path(server.log_path).read_text(errors="replace")
                results["killed_handlers"] = log.count("took too long to shut down")
    return results


async def measure(args, name: str, victims, pids, flood) -> dict:
    await asyncio.gather(*(v.connect() for v in victims))
    try:
        if name == "quiet":
            return await phase(name, victims, args.seconds, pids)
        spawn = multiprocessing.get_context("spawn")
        queue = spawn.Queue()
        if name == "busy":
            process = spawn.Process(target=spinner, args=(args.seconds + 1, queue))
        else:
            process = spawn.Process(target=flooder, args=(*flood, args, args.seconds + 1, queue))
        process.start()
        try:
            await asyncio.sleep(1)  # its sockets open and start flooding
            result = await phase(name, victims, args.seconds, pids)
            if name == "flood":
                result["flooder"] = await asyncio.to_thread(queue.get, True, args.seconds + 60)
        finally:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        return result
    finally:
        await asyncio.gather(*(v.close() for v in victims))


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def markdown(results: dict) -> str:
    lines = [
        "| back end | phase | pings answered (unanswered) | ping p50 / p95 / p99 / max (ms) | "
        "chat acks | "
        "chat p50 / p99 / max (ms) | server CPU (s) | flooder |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in results["phases"]:
        ping, chat = p["ping_ms"], p["chat_ms"]
        unanswered = sum(n for kind, n in p["failures"].items() if kind.startswith("ping"))
        flooder = ", ".join(f"{k}: {v}" for k, v in sorted(p.get("flooder", {}).items()))
        lines.append(
            f"| {results['backend']} | {p['phase']} | {p['pings']} ({unanswered}) | "
            f"{ms(ping['p50'])} / "
            f"{ms(ping['p95'])} / {ms(ping['p99'])} / {ms(ping['max'])} | {p['chats']} | "
            f"{ms(chat['p50'])} / {ms(chat['p99'])} / {ms(chat['max'])} | {p['server_cpu_s']} "
            f"| {flooder or '-'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "services"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--sockets", type=int, default=5, help="the flooder's sockets")
    parser.add_argument("--frame", choices=sorted(FRAMES), default="chat")
    parser.add_argument(
        "--reconnect",
        type=lambda v: None if v == "none" else float(v),
        default=1.0,
        help="seconds before a closed flooding socket is opened again, or 'none'",
    )
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--markdown", help="write the table here")
    args = parser.parse_args()
    if not 0 < args.seconds <= MAX_SECONDS or not 0 < args.sockets <= 50:
        parser.error(f"--seconds must be 0..{MAX_SECONDS}, --sockets 1..50")
    results = run(args)
    emit(markdown(results), results, args)
    print(f"handlers killed for taking too long: {results['killed_handlers']}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
