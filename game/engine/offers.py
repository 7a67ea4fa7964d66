"""Offers and the commitments they create (DESIGN §3 "Offers and commitments").

An offer is visible to its parties (proposer + addressees) and the facilitator only, so a
player who is not a party is told "unknown_offer" exactly as for an id that does not exist.
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.registry import applies, command
from game.engine.state import event, offer_parties

OPS = (">=", "<=")
DURATIONS = ("round", "game")
MAX_TERMS = 20
MAX_NOTE = 2000
MAX_REASON = 500
TOLERANCE = 1e-9
NEGOTIATION = ("negotiation",)


def satisfies(value: float, op: str, target: float) -> bool:
    if op == ">=":
        return value >= target - TOLERANCE
    return value <= target + TOLERANCE


def binds(offer: dict, term: dict, round_no: int) -> bool:
    """Does this term of an accepted offer bind the decision of `round_no`?"""
    accepted = offer.get("accepted_round")
    if offer["status"] != "accepted" or accepted is None or accepted > round_no:
        return False
    return term["duration"] == "game" or accepted == round_no


def in_order(offers: dict) -> list[dict]:
    """Offers in the order they were proposed (o1, o2, ...), whatever order the mapping is
    in: a state stored as PostgreSQL jsonb does not keep key order."""
    return sorted(offers.values(), key=lambda offer: int(offer["id"][1:]))


def binding_terms(offers: dict, round_no: int):
    """(offer, term index, term) for every commitment binding `round_no`, in offer order."""
    for offer in in_order(offers):
        for index, term in enumerate(offer["terms"]):
            if binds(offer, term, round_no):
                yield offer, index, term


def expiry_events(state: dict) -> list[dict]:
    """Offers still open when negotiation ends expire."""
    return [
        event("offer_expired", {"offer": offer["id"]}, offer_parties(offer))
        for offer in in_order(state["offers"])
        if offer["status"] == "open"
    ]


def parse_terms(state: dict, raw, *, parties: list[str] | None, durations: bool = True) -> list:
    """Terms as sent: each names a role (one of `parties`, when given), a lever it holds, an
    op and a value in range and on step, and (with `durations`) how long it binds. Offers
    check all of it; previews of an offer being composed check what is already chosen."""
    scenario = state["scenario"]
    items = checks.list_of(raw, "terms", max_items=MAX_TERMS, min_items=1)
    terms = []
    for index, item in enumerate(items):
        where = f"terms[{index}]"
        item = checks.dict_of(item, where)
        by = checks.role(scenario, item.get("by"), f"{where}.by")
        if parties is not None and by not in parties:
            raise Rejected(
                "term_party",
                f"'{where}.by': {by} is not a party to this offer; a term can only bind the "
                "proposer or an addressee.",
            )
        lever = checks.held_lever(scenario, item.get("lever"), f"{where}.lever", holder=by)
        term = {
            "by": by,
            "lever": lever["key"],
            "op": checks.choice(item.get("op"), f"{where}.op", OPS),
            "value": checks.lever_value(lever, item.get("value"), f"{where}.value"),
        }
        if durations:
            term["duration"] = checks.choice(item.get("duration"), f"{where}.duration", DURATIONS)
        terms.append(term)
    return terms


def _new_offer(state: dict, command: dict, *, counter_of: str | None = None) -> dict:
    proposer = command["actor"]["role"]
    to = checks.role_list(state["scenario"], checks.field(command, "to"), "to")
    if proposer in to:
        raise Rejected("invalid", "'to': an offer is addressed to other roles, not your own.")
    terms = parse_terms(state, checks.field(command, "terms"), parties=[proposer, *to])
    return {
        "id": f"o{state['offer_count'] + 1}",
        "round": state["round"],
        "proposer": proposer,
        "to": to,
        "terms": terms,
        "note": checks.optional_text(command, "note", max_length=MAX_NOTE),
        "counter_of": counter_of,
    }


def _open_offer(state: dict, command: dict) -> dict:
    """The offer a command names, if the sender is a party to it and it is still open."""
    offer_id = command.get("offer")
    if not isinstance(offer_id, str):
        raise Rejected("invalid", "'offer' must be an offer id.")
    offer = state["offers"].get(offer_id)
    if offer is None or command["actor"]["role"] not in offer_parties(offer):
        raise Rejected("unknown_offer", f"There is no offer '{offer_id[:40]}' to you or from you.")
    if offer["status"] != "open":
        raise Rejected("offer_not_open", f"Offer {offer_id} is {offer['status']}, no longer open.")
    return offer


def _addressed_offer(state: dict, command: dict) -> dict:
    offer = _open_offer(state, command)
    if command["actor"]["role"] not in offer["to"]:
        raise Rejected(
            "not_addressee", "You proposed this offer; only its addressees accept or reject it."
        )
    return offer


@command(
    "offer_propose",
    actors=("player",),
    phases=NEGOTIATION,
    while_paused=False,
    action="Offers can only be made",
)
def offer_propose(state: dict, command: dict) -> list[dict]:
    offer = _new_offer(state, command)
    return [event("offer_proposed", {"offer": offer}, offer_parties(offer))]


@command(
    "offer_accept",
    actors=("player",),
    phases=NEGOTIATION,
    while_paused=False,
    action="Offers can only be accepted",
)
def offer_accept(state: dict, command: dict) -> list[dict]:
    offer = _addressed_offer(state, command)
    role = command["actor"]["role"]
    if role in offer["accepted_by"]:
        raise Rejected("already_responded", f"You have already accepted offer {offer['id']}.")
    parties = offer_parties(offer)
    events = [event("offer_accepted_by", {"offer": offer["id"], "role": role}, parties)]
    if set(offer["to"]) <= {*offer["accepted_by"], role}:
        events.append(
            event("offer_accepted", {"offer": offer["id"], "round": state["round"]}, parties)
        )
    return events


@command(
    "offer_reject",
    actors=("player",),
    phases=NEGOTIATION,
    while_paused=False,
    action="Offers can only be rejected",
)
def offer_reject(state: dict, command: dict) -> list[dict]:
    """An addressee ends the offer, optionally saying why; the reason reaches the offer's
    parties only, like the offer itself."""
    offer = _addressed_offer(state, command)
    data = {"offer": offer["id"], "role": command["actor"]["role"]}
    reason = checks.optional_text(command, "reason", max_length=MAX_REASON)
    if reason:
        data["reason"] = reason
    return [event("offer_rejected", data, offer_parties(offer))]


@command(
    "offer_withdraw",
    actors=("player",),
    phases=NEGOTIATION,
    while_paused=False,
    action="Offers can only be withdrawn",
)
def offer_withdraw(state: dict, command: dict) -> list[dict]:
    offer = _open_offer(state, command)
    if command["actor"]["role"] != offer["proposer"]:
        raise Rejected("not_proposer", "Only the role that proposed an offer can withdraw it.")
    return [event("offer_withdrawn", {"offer": offer["id"]}, offer_parties(offer))]


@command(
    "offer_counter",
    actors=("player",),
    phases=NEGOTIATION,
    while_paused=False,
    action="Offers can only be countered",
)
def offer_counter(state: dict, command: dict) -> list[dict]:
    original = _open_offer(state, command)
    counter = _new_offer(state, command, counter_of=original["id"])
    # The counter's id goes only to the counter's parties (in its offer_proposed, which names
    # the original in `counter_of`): an original party left out of the counter must not learn
    # the id of an offer it is not party to.
    countered = {"offer": original["id"], "by": counter["proposer"]}
    return [
        event("offer_countered", countered, offer_parties(original)),
        event("offer_proposed", {"offer": counter}, offer_parties(counter)),
    ]


def _with_offer(state: dict, offer_id: str, **changes) -> dict:
    offers = dict(state["offers"])
    offers[offer_id] = {**offers[offer_id], **changes}
    return {**state, "offers": offers}


@applies("offer_proposed")
def apply_offer_proposed(state: dict, data: dict) -> dict:
    offer = {
        **data["offer"],
        "status": "open",
        "accepted_by": [],
        "rejected_by": None,
        "reject_reason": "",
        "countered_by": None,
        "accepted_round": None,
    }
    offers = {**state["offers"], offer["id"]: offer}
    if offer["counter_of"] is not None:
        offers[offer["counter_of"]] = {**offers[offer["counter_of"]], "countered_by": offer["id"]}
    return {**state, "offers": offers, "offer_count": state["offer_count"] + 1}


@applies("offer_accepted_by")
def apply_offer_accepted_by(state: dict, data: dict) -> dict:
    accepted_by = [*state["offers"][data["offer"]]["accepted_by"], data["role"]]
    return _with_offer(state, data["offer"], accepted_by=accepted_by)


@applies("offer_accepted")
def apply_offer_accepted(state: dict, data: dict) -> dict:
    return _with_offer(state, data["offer"], status="accepted", accepted_round=data["round"])


@applies("offer_rejected")
def apply_offer_rejected(state: dict, data: dict) -> dict:
    return _with_offer(
        state,
        data["offer"],
        status="rejected",
        rejected_by=data["role"],
        reject_reason=data.get("reason", ""),
    )


@applies("offer_withdrawn")
def apply_offer_withdrawn(state: dict, data: dict) -> dict:
    return _with_offer(state, data["offer"], status="withdrawn")


@applies("offer_countered")
def apply_offer_countered(state: dict, data: dict) -> dict:
    return _with_offer(state, data["offer"], status="countered")


@applies("offer_expired")
def apply_offer_expired(state: dict, data: dict) -> dict:
    return _with_offer(state, data["offer"], status="expired")
