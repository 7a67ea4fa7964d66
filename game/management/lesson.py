"""The lesson measured (issue 8 §3): bot tables under each seating, summarised with 95%
confidence intervals. Pure: games are played by the engine (`play_game`), as the service
layer would play them, without the database."""

import random
from math import fsum, sqrt

from scipy.stats import t as student_t

from game.engine import play_game
from game.engine.strategies import SEATINGS, seat_strategies

# all-open must beat all-secretive on the coalition final by at least this (docs/analysis.md)
LESSON_MARGIN = 10.0


def interval(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95% confidence interval (Student's t)."""
    n = len(values)
    mean = fsum(values) / n
    if n < 2:
        return mean, float("nan")
    spread = sqrt(fsum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, student_t.ppf(0.975, n - 1) * spread / sqrt(n)


def play_table(scenario: dict, seating: str, seed: int) -> dict:
    codes = [role["code"] for role in scenario["roles"]]
    strategies = seat_strategies(codes, seating, random.Random(f"{seed}:{seating}"))
    state, _ = play_game(scenario, seed=seed, now=1e9, strategies=strategies)
    weights = fsum(entry["weight"] for entry in state["results"])
    return {
        "strategies": strategies,
        "coalition": state["final"]["coalition"],
        "effectiveness": fsum(
            entry["weight"] * entry["metrics"]["effectiveness"] for entry in state["results"]
        )
        / weights,
        "breaches": sum(
            len(entry["private"][code]["breaches"]) for entry in state["results"] for code in codes
        ),
        "broken": sum(
            1
            for entry in state["results"]
            for commitment in entry["commitments"]
            if commitment["status"] == "broken"
        ),
        "accepted_offers": sum(
            1 for offer in state["offers"].values() if offer["status"] == "accepted"
        ),
        "finals": state["final"]["roles"],
    }


def lesson(scenario: dict, *, seeds: int, seatings=SEATINGS) -> dict:
    codes = [role["code"] for role in scenario["roles"]]
    tables = {
        seating: [play_table(scenario, seating, seed) for seed in range(seeds)]
        for seating in seatings
    }
    summary = {}
    for seating, played in tables.items():
        summary[seating] = {
            key: interval([table[key] for table in played])
            for key in ("coalition", "effectiveness", "breaches", "broken", "accepted_offers")
        }
        summary[seating]["finals"] = {
            code: interval([table["finals"][code] for table in played]) for code in codes
        }
    result = {"seeds": seeds, "summary": summary, "tables": tables}
    if "all-open" in tables and "all-secretive" in tables:
        result["open_minus_secretive"] = interval(
            [
                a["coalition"] - b["coalition"]
                for a, b in zip(tables["all-open"], tables["all-secretive"], strict=True)
            ]
        )
    if "lone-open" in tables and "all-secretive" in tables:
        # The lone open team's final against the same team's final at an all-secretive
        # table with the same seed: negative means openness was exploited.
        result["lone_open_vs_secretive"] = interval(
            [
                lone["finals"][_open_seat(lone)] - secretive["finals"][_open_seat(lone)]
                for lone, secretive in zip(
                    tables["lone-open"], tables["all-secretive"], strict=True
                )
            ]
        )
    return result


def _open_seat(table: dict) -> str:
    return next(code for code, strategy in table["strategies"].items() if strategy == "open")


def lesson_table(slug: str, result: dict) -> list[str]:
    summary = result["summary"]
    codes = list(next(iter(summary.values()))["finals"])
    width = 15

    def cell(pair):
        mean, half = pair
        return f"{mean:6.2f} ±{half:5.2f}"

    lines = [
        f"Lesson of {slug}: {result['seeds']} table(s) per seating; mean ± 95% interval",
        f"{'seating':<14}{'coalition':>{width}}{'effectiveness':>{width}}{'breaches':>{width}}"
        f"{'broken':>{width}}{'accepted':>{width}}" + "".join(f"{code:>{width}}" for code in codes),
    ]
    for seating, row in summary.items():
        lines.append(
            f"{seating:<14}"
            + "".join(
                f"{cell(row[key]):>{width}}"
                for key in ("coalition", "effectiveness", "breaches", "broken", "accepted_offers")
            )
            + "".join(f"{cell(row['finals'][code]):>{width}}" for code in codes)
        )
    if "open_minus_secretive" in result:
        mean, half = result["open_minus_secretive"]
        verdict = "clear" if mean - half >= LESSON_MARGIN else "NOT clear"
        lines.append(
            f"all-open − all-secretive coalition score: {mean:+.2f} ±{half:.2f} "
            f"({verdict}: the stated margin is {LESSON_MARGIN:g} points at the 95% lower bound)"
        )
    if "lone_open_vs_secretive" in result:
        mean, half = result["lone_open_vs_secretive"]
        exploited = "exploited" if mean + half < 0 else "not exploited"
        lines.append(
            f"lone open team vs the same team at an all-secretive table: {mean:+.2f} ±{half:.2f} "
            f"({exploited})"
        )
    return lines
