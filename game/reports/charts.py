"""The report's charts as SVG, drawn by matplotlib's SVG backend from the report model.

Server-rendered SVG keeps the web page and the PDF identical and prints sharply. Text stays
text (`svg.fonttype: none`), so the PDF's charts are searchable and the SVG is small. Figures
are built with the object API (no pyplot global state), so rendering is thread-safe.
"""

import io

import matplotlib
from matplotlib.figure import Figure

SVG_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "redlines-report",  # stable element ids: the same game, the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
}
WIDTH, HEIGHT = 6.4, 2.8  # inches: fits an A4 column at full width
COALITION_COLORS = {"alignment": "#2b8cbe", "effectiveness": "#e6550d", "coalition": "#333333"}


def report_charts(model: dict) -> dict[str, str]:
    """Every chart of the report, by name, as an SVG document (empty when nothing scored)."""
    scored = [r for r in model["rounds"] if r["scored"]]
    if not scored:
        return {}
    with matplotlib.rc_context(SVG_RC):
        return {
            "coalition": svg_text(_coalition(scored)),
            "scores": svg_text(_scores(model, scored)),
            "spread": svg_text(_spread(model, scored)),
            "pairs": svg_text(_pairs(model, scored)),
        }


def svg_text(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # without the XML prolog and doctype, for inlining


def _round_axis(axes, rounds: list[int]) -> None:
    axes.set_xticks(rounds, [f"Round {n}" for n in rounds])
    axes.set_xlim(rounds[0] - 0.3, rounds[-1] + 0.3)


def legend_right(axes) -> None:
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def _coalition(scored: list[dict]) -> Figure:
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.add_subplot()
    rounds = [r["round"] for r in scored]
    series = [
        ("alignment", "Alignment points 50·(A+1)", "alignment_points", "o-"),
        ("effectiveness", "Effectiveness E", "effectiveness", "s-"),
        ("coalition", "Coalition score K", "coalition", "D--"),
    ]
    for name, label, key, style in series:
        values = [r["metrics"][key] for r in scored]
        axes.plot(rounds, values, style, label=label, color=COALITION_COLORS[name])
        for x, y in zip(rounds, values, strict=True):
            axes.annotate(
                f"{y:.0f}",
                (x, y),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=7,
                color=COALITION_COLORS[name],
            )
    axes.set_ylim(0, 105)
    axes.set_ylabel("points (0–100)")
    _round_axis(axes, rounds)
    legend_right(axes)
    return figure


def _scores(model: dict, scored: list[dict]) -> Figure:
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.add_subplot()
    rounds = [r["round"] for r in scored]
    low, high = 100.0, 0.0
    for role in model["roles"]:
        values = [
            next(s["score"] for s in r["scores"] if s["role"] == role["code"]) for r in scored
        ]
        low, high = min(low, *values), max(high, *values)
        axes.plot(
            rounds, values, "o-", label=f"{role['name']} ({role['code']})", color=role["color"]
        )
    # Zoomed to the scores played: teams' scores often differ by a few points only.
    axes.set_ylim(max(low - 5, -100) // 5 * 5, min(high + 5, 100))
    axes.set_ylabel("round score R")
    _round_axis(axes, rounds)
    legend_right(axes)
    return figure


def _spread(model: dict, scored: list[dict]) -> Figure:
    """Per-lever spread (max p − min p over holders), one bar per round."""
    levers = [lever for lever in model["levers"] if len(lever["holders"]) > 1]
    figure = Figure(figsize=(WIDTH, max(HEIGHT, 0.45 * len(levers) * max(1, len(scored)) / 2)))
    axes = figure.add_subplot()
    height = 0.8 / len(scored)
    cmap = matplotlib.colormaps["Blues"]
    for index, round_ in enumerate(scored):
        positions = [i + index * height for i in range(len(levers))]
        values = [round_["metrics"]["spread"].get(lever["key"], 0) for lever in levers]
        shade = cmap(0.35 + 0.6 * (index + 1) / len(scored))
        axes.barh(positions, values, height=height, label=f"Round {round_['round']}", color=shade)
    axes.set_yticks(
        [i + 0.4 - height / 2 for i in range(len(levers))],
        [_wrap(lever["label"]) for lever in levers],
    )
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("spread of pressure between holders (0 = in step, 1 = opposite ends)")
    axes.grid(axis="y", visible=False)
    legend_right(axes)
    return figure


def _pairs(model: dict, scored: list[dict]) -> Figure:
    """Pair alignment S by round as a heat map, each cell labelled with its value."""
    pairs = [tuple(p["roles"]) for p in scored[-1]["metrics"]["pairs"]]
    matrix = []
    for pair in pairs:
        row = []
        for round_ in scored:
            found = [
                p["alignment"] for p in round_["metrics"]["pairs"] if tuple(p["roles"]) == pair
            ]
            row.append(found[0] if found else float("nan"))
        matrix.append(row)
    figure = Figure(figsize=(WIDTH, max(1.6, 0.42 * len(pairs) + 0.9)))
    axes = figure.add_subplot()
    mesh = axes.pcolormesh(
        matrix, cmap="RdYlGn", vmin=-1, vmax=1, edgecolors="white", linewidth=1.5
    )
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value == value:
                axes.text(
                    j + 0.5,
                    i + 0.5,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black",
                )
    axes.set_xticks([j + 0.5 for j in range(len(scored))], [f"Round {r['round']}" for r in scored])
    axes.set_yticks([i + 0.5 for i in range(len(pairs))], [f"{a}–{b}" for a, b in pairs])
    axes.invert_yaxis()
    axes.grid(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    axes.tick_params(length=0)
    figure.colorbar(mesh, ax=axes, label="pair alignment S", fraction=0.04, pad=0.02)
    return figure


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])
