"""Results of a round: decisions, commitment fulfilment, red-line breaches and scores.

What is published to everyone: every decision, the coalition figures, each role's national
and round score and its commitment penalties, and every broken commitment (DESIGN §3).
What stays with the role (and the facilitator) until the game ends: its domestic cost, its
red-line penalty and which of its red lines it breached or had lifted; fulfilled commitments
are reported to the offer's parties.
"""

from game.engine.decisions import final_decisions, is_locked
from game.engine.offers import binding_terms, satisfies
from game.engine.redlines import red_line_outcomes
from game.engine.registry import applies
from game.engine.scenario import cost_multipliers, role_codes, round_spec
from game.engine.scoring import final_scores, score_round, status_quo_scores
from game.engine.state import event, offer_parties, rules_version, with_result

METRICS = (
    "pressures",
    "credited_pressures",
    "pairs",
    "alignment",
    "alignment_points",
    "effectiveness",
    "coalition",
    "spread",
)


def round_results_events(state: dict) -> list[dict]:
    """Score the round the game is in, from the decisions standing at the end of decision."""
    scenario, round_no = state["scenario"], state["round"]
    order = role_codes(scenario)
    decisions = final_decisions(state)
    scoring = scenario["scoring"]
    commitment_penalty = dict.fromkeys(order, 0)
    red_line_penalty = dict.fromkeys(order, 0)
    detail_events = []

    for offer, index, term in binding_terms(state["offers"], round_no):
        value = decisions[term["by"]][term["lever"]]
        data = {"round": round_no, "offer": offer["id"], "term_index": index, "term": term}
        if satisfies(value, term["op"], term["value"]):
            detail_events.append(
                event("commitment_fulfilled", {**data, "value": value}, offer_parties(offer))
            )
        else:
            penalty = scoring["broken_commitment_penalty"]
            commitment_penalty[term["by"]] += penalty
            detail_events.append(
                event("commitment_broken", {**data, "value": value, "penalty": penalty}, "all")
            )

    for outcome in red_line_outcomes(scenario, state["offers"], decisions, round_no):
        line = outcome["line"]
        data = {
            "round": round_no,
            "red_line": line["id"],
            "role": line["role"],
            "value": outcome["value"],
        }
        if outcome["lifted"]:
            detail_events.append(event("red_line_lifted", data, [line["role"]]))
        else:
            red_line_penalty[line["role"]] += line["penalty"]
            data["penalty"] = line["penalty"]
            detail_events.append(event("red_line_breached", data, [line["role"]]))

    multipliers = cost_multipliers(scenario, round_no)
    weights = {
        "alignment_weight": scoring["alignment_weight"],
        "coalition_weight": scoring["coalition_weight"],
        "rules": rules_version(state),
    }
    scored = score_round(
        roles=scenario["roles"],
        levers=scenario["levers"],
        decisions=decisions,
        multipliers=multipliers,
        penalties={code: commitment_penalty[code] + red_line_penalty[code] for code in order},
        **weights,
    )
    status_quo = status_quo_scores(
        roles=scenario["roles"], levers=scenario["levers"], multipliers=multipliers, **weights
    )
    public = {
        "round": round_no,
        "weight": round_spec(scenario, round_no)["weight"],
        "decisions": decisions,
        "locked": [code for code in order if is_locked(state, code)],
        "metrics": {key: scored[key] for key in METRICS},
        "scores": {
            code: {
                "national": scored["roles"][code]["national"],
                "commitment_penalty": commitment_penalty[code],
                "base": scored["roles"][code]["score"],
                "adjustment": 0,
                "score": scored["roles"][code]["score"],
                "status_quo": status_quo[code],
                "gain": scored["roles"][code]["score"] - status_quo[code],
            }
            for code in order
        },
    }
    private = [
        event(
            "cost_assessed",
            {
                "round": round_no,
                "role": code,
                "cost": scored["roles"][code]["cost"],
                "cost_by_lever": scored["roles"][code]["cost_by_lever"],
                "multipliers": multipliers.get(code, {}),
                "red_line_penalty": red_line_penalty[code],
            },
            [code],
        )
        for code in order
    ]
    return [event("round_scored", public, "all"), *detail_events, *private]


def final_summary(state: dict) -> dict:
    """Final scores over the rounds scored so far (DESIGN §3 "Final")."""
    rounds = [
        {
            "weight": entry["weight"],
            "coalition": entry["metrics"]["coalition"],
            "scores": {code: score["score"] for code, score in entry["scores"].items()},
        }
        for entry in state["results"]
    ]
    return final_scores(rounds, role_codes(state["scenario"]))


@applies("round_scored")
def apply_round_scored(state: dict, data: dict) -> dict:
    private = {
        code: {
            "cost": None,
            "cost_by_lever": {},
            "multipliers": {},
            "red_line_penalty": 0,
            "breaches": [],
            "lifted": [],
        }
        for code in role_codes(state["scenario"])
    }
    entry = {**data, "adjustments": [], "commitments": [], "private": private}
    return {**state, "results": [*state["results"], entry], "decisions": data["decisions"]}


def _add_commitment(state: dict, data: dict, status: str) -> dict:
    record = {
        **data,
        "status": status,
        "parties": offer_parties(state["offers"][data["offer"]]),
    }

    def update(entry):
        return {**entry, "commitments": [*entry["commitments"], record]}

    return with_result(state, data["round"], update)


@applies("commitment_fulfilled")
def apply_commitment_fulfilled(state: dict, data: dict) -> dict:
    return _add_commitment(state, data, "fulfilled")


@applies("commitment_broken")
def apply_commitment_broken(state: dict, data: dict) -> dict:
    return _add_commitment(state, data, "broken")


def _with_private(state: dict, round_no: int, role: str, change) -> dict:
    def update(entry):
        private = {**entry["private"], role: change(entry["private"][role])}
        return {**entry, "private": private}

    return with_result(state, round_no, update)


@applies("red_line_breached")
def apply_red_line_breached(state: dict, data: dict) -> dict:
    return _with_private(
        state,
        data["round"],
        data["role"],
        lambda mine: {**mine, "breaches": [*mine["breaches"], data]},
    )


@applies("red_line_lifted")
def apply_red_line_lifted(state: dict, data: dict) -> dict:
    return _with_private(
        state, data["round"], data["role"], lambda mine: {**mine, "lifted": [*mine["lifted"], data]}
    )


@applies("cost_assessed")
def apply_cost_assessed(state: dict, data: dict) -> dict:
    fields = ("cost", "cost_by_lever", "multipliers", "red_line_penalty")
    return _with_private(
        state,
        data["round"],
        data["role"],
        lambda mine: {**mine, **{key: data[key] for key in fields}},
    )
