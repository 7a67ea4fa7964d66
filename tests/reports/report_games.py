"""A small played game for report tests: pure engine, no database.

Round 1: A reveals a-energy to C in full; C asks B for sanctions s >= 80 (over B's
unrevealed ceiling of 60) and B rejects; A asks C for g >= 4 and C accepts, then C decides
g = 0 and so breaks it. Round 2 is played through with standing decisions.
"""

from game.engine.testing import Table, term, trio_scenario


def played_document(*, seed: int = 7) -> dict:
    table = Table(trio_scenario(), seed=seed)
    table.advance_to(1, "negotiation")
    table.run("reveal", "A", red_line="a-energy", to=["C"], level="full")
    table.run("offer_propose", "C", to=["B"], terms=[term("B", "s", ">=", 80)])
    table.run("offer_reject", "B", offer="o1")
    table.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    table.run("offer_accept", "C", offer="o2")
    table.run("chat", "A", channel="all", text="Hello, partners")
    table.run("advance", "facilitator")
    table.run("decision_set", "A", values={"e": 4, "s": 70})
    table.run("decision_set", "C", values={"g": 0})
    table.run("note", "facilitator", text="C forgot its promise")
    table.advance_to(2, "results")
    table.run("advance", "facilitator")
    assert table.state["status"] == "ended"
    events = [
        {"seq": n, "at": f"2026-01-01T10:{n // 60:02d}:{n % 60:02d}+00:00", **e}
        for n, e in enumerate(table.events, start=1)
    ]
    return {
        "format": "redlines.game/1",
        "exported_at": "2026-01-01T11:00:00+00:00",
        "game": {
            "code": "TEST01",
            "title": "Trio test",
            "seed": seed,
            "status": "ended",
            "rules_version": table.state["rules"],
        },
        "scenario": table.state["scenario"],
        "players": [
            {"id": p["id"], "name": p["name"], "role": p["role"], "removed": False}
            for p in table.state["players"].values()
        ],
        "events": events,
        "offers": table.state["offers"],
        "decisions": table.state["decisions"],
        "results": table.state["results"],
        "final": table.state["final"],
    }
