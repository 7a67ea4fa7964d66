"""bench/scaleout.py's reading of two benchmark runs: target 4's factor is computed here."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "scaleout.py"
spec = importlib.util.spec_from_file_location("scaleout", SCRIPT)
scaleout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scaleout)


def run(rate, per_s, p99_ms, *, workload="chat", tables=20, lost=0, gaps=0):
    return {
        "workload": workload,
        "tables": tables,
        "rate_per_socket": rate,
        "commands_per_s": per_s,
        "latency_ms": {"p99": p99_ms},
        "lost": lost,
        "gaps": gaps,
    }


def results(one_runs, two_runs):
    return {
        processes: {
            "seconds_per_run": 10.0,
            "cpu_per_process": 0.35,
            "rate_per_socket": sorted({r["rate_per_socket"] for r in runs}),
            "runs": runs,
        }
        for processes, runs in ((1, one_runs), (2, two_runs))
    }


def test_sustained_is_the_highest_rate_within_the_bound_with_nothing_lost():
    runs = [
        run(0, 150, 8000),  # saturation: never an open-loop figure
        run(0.4, 48, 20),
        run(0.5, 60, 40),
        run(0.6, 72, 30, lost=3),  # fast enough, but something was lost
        run(0.7, 84, 400),  # over the bound
    ]
    assert scaleout.sustained(runs, 50) == (60, False)
    assert scaleout.sustained(runs, 500) == (84, True)  # the highest rate tried: a lower bound
    assert scaleout.sustained(runs, 10) == (None, False)
    assert scaleout.sustained([run(0.4, 48, 20, gaps=1)], 50) == (None, False)


def test_report_gives_the_factor_at_saturation_and_within_each_bound():
    one = [run(0, 100, 8000), run(0.4, 48, 20), run(0.5, 60, 90), run(0.6, 72, 300)]
    two = [run(0, 196, 7000), run(0.8, 96, 25), run(1.0, 120, 60), run(1.2, 144, 95)]
    table = scaleout.report(results(one, two), [50, 100])
    assert "each server process limited to 0.35 of a core" in table
    assert "| 20 | chat | saturated: 8.00 s · 7.00 s | 100 | 196 | 1.96 |" in table
    assert "| 20 | chat | ≤ 50 ms | 48 | 96 | 2.00 |" in table
    # Two sustained its highest rate and one did not: the factor is a lower bound.
    assert "| 20 | chat | ≤ 100 ms | 60 | ≥ 144 | ≥ 2.40 |" in table


def test_report_marks_a_factor_from_one_process_at_its_highest_rate_as_an_upper_bound():
    one = [run(0.4, 48, 20), run(0.5, 60, 40)]  # one sustained its highest rate
    two = [run(0.8, 96, 25), run(1.0, 120, 60)]  # two did not
    table = scaleout.report(results(one, two), [50])
    assert "| 20 | chat | ≤ 50 ms | ≥ 60 | 96 | ≤ 1.60 |" in table
    both = scaleout.report(results(one, [run(0.8, 96, 25)]), [50])
    assert "| 20 | chat | ≤ 50 ms | ≥ 60 | ≥ 96 | ~ 1.60 |" in both


def test_report_says_when_a_process_count_sustained_nothing_within_a_bound():
    one = [run(0.4, 48, 120)]
    two = [run(0.8, 96, 25)]
    table = scaleout.report(results(one, two), [50])
    assert "| 20 | chat | ≤ 50 ms | – | ≥ 96 | – |" in table
    assert "saturated" not in table  # no saturation runs, no such row


def test_report_of_saturation_runs_only_has_no_rows_for_bounds():
    table = scaleout.report(results([run(0, 100, 8000)], [run(0, 170, 6000)]), [50, 100])
    assert "| 20 | chat | saturated: 8.00 s · 6.00 s | 100 | 170 | 1.70 |" in table
    assert "≤" not in table
