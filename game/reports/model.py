"""The after-action report as plain data, built from a game's export alone (DESIGN §6).

`report_model(document)` takes a `redlines.game/1` export, folds its events over the
scenario and seed with the engine's `replay` (the log is the source of truth; the export's
own `results` are not trusted), and returns a JSON-serialisable dict that every renderer
(HTML, PDF, CSV, XLSX, charts) reads. No Django here, so it is testable on plain data.

The report is the facilitator's view: it holds every team's secrets, so only facilitators
may see it before the game ends (the access checks live in the views).
"""

from datetime import datetime

from game import engine
from game.engine.chat import chat_revealed
from game.engine.redlines import crossed
from game.engine.scenario import role_codes
from game.engine.scoring import LEVEL_RANK, UNVERSIONED_RULES, awareness_matrix
from game.reports.achievable import achievable_deal
from game.reports.timeline import timeline

REPORT_FORMAT = "redlines.report/1"
MISSING = None  # a figure the game did not record (e.g. status quo on an older log)


def report_model(
    document: dict, *, review: dict | None = None, analysis_wait: float | None = None
) -> dict:
    """The report's data; `review` holds the facilitator's edits (game.services.reviews)
    laid over what the log gives: findings, improvement plan, debrief notes. The scenario
    analysis (section 7) comes from the cache, solved on first use within `analysis_wait`
    seconds (game.analysis.cache)."""
    scenario = document["scenario"]
    events = document["events"]
    rules = rules_of(document)
    state = engine.replay(scenario, seed=document["game"]["seed"], events=events, rules=rules)
    order = role_codes(scenario)
    rounds = _rounds(state, events)
    awareness = _awareness(state)
    blocked = _blocked_offers(state, events)
    ledger = _ledger(state)
    model = {
        "format": REPORT_FORMAT,
        "game": _game(document, state, events),
        "scenario": {
            "title": scenario["title"],
            "slug": scenario.get("slug"),
            "summary": scenario.get("summary", ""),
            "learning_objectives": list(scenario.get("learning_objectives") or []),
            "scoring": scenario["scoring"],
        },
        "roles": _roles(scenario, document.get("players", [])),
        "role_order": order,
        "levers": [
            {
                "key": lever["key"],
                "label": lever["label"],
                "unit": lever.get("unit", ""),
                "min": lever["min"],
                "max": lever["max"],
                "pressure": lever["pressure"],
                "holders": list(lever["holders"]),
                "start": {code: h["start"] for code, h in lever["holders"].items()},
            }
            for lever in scenario["levers"]
        ],
        "red_lines": [
            {
                key: line[key]
                for key in ("id", "role", "lever", "kind", "value", "penalty", "statement")
            }
            for line in scenario["red_lines"]
        ],
        "facilitators": _facilitators(events),
        "rounds": rounds,
        "awareness": awareness,
        "blocked_offers": blocked,
        "commitments": ledger,
        "totals": _totals(state, order),
        "final": state["final"],
        "notes": _notes(state),
        "chat": list(state["chat"]),
        "chat_revealed": chat_revealed(state),
        "chat_note": chat_note(chat_revealed(state)),
        "timeline": timeline(events),
        "rules": rules,
    }
    model["achievable_deal"] = achievable_deal(
        model, _analysis(scenario, rules, model, analysis_wait), rules=rules
    )
    model["findings"] = findings(model)
    model["improvement_plan"] = [
        {"issue": item["text"], "action": "", "owner": "", "due": ""}
        for item in model["findings"]["improvements"]
    ]
    model["review"] = None
    if review:
        apply_review(model, review)
    return model


def chat_note(revealed: bool) -> str:
    """What the debrief shows of the teams' private chat, in a sentence."""
    if revealed:
        return "Chat between teams was revealed for the debrief by the facilitator."
    return (
        "Private chat stays with its parties: a team's report holds only the messages that "
        "team could read."
    )


def rules_of(document: dict) -> int:
    """The scoring rules version the game was played under (an export without one
    predates versioning: version 1)."""
    return document["game"].get("rules_version") or UNVERSIONED_RULES


def _analysis(scenario: dict, rules: int, model: dict, wait: float | None) -> dict | None:
    if not any(r["scored"] for r in model["rounds"]):
        return None  # nothing to compare: do not solve
    from game.analysis.cache import cached_analysis  # SciPy: only when a report is made

    try:
        return cached_analysis(scenario, rules, wait=wait)
    except Exception as error:  # never let the analysis take the report down
        return {"status": "failed", "reason": f"{type(error).__name__}: {error}"}


def apply_review(model: dict, review: dict) -> None:
    """Replace derived findings and plan by the facilitator's (where given); add notes."""
    derived = model["findings"]
    model["derived_findings"] = derived
    model["findings"] = {
        key: [{"kind": "facilitator", "text": text} for text in review.get(key) or []]
        or derived[key]
        for key in ("strengths", "improvements")
    }
    if review.get("plan"):
        model["improvement_plan"] = [dict(row) for row in review["plan"]]
    notes = review.get("debrief_notes") or {}
    for round_ in model["rounds"]:
        round_["debrief_notes"] = notes.get(str(round_["round"]), "")
    model["review"] = {
        "updated_at": (review.get("updated_at") or "")[:16].replace("T", " "),
        "updated_by": review.get("updated_by"),
    }


def _notes(state: dict) -> list[dict]:
    """The facilitator's notes with their text: a player's export keeps only a placeholder
    ({"private": true}) for each, so its report has none."""
    return [note for note in state["notes"] if "text" in note]


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _game(document: dict, state: dict, events: list[dict]) -> dict:
    game = document["game"]
    started = next((e["at"] for e in events if e["kind"] == "game_started"), None)
    ended = next((e["at"] for e in events if e["kind"] == "game_ended"), None)
    minutes = None
    if started and ended:
        minutes = round((_time(ended) - _time(started)).total_seconds() / 60, 1)
    return {
        "code": game["code"],
        "title": game["title"],
        "status": state["status"],
        "seed": game["seed"],
        "created_at": game.get("created_at"),
        "started_at": started,
        "ended_at": ended,
        "date": (started or game.get("created_at") or "")[:16].replace("T", " "),
        "duration_minutes": minutes,
        "end_reason": state["end_reason"],
        "events": len(events),
        "rounds_played": len(state["results"]),
        "rounds_total": len(document["scenario"]["rounds"]),
        "exported_at": document.get("exported_at"),
    }


def _roles(scenario: dict, players: list[dict]) -> list[dict]:
    return [
        {
            "code": role["code"],
            "name": role["name"],
            "color": role.get("color") or "#555555",
            "weight": role["weight"],
            "players": [p["name"] for p in players if p["role"] == role["code"]],
            "removed_players": [
                p["name"] for p in players if p["role"] == role["code"] and p.get("removed")
            ],
        }
        for role in scenario["roles"]
    ]


def _facilitators(events: list[dict]) -> list[str]:
    names = [
        (e.get("actor") or {}).get("name")
        for e in events
        if (e.get("actor") or {}).get("kind") == "facilitator"
    ]
    return list(dict.fromkeys(name for name in names if name))


def _rounds(state: dict, events: list[dict]) -> list[dict]:
    scenario = state["scenario"]
    order = role_codes(scenario)
    results = {entry["round"]: entry for entry in state["results"]}
    played = max([state["round"], *results], default=0)
    rounds = []
    for round_no in range(1, played + 1):
        spec = scenario["rounds"][round_no - 1]
        entry = results.get(round_no)
        rounds.append(
            {
                "round": round_no,
                "title": spec["title"],
                "heading": round_heading(round_no, spec["title"]),
                "briefing": spec.get("briefing", ""),
                "weight": spec.get("weight", 1),
                "questions": list(spec.get("questions") or []),
                "injects": [i for i in state["injects"] if i["round"] == round_no],
                "reveals": [r for r in state["reveals"] if r["round"] == round_no],
                "offers": [o for o in _offers(state) if o["round"] == round_no],
                "notes": [n for n in _notes(state) if n.get("round") == round_no],
                "scored": entry is not None,
                "decisions": _decision_rows(scenario, entry) if entry else [],
                "scores": _score_rows(order, entry) if entry else [],
                "metrics": _metrics(entry) if entry else None,
                "commitments": list(entry["commitments"]) if entry else [],
                "breaches": _breaches(entry, order) if entry else [],
                "adjustments": list(entry["adjustments"]) if entry else [],
            }
        )
    return rounds


def round_heading(round_no: int, title: str) -> str:
    """ "Round 2 — Sakhalin-2", without repeating "Round 2" when the title starts with it."""
    prefix = f"Round {round_no}"
    if title.startswith(prefix):
        return title
    return f"{prefix} — {title}"


def _offers(state: dict) -> list[dict]:
    offers = sorted(state["offers"].values(), key=lambda o: int(o["id"].lstrip("o") or 0))
    return [
        {
            key: offer.get(key)
            for key in (
                "id",
                "round",
                "proposer",
                "to",
                "terms",
                "note",
                "counter_of",
                "status",
                "accepted_by",
                "rejected_by",
                "accepted_round",
            )
        }
        for offer in offers
    ]


def _decision_rows(scenario: dict, entry: dict) -> list[dict]:
    """One row per lever: every holder's decided value and pressure, and the start values."""
    rows = []
    for lever in scenario["levers"]:
        rows.append(
            {
                "lever": lever["key"],
                "label": lever["label"],
                "values": {
                    code: entry["decisions"][code].get(lever["key"])
                    for code in lever["holders"]
                    if code in entry["decisions"]
                },
                "pressures": {
                    code: entry["metrics"]["pressures"].get(code, {}).get(lever["key"])
                    for code in lever["holders"]
                },
                "start": {code: h["start"] for code, h in lever["holders"].items()},
                "spread": entry["metrics"]["spread"].get(lever["key"]),
            }
        )
    return rows


def _score_rows(order: list[str], entry: dict) -> list[dict]:
    rows = []
    for code in order:
        score = entry["scores"][code]
        private = entry["private"][code]
        rows.append(
            {
                "role": code,
                "coalition": entry["metrics"]["coalition"],
                "cost": private.get("cost"),
                "red_line_penalty": private.get("red_line_penalty", 0),
                "commitment_penalty": score.get("commitment_penalty", 0),
                "national": score.get("national"),
                "base": score.get("base"),
                "adjustment": score.get("adjustment", 0),
                "score": score.get("score"),
                # Added to round_scored by the status-quo work; older logs lack them.
                "status_quo": score.get("status_quo", MISSING),
                "gain": score.get("gain", MISSING),
            }
        )
    return rows


def _metrics(entry: dict) -> dict:
    metrics = entry["metrics"]
    return {
        "alignment": metrics["alignment"],
        "alignment_points": metrics["alignment_points"],
        "effectiveness": metrics["effectiveness"],
        "coalition": metrics["coalition"],
        "pairs": [
            {"roles": list(pair["roles"]), "alignment": pair["alignment"]}
            for pair in metrics["pairs"]
        ],
        "spread": dict(metrics["spread"]),
        "pressures": metrics["pressures"],
    }


def _breaches(entry: dict, order: list[str]) -> list[dict]:
    rows = []
    for code in order:
        private = entry["private"][code]
        rows += [{**b, "outcome": "breached"} for b in private.get("breaches", [])]
        rows += [{**b, "outcome": "lifted"} for b in private.get("lifted", [])]
    return rows


def _awareness(state: dict) -> dict:
    """The engine's awareness matrix, pivoted: round → red line → role → level."""
    scenario = state["scenario"]
    rounds = [entry["round"] for entry in state["results"]]
    rows = awareness_matrix(
        red_lines=scenario["red_lines"],
        role_order=role_codes(scenario),
        reveals=state["reveals"],
        rounds=rounds,
    )
    matrix: dict = {}
    for row in rows:
        matrix.setdefault(row["round"], {}).setdefault(row["red_line"], {})[row["role"]] = row[
            "level"
        ]
    never = [
        line["id"]
        for line in scenario["red_lines"]
        if not any(
            r["red_line"] == line["id"] and (r["to"] == "all" or r["to"]) for r in state["reveals"]
        )
    ]
    return {"rounds": rounds, "rows": rows, "matrix": matrix, "never_revealed": never}


def forces_crossing(line: dict, term: dict) -> bool:
    """Would keeping this term make its committing role cross the red line?"""
    if term["by"] != line["role"] or term["lever"] != line["lever"]:
        return False
    if line["kind"] == "floor":
        return term["op"] == "<=" and crossed(line, term["value"])
    return term["op"] == ">=" and crossed(line, term["value"])


def _blocked_offers(state: dict, events: list[dict]) -> list[dict]:
    """Offers that asked a partner to cross one of its red lines and did not go through,
    with what the proposer knew of that red line when it proposed."""
    scenario = state["scenario"]
    offers = state["offers"]
    reveals: list[dict] = []
    proposed_with: dict[str, list[dict]] = {}
    for event in events:
        if event["kind"] == "red_line_revealed":
            reveals.append(event["data"])
        elif event["kind"] == "offer_proposed":
            proposed_with[event["data"]["offer"]["id"]] = list(reveals)
    rows = []
    for offer_id, known in proposed_with.items():
        offer = offers.get(offer_id)
        if offer is None or offer["status"] == "accepted":
            continue
        for term in offer["terms"]:
            for line in scenario["red_lines"]:
                if line["role"] == offer["proposer"] or not forces_crossing(line, term):
                    continue
                level = _level(known, line["id"], offer["proposer"])
                rows.append(
                    {
                        "offer": offer_id,
                        "round": offer["round"],
                        "proposer": offer["proposer"],
                        "term": term,
                        "red_line": line["id"],
                        "owner": line["role"],
                        "proposer_knew": level or "none",
                        "status": offer["status"],
                        "unrevealed": level is None,
                    }
                )
    return rows


def _level(reveals: list[dict], line_id: str, role: str) -> str | None:
    levels = [
        r["level"]
        for r in reveals
        if r["red_line"] == line_id and (r["to"] == "all" or role in r["to"])
    ]
    return max(levels, key=LEVEL_RANK.__getitem__, default=None)


def _ledger(state: dict) -> list[dict]:
    rows = []
    for entry in state["results"]:
        for c in entry["commitments"]:
            rows.append(
                {
                    "round": entry["round"],
                    "offer": c["offer"],
                    "term_index": c["term_index"],
                    "by": c["term"]["by"],
                    "lever": c["term"]["lever"],
                    "op": c["term"]["op"],
                    "value": c["term"]["value"],
                    "duration": c["term"]["duration"],
                    "decided": c["value"],
                    "status": c["status"],
                    "penalty": c.get("penalty", 0),
                    "parties": list(c["parties"]),
                }
            )
    return rows


def _totals(state: dict, order: list[str]) -> dict:
    """Per role over the scored rounds: domestic cost, penalties, breaches, broken terms."""
    totals = {
        code: {
            "cost": 0.0,
            "red_line_penalty": 0.0,
            "commitment_penalty": 0.0,
            "breaches": 0,
            "broken": 0,
            "fulfilled": 0,
            "gain": None,
        }
        for code in order
    }
    for entry in state["results"]:
        for code in order:
            mine, private = totals[code], entry["private"][code]
            mine["cost"] += private.get("cost") or 0
            mine["red_line_penalty"] += private.get("red_line_penalty") or 0
            mine["commitment_penalty"] += entry["scores"][code].get("commitment_penalty") or 0
            mine["breaches"] += len(private.get("breaches", []))
            gain = entry["scores"][code].get("gain")
            if gain is not None:
                mine["gain"] = (mine["gain"] or 0) + gain * entry["weight"]
        for c in entry["commitments"]:
            totals[c["term"]["by"]]["broken" if c["status"] == "broken" else "fulfilled"] += 1
    weight = sum(entry["weight"] for entry in state["results"]) or 1
    for mine in totals.values():
        if mine["gain"] is not None:
            mine["gain"] /= weight  # weighted mean, like the final score
    return totals


def findings(model: dict) -> dict:
    """Strengths and areas for improvement, each derived from a figure of the game."""
    strengths, improvements = [], []
    scored = [r for r in model["rounds"] if r["scored"]]
    names = {role["code"]: role["name"] for role in model["roles"]}
    labels = {lever["key"]: lever["label"] for lever in model["levers"]}
    if not scored:
        return {"strengths": [], "improvements": [{"text": "No round was scored.", "kind": ""}]}

    worst = min(
        ((r, p) for r in scored for p in r["metrics"]["pairs"]), key=lambda rp: rp[1]["alignment"]
    )
    round_, pair = worst
    a, b = pair["roles"]
    pressures = round_["metrics"]["pressures"]
    gaps = {
        key: abs(pressures[a][key] - pressures[b][key])
        for key in pressures.get(a, {})
        if key in pressures.get(b, {})
    }
    lever = max(gaps, key=gaps.get) if gaps else None
    improvements.append(
        {
            "kind": "misalignment",
            "text": f"Largest misalignment: {names[a]} and {names[b]} in round "
            f"{round_['round']} (S = {pair['alignment']:.2f})"
            + (f", widest on {labels[lever]} (pressure gap {gaps[lever]:.2f})." if lever else "."),
        }
    )

    never = model["awareness"]["never_revealed"]
    blocking = {row["red_line"] for row in model["blocked_offers"] if row["unrevealed"]}
    for line in model["red_lines"]:
        if line["id"] in never:
            blocked = " It blocked an offer a partner proposed." if line["id"] in blocking else ""
            improvements.append(
                {
                    "kind": "unrevealed",
                    "text": f"{names[line['role']]} never revealed red line {line['id']} "
                    f"({labels.get(line['lever'], line['lever'])}).{blocked}",
                }
            )
    broken = [c for c in model["commitments"] if c["status"] == "broken"]
    for c in broken:
        improvements.append(
            {
                "kind": "broken",
                "text": f"{names[c['by']]} broke commitment {c['offer']} "
                f"({labels.get(c['lever'], c['lever'])} {c['op']} {c['value']}, decided "
                f"{c['decided']}) in round {c['round']}.",
            }
        )
    totals = model["totals"]
    payer = max(totals, key=lambda code: totals[code]["cost"])
    improvements.append(
        {
            "kind": "cost",
            "text": f"{names[payer]} paid most for the coalition: domestic cost "
            f"{totals[payer]['cost']:.1f} points over the game.",
        }
    )

    first, last = scored[0]["metrics"], scored[-1]["metrics"]
    if len(scored) > 1 and last["alignment"] > first["alignment"]:
        strengths.append(
            {
                "kind": "alignment",
                "text": f"Coalition alignment rose from {first['alignment']:.2f} in round 1 to "
                f"{last['alignment']:.2f} in round {scored[-1]['round']}.",
            }
        )
    if len(scored) > 1 and last["effectiveness"] > first["effectiveness"]:
        strengths.append(
            {
                "kind": "effectiveness",
                "text": f"Effectiveness rose from {first['effectiveness']:.1f} to "
                f"{last['effectiveness']:.1f}.",
            }
        )
    kept = [c for c in model["commitments"] if c["status"] == "fulfilled"]
    if kept:
        strengths.append(
            {
                "kind": "commitments",
                "text": f"{len(kept)} of {len(kept) + len(broken)} binding commitment terms "
                "were kept.",
            }
        )
    lifted = [b for r in scored for b in r["breaches"] if b["outcome"] == "lifted"]
    if lifted:
        strengths.append(
            {
                "kind": "lifted",
                "text": f"{len(lifted)} time(s) a red line was crossed and lifted by a partner's "
                "commitment: the trades worked.",
            }
        )
    revealed = len(model["red_lines"]) - len(never)
    if revealed:
        strengths.append(
            {
                "kind": "disclosure",
                "text": f"{revealed} of {len(model['red_lines'])} red lines were revealed to "
                "at least one partner.",
            }
        )
    return {"strengths": strengths, "improvements": improvements}
