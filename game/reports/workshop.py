"""Several tables side by side: the comparison of a workshop's games (pure, from exports)."""

import matplotlib
from matplotlib.figure import Figure

from game.reports.charts import HEIGHT, SVG_RC, WIDTH, legend_right, svg_text
from game.reports.model import report_model

TABLE_COLORS = matplotlib.colormaps["tab10"].colors


def workshop_comparison(documents: list[dict]) -> dict:
    """One row per table (game): outcome figures, and the series the charts compare."""
    tables = []
    for document in documents:
        model = report_model(document)
        scored = [r for r in model["rounds"] if r["scored"]]
        totals = model["totals"].values()
        final = model["final"] or {"roles": {}, "coalition": None}
        tables.append(
            {
                "code": model["game"]["code"],
                "title": model["game"]["title"],
                "status": model["game"]["status"],
                "rounds": len(scored),
                "coalition": final["coalition"],
                "finals": final["roles"],
                "alignment": [(r["round"], r["metrics"]["alignment"]) for r in scored],
                "effectiveness": [(r["round"], r["metrics"]["effectiveness"]) for r in scored],
                "breaches": sum(t["breaches"] for t in totals),
                "broken": sum(t["broken"] for t in totals),
                "kept": sum(t["fulfilled"] for t in totals),
                "never_revealed": len(model["awareness"]["never_revealed"]),
                "cost": sum(t["cost"] for t in totals),
                **_fair_deal_distance(model["achievable_deal"]),
            }
        )
    roles = report_model(documents[0])["roles"] if documents else []
    return {"tables": tables, "roles": roles, "charts": _charts(tables)}


def _fair_deal_distance(deal: dict) -> dict:
    """Table − fair deal (report section 7): coalition K and each team's final, the share
    of the fair deal's K reached; None where the analysis is not available."""
    if deal["status"] != "ok":
        return {
            "distance_fair_deal": None,
            "fair_deal_share": None,
            "fair_deal_percent": "",
            "fair_deal_coalition": None,
            "distance_fair_deal_roles": {},
            "fair_deal_status": deal["status"],
        }
    fair = next(o for o in deal["outcomes"] if o["key"] == "fair_deal")
    return {
        "distance_fair_deal": deal["distance"]["coalition"],
        "fair_deal_share": deal["distance"]["share"],
        "fair_deal_percent": ""
        if deal["distance"]["share"] is None
        else f"{deal['distance']['share']:.0%}",
        "fair_deal_coalition": fair["final"]["coalition"],
        "distance_fair_deal_roles": dict(deal["distance"]["scores"]),
        "fair_deal_status": "ok",
    }


def _charts(tables: list[dict]) -> dict[str, str]:
    if not any(t["alignment"] for t in tables):
        return {}
    with matplotlib.rc_context(SVG_RC):
        return {
            "alignment": svg_text(_lines(tables, "alignment", "coalition alignment A", (-1, 1))),
            "effectiveness": svg_text(_lines(tables, "effectiveness", "effectiveness E", (0, 100))),
        }


def _lines(tables: list[dict], key: str, label: str, limits: tuple) -> Figure:
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.add_subplot()
    rounds, values = set(), []
    for index, table in enumerate(tables):
        if not table[key]:
            continue
        xs, ys = zip(*table[key], strict=True)
        rounds.update(xs)
        values.extend(ys)
        color = TABLE_COLORS[index % len(TABLE_COLORS)]
        axes.plot(xs, ys, "o-", color=color, label=table["code"])
    ordered = sorted(rounds)
    axes.set_xticks(ordered, [f"Round {n}" for n in ordered])
    # Zoomed to the values played (tables of one scenario differ by little), within limits.
    low, high = limits
    pad = max(0.05 * (high - low), 0.1 * (max(values) - min(values)))
    axes.set_ylim(max(low, min(values) - pad), min(high, max(values) + pad))
    axes.set_ylabel(label)
    legend_right(axes)
    return figure
