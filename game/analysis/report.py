"""The analysis as a readable table (manage.py analyse_scenario without --json)."""

OUTCOMES = (
    ("status_quo", "status quo (everyone at start)"),
    ("no_deal", "no deal (best-response play)"),
    ("best_coalition", "best coalition score"),
    ("best_coalition_without_commitments", "  … without commitments"),
    ("best_total", "best total"),
    ("best_total_without_commitments", "  … without commitments"),
    ("fair_deal", "fair deal"),
    ("fair_deal_without_commitments", "  … without commitments"),
    ("max_pressure", "maximum pressure, red lines ignored"),
    ("all_minimum", "everyone at minimum pressure"),
)


def analysis_table(result: dict) -> list[str]:
    codes = list(result["status_quo"]["final"])
    width = max(8, *(len(code) + 2 for code in codes))
    lines = [
        f"Analysis of {result['scenario']} (scoring rules v{result['rules']}); finals over "
        "the game's round weights, gain over the status quo in brackets",
        f"{'outcome':<38}{'K':>7}{'E':>7}"
        + "".join(f"{code:>{width + 8}}" for code in codes)
        + f"{'breaches':>9}{'terms':>6}",
    ]
    for key, label in OUTCOMES:
        entry = result[key]
        gains = entry.get("gain", dict.fromkeys(codes, 0.0))
        cells = "".join(
            f"{entry['final'][code]:>{width}.2f} ({gains[code]:+6.2f})"[-(width + 8) :]
            for code in codes
        )
        breaches = sum(len(r["breaches"]) for r in entry["rounds"])
        lines.append(
            f"{label:<38}{entry['coalition']:>7.2f}{entry['effectiveness']:>7.2f}{cells}"
            f"{breaches:>9}{len(entry['commitments']):>6}"
        )
    no_deal = result["no_deal"]
    settled = "settled" if no_deal["converged"] else "did NOT settle"
    lines.append(f"no deal: best-response play {settled} after {no_deal['passes']} pass(es)")
    lines.append("")
    lines.append("Best unilateral move from the status quo (final gain: own / others)")
    for code, moves in result["unilateral"].items():
        parts = []
        for name in ("raise", "retreat"):
            move = moves[name]
            if move is None:
                parts.append(f"{name}: not possible (every lever at its least pressure)")
                continue
            others = ", ".join(f"{c} {g:+.2f}" for c, g in move["gain_to_others"].items())
            parts.append(f"{name} {move['gain']:+.2f} ({others})")
        lines.append(f"  {code:<6} " + "; ".join(parts))
    lines.append("")
    lines.append("Commitments the fair deal needs (round: term → red line it lifts)")
    for term in result["fair_deal"]["commitments"] or []:
        lines.append(
            f"  r{term['round']}: {term['by']} {term['lever']} {term['op']} {term['value']:g}"
            f" → {term['to']}'s {term['lifts']}"
        )
    if not result["fair_deal"]["commitments"]:
        lines.append("  none")
    lines.append("")
    lines.append("Incentive checks")
    for name, check in result["checks"].items():
        verdict = "pass" if check["passed"] else "FAIL"
        relation = "≥" if name != "d" else "<"
        lines.append(
            f"  ({name}) {verdict}: {check['value']:+.3f} {relation} {check['threshold']:g}"
            f"  {check['title']}"
        )
    return lines
