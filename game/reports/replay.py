"""Step through a game's log: the state and one viewer's view after any event (pure).

`replay_step(document, seq=N, viewer=...)` folds the export's events 1..N with the engine
(`initial_state` + `apply`) and shows that moment through `engine.view`, exactly as the
viewer saw it then: a team sees only what reached it by then, the facilitator everything.
Stepping moves between the events that viewer could see at the time.
"""

from game import engine
from game.engine.scenario import role_codes
from game.reports.timeline import summary

RECENT = 15


def viewer_for(scenario: dict, name: str | None) -> dict:
    """ "facilitator" (default) or a role code → an engine viewer."""
    if name and name in role_codes(scenario):
        return {"kind": "player", "role": name}
    return {"kind": "facilitator"}


def replay_step(document: dict, *, seq: int | None, viewer: dict) -> dict:
    scenario, events = document["scenario"], document["events"]
    total = len(events)
    seq = total if seq is None else max(0, min(int(seq), total))
    state = engine.initial_state(scenario, seed=document["game"]["seed"])
    visible: list[int] = []  # seqs (1-based positions) this viewer saw when they happened
    at_seq = state
    for position, event in enumerate(events, start=1):
        state = engine.apply(state, event)
        if engine.event_visible(event, viewer, state):
            visible.append(position)
        if position == seq:
            at_seq = state
    if seq == 0:
        at_seq = engine.initial_state(scenario, seed=document["game"]["seed"])
    shown = [events[p - 1] for p in visible if p <= seq]
    current = events[seq - 1] if seq and seq in visible else None
    return {
        "seq": seq,
        "total": total,
        "viewer": viewer,
        "view": engine.view(at_seq, viewer),
        "event": _line(current, seq, scenario) if current else None,
        "hidden_event": bool(seq) and current is None,
        "recent": [_line(e, p, scenario) for p, e in _numbered(shown, visible)][-RECENT:][::-1],
        "first": visible[0] if visible else 0,
        "previous": max([p for p in visible if p < seq], default=0),
        "next": min([p for p in visible if p > seq], default=None),
        "last": total,
        "marks": _phase_marks(events),
        "scores": _latest_scores(engine.view(at_seq, viewer)),
    }


def _numbered(shown: list[dict], visible: list[int]):
    return zip(visible[: len(shown)], shown, strict=True)


def _line(event: dict, position: int, scenario: dict) -> dict:
    return {
        "seq": position,
        "at": event.get("at", ""),
        "round": event.get("round"),
        "phase": event.get("phase") or "",
        "kind": event["kind"],
        "summary": summary(event, scenario),
    }


def _phase_marks(events: list[dict]) -> list[dict]:
    """Where each phase of each round starts: the seq of its phase_started event."""
    marks = []
    for position, event in enumerate(events, start=1):
        if event["kind"] == "phase_started":
            data = event["data"]
            marks.append({"round": data["round"], "phase": data["phase"], "seq": position})
        elif event["kind"] == "game_ended":
            marks.append({"round": None, "phase": "end", "seq": position})
    return marks


def _latest_scores(view: dict) -> dict | None:
    """The last scored round as this viewer sees it, with the finals if any."""
    if not view["results"]:
        return None
    entry = view["results"][-1]
    return {
        "round": entry["round"],
        "metrics": entry["metrics"],
        "scores": entry["scores"],
        "final": view["final"],
    }
