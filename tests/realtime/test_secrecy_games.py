"""THE secrecy test: whole games played over sockets, every frame judged.

A player never receives another role's private brief, unrevealed red lines, hidden reveal
level details, sealed disclosures before publication, draft or locked decisions before
results, private injects, offers it is not a party to, or bilateral/team chat it is not in —
not in any frame, snapshot, error, presence message or page.

Each game is played by one socket per team plus the facilitator's: the facilitator starts
and advances every phase; each team's bot decides from the snapshot its own socket receives
(`sync`, then `bot_plan`) and sends its commands over that socket; `SecretScript` adds
explicit secret-bearing acts (private injects and notes, team and bilateral chat markers,
an offer with a marker note between two roles, existence-only reveals, recognisable draft
and locked decisions, probes naming other teams' red lines and offers, the REST view, the
export and the join page). Every recorded frame is then searched — raw text for the secret
strings and values, parsed JSON for their structure — for what its receiver was not allowed
to know at that frame's seq, according to an oracle built from the event log
(`socketplay.Knowledge`), not from the engine's views. Every secret searched for must be
found in the facilitator's frames, so no search can pass by looking for the wrong thing.

After the end the debrief unmasks briefs, red lines, decisions and offers, but not chat:
each team then syncs, pages the chat history and fetches its view and export, and is judged
again — no facilitator note and no private chat it was not party to — until the
facilitator reveals chat for the debrief (one game does), when it reads all of it.
"""

import time

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from socketplay import (
    FACILITATOR,
    Knowledge,
    SecretScript,
    SocketTable,
    bundled_snapshot,
    inline_scenario,
    presence_problems,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


@pytest.fixture(autouse=True)
def no_timer_loop(settings):
    """The facilitator advances every phase; the timer loop must not race it."""
    settings.GAME_TIMER_LOOP = False


async def after_the_end(table, script) -> dict:
    """What each team gets once the game has ended: a snapshot, the chat history (every
    page) and the REST view and export. Returns each team's snapshot view."""
    views = {}
    for code in table.roles:
        sock = table.team(code)
        views[code] = (await sock.sync())["view"]
        before = None
        for _ in range(50):
            count = len(sock.frames)
            frame = {"type": "history", "id": f"{code}-h-{count}", "kinds": "chat", "limit": 50}
            await sock.send(frame | ({"before": before} if before else {}))
            page = (await sock.wait_for_type("history", after=count)).data
            if not page["more"] or not page["events"]:
                break
            before = page["events"][0]["seq"]
    await script.check_http("after the end")
    return views


async def play_and_judge(snapshot: dict, *, seed: int, reveal_chat: bool = False) -> dict:
    assert not settings.GAME_TIMER_LOOP
    started = time.monotonic()
    table = await SocketTable.create(snapshot, seed=seed)
    try:
        script = SecretScript(table)
        await table.check_join_page()
        await script.play()
        await table.settle()
        # After the end the debrief unmasks all but notes and private chat.
        unmasked = await after_the_end(table, script)
        revealed = None
        if reveal_chat:
            await table.facilitator.command("reveal_chat", reveal=True)
            await table.settle()
            revealed = await after_the_end(table, script)
        frames = table.frames()
        knowledge = await table.knowledge(decision_markers=script.decision_markers)
        return {
            "table": table,
            "script": script,
            "frames": frames,
            "knowledge": knowledge,
            "unmasked": unmasked,
            "revealed": revealed,
            "seconds": time.monotonic() - started,
        }
    finally:
        await table.close()


def assert_secrecy(result: dict) -> None:
    table, script = result["table"], result["script"]
    frames, knowledge = result["frames"], result["knowledge"]
    player_frames = [f for f in frames if f.role != FACILITATOR]

    assert knowledge.ended_at < float("inf"), "the game did not end"
    assert table.protocol_problems() == []
    assert knowledge.scan_all(frames) == []
    assert script.probe_problems() == []
    assert presence_problems(frames, {f"{code} player" for code in table.roles}) == []
    # Every secret searched for is really in the game (the facilitator saw it), so the
    # searches above looked for the right text.
    assert knowledge.unfound(frames) == []

    # The game exercised every kind of secret the promise lists.
    kinds = {
        secret.kind
        for frame in player_frames
        if frame.role is not None and not knowledge.ended(frame.seq)
        for secret in knowledge.secrets(frame.role, frame.seq)
    }
    expected = {
        "private_brief",
        "objective",
        "statement",
        "inject",
        "chat",
        "note",
        "offer_id",
        "offer_note",
        "offer_reason",
    }
    if knowledge.sole_levers:  # values searched as text only on levers one team holds
        expected.add("decision_value")
    assert expected <= kinds, f"not exercised: {expected - kinds}"
    assert knowledge.existence_only(player_frames), "no existence-only reveal was received"
    assert any(knowledge.secret_maps(f.role, f.seq) for f in player_frames if f.role), (
        "no sealed decision was in play"
    )
    assert len(script.probes) >= len(table.roles)
    assert any(f.socket.startswith("GET /api/games/") for f in table.http)
    # Players received frames all game long, and events at every batch.
    for code in table.roles:
        sock = table.team(code)
        assert sock.cursor == knowledge.events[-1]["seq"]
    # Debrief: after the end a player sees the others' private briefs.
    for code, view in result["unmasked"].items():
        briefs = {spec["code"]: spec.get("private_brief") for spec in view["scenario"]["roles"]}
        assert all(briefs.values()), f"{code} is not shown the debrief"
        assert view["chat_revealed"] is False
    # ...but not chat: notes and other teams' private chat were searched for after the end.
    after = {
        secret.kind
        for frame in player_frames
        if frame.role is not None and knowledge.ended(frame.seq)
        for secret in knowledge.secrets(frame.role, frame.seq)
    }
    assert {"chat", "note"} <= after, f"not searched for after the end: {after}"
    assert any(f.type == "history" and knowledge.ended(f.seq) for f in player_frames)
    assert any(
        f.socket.startswith("GET /api/games/") and "/export" in f.socket and '"events"' in f.text
        for f in player_frames
        if knowledge.ended(f.seq)
    ), "no player's export after the end was judged"
    if result["revealed"] is not None:
        # Revealed for the debrief: every team reads every message.
        total = knowledge.events[-1]["seq"]
        assert knowledge.chat_revealed(total)
        everyone = sum(1 for e in knowledge.events if e["kind"] == "chat_posted")
        for code, view in result["revealed"].items():
            assert view["chat_revealed"] is True
            assert view["chat_count"] == everyone, f"{code} does not read all chat"


@pytest.mark.parametrize("slug", ["coalition-2022", "taiwan-strait-2027"])
async def test_secrecy_whole_bundled_game_over_sockets(slug):
    snapshot = await database_sync_to_async(bundled_snapshot)(slug)
    result = await play_and_judge(snapshot, seed=20220224)
    assert_secrecy(result)
    print(f"{slug}: {len(result['frames'])} frames judged in {result['seconds']:.1f} s")


async def test_secrecy_whole_inline_four_role_game_over_sockets():
    result = await play_and_judge(inline_scenario(), seed=4, reveal_chat=True)
    assert_secrecy(result)
    knowledge = result["knowledge"]
    # The distinctive numbers of red lines known only by existence were searched for.
    labels = {
        secret.label
        for frame in result["frames"]
        if frame.role not in (None, FACILITATOR) and not knowledge.ended(frame.seq)
        for secret in knowledge.secrets(frame.role, frame.seq)
        if secret.kind == "line_number"
    }
    assert "value of a-hidden" in labels and "penalty of a-hidden" in labels
    print(f"inline: {len(result['frames'])} frames judged in {result['seconds']:.1f} s")


def test_secrecy_oracle_catches_a_leak():
    """The judge itself: a frame carrying another team's secret is reported."""
    from socketplay import Frame

    snapshot = inline_scenario()
    knowledge = Knowledge(snapshot, [])
    brief = snapshot["roles"][1]["private_brief"]
    line = next(ln for ln in snapshot["red_lines"] if ln["id"] == "a-hidden")
    leaks = {
        "brief": f'{{"type":"snapshot","seq":0,"note":"{brief}"}}',
        "statement": f'{{"type":"snapshot","seq":0,"x":"{line["statement"]}"}}',
        "number": '{"type":"snapshot","seq":0,"x":61.375}',
        "line": '{"type":"snapshot","seq":0,"x":{"id":"a-hidden","role":"A"}}',
        "draft": '{"type":"snapshot","seq":0,"x":{"role":"B","choices":[]}}',
    }
    import json

    for name, text in leaks.items():
        frame = Frame("test", "C", 0, 0.0, text, json.loads(text), 0)
        assert knowledge.scan(frame), f"the {name} leak went unnoticed"
    clean = Frame("test", "A", 0, 0.0, leaks["statement"], json.loads(leaks["statement"]), 0)
    assert knowledge.scan(clean) == []


def test_secrecy_oracle_catches_private_chat_after_the_end():
    """The judge keeps private chat and notes secret after the end, until chat is revealed."""
    import json

    from socketplay import Frame

    snapshot = inline_scenario()
    a, b, c = (spec["code"] for spec in snapshot["roles"][:3])

    def logged(seq, kind, data, audience):
        return {"seq": seq, "kind": kind, "data": data, "audience": audience, "round": 1}

    events = [
        logged(1, "chat_posted", {"text": "PRIVATE-AB", "audience": [a, b]}, [a, b]),
        logged(2, "note_added", {"text": "NOTE-X"}, "facilitator"),
        logged(3, "game_ended", {"reason": "facilitator"}, "all"),
        logged(5, "chat_reveal_set", {"revealed": True}, "all"),
    ]
    knowledge = Knowledge(snapshot, events)

    def frame(seq, payload):
        text = json.dumps(payload)
        return Frame("test", c, 0, 0.0, text, json.loads(text), seq)

    chat = {"type": "history", "events": [{"seq": 1, "data": {"text": "PRIVATE-AB"}}]}
    view = {"type": "snapshot", "seq": 4, "view": {"chat": [{"audience": [a, b]}]}}
    assert len(knowledge.scan(frame(4, chat))) == 2  # the text, and the event it was not in
    assert knowledge.scan(frame(4, view)) == [
        f"test#0 (snapshot, judged at seq 4) to {c}: chat to {[a, b]} after the end"
    ]
    assert knowledge.scan(frame(4, {"type": "snapshot", "note": "NOTE-X"}))
    assert knowledge.scan(frame(5, chat)) == [] and knowledge.scan(frame(5, view)) == []
    assert knowledge.scan(frame(5, {"type": "snapshot", "note": "NOTE-X"}))
    # B was party to the chat: only the note is kept from it.
    assert [secret.kind for secret in knowledge.secrets(b, 4)] == ["note"]
