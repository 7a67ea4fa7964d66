"""One line of plain text per event of the log: the report's timeline (an MSEL read back)."""


def _terms(terms: list[dict]) -> str:
    return "; ".join(
        f"{t['by']} {t['lever']} {t['op']} {t['value']} ({t['duration']})" for t in terms
    )


def _to(value) -> str:
    return "all" if value == "all" else ", ".join(value or [])


SUMMARIES = {
    "player_joined": lambda d: f"{d['name']} joined {d['role']}",
    "player_moved": lambda d: f"player {d['player_id']} moved {d.get('from')} → {d['role']}",
    "player_removed": lambda d: f"player {d['player_id']} removed from {d['role']}",
    "game_started": lambda d: "game started",
    "round_started": lambda d: f"round {d['round']}: {d['title']}",
    "inject_published": lambda d: (
        f"inject “{d['title']}” to {_to(d['audience'])}" + (" (ad hoc)" if d.get("adhoc") else "")
    ),
    "phase_started": lambda d: (
        f"{d['phase']} phase" + (f" ({d['seconds']} s)" if d.get("seconds") else "")
    ),
    "game_paused": lambda d: "paused",
    "game_resumed": lambda d: "resumed",
    "timer_extended": lambda d: f"timer extended by {d['seconds']} s",
    "game_ended": lambda d: f"game ended ({d['reason']})",
    "disclosure_drafted": lambda d: f"{d['role']} drafted {len(d['choices'])} disclosure(s)",
    "red_line_revealed": lambda d: (
        f"{d['owner']} revealed {d['red_line']} to {_to(d['to'])} ({d['level']})"
    ),
    "offer_proposed": lambda d: (
        f"{d['offer']['proposer']} proposed {d['offer']['id']} to "
        f"{_to(d['offer']['to'])}: {_terms(d['offer']['terms'])}"
    ),
    "offer_accepted_by": lambda d: f"{d['role']} accepted {d['offer']}",
    "offer_accepted": lambda d: f"{d['offer']} accepted by all addressees",
    "offer_rejected": lambda d: f"{d['role']} rejected {d['offer']}",
    "offer_withdrawn": lambda d: f"{d['offer']} withdrawn",
    "offer_countered": lambda d: f"{d['by']} countered {d['offer']}",
    "offer_expired": lambda d: f"{d['offer']} expired",
    "chat_posted": lambda d: (
        "a private message (not shown)"
        if "text" not in d
        else f"{d['from']} → {_to(d['audience'])}: {d['text'][:80]}"
    ),
    "decision_drafted": lambda d: f"{d['role']} drafted its decision",
    "decision_locked": lambda d: f"{d['role']} locked its decision",
    "decision_unlocked": lambda d: f"{d['role']} unlocked its decision",
    "round_scored": lambda d: (
        f"round {d['round']} scored: K = {d['metrics']['coalition']:.1f}, "
        f"A = {d['metrics']['alignment']:.2f}"
    ),
    "commitment_fulfilled": lambda d: (
        f"{d['term']['by']} kept {d['offer']} "
        f"({d['term']['lever']} {d['term']['op']} {d['term']['value']}; decided {d['value']})"
    ),
    "commitment_broken": lambda d: (
        f"{d['term']['by']} broke {d['offer']} "
        f"({d['term']['lever']} {d['term']['op']} {d['term']['value']}; decided {d['value']})"
    ),
    "red_line_breached": lambda d: f"{d['role']} breached {d['red_line']} (−{d['penalty']})",
    "red_line_lifted": lambda d: f"{d['role']} crossed {d['red_line']}, lifted by commitments",
    "cost_assessed": lambda d: f"{d['role']} domestic cost {d['cost']:.2f}",
    "note_added": lambda d: (
        "facilitator's note (private)" if "text" not in d else f"note: {d['text'][:120]}"
    ),
    "chat_reveal_set": lambda d: (
        "chat revealed to every team for the debrief"
        if d["revealed"]
        else "private chat kept with its parties"
    ),
    "score_adjusted": lambda d: f"{d['role']} round {d['round']} {d['delta']:+g}: {d['reason']}",
}


# Steps that lead up to a published event; the printed timeline leaves them out.
MINOR_KINDS = frozenset(
    {
        "disclosure_drafted",
        "decision_drafted",
        "decision_locked",
        "decision_unlocked",
        "offer_accepted_by",
        "cost_assessed",
        "player_joined",
    }
)


def summary(event: dict) -> str:
    describe = SUMMARIES.get(event["kind"])
    try:
        return describe(event["data"]) if describe else event["kind"]
    except (KeyError, TypeError, ValueError):
        return event["kind"]


def withheld_chat(event: dict) -> bool:
    """A chat message a player's export keeps only as a placeholder (game.services.export)."""
    return event["kind"] == "chat_posted" and "text" not in event["data"]


def timeline(events: list[dict]) -> list[dict]:
    """The log's lines, without other teams' private messages (not even that they exist)."""
    return [
        {
            "seq": event.get("seq"),
            "at": event.get("at"),
            "round": event.get("round"),
            "phase": event.get("phase") or "",
            "actor": (event.get("actor") or {}).get("name", ""),
            "kind": event["kind"],
            "audience": _to(event.get("audience"))
            if event.get("audience") != "facilitator"
            else "facilitator",
            "summary": summary(event),
            "minor": event["kind"] in MINOR_KINDS,
        }
        for event in events
        if not withheld_chat(event)
    ]
