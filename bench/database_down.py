"""How fast a server answers while its database cannot be reached (tabletop.dbdown).

    .venv/bin/python bench/database_down.py                  # the default pool timeout, 10 s
    .venv/bin/python bench/database_down.py --pool-timeout 2 --requests 50

Starts one daphne process whose DATABASE_URL names a closed port, with the connection pool
and without, and times the first API request (it waits for the pool) and the ones after it
(answered 503 at once while the process holds the database for down).
"""

import argparse
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from servers import Server, free_port  # noqa: E402

from bench.output import emit  # noqa: E402

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def timed_get(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with _opener.open(url, timeout=60) as reply:
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def run(pool: bool, args, folder: Path) -> dict:
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/gone",
        "DATABASE_POOL": "true" if pool else "false",
        "DATABASE_POOL_TIMEOUT": str(args.pool_timeout),
        "DEBUG": "false",
        "SECRET_KEY": "bench-database-down-" + "k" * 50,
        "SECURE_SSL_REDIRECT": "false",
    }
    server = Server(env, log_path=folder / f"daphne-pool-{pool}.log").start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                timed_get(f"{server.url}/favicon.ico")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        first_status, first = timed_get(f"{server.url}/api/games/ABCDEF/view")
        after = [timed_get(f"{server.url}/api/scenarios/") for _ in range(args.requests)]
    finally:
        server.stop()
    seconds = sorted(s for _, s in after)
    return {
        "pool": pool,
        "first_status": first_status,
        "first_s": first,
        "after_statuses": sorted({status for status, _ in after}),
        "after_median_ms": statistics.median(seconds) * 1000,
        "after_max_ms": seconds[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool-timeout", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = [run(pool, args, Path(folder)) for pool in (True, False)]
    lines = [
        f"Database at a closed port; DATABASE_POOL_TIMEOUT={args.pool_timeout} s.",
        "",
        "| pool | first request | then (status, median, max) |",
        "|---|---|---|",
    ]
    for row in results:
        lines.append(
            f"| {'on' if row['pool'] else 'off'} | {row['first_status']} in "
            f"{row['first_s']:.2f} s | {row['after_statuses']}, {row['after_median_ms']:.1f} ms, "
            f"{row['after_max_ms']:.1f} ms |"
        )
    emit("\n".join(lines), {"pool_timeout": args.pool_timeout, "runs": results}, args)


if __name__ == "__main__":
    main()
