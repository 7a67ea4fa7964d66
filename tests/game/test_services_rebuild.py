"""The event log is the source of truth: after any sequence of commands, valid or not, the
state rebuilt from the log equals the cached state (DESIGN §2).

Hypothesis drives random command sequences through game_execute; bots and timer ticks mixed
in push the games deep into their rounds. (Every other database test in tests/game gets the
same check on its games at teardown, from conftest.py.)
"""

import random

import pytest
from game_tables import FACILITATOR, SYSTEM, ServiceTable, trio_snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import engine
from game.engine.registry import COMMANDS
from game.engine.testing import round_, term
from game.errors import SERVICE_ERROR_CODES
from game.models import Event, Game
from game.services import Actor, CommandRefused, game_execute, game_rebuild_state

ROLES = ["A", "B", "C"]
LEVERS = ["s", "e", "g", "zz"]
VALUES = [0, 4, 5, 8, 52, 55, 60, 105, -5, "x"]
OFFERS = ["o1", "o2", "o3", "o4", "o99"]
TARGETS = [["B"], ["A"], ["C"], ["B", "C"], ["A", "C"], [], "all", ["ZZ"]]


def _snapshot() -> dict:
    seconds = {"briefing": 0, "disclosure": 30, "negotiation": 60, "decision": 30}
    return trio_snapshot(rounds=[round_("One", seconds=seconds), round_("Two", seconds=seconds)])


TERMS = [
    [],
    [term("A", "s", ">=", 55)],
    [term("C", "g", ">=", 4)],
    [term("C", "g", ">=", 4, "game"), term("A", "s", ">=", 60)],
    [term("B", "e", "<=", 3, "game")],
    [term("B", "s", "<=", 60)],
    [term("A", "s", "==", 55)],
    [term("A", "s", ">=", 52)],
    [term("ZZ", "s", ">=", 55)],
    [term("A", "zz", ">=", 5)],
    [term("C", "g", ">=", 4, "forever")],
]
CHOICES = [
    {"red_line": line, "to": to, "level": level}
    for line in ("a-energy", "b-sanctions", "nope")
    for to in ("all", ["A"], ["B"], ["C"], ["B", "C"], [])
    for level in ("existence", "full", "own")
]
PAYLOADS = {
    "start": [{}],
    "advance": [{}],
    "pause": [{}],
    "resume": [{}],
    "end": [{}],
    "extend": [{"seconds": seconds} for seconds in (0, 30, 4000, "ten")],
    "tick": [{"expected": None}, {"expected": {"round": 1, "phase": "disclosure"}}, {}],
    "player_join": [
        {"player_id": player_id, "name": name, "role": code}
        for player_id in (1, 2, 77, "guest")
        for name in ("Bot", "", "x" * 90)
        for code in (*ROLES, "ZZ")
    ],
    "player_move": [
        {"player_id": player_id, "role": code}
        for player_id in (1, 2, 3, 77)
        for code in (*ROLES, "ZZ")
    ],
    "player_remove": [{"player_id": player_id} for player_id in (1, 2, 3, 77)],
    "inject": [
        {"title": title, "body": "Body", "audience": audience}
        for title in ("News", "")
        for audience in ("all", ["A"], ["B", "C"], [], ["ZZ"])
    ],
    "note": [{"text": "Note"}, {"text": ""}],
    "adjust_score": [
        {"role": code, "round": round_no, "delta": delta, "reason": reason}
        for code in ("A", "C", "ZZ")
        for round_no in (1, 2, 3, "1")
        for delta in (5, -3.5, 2000)
        for reason in ("Well argued", "")
    ],
    "chat": [
        {"channel": channel, "text": text}
        for channel in ("all", "team", ["A", "B"], ["B"], [], "none")
        for text in ("hi", "", "x" * 2001)
    ],
    "disclosure_set": [{"choices": [c]} for c in CHOICES] + [{"choices": []}, {"choices": "x"}],
    "reveal": CHOICES,
    "offer_propose": [{"to": to, "terms": terms} for to in TARGETS for terms in TERMS],
    "offer_accept": [{"offer": offer} for offer in OFFERS],
    "offer_reject": [{"offer": offer} for offer in OFFERS],
    "offer_withdraw": [{"offer": offer} for offer in OFFERS],
    "offer_counter": [
        {"offer": offer, "to": to, "terms": terms}
        for offer in OFFERS[:3]
        for to in TARGETS[:5]
        for terms in TERMS[:6]
    ],
    "decision_set": [{"values": {key: value}} for key in LEVERS for value in VALUES]
    + [{"values": {"s": 55, "e": 5}}, {"values": {}}, {"values": "x"}],
    "decision_lock": [{}],
    "decision_unlock": [{}],
    "reveal_chat": [{"reveal": value} for value in (True, False, "yes", None)],
    "bogus_command": [{}],
}
BY = [*ROLES, "facilitator", "system", "ZZ"]


def natural_senders(type_: str) -> list[str]:
    """Who would send this command in a real game (the engine's declared actors)."""
    spec = COMMANDS.get(type_)
    if spec is None:
        return BY
    kinds = spec.actors
    return [*(ROLES if "player" in kinds else []), *(k for k in kinds if k != "player")]


CLIENT_IDS = [None, "c1", "c2"]
assert set(PAYLOADS) - {"bogus_command"} == set(engine.COMMAND_TYPES)

random_command = st.sampled_from(sorted(PAYLOADS)).flatmap(
    lambda type_: st.tuples(
        st.just("command"),
        st.sampled_from(natural_senders(type_)) | st.sampled_from(BY),
        st.just(type_),
        st.sampled_from(PAYLOADS[type_]),
        st.sampled_from(CLIENT_IDS),
    )
)


def random_command_from(rng, *, leave_out=("end",)) -> tuple:
    type_ = rng.choice(sorted(set(PAYLOADS) - set(leave_out)))
    payload = rng.choice(PAYLOADS[type_])
    by = rng.choice(natural_senders(type_) if rng.random() < 0.8 else BY)
    return ("command", by, type_, payload, rng.choice(CLIENT_IDS))


step = st.one_of(
    random_command,
    st.tuples(st.just("bot"), st.sampled_from(ROLES)),
    st.tuples(st.just("timer")),
    st.tuples(st.just("advance")),
)


def _actor(table: ServiceTable, by: str) -> Actor:
    if by == "facilitator":
        return FACILITATOR
    if by == "system":
        return SYSTEM
    return table.players.get(by) or Actor(kind="player", role=by, player_id=0, name=by)


def _execute(table: ServiceTable, actor: Actor, command: dict, client_id=None) -> None:
    """Run one command and check the log's bookkeeping, whether it is applied or not."""
    before = Game.objects.get(pk=table.game_id)
    try:
        result = game_execute(
            game_id=table.game_id, actor=actor, command=command, client_id=client_id, now=table.now
        )
    except CommandRefused as refused:
        assert refused.code in engine.ERROR_CODES or refused.code in SERVICE_ERROR_CODES
        after = Game.objects.get(pk=table.game_id)
        assert (after.last_seq, after.state) == (before.last_seq, before.state)
        return
    after = Game.objects.get(pk=table.game_id)
    if result.duplicate:
        assert (after.last_seq, after.state) == (before.last_seq, before.state)
        return
    assert [e["seq"] for e in result.events] == list(range(before.last_seq + 1, after.last_seq + 1))
    assert (after.status, after.deadline) == (
        engine.game_status(after.state),
        engine.game_deadline(after.state),
    )


def _play(table: ServiceTable, steps) -> None:
    for item in steps:
        kind = item[0]
        state = table.state
        if kind == "command":
            _, by, type_, payload, client_id = item
            _execute(table, _actor(table, by), {"type": type_, **payload}, client_id)
        elif kind == "bot":
            for command in engine.bot_commands(state, item[1], seed=3, now=table.now):
                body = {k: v for k, v in command.items() if k not in ("actor", "now")}
                _execute(table, table.players[item[1]], body)
        elif kind == "timer":
            if state["deadline"] is not None:
                table.now = max(table.now, state["deadline"])
            tick = {"type": "tick", "expected": engine.timer_position(state)}
            _execute(table, SYSTEM, tick)
        else:
            table.now += 1
            _execute(table, FACILITATOR, {"type": "advance"})


def _assert_log_is_the_truth(table: ServiceTable) -> None:
    game = Game.objects.get(pk=table.game_id)
    seqs = list(Event.objects.filter(game=game).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, game.last_seq + 1))
    assert game_rebuild_state(game=game) == game.state


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(started=st.booleans(), steps=st.lists(step, min_size=1, max_size=60))
def test_rebuild_equals_cache_after_random_commands(started, steps):
    table = ServiceTable.create(_snapshot())
    table.seat_everyone()
    if started:
        table.start()
    _play(table, steps)
    _assert_log_is_the_truth(table)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_rebuild_equals_cache_along_long_random_games(seed):
    """Seeded: mostly bots and timers with random (often refused) commands in between, until
    the game ends; checked after every phase."""
    play_random_game(seed)


def play_random_game(seed: int) -> ServiceTable:
    """A whole game of mostly bots and timers with random commands in between, the log
    checked against the cache after every phase (also used by test_services_one_trip)."""
    rng = random.Random(seed)
    table = ServiceTable.create(_snapshot(), seed=seed)
    table.seat_everyone()
    table.start()
    for _ in range(40):
        if table.state["status"] == "ended":
            break
        noise = [random_command_from(rng) for _ in range(rng.randrange(12))]
        steps = [("bot", code) for code in rng.sample(ROLES, 3)] + noise
        steps += [("bot", code) for code in ROLES]
        steps.append(("timer",) if rng.random() < 0.7 else ("advance",))
        _play(table, steps)
        _assert_log_is_the_truth(table)
    assert table.state["status"] == "ended"
    return table
