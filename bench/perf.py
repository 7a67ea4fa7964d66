"""Performance benchmark: the game against a bare relay, same server, same back ends, same run.

    .venv/bin/python bench/perf.py                                   # SQLite + in-memory
    .venv/bin/python bench/perf.py --backend services                # PostgreSQL + Redis
    .venv/bin/python bench/perf.py --backend services --processes 2  # scale-out
    .venv/bin/python bench/perf.py --tables 4,20,50 --rate 1 --json out.json --markdown out.md
    .venv/bin/python bench/perf.py --tables 20 --rate 0.4,0.6,0.8     # each table count at each
    .venv/bin/python bench/perf.py --backend services --processes 2 --cpu-per-process 0.35

One daphne server (or two) is started on 127.0.0.1 with BENCH_RELAY=1, which routes the bare
relay consumer (game/realtime/relay.py: join a group, relay each text frame to it, nothing
else). For each table count, these runs are interleaved on that same server:

- `relay`: tables of 7 relay sockets; the 6 "player" sockets each send ~1 KB frames, paced
  like a browser (the bot client's pacer) and either as fast as their own echo comes back
  (`--rate 0`, saturation) or on a fixed open-loop schedule (`--rate R` per socket);
- `chat`: the same shape with the game: tables of 1 facilitator + 2 sockets per role of the
  bundled coalition-2022 scenario; the 6 player sockets send chat commands the same way;
- `mix`: the same tables playing whole games: one bot per role plays with the engine's
  bot_plan (reveals, offers, answers, drafts, locks), the three at once as teams negotiate
  side by side (`--teams in-turn`: one after the other, as until round 9), and the
  facilitator advances every phase once none of them has anything left to do;
  the other player sockets (and the facilitator) follow the view as pages do (`views=3`:
  whole once, then the parts changed, inside each events frame), and so do the bots: each
  plays from the view pushed with each broadcast, as a page would, rather than asking for a
  snapshot every turn;
- `relay` again (the baseline is the mean of the two relay runs around the game runs).

Reported per run: commands/s (relay: broadcasts/s), deliveries/s, the latency from sending a
command (its frame leaving the client, after the client's pacer) to each table member
receiving its event (p50/p95/p99), server CPU per command (from
/proc), the load generator's own CPU share, how busy the whole machine was (all cores:
servers, database, Redis and the load generator), and the load average; per back end:
RSS per idle authenticated socket, for the game (games in progress) and for the relay, each
on a fresh server. Every loop is bounded in count
and time (`--seconds` per run), servers are stopped and the temporary database removed.
"""

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from servers import Server, daphne_servers, manage  # noqa: E402
from tablekit import Staff, join  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from bench.output import emit  # noqa: E402
from game.realtime import protocol  # noqa: E402
from game.realtime.botclient import BotClient, CommandError, Pacer, contiguous  # noqa: E402

ROLES = ("US", "JP", "ROK")
MAX_TABLES = 50
MAX_COMMANDS_PER_SOCKET = 2000
PAD = "x" * 1000
CLK_TCK = os.sysconf("SC_CLK_TCK")
UVICORN = Path(sys.executable).with_name("uvicorn")  # only for --server uvicorn
PACE = {"rate": protocol.RATE_PER_SECOND * 0.8, "burst": protocol.RATE_BURST - 5}


# -- measuring the server --------------------------------------------------------------------


def machine_busy() -> tuple[float, float]:
    """The machine's CPU time busy and in all, in clock ticks over every core (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def busy_share(before: tuple[float, float]) -> float:
    """The share of the machine's CPU (all cores) that was busy since `before`."""
    busy, total = machine_busy()
    return (busy - before[0]) / max(1, total - before[1])


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def latency_ms(latencies: list[float]) -> dict:
    if not latencies:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    return {
        "p50": 1000 * statistics.median(latencies),
        "p95": 1000 * percentile(latencies, 0.95),
        "p99": 1000 * percentile(latencies, 0.99),
        "max": 1000 * max(latencies),
    }


# -- clients ---------------------------------------------------------------------------------


class TimedBot(BotClient):
    """A bot client that notes when each of its accepted commands was sent (by its seq):
    when its frame left, after the client's pacer let it go (an open-loop `mix` bot waits
    seconds there between its commands, time the server has no part in)."""

    def __init__(self, *args, sent: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = sent
        self._left: dict[str, float] = {}  # frame id -> when it was sent

    async def _send(self, frame: dict) -> None:
        await super()._send(frame)  # the pacer's wait, then the frame handed to the socket
        if frame["type"] not in ("hello", "sync", "ping"):
            self._left[frame["id"]] = time.time()

    async def command(self, type: str, **payload) -> dict:
        answer = await super().command(type, **payload)
        left = self._left.pop(answer.get("id"), None)
        if answer["type"] == "ack" and not answer.get("duplicate") and left is not None:
            self.sent[answer["seq"]] = left
        return answer


class RelaySocket:
    """One socket of the bare relay: sends padded frames, notes when each frame arrives."""

    def __init__(self, url: str, label: str):
        self.url, self.label = url, label
        self.received: dict[tuple[str, int], float] = {}
        self.pacer = Pacer(**PACE)
        self._echo: dict[int, asyncio.Future] = {}
        self._reader = None

    async def connect(self):
        origin = "http://" + self.url.split("/")[2]
        self.ws = await connect(
            self.url, origin=origin, proxy=None, ping_interval=None, open_timeout=15
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self):
        with contextlib.suppress(Exception):
            async for text in self.ws:
                message = protocol.loads(text)  # as the bot client parses
                self.received[(message["s"], message["n"])] = time.time()
                if message["s"] == self.label and message["n"] in self._echo:
                    self._echo.pop(message["n"]).set_result(None)

    async def send(self, n: int, *, wait: bool) -> float:
        await self.pacer.take()
        future = asyncio.get_running_loop().create_future()
        if wait:
            self._echo[n] = future
        began = time.time()
        await self.ws.send(protocol.dumps({"s": self.label, "n": n, "pad": PAD}))
        if wait:
            await asyncio.wait_for(future, 15)
        return began

    async def close(self):
        await self.ws.close()
        if self._reader:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)


# -- workloads -------------------------------------------------------------------------------


def spread(index: int, count: int, rate: float) -> float:
    """A sender's start offset: open-loop senders are spread evenly over one period (all at
    once would offer bursts, not a rate); saturating ones over half a second."""
    return index / count / rate if rate else 0.5 * index / count


# After the sockets connect, before the run: a game socket announces its presence after its
# welcome (a write and a broadcast to its table each), so the last welcome does not mean the
# server is idle; measuring from then on timed the connection storm, not the commands.
SETTLE_SECONDS = 3.0
# Sockets connect this many at a time: 350 game sockets at once (50 tables) queue their
# connect-time database work on one thread past daphne's 5 s websocket connect timeout on
# PostgreSQL, and daphne drops the last ones (a workshop's clients arrive over minutes, and
# reconnect with jitter after a restart).
CONNECT_BATCH = 50


async def connect_all(sockets) -> None:
    for first in range(0, len(sockets), CONNECT_BATCH):
        await asyncio.gather(*(s.connect() for s in sockets[first : first + CONNECT_BATCH]))


async def sender_loop(send, *, rate: float, seconds: float, offset: float):
    """Call `send(n)` until `seconds` pass: as fast as answers come, or `rate` per second."""
    start = time.monotonic() + offset
    end = start + seconds
    await asyncio.sleep(offset)
    for n in range(MAX_COMMANDS_PER_SOCKET):
        if rate:
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        if time.monotonic() >= end:
            return
        await send(n)


async def run_relay(servers, args, tables: int) -> dict:
    sockets = []
    for t in range(tables):
        tag = uuid.uuid4().hex[:10]
        table = []
        for k in range(1 + 3 * args.sockets):
            server = servers[(t + (0 if args.placement == "table" else k)) % len(servers)]
            url = f"ws://127.0.0.1:{server.port}/ws/relay/{tag}/"
            table.append(RelaySocket(url, f"t{t}-{k}"))
        sockets.append(table)
    everyone = [s for table in sockets for s in table]
    await connect_all(everyone)
    await asyncio.sleep(SETTLE_SECONDS)
    sent: dict[tuple[str, int], tuple[int, float]] = {}

    def sender(t, sock):
        async def send(n):
            sent[(sock.label, n)] = (t, await sock.send(n, wait=not args.rate))

        return send

    try:
        with profiler(args, f"relay-{tables}"):
            cpu0, began, own0 = cpu_seconds(args.pids), time.monotonic(), time.process_time()
            machine0 = machine_busy()
            await asyncio.wait_for(
                asyncio.gather(
                    *(
                        sender_loop(
                            sender(t, s),
                            rate=args.rate,
                            seconds=args.seconds,
                            offset=spread(t * 6 + i, 6 * tables, args.rate),
                        )
                        for t, table in enumerate(sockets)
                        for i, s in enumerate(table[1:])
                    )
                ),
                args.seconds + 30,
            )
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(
                key not in s.received for key, (t, _) in sent.items() for s in sockets[t]
            ):
                await asyncio.sleep(0.1)
            elapsed = time.monotonic() - began
            cpu, own = cpu_seconds(args.pids) - cpu0, time.process_time() - own0
            machine = busy_share(machine0)
    finally:
        await asyncio.gather(*(s.close() for s in everyone))
    latencies = [
        s.received[key] - at
        for key, (t, at) in sent.items()
        for s in sockets[t]
        if key in s.received
    ]
    expected = sum(len(sockets[t]) for (t, _) in sent.values())
    return summarise(
        "relay",
        tables,
        len(sent),
        latencies,
        elapsed,
        cpu,
        own,
        machine,
        lost=expected - len(latencies),
    )


async def game_tables(servers, staff, args, tables: int, *, start: bool):
    made = []
    for t in range(tables):
        code = staff.create_game(servers[0].url, seed=t + 1)
        tokens = {role: join(servers[0].url, code, role) for role in ROLES}
        if start:
            staff.command(servers[0].url, code, "start")
        sent: dict[int, float] = {}
        clients = [
            TimedBot(
                servers[t % len(servers)].ws_url(code),
                views=True,
                headers={"Cookie": staff.cookie},
                origin=servers[0].origin,
                label=f"t{t}-facilitator",
                sent=sent,
                ping_interval=None,
            )
        ]
        n = 0
        for role in ROLES:
            for k in range(args.sockets):
                server = servers[(t + (0 if args.placement == "table" else n + 1)) % len(servers)]
                n += 1
                clients.append(
                    TimedBot(
                        server.ws_url(code),
                        # Pages follow the view; so does a bot that plays (not one that chats).
                        views=k > 0 or not start,
                        token=tokens[role],
                        origin=server.origin,
                        label=f"t{t}-{role}-{k}",
                        seed=t + 1,
                        sent=sent,
                        ping_interval=None,
                    )
                )
        made.append((code, clients, sent))
    return made


async def run_game(servers, staff, args, tables: int, workload: str) -> dict:
    made = await game_tables(servers, staff, args, tables, start=workload == "chat")
    everyone = [c for _, clients, _ in made for c in clients]
    await connect_all(everyone)
    await asyncio.sleep(SETTLE_SECONDS)
    end = time.monotonic() + args.seconds
    games_finished = 0
    refusals = 0  # the bots' commands the engine refused (not counted as commands)

    async def chat(t, client, i):
        async def send(n):
            await client.command("chat", channel="all", text=f"{client.label} {n}")

        offset = spread(t * 6 + i, 6 * tables, args.rate)
        await sender_loop(send, rate=args.rate, seconds=args.seconds, offset=offset)

    async def play(t, clients):
        nonlocal games_finished, refusals
        facilitator, bots = clients[0], [clients[1 + k * args.sockets] for k in range(3)]
        if args.rate:
            for bot in bots:
                bot.pacer = Pacer(args.rate, 1)
        advanced = (await facilitator.send_command("start"))["seq"]
        for _ in range(60):  # 4 rounds x 5 phases need 20 advances
            for _ in range(4):
                if time.monotonic() >= end:
                    return
                # Each plays once its page shows the facilitator's last move, as a player
                # acts on the phase its page shows (rounds 1-7 did not wait: a bot could
                # act on the phase before, and ~12% of its commands were refused).
                if args.teams == "together":  # the three teams at once, as at a real table
                    played = await asyncio.gather(*(bot.play(after=advanced) for bot in bots))
                else:  # one team after the other: one command in flight per table
                    played = [await bot.play(after=advanced) for bot in bots]
                refusals += sum(len(p.errors) for p in played)
                if not any(p.changed for p in played):
                    break
            if time.monotonic() >= end:
                return
            try:
                advanced = (await facilitator.send_command("advance"))["seq"]
            except CommandError as refused:
                if refused.code != "game_ended":  # its news can trail the answer
                    raise
                games_finished += 1
                return
            if any(e["kind"] == "game_ended" for e in facilitator.events[-5:]):
                games_finished += 1
                return

    try:
        with profiler(args, f"{workload}-{tables}"):
            cpu0, began, own0 = cpu_seconds(args.pids), time.monotonic(), time.process_time()
            machine0 = machine_busy()
            if workload == "chat":
                jobs = [
                    chat(t, c, i)
                    for t, (_, clients, _) in enumerate(made)
                    for i, c in enumerate(clients[1:])
                ]
            else:
                jobs = [play(t, clients) for t, (_, clients, _) in enumerate(made)]
            await asyncio.wait_for(asyncio.gather(*jobs), args.seconds + 60)
            last = {t: max(sent, default=0) for t, (_, _, sent) in enumerate(made)}
            await asyncio.gather(
                *(
                    c.wait_seq(last[t], timeout=20)
                    for t, (_, clients, _) in enumerate(made)
                    for c in clients
                ),
                return_exceptions=True,
            )
            elapsed = time.monotonic() - began
            cpu, own = cpu_seconds(args.pids) - cpu0, time.process_time() - own0
            machine = busy_share(machine0)
    finally:
        await asyncio.gather(*(c.close() for c in everyone))
    latencies, commands = [], 0
    for _, clients, sent in made:
        commands += len(sent)
        for seq, at in sent.items():
            latencies += [c.received_at[seq] - at for c in clients if seq in c.received_at]
    result = summarise(workload, tables, commands, latencies, elapsed, cpu, own, machine)
    result["gaps"] = sum(len(contiguous(c)) for c in everyone)
    result["rate_limited"] = sum(c.rate_limited for c in everyone)
    if workload == "mix":
        result["games_finished"] = games_finished
        result["refused"] = refusals
    for code, _, _ in made:
        with contextlib.suppress(Exception):
            staff.command(servers[0].url, code, "end")
    return result


def summarise(workload, tables, commands, latencies, elapsed, cpu, own, machine, lost=0) -> dict:
    return {
        "workload": workload,
        "tables": tables,
        "commands": commands,
        "seconds": round(elapsed, 2),
        "commands_per_s": commands / elapsed,
        "deliveries_per_s": len(latencies) / elapsed,
        "latency_ms": latency_ms(latencies),
        "cpu_ms_per_command": 1000 * cpu / commands if commands else None,
        "cpu_share": cpu / elapsed,
        "client_cpu_share": own / elapsed,  # the load generator's own (one Python process)
        "machine_busy": machine,  # every core's, server, database, Redis and client together
        "lost": lost,
        "loadavg": os.getloadavg(),
    }


MEMORY_TABLES = 30  # 210 sockets (with 10 tables, 70 sockets, the figure moved by +-10 KiB)
MEMORY_WAVES = 3


async def measure_memory(servers, staff, args, kind: str) -> dict:
    """RSS per authenticated socket on a fresh server, games in progress: 30 tables of 7
    sockets, connected in three waves of 10 tables (CONNECT_BATCH at a time, as in the runs).

    A relay socket sends one frame once connected, as a game player's socket sends its
    hello, so both kinds have sent and received frames (a socket's first frames allocate
    its server-side reader and writer; a relay socket that never sent one did not pay for
    them). Two figures: all sockets over the growth since before the first wave, and the
    marginal cost, over waves 2 and 3 only: the first wave also pays what a process pays
    once (first runs of code paths, SQLite's page cache, caches of compiled queries)."""
    if kind == "relay":
        socks = [
            RelaySocket(f"ws://127.0.0.1:{servers[0].port}/ws/relay/m{t}/", f"m{t}-{k}")
            for t in range(MEMORY_TABLES)
            for k in range(1 + 3 * args.sockets)
        ]
    else:
        made = await game_tables(servers, staff, args, MEMORY_TABLES, start=True)
        socks = [c for _, clients, _ in made for c in clients]
    await asyncio.sleep(1)
    rss = [rss_kib(args.pids)]
    size = len(socks) // MEMORY_WAVES
    for first in range(0, size * MEMORY_WAVES, size):
        wave = socks[first : first + size]
        await connect_all(wave)
        if kind == "relay":
            await asyncio.gather(*(s.send(0, wait=True) for s in wave))
        await asyncio.sleep(2)
        rss.append(rss_kib(args.pids))
    await asyncio.gather(*(s.close() for s in socks))
    return {
        "sockets": len(socks),
        "kib_per_socket": (rss[-1] - rss[0]) / len(socks),
        "kib_per_socket_marginal": (rss[-1] - rss[1]) / (len(socks) - size),
        "rss_kib_by_wave": rss,
    }


# -- the run -----------------------------------------------------------------------------------


@contextlib.contextmanager
def backend(args, folder: Path):
    if args.backend == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
        return
    import psycopg

    database = f"h_perf_bench_{os.getpid()}"
    admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CHANNEL_PREFIX": f"h_perf_bench_{uuid.uuid4().hex[:8]}",
        }
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


# -- a CPU budget per server process (--cpu-per-process) -------------------------------------

# A short period: a process that has spent its budget waits at most this long for more (the
# kernel's default of 100 ms would add up to that to any command that lands then).
CPU_PERIOD_US = 10_000


def cpu_cgroup_root() -> tuple[Path, int]:
    """Where the cgroup hierarchy with the CPU controller is mounted, and its version."""
    for line in Path("/proc/mounts").read_text().splitlines():
        _, where, kind, options, *_ = line.split()
        if kind == "cgroup" and "cpu" in options.split(","):
            return Path(where), 1
        controllers = Path(where) / "cgroup.controllers"
        if kind == "cgroup2" and controllers.exists() and "cpu" in controllers.read_text().split():
            return Path(where), 2
    raise SystemExit("--cpu-per-process: this machine mounts no cgroup CPU controller")


@contextlib.contextmanager
def cpu_budget(pids: list[int], share: float | None):
    """With --cpu-per-process: each server process in a cgroup of its own, allowed `share`
    of one core (CFS quota). Two processes then have twice the CPU of one, as on a machine
    with a core per process, while the database, Redis and the load generator keep the
    rest of the machine: scale-out measured on a machine that has fewer cores than it needs
    (target 4). Needs root; the groups are removed and the processes put back at the end."""
    if not share:
        yield
        return
    root, version = cpu_cgroup_root()
    quota = round(share * CPU_PERIOD_US)
    groups = []
    try:
        if version == 2:
            (root / "cgroup.subtree_control").write_text("+cpu")
        for pid in pids:
            group = root / f"redlines-bench-{pid}"
            group.mkdir()
            groups.append(group)
            if version == 1:
                (group / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(quota))
            else:
                (group / "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
            (group / "cgroup.procs").write_text(str(pid))
        yield
    finally:
        for group in groups:
            for pid in (group / "cgroup.procs").read_text().split():
                with contextlib.suppress(OSError):  # it may have exited meanwhile
                    (root / "cgroup.procs").write_text(pid)
            group.rmdir()


@contextlib.contextmanager
def profiler(args, name: str):
    """With --profile DIR: py-spy samples the server's threads while they hold the GIL (what
    its CPU is spent on), over the measured part of a run (after the sockets connect); with
    --profile-wall, every thread whether it runs or waits (where a command's time goes)."""
    if not args.profile:
        yield
        return
    import subprocess

    out = Path(args.profile) / f"{name}.txt"
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--format",
            "raw",
            "--threads",
            "--nonblocking",
            *(["--idle"] if args.profile_wall else ["--gil"]),
            "-r",
            "200",
            "-o",
            str(out),
            "-p",
            str(args.pids[0]),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(2)
        spy.wait(timeout=30)


class UvicornServer(Server):
    """The same application under uvicorn with uvloop and httptools (`--server uvicorn`),
    measured beside daphne (docs/performance.md); not installed with the project:
    `.venv/bin/pip install 'uvicorn[standard]'`."""

    def argv(self) -> list[str]:
        return [
            *(str(UVICORN), "--host", "127.0.0.1", "--port", str(self.port)),
            *("--loop", "uvloop", "--http", "httptools", "--ws", "websockets"),
            "tabletop.asgi:application",
        ]


def serve(env, args, log_dir: Path, name: str):
    return daphne_servers(
        {
            **env,
            "BENCH_RELAY": "1",
            "DJANGO_SETTINGS_MODULE": "bench.server_settings",  # DEBUG's query log off
            **dict(args.server_env),
        },
        count=args.processes,
        log_dir=log_dir,
        name=name,
        server_class=UvicornServer if args.server == "uvicorn" else Server,
    )


def run(args) -> dict:
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "backend": args.backend,
        "processes": args.processes,
        "cpu_per_process": args.cpu_per_process,
        "server": args.server,
        "rate_per_socket": [rate or "max" for rate in args.rates],
        "seconds_per_run": args.seconds,
        "teams": args.teams,
        "runs": [],
        "memory": {},
    }
    with tempfile.TemporaryDirectory(prefix="redlines-perf-") as folder:
        folder = Path(folder)
        log_dir = Path(args.log_dir) if args.log_dir else folder
        log_dir.mkdir(parents=True, exist_ok=True)
        with backend(args, folder) as env:
            manage("migrate", "--noinput", "-v", "0", env=env)
            manage("demo_setup", env=env)
            with (
                serve(env, args, log_dir, "perf") as servers,
                cpu_budget([s.process.pid for s in servers], args.cpu_per_process),
            ):
                args.pids = [s.process.pid for s in servers]
                staff = Staff.login(servers[0].url)
                for tables, rate in itertools.product(args.tables, args.rates):
                    args.rate = rate
                    for workload in ["relay", *args.workloads, "relay"]:
                        if workload == "relay":
                            result = asyncio.run(run_relay(servers, args, tables))
                        else:
                            result = asyncio.run(run_game(servers, staff, args, tables, workload))
                        result["rate_per_socket"] = args.rate
                        print(one_line(result), file=sys.stderr, flush=True)
                        results["runs"].append(result)
            if args.memory:
                for kind in ("relay", "game"):
                    with serve(env, args, log_dir, f"memory-{kind}") as servers:
                        args.pids = [s.process.pid for s in servers]
                        staff = Staff.login(servers[0].url)
                        memory = asyncio.run(measure_memory(servers, staff, args, kind))
                        results["memory"][kind] = memory
                        print(f"memory {kind}: {memory}", file=sys.stderr, flush=True)
    return results


def one_line(r: dict) -> str:
    lat = r["latency_ms"]
    return (
        f"{r['workload']:5} tables={r['tables']:2} rate={r['rate_per_socket'] or 'max'} "
        f"{r['commands_per_s']:7.1f}/s "
        f"deliv={r['deliveries_per_s']:7.1f}/s p50/p95/p99={lat['p50'] or 0:.1f}/"
        f"{lat['p95'] or 0:.1f}/{lat['p99'] or 0:.1f} ms cpu={r['cpu_ms_per_command'] or 0:.2f} "
        f"ms/cmd ({100 * r['cpu_share']:.0f}%) client={100 * r['client_cpu_share']:.0f}% "
        f"machine={100 * r['machine_busy']:.0f}% "
        f"load={r['loadavg'][0]:.2f}"
        + (f" gaps={r['gaps']}" if "gaps" in r else "")
        + (f" lost={r['lost']}" if r.get("lost") else "")
        + (f" refused={r['refused']} games={r['games_finished']}" if "refused" in r else "")
    )


def markdown(results: dict) -> str:
    """The table docs/performance.md carries: each game run with its same-run relay baseline."""
    lines = [
        f"Back end: {results['backend']}, {results['processes']} {results['server']} "
        "process(es), "
        + (
            f"each limited to {results['cpu_per_process']:g} of a core, "
            if results.get("cpu_per_process")
            else ""
        )
        + f"rate per socket: {', '.join(map(str, results['rate_per_socket']))}, "
        f"{results['seconds_per_run']} s per run, "
        f"mix teams: {results['teams']}.",
        "",
        "| tables | rate | workload | commands/s | relay/s | ratio | deliveries/s "
        "| p50 / p95 / p99 ms | relay p50 / p99 ms | CPU ms/cmd (relay) "
        "| machine busy (relay) | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    runs = results["runs"]
    for tables, rate in sorted({(r["tables"], r["rate_per_socket"]) for r in runs}):
        same = [r for r in runs if (r["tables"], r["rate_per_socket"]) == (tables, rate)]
        relays = [r for r in same if r["workload"] == "relay"]
        base = statistics.mean(r["commands_per_s"] for r in relays)
        base_p50 = statistics.mean(r["latency_ms"]["p50"] for r in relays)
        base_p99 = statistics.mean(r["latency_ms"]["p99"] for r in relays)
        base_cpu = statistics.mean(r["cpu_ms_per_command"] for r in relays)
        base_busy = statistics.mean(r["machine_busy"] for r in relays)
        for r in same:
            if r["workload"] == "relay":
                continue
            lat = r["latency_ms"]
            lines.append(
                f"| {tables} | {rate or 'max'} | {r['workload']} "
                f"| {r['commands_per_s']:.0f} | {base:.0f} "
                f"| {r['commands_per_s'] / base:.2f} | {r['deliveries_per_s']:.0f} "
                f"| {lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} "
                f"| {base_p50:.1f} / {base_p99:.1f} "
                f"| {r['cpu_ms_per_command']:.2f} ({base_cpu:.2f}) "
                f"| {100 * r['machine_busy']:.0f}% ({100 * base_busy:.0f}%) "
                f"| {r['loadavg'][0]:.2f} |"
            )
    if results["memory"]:
        game, relay = results["memory"]["game"], results["memory"]["relay"]
        whole, marginal = "kib_per_socket", "kib_per_socket_marginal"
        lines += [
            "",
            f"RSS per authenticated socket: game {game[whole]:.1f} KiB, relay "
            f"{relay[whole]:.1f} KiB, ratio {game[whole] / relay[whole]:.2f}; marginal "
            f"(waves 2-3): game {game[marginal]:.1f} KiB, relay {relay[marginal]:.1f} KiB, "
            f"ratio {game[marginal] / relay[marginal]:.2f}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "services"), default="sqlite")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--placement",
        choices=("spread", "table"),
        default="spread",
        help="with 2 processes: a table's sockets spread over both (round robin, the default), "
        "or all on one (a load balancer hashing the game code)",
    )
    parser.add_argument(
        "--server", choices=("daphne", "uvicorn"), default="daphne", help="the ASGI server"
    )
    parser.add_argument(
        "--cpu-per-process",
        type=float,
        help="limit each server process to this share of one core (0.05..1, a cgroup each; "
        "root): scale-out judged with a core per process on a machine with too few",
    )
    parser.add_argument("--tables", default="4,20,50", help="comma-separated table counts")
    parser.add_argument("--workloads", default="chat,mix", help="game runs between relay runs")
    parser.add_argument("--sockets", type=int, default=2, help="player sockets per role")
    parser.add_argument(
        "--rate",
        default="0",
        help="commands per socket per s, or several (comma-separated: each table count is "
        "run at each); 0: saturation",
    )
    parser.add_argument(
        "--teams",
        choices=("together", "in-turn"),
        default="together",
        help="mix: a table's three team bots play at once (the default, as teams negotiate "
        "side by side), or one after the other (one command in flight per table; the "
        "harness of rounds 1-9)",
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each run")
    parser.add_argument("--memory", action="store_true", help="also measure RSS per socket")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        type=lambda s: s.split("=", 1),
        help="KEY=VALUE for the server processes (repeatable)",
    )
    parser.add_argument("--profile", help="write py-spy samples of each run to this folder")
    parser.add_argument(
        "--profile-wall",
        action="store_true",
        help="sample every thread, waiting or not (where time goes), not only the GIL holder",
    )
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--markdown", help="write the Markdown table here")
    parser.add_argument("--log-dir", help="keep the servers' logs here")
    args = parser.parse_args()
    # Stopped with SIGTERM (timeout, kill): unwind, so that the servers stop, the database
    # is dropped and the CPU budgets' cgroups are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.tables = [int(n) for n in args.tables.split(",")]
    args.workloads = [w for w in args.workloads.split(",") if w]
    if not all(0 < n <= MAX_TABLES for n in args.tables) or not 0 < args.sockets <= 4:
        parser.error(f"1..{MAX_TABLES} tables, 1..4 sockets per role")
    if not set(args.workloads) <= {"chat", "mix"}:
        parser.error("workloads: chat, mix")
    try:
        args.rates = [float(r) for r in args.rate.split(",")]
    except ValueError:
        parser.error(f"--rate: numbers separated by commas, not {args.rate!r}")
    if not all(0 <= r <= 8 for r in args.rates) or not 1 <= args.seconds <= 60:
        parser.error("--rate 0..8 per socket, --seconds 1..60")
    if args.cpu_per_process is not None and not 0.05 <= args.cpu_per_process <= 1:
        parser.error("--cpu-per-process: a share of one core, 0.05..1")
    if args.server == "uvicorn" and not UVICORN.exists():
        parser.error("--server uvicorn: first .venv/bin/pip install 'uvicorn[standard]'")
    if args.backend == "sqlite" and args.processes != 1:
        parser.error("SQLite and the in-memory channel layer serve one process only")
    results = run(args)
    emit(markdown(results), results, args)


if __name__ == "__main__":
    main()
