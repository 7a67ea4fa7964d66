"""Previews: what a move would cost a team, answered from that team's own knowledge.

A page never recomputes a rule: before a team sets a decision, proposes or accepts an offer,
it asks the engine what that would mean for it. A preview reads only what the asking role
may know — its own costs, multipliers, red lines, drafts and the offers it is party to —
plus what is public (every role's standing decision). Partners are assumed to keep their
standing decisions, moved just far enough to honour the commitments they owe in offers the
asking role is party to. Nothing is stored: a preview is a pure function of the state.
"""

from game.engine import checks
from game.engine.decisions import current_values
from game.engine.errors import Rejected, RuleError
from game.engine.offers import binds, in_order, parse_terms, satisfies
from game.engine.redlines import crossed, term_meets
from game.engine.scenario import cost_multipliers, role_codes
from game.engine.scoring import domestic_cost, score_round
from game.engine.state import offer_parties, rules_version


def preview(state: dict, role: str, request: dict) -> dict | RuleError:
    """`request` is `{"decision": {lever: value}}` (a partial draft merged onto the team's
    current values) or `{"offer": id}` / `{"terms": [...]}` (an offer received, or one being
    composed). Returns the figures for `role`, or a RuleError naming the bad field."""
    try:
        if state["status"] != "running":
            raise Rejected("game_not_running", "Previews are available while the game runs.")
        if role not in role_codes(state["scenario"]):
            raise Rejected("unknown_role", "Previews are for a team.")
        if "decision" in request:
            return preview_decision(state, role, request["decision"])
        if "offer" in request:
            return preview_offer(state, role, _offer_terms(state, role, request["offer"]))
        if "terms" in request:
            terms = parse_terms(state, request["terms"], parties=None, durations=False)
            return preview_offer(state, role, terms)
        raise Rejected("invalid", "A preview needs 'decision', 'offer' or 'terms'.")
    except Rejected as rejected:
        return rejected.as_error()


def preview_decision(state: dict, role: str, raw) -> dict:
    raw = checks.dict_of(raw, "decision")
    values = dict(current_values(state, role))
    for key, value in raw.items():
        where = f"decision.{key}"[:80]
        lever = checks.held_lever(state["scenario"], key, where, holder=role)
        values[lever["key"]] = checks.lever_value(lever, value, where)
    return {"kind": "decision", **_figures(state, role, values, extra_terms=[])}


def preview_offer(state: dict, role: str, terms: list[dict]) -> dict:
    """What honouring `terms` (on top of the team's current values) would mean for `role`:
    its own terms move its levers just far enough, partners' terms move theirs, and the
    terms count towards lifting red lines as an accepted offer's would."""
    base_values = dict(current_values(state, role))
    values = dict(base_values)
    for term in terms:
        if term["by"] == role and not satisfies(values[term["lever"]], term["op"], term["value"]):
            values[term["lever"]] = term["value"]
    before = _figures(state, role, base_values, extra_terms=[])
    after = _figures(state, role, values, extra_terms=terms)
    return {
        "kind": "offer",
        **after,
        "score_change": after["estimate"]["score"] - before["estimate"]["score"],
        "cost_change": after["cost"] - before["cost"],
        "terms": _term_effects(state, role, base_values, terms),
    }


def _term_effects(state: dict, role: str, base_values: dict, terms: list[dict]) -> list[dict]:
    """Per term, in order: the committing role's value now (its standing decision, or what it
    already owes) and whether the term asks for no move at all (`changes_nothing`): an "at
    least" at or below that value, an "at most" at or above it."""
    now = _assumed_decisions(state, role, base_values, _binding_terms(state, role))
    effects = []
    for term in terms:
        value = now[term["by"]][term["lever"]]
        changes_nothing = satisfies(value, term["op"], term["value"])
        effects.append({"now": value, "changes_nothing": changes_nothing})
    return effects


def _offer_terms(state: dict, role: str, offer_id) -> list[dict]:
    if not isinstance(offer_id, str):
        raise Rejected("invalid", "'offer' must be an offer id.")
    offer = state["offers"].get(offer_id)
    if offer is None or role not in offer_parties(offer):
        raise Rejected("unknown_offer", f"There is no offer '{offer_id[:40]}' to you or from you.")
    return offer["terms"]


def _figures(state: dict, role: str, values: dict, *, extra_terms: list[dict]) -> dict:
    scenario, round_no = state["scenario"], state["round"]
    multipliers = cost_multipliers(scenario, round_no)
    cost, cost_by_lever = domestic_cost(role, values, scenario["levers"], multipliers)
    owed = _binding_terms(state, role)
    decisions = _assumed_decisions(state, role, values, owed + extra_terms)
    commitments = [
        {
            "offer": offer_id,
            "term": term,
            "met": satisfies(values[term["lever"]], term["op"], term["value"]),
        }
        for offer_id, term in owed
        if term["by"] == role
    ]
    broken_penalty = scenario["scoring"]["broken_commitment_penalty"] * sum(
        not item["met"] for item in commitments
    )
    red_lines = []
    red_line_penalty = 0
    for line in scenario["red_lines"]:
        if line["role"] != role or not crossed(line, values[line["lever"]]):
            continue
        conditions = [
            _condition_status(condition, decisions, owed, extra_terms)
            for condition in line["unless"]
        ]
        lifted = bool(conditions) and all(item["met"] for item in conditions)
        if not lifted:
            red_line_penalty += line["penalty"]
        red_lines.append(
            {
                "red_line": line["id"],
                "lever": line["lever"],
                "kind": line["kind"],
                "value": line["value"],
                "statement": line["statement"],
                "penalty": line["penalty"],
                "lifted": lifted,
                "conditions": conditions,
            }
        )
    scored = score_round(
        roles=scenario["roles"],
        levers=scenario["levers"],
        decisions=decisions,
        multipliers=multipliers,
        penalties={role: broken_penalty + red_line_penalty},
        alignment_weight=scenario["scoring"]["alignment_weight"],
        coalition_weight=scenario["scoring"]["coalition_weight"],
        rules=rules_version(state),
    )
    mine = scored["roles"][role]
    return {
        "values": values,
        "cost": cost,
        "cost_by_lever": cost_by_lever,
        "multipliers": multipliers.get(role, {}),
        "commitments": commitments,
        "red_lines": red_lines,
        "estimate": {
            "alignment_points": scored["alignment_points"],
            "effectiveness": scored["effectiveness"],
            "coalition": scored["coalition"],
            "national": mine["national"],
            "penalties": broken_penalty + red_line_penalty,
            "score": mine["score"],
        },
    }


def _binding_terms(state: dict, role: str) -> list[tuple[str, dict]]:
    """(offer id, term) of every commitment binding this round in offers `role` is party to."""
    return [
        (offer["id"], term)
        for offer in in_order(state["offers"])
        if role in offer_parties(offer)
        for term in offer["terms"]
        if binds(offer, term, state["round"])
    ]


def _assumed_decisions(state: dict, role: str, values: dict, terms) -> dict:
    """Partners at their standing (public) decisions, moved to honour what they owe."""
    decisions = {code: dict(state["decisions"][code]) for code in role_codes(state["scenario"])}
    decisions[role] = dict(values)
    for item in terms:
        term = item[1] if isinstance(item, tuple) else item
        by = term["by"]
        if by != role and not satisfies(decisions[by][term["lever"]], term["op"], term["value"]):
            decisions[by][term["lever"]] = term["value"]
    return decisions


def _condition_status(condition: dict, decisions: dict, owed, extra_terms) -> dict:
    """An `unless` condition, and whether it is met by a binding term (`offer`: its offer's
    id) or a term of the offer previewed (`offer`: None) promising at least as much, honoured
    by the assumed decisions; `promised` is the most any such term promises on it (None if
    none does). Says why the same terms lift a red line in one offer and not in another."""
    sources = [(offer_id, term) for offer_id, term in owed]
    sources += [(None, term) for term in extra_terms]
    promised = None
    for offer_id, term in sources:
        if (term["by"], term["lever"], term["op"]) != (
            condition["role"],
            condition["lever"],
            condition["op"],
        ):
            continue
        if promised is None or satisfies(term["value"], term["op"], promised):
            promised = term["value"]
        if term_meets(term, condition) and satisfies(
            decisions[term["by"]][term["lever"]], term["op"], term["value"]
        ):
            return {**condition, "met": True, "offer": offer_id, "promised": term["value"]}
    return {**condition, "met": False, "offer": None, "promised": promised}
