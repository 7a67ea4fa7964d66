"""One line of plain text per event of the log: the report's timeline (an MSEL read back)."""

from game.wording import Names, number, plural


def _level(level: str) -> str:
    return "in full" if level == "full" else "its existence only"


def _commitment(d: dict, n: Names, verb: str) -> str:
    return (
        f"{n.role(d['term']['by'])} {verb} its commitment in offer {d['offer']} "
        f"({n.term(d['term'])}; decided {n.amount(d['term']['lever'], d['value'])})"
    )


SUMMARIES = {
    "player_joined": lambda d, n: f"{d['name']} joined {n.role(d['role'])}",
    "player_moved": lambda d, n: (
        f"a player moved from {n.role(d.get('from'))} to {n.role(d['role'])}"
    ),
    "player_removed": lambda d, n: f"a player was removed from {n.role(d['role'])}",
    "game_started": lambda d, n: "the game started",
    "round_started": lambda d, n: f"round {d['round']} began: {d['title']}",
    "inject_published": lambda d, n: (
        f"news for {n.audience(d['audience'])}: “{d['title']}”"
        + (" (from the facilitator)" if d.get("adhoc") else "")
    ),
    "phase_started": lambda d, n: (
        f"the {d['phase']} phase began"
        + (f" ({plural(round(d['seconds'] / 60), 'minute')})" if d.get("seconds") else "")
    ),
    "game_paused": lambda d, n: "the game was paused",
    "game_resumed": lambda d, n: "the game resumed",
    "timer_extended": lambda d, n: f"the timer was extended by {plural(d['seconds'], 'second')}",
    "game_ended": lambda d, n: (
        "the game ended" + (" (the facilitator ended it)" if d["reason"] == "facilitator" else "")
    ),
    "disclosure_drafted": lambda d, n: (
        f"{n.role(d['role'])} saved its sealed disclosure ({plural(len(d['choices']), 'red line')})"
    ),
    "red_line_revealed": lambda d, n: (
        f"{n.role(d['owner'])} revealed its red line on "
        f"{n.red_line(d['red_line'], with_value=d['level'] == 'full')} "
        f"to {n.audience(d['to'])}, {_level(d['level'])}"
    ),
    "offer_proposed": lambda d, n: (
        f"{n.role(d['offer']['proposer'])} proposed offer {d['offer']['id']} to "
        f"{n.audience(d['offer']['to'])}: {'; '.join(map(n.term, d['offer']['terms']))}"
    ),
    "offer_accepted_by": lambda d, n: f"{n.role(d['role'])} accepted offer {d['offer']}",
    "offer_accepted": lambda d, n: f"offer {d['offer']} was agreed by everyone it was made to",
    "offer_rejected": lambda d, n: f"{n.role(d['role'])} rejected offer {d['offer']}",
    "offer_withdrawn": lambda d, n: f"offer {d['offer']} was withdrawn",
    "offer_countered": lambda d, n: (
        f"{n.role(d['by'])} answered offer {d['offer']} with a counter-offer"
    ),
    "offer_expired": lambda d, n: f"offer {d['offer']} expired",
    "chat_posted": lambda d, n: (
        "a private message (not shown)"
        if "text" not in d
        else f"{n.role(d['from'])} to {n.audience(d['audience'])}: {d['text'][:80]}"
    ),
    "decision_drafted": lambda d, n: f"{n.role(d['role'])} changed its draft decision",
    "decision_locked": lambda d, n: f"{n.role(d['role'])} locked its decision",
    "decision_unlocked": lambda d, n: f"{n.role(d['role'])} unlocked its decision",
    "round_scored": lambda d, n: (
        f"round {d['round']} was scored: coalition score {d['metrics']['coalition']:.1f}, "
        f"alignment {d['metrics']['alignment']:.2f}"
    ),
    "commitment_fulfilled": lambda d, n: _commitment(d, n, "kept"),
    "commitment_broken": lambda d, n: _commitment(d, n, "broke"),
    "red_line_breached": lambda d, n: (
        f"{n.role(d['role'])} crossed its red line ({n.red_line(d['red_line'])}): "
        f"−{number(d['penalty'])} points"
    ),
    "red_line_lifted": lambda d, n: (
        f"{n.role(d['role'])} went past its red line ({n.red_line(d['red_line'])}), "
        "lifted by partners' commitments"
    ),
    "cost_assessed": lambda d, n: f"{n.role(d['role'])}'s domestic cost: {d['cost']:.2f} points",
    "note_added": lambda d, n: (
        "the facilitator's note (private)" if "text" not in d else f"note: {d['text'][:120]}"
    ),
    "chat_reveal_set": lambda d, n: (
        "chat revealed to every team for the debrief"
        if d["revealed"]
        else "private chat kept with its parties"
    ),
    "score_adjusted": lambda d, n: (
        f"{n.role(d['role'])}'s round {d['round']} score adjusted by {d['delta']:+g}: {d['reason']}"
    ),
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


def summary(event: dict, scenario: dict) -> str:
    """One event as a plain sentence, in the scenario's names (never its type)."""
    describe = SUMMARIES.get(event["kind"])
    try:
        return describe(event["data"], Names(scenario)) if describe else "something changed"
    except (KeyError, TypeError, ValueError):
        return "something changed"


def _to(value) -> str:
    return "all" if value == "all" else ", ".join(value or [])


def withheld_chat(event: dict) -> bool:
    """A chat message a player's export keeps only as a placeholder (game.services.export)."""
    return event["kind"] == "chat_posted" and "text" not in event["data"]


def timeline(events: list[dict], scenario: dict) -> list[dict]:
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
            "summary": summary(event, scenario),
            "minor": event["kind"] in MINOR_KINDS,
        }
        for event in events
        if not withheld_chat(event)
    ]
