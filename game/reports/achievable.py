"""Report section 7, "Distance from the achievable deal": the table's outcome beside the
scenario analyser's (game/analysis, docs/analysis.md) for the game's own scenario snapshot
and scoring rules version.

`achievable_deal(model, entry)` is pure: `entry` is what `game.analysis.cache.cached_analysis`
returns (an analysis, a failure with its reason, or "still solving"). Analyser outcomes are
re-weighted over the rounds the table scored, so a game stopped early is compared with the
same rounds of each outcome.
"""

from math import fsum

from game.wording import plural

OUTCOMES = (
    ("status_quo", "Status quo (everyone at start)"),
    ("no_deal", "No deal (best-response play)"),
    ("fair_deal_without_commitments", "Fair deal without commitments"),
    ("fair_deal", "Fair deal (with commitments)"),
    ("best_coalition", "Best coalition score"),
)


def _mean(values: list[tuple[float, float]]) -> float | None:
    weight = fsum(w for w, _ in values)
    if not values or not weight:
        return None
    return fsum(w * v for w, v in values) / weight


def _figures(per_round: list[dict], weights: dict[int, float], codes: list[str]) -> dict:
    """Weighted means (over the given rounds) of K, E, A and each team's round score."""
    rows = [(weights[r["round"]], r) for r in per_round]
    return {
        "coalition": _mean([(w, r["coalition"]) for w, r in rows]),
        "effectiveness": _mean([(w, r["effectiveness"]) for w, r in rows]),
        "alignment": _mean([(w, r["alignment"]) for w, r in rows]),
        "scores": {code: _mean([(w, r["scores"][code]) for w, r in rows]) for code in codes},
    }


def _table_rounds(model: dict) -> list[dict]:
    return [
        {
            "round": r["round"],
            "coalition": r["metrics"]["coalition"],
            "effectiveness": r["metrics"]["effectiveness"],
            "alignment": r["metrics"]["alignment"],
            "scores": {row["role"]: row["score"] for row in r["scores"]},
        }
        for r in model["rounds"]
        if r["scored"]
    ]


def achievable_deal(model: dict, entry: dict | None, *, rules: int) -> dict:
    base = {"status": "unavailable", "rules": rules, "summary": [], "message": ""}
    scored = _table_rounds(model)
    if not scored:
        return {**base, "message": "No round was scored, so there is no outcome to compare."}
    if entry is None or entry["status"] == "pending":
        return {
            **base,
            "status": "pending",
            "message": "The scenario analysis was still being solved when this report was "
            "made; it is kept once solved, so the report shows this section when it is "
            "made again in a minute.",
        }
    if entry["status"] != "ok":
        return {
            **base,
            "status": "failed",
            "message": "The scenario analyser could not solve this scenario, so the table "
            "cannot be measured against the achievable deal. "
            f"The analyser said: {entry.get('reason') or 'no reason given'}.",
        }
    try:
        return _section(model, entry, scored, rules)
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError) as error:
        # An analysis that does not fit this game (unusual scenario, changed shapes).
        return {
            **base,
            "status": "failed",
            "message": "The scenario analysis does not fit this game's record, so the table "
            f"cannot be measured against it ({type(error).__name__}: {error}).",
        }


def _section(model: dict, entry: dict, scored: list[dict], rules: int) -> dict:
    analysis = entry["analysis"]
    codes = list(model["role_order"])
    names = {role["code"]: role["name"] for role in model["roles"]}
    weights = {r["round"]: r["weight"] for r in model["rounds"]}
    played = [r["round"] for r in scored]
    outcomes = [{"key": "table", "label": "This table", "per_round": scored}]
    for key, label in OUTCOMES:
        by_round = {r["round"]: r for r in analysis[key]["rounds"]}
        outcomes.append(
            {
                "key": key,
                "label": label,
                "per_round": [
                    {
                        "round": n,
                        "coalition": by_round[n]["coalition"],
                        "effectiveness": by_round[n]["effectiveness"],
                        "alignment": by_round[n]["alignment"],
                        "scores": {code: by_round[n]["scores"][code] for code in codes},
                    }
                    for n in played
                ],
            }
        )
    for outcome in outcomes:
        outcome["final"] = _figures(outcome["per_round"], weights, codes)
    by_key = {outcome["key"]: outcome for outcome in outcomes}
    table, fair = by_key["table"]["final"], by_key["fair_deal"]["final"]
    quo, no_deal = by_key["status_quo"]["final"], by_key["no_deal"]["final"]
    rise = fair["coalition"] - quo["coalition"]
    distance = {
        "coalition": table["coalition"] - fair["coalition"],
        "effectiveness": table["effectiveness"] - fair["effectiveness"],
        "alignment": table["alignment"] - fair["alignment"],
        "scores": {code: table["scores"][code] - fair["scores"][code] for code in codes},
        "share": table["coalition"] / fair["coalition"] if fair["coalition"] else None,
        "gap_closed": (table["coalition"] - quo["coalition"]) / rise if abs(rise) > 1e-9 else None,
    }
    rounds_rows = [
        {
            "round": n,
            "rows": [
                {"key": o["key"], "label": o["label"], **o["per_round"][index]} for o in outcomes
            ],
        }
        for index, n in enumerate(played)
    ]
    commitments = _commitments(model, analysis["fair_deal"]["commitments"], played)
    summary = _summary(
        names, codes, table, fair, quo, no_deal, distance, commitments, played, model
    )
    return {
        "status": "ok",
        "rules": rules,
        "message": "",
        "scenario": analysis.get("scenario"),
        "rounds": played,
        "partial": len(played) < model["game"]["rounds_total"],
        "outcomes": [{"key": o["key"], "label": o["label"], "final": o["final"]} for o in outcomes],
        "by_round": rounds_rows,
        "distance": distance,
        "commitments": commitments,
        "summary": summary,
        "solve_seconds": entry.get("seconds"),
        "cached": entry.get("cached", False),
    }


def _term_key(term: dict) -> tuple:
    return (term["by"], term["lever"], term["op"], term["value"], term["to"], term["lifts"])


def _meets(op: str, value, needed) -> bool:
    if value is None:
        return False
    return value >= needed if op == ">=" else value <= needed


def _commitments(model: dict, needed: list[dict], played: list[int]) -> dict:
    """Each term the fair deal needs, and per round whether the table committed to it (an
    accepted term by the same team on the same lever at least as demanding), kept it, or
    reached it without a commitment."""
    rounds = {r["round"]: r for r in model["rounds"]}
    decided = {
        n: {
            (code, row["lever"]): value
            for row in rounds[n]["decisions"]
            for code, value in row["values"].items()
        }
        for n in played
    }
    lifted = {
        n: {b["red_line"] for b in rounds[n]["breaches"] if b["outcome"] == "lifted"}
        for n in played
    }
    ledger = model["commitments"]
    rows: dict[tuple, dict] = {}
    counts = {"needed": 0, "committed": 0, "kept": 0, "broken": 0, "met": 0, "missing": 0}
    for term in needed:
        if term["round"] not in played:
            continue
        row = rows.setdefault(
            _term_key(term),
            {key: term[key] for key in ("by", "lever", "op", "value", "to", "lifts")}
            | {"rounds": {n: None for n in played}},
        )
        n = term["round"]
        made = [
            c
            for c in ledger
            if c["round"] == n
            and c["by"] == term["by"]
            and c["lever"] == term["lever"]
            and c["op"] == term["op"]
            and _meets(term["op"], c["value"], term["value"])
        ]
        if made:
            status = "broken" if any(c["status"] == "broken" for c in made) else "kept"
            counts["committed"] += 1
        elif _meets(term["op"], decided[n].get((term["by"], term["lever"])), term["value"]):
            status = "met"
        else:
            status = "missing"
        counts["needed"] += 1
        counts[status] += 1
        row["rounds"][n] = {"status": status, "lifted": term["lifts"] in lifted[n]}
    return {"terms": list(rows.values()), "counts": counts, "rounds": played}


def _points(value: float) -> str:
    return f"{abs(value):.1f} point{'s' if round(abs(value), 1) != 1 else ''}"


def _above_below(value: float) -> str:
    if abs(value) < 0.05:
        return "level with"
    return f"{_points(value)} {'above' if value > 0 else 'below'}"


def _summary(names, codes, table, fair, quo, no_deal, distance, commitments, played, model):
    lines = []
    over = (
        ""
        if len(played) == model["game"]["rounds_total"]
        else (f" (over the {plural(len(played), 'round')} scored)")
    )
    share = distance["share"]
    first = (
        f"The table reached {share:.0%} of the fair deal's coalition score{over}: "
        f"K {table['coalition']:.1f} against {fair['coalition']:.1f}"
        if share is not None
        else f"The table's coalition score was K {table['coalition']:.1f}"
    )
    first += f" (status quo {quo['coalition']:.1f}, no deal {no_deal['coalition']:.1f})."
    lines.append(first)
    gap = distance["gap_closed"]
    if gap is not None:
        if gap >= 1:
            lines.append(
                "It went beyond the fair deal's coalition score: "
                f"{_points(table['coalition'] - fair['coalition'])} above it."
            )
        elif gap <= 0:
            lines.append("It did not rise above the status quo's coalition score.")
        else:
            lines.append(
                f"It closed {gap:.0%} of the coalition-score gap from the status quo to "
                "the fair deal."
            )
    teams = [
        f"{names[code]} ended {_above_below(distance['scores'][code])} its fair-deal score"
        for code in codes
    ]
    lines.append("; ".join(teams) + ".")
    counts = commitments["counts"]
    if counts["needed"]:
        per_round = len(commitments["terms"])
        lines.append(
            f"The fair deal needed {plural(counts['needed'], 'commitment')} over the rounds "
            f"scored ({plural(per_round, 'distinct term')}); the table committed to "
            f"{counts['committed']} "
            f"of them and broke {counts['broken']}; {counts['met']} more were met by the "
            f"decisions without a commitment, and {counts['missing']} were neither committed "
            "nor met."
        )
    else:
        lines.append("The fair deal needs no commitment in the rounds scored.")
    return lines
