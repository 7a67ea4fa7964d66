"""The parts of each role's scores, as one viewer may see them, for results tables.

Every part that enters a score is listed, and the parts of each score add up to it:
national N = 100 − domestic cost − red-line penalties − commitment penalties, and
round score R = γ·K (coalition part) + (1 − γ)·N (national part) + adjustments. A role's
domestic cost and red-line penalties are its own until the game ends; any other viewer gets
their sum, which N and the published commitment penalty already give away.
"""

from game.engine.scoring import NATIONAL_START as START


def score_breakdown(entry: dict, coalition_weight: float, role: str | None, god: bool) -> dict:
    """{code: {"national": {"parts": [...], "total": N}, "score": {"parts": [...], "total": R}}}
    for one scored round; each part is {"part": name, "value": signed points}."""
    coalition = entry["metrics"]["coalition"]
    breakdown = {}
    for code, score in entry["scores"].items():
        national = score["national"]
        commitments = score.get("commitment_penalty", 0)
        private = entry["private"].get(code, {}) if (god or code == role) else {}
        if private.get("cost") is not None:
            costs = [
                {"part": "cost", "value": -private["cost"]},
                {"part": "red_lines", "value": -private.get("red_line_penalty", 0)},
            ]
        else:
            hidden = round(START - national - commitments, 9)
            costs = [{"part": "cost_and_red_lines", "value": -hidden}]
        breakdown[code] = {
            "national": {
                "parts": [
                    {"part": "start", "value": START},
                    *costs,
                    {"part": "commitments", "value": -commitments},
                ],
                "total": national,
            },
            "score": {
                "parts": [
                    {"part": "coalition", "value": coalition_weight * coalition},
                    {"part": "national", "value": (1 - coalition_weight) * national},
                    {"part": "adjustment", "value": score.get("adjustment", 0)},
                ],
                "total": score["score"],
            },
        }
    return breakdown
