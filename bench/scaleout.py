"""Target 4: the commands/s two server processes sustain against one's, at the same p99.

    .venv/bin/python bench/scaleout.py                        # chat, 20 tables, 0.35 core each
    .venv/bin/python bench/scaleout.py --tables 4,20,50 --workloads chat,mix --one 0 --two 0
    .venv/bin/python bench/scaleout.py --workloads chat,mix --tables 20,50 --p99-ms 50,100

Runs bench/perf.py on PostgreSQL + Redis twice, with one server process and then two, each
table's sockets all on one process (as deploy/nginx.conf places them, by the game's code),
at the rates of `--one` for one process and `--two` for two (commands per socket per
second; 0: saturation, every socket sending its next command once the last is answered).
For each workload (the relay's too) and table count it reports two processes' figure over
one's, the scale-out factor: at saturation the commands/s, beside each one's p99; open
loop, the highest commands/s delivered with p99 at or under each bound and nothing lost.

A machine with fewer cores than two servers, the database, Redis and the load generator
need cannot show scale-out as it is: two processes then share the cores one had. Each server
process is therefore given its own CPU budget (`--cpu-per-process`, a cgroup each, root
needed), the same for one process as for each of two, small enough that the rest of the
machine stays free for the others (machine busy is reported per run): two processes have
twice one's CPU, as they would with a core each. `--cpu-per-process 0` runs them unlimited.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.output import emit  # noqa: E402


def perf(processes: int, rates: str, args, out: Path) -> dict:
    argv = [
        sys.executable,
        str(ROOT / "bench" / "perf.py"),
        *("--backend", "services", "--processes", str(processes), "--placement", "table"),
        *("--tables", args.tables, "--workloads", args.workloads, "--rate", rates),
        *("--seconds", str(args.seconds), "--json", str(out)),
    ]
    if args.cpu_per_process:
        argv += ["--cpu-per-process", str(args.cpu_per_process)]
    subprocess.run(argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def sustained(runs: list[dict], p99_ms: float) -> tuple[float | None, bool]:
    """The highest commands/s among the open-loop runs within the bound with nothing lost,
    and whether that was the highest rate tried (then the process may sustain more: a lower
    bound)."""
    runs = [r for r in runs if r["rate_per_socket"]]
    within = [
        r
        for r in runs
        if r["latency_ms"]["p99"] is not None
        and r["latency_ms"]["p99"] <= p99_ms
        and not r.get("lost")
        and not r.get("gaps")
    ]
    if not within:
        return None, False
    best = max(within, key=lambda r: r["commands_per_s"])
    return best["commands_per_s"], best["rate_per_socket"] == max(
        r["rate_per_socket"] for r in runs
    )


def report(results: dict[int, dict], bounds: list[float]) -> str:
    one = results[1]
    limit = one.get("cpu_per_process")
    lines = [
        f"PostgreSQL + Redis, each table on one process, {one['seconds_per_run']:g} s per run, "
        + (f"each server process limited to {limit:g} of a core; " if limit else "")
        + f"rates per socket: one process {', '.join(map(str, one['rate_per_socket']))}; "
        f"two {', '.join(map(str, results[2]['rate_per_socket']))}.",
        "",
        "| tables | workload | p99 | one process /s | two processes /s | factor |",
        "|---|---|---|---|---|---|",
    ]
    keys = sorted({(r["tables"], r["workload"]) for r in one["runs"]})
    for key in keys:
        runs = {
            n: [r for r in results[n]["runs"] if (r["tables"], r["workload"]) == key]
            for n in (1, 2)
        }
        lines += saturated(key, runs)
        if any(r["rate_per_socket"] for r in runs[1] + runs[2]):  # open-loop runs to read
            lines += [within_bound(key, bound, runs) for bound in bounds]
    return "\n".join(lines) + "\n"


def saturated(key: tuple[int, str], runs: dict[int, list[dict]]) -> list[str]:
    """The saturation runs (rate 0, every socket sending as fast as its answers come), the
    mean of a process count's runs: commands/s, and each one's p99 in the p99 column."""
    figures = {}
    for processes, some in runs.items():
        top = [r for r in some if not r["rate_per_socket"]]
        if not top:
            return []
        figures[processes] = (
            sum(r["commands_per_s"] for r in top) / len(top),
            max(r["latency_ms"]["p99"] for r in top) / 1000,
        )
    (a, a_p99), (b, b_p99) = figures[1], figures[2]
    tables, workload = key
    return [
        f"| {tables} | {workload} | saturated: {a_p99:.2f} s · {b_p99:.2f} s | {a:.0f} "
        f"| {b:.0f} | {b / a:.2f} |"
    ]


def within_bound(key: tuple[int, str], bound: float, runs: dict[int, list[dict]]) -> str:
    """The highest commands/s each process count sustained open-loop within the p99 bound."""
    figures = [sustained(runs[processes], bound) for processes in (1, 2)]
    (a, a_top), (b, b_top) = figures
    cells = ["–" if rate is None else f"{'≥ ' if top else ''}{rate:.0f}" for rate, top in figures]
    factor = "–"
    if a is not None and b is not None:
        # A figure at the highest rate tried is a lower bound: so is the factor when it is
        # two's only, an upper bound when it is one's only, an estimate when it is both's.
        mark = {(False, True): "≥ ", (True, False): "≤ ", (True, True): "~ "}
        factor = f"{mark.get((a_top, b_top), '')}{b / a:.2f}"
    tables, workload = key
    return f"| {tables} | {workload} | ≤ {bound:g} ms | {cells[0]} | {cells[1]} | {factor} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", default="20", help="comma-separated table counts")
    parser.add_argument("--workloads", default="chat", help="chat, mix or both")
    parser.add_argument(
        "--one", default="0,0.4,0.5,0.6,0.7", help="rates for one process (0: saturation)"
    )
    parser.add_argument(
        "--two", default="0,0.8,1.0,1.2,1.4", help="rates for two processes (0: saturation)"
    )
    parser.add_argument("--p99-ms", default="50,100", help="comma-separated p99 bounds")
    parser.add_argument("--cpu-per-process", type=float, default=0.35)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", help="write both runs' results here")
    parser.add_argument("--markdown", help="write the Markdown table here")
    args = parser.parse_args()
    bounds = [float(b) for b in args.p99_ms.split(",")]
    with tempfile.TemporaryDirectory(prefix="redlines-scaleout-") as folder:
        results = {
            processes: perf(processes, rates, args, Path(folder) / f"{processes}.json")
            for processes, rates in ((1, args.one), (2, args.two))
        }
    emit(report(results, bounds), results, args)


if __name__ == "__main__":
    main()
