"""Racing writers on PostgreSQL: the per-game row lock and the unique (game, seq) constraint
serialise commands, so every command is applied or cleanly refused, seq stays gapless, and the
loser of a race sees the winner's effects (DESIGN §2, §3: "exactly once").

Real threads, each with its own database connection (closed when the thread ends). Every
wait is bounded; a thread that does not finish in time fails the test.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections
from game_tables import SYSTEM, ServiceTable, timed_snapshot

from game.engine.testing import term
from game.models import Event, Player
from game.services import Actor, CommandRefused, broadcast, game_execute, game_tick_due, player_join

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgresql"),
]

THREAD_TIMEOUT = 30.0


class SentLog:
    """A thread-safe stand-in for the channel layer: which seq ranges were broadcast."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ranges: list[tuple[int, int]] = []

    async def group_send(self, group: str, message: dict) -> None:
        with self.lock:
            self.ranges.append((message["seq_from"], message["seq"]))


@pytest.fixture
def sent(monkeypatch) -> SentLog:
    log = SentLog()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: log)
    return log


def race(*tasks: Callable, timeout: float = THREAD_TIMEOUT) -> list[tuple[str, object]]:
    """Run the tasks in threads released together; each outcome is ("ok", value),
    ("refused", code) or ("error", exception)."""
    barrier = threading.Barrier(len(tasks))
    outcomes: list[tuple[str, object] | None] = [None] * len(tasks)

    def run(index: int, task: Callable) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = ("ok", task())
        except CommandRefused as refused:
            outcomes[index] = ("refused", refused.code)
        except BaseException as error:  # reported by the test, not lost in the thread
            outcomes[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, task), daemon=True)
        for index, task in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish"
    errors = [outcome for outcome in outcomes if outcome[0] == "error"]
    assert not errors, errors
    return outcomes


def assert_log_is_gapless(table: ServiceTable) -> None:
    game = table.game
    seqs = list(Event.objects.filter(game=game).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, game.last_seq + 1))


def assert_broadcasts_cover(sent: SentLog, first: int, last: int) -> None:
    """Every committed event was broadcast exactly once, in ranges that do not overlap."""
    covered = sorted(seq for low, high in sent.ranges for seq in range(low, high + 1))
    assert covered == list(range(first, last + 1))


def test_teams_racing_decisions_and_chat_are_all_applied(sent):
    """Three teams draft, chat and lock at once while the facilitator writes notes: every
    command is applied, each gets its own seqs, and the log has no gap."""
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "decision")
    first = table.game.last_seq + 1

    def team(code: str, lever: str, values: list[float]) -> Callable:
        def play() -> list[int]:
            seqs = []
            for index, value in enumerate(values):
                seqs.append(table.run("decision_set", code, values={lever: value}).seq)
                seqs.append(table.run("chat", code, channel="all", text=f"{code} {index}").seq)
            seqs.append(table.run("decision_lock", code).seq)
            return seqs

        return play

    def facilitator() -> list[int]:
        return [table.run("note", "facilitator", text=f"note {n}").seq for n in range(10)]

    outcomes = race(
        team("A", "s", [55, 60, 65, 70, 75, 80, 85, 90, 95, 100]),
        team("B", "e", [5, 6, 7, 8, 9, 10, 0, 1, 2, 3]),
        team("C", "g", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        facilitator,
    )
    assert all(kind == "ok" for kind, _ in outcomes)
    every_seq = [seq for _, seqs in outcomes for seq in seqs]
    assert len(every_seq) == len(set(every_seq)) == 3 * 21 + 10
    for _, seqs in outcomes:
        assert seqs == sorted(seqs)
    assert_log_is_gapless(table)
    state = table.state
    assert table.game.last_seq == first - 1 + 73
    assert len(state["chat"]) == 30 and len(state["notes"]) == 10
    assert state["drafts"]["A"]["values"]["s"] == 100
    assert state["drafts"]["C"]["values"]["g"] == 10
    assert all(state["drafts"][code]["locked"] for code in "ABC")
    assert_broadcasts_cover(sent, 1, table.game.last_seq)


def test_accept_and_withdraw_of_one_offer_exactly_one_wins():
    """The proposer withdraws while the addressee accepts: one is applied, the other is
    refused with offer_not_open, and the offer's status is the winner's."""
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "negotiation")
    for index in range(8):
        offer = f"o{index + 1}"
        table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
        accept, withdraw = race(
            lambda offer=offer: table.run("offer_accept", "B", offer=offer),
            lambda offer=offer: table.run("offer_withdraw", "A", offer=offer),
        )
        assert sorted([accept[0], withdraw[0]]) == ["ok", "refused"]
        loser = accept if accept[0] == "refused" else withdraw
        assert loser[1] == "offer_not_open"
        status = table.state["offers"][offer]["status"]
        assert status == ("accepted" if accept[0] == "ok" else "withdrawn")
    assert_log_is_gapless(table)


def test_two_players_of_one_team_racing_accept_and_reject():
    """Two people sitting for B answer the same offer differently at the same moment."""
    table = ServiceTable.create()
    table.seat_everyone()
    second, _ = player_join(game=table.game, name="Second B", role="B")
    second_b = Actor(kind="player", role="B", player_id=second.pk, name=second.name)
    table.advance_to(1, "negotiation")
    for index in range(6):
        offer = f"o{index + 1}"
        table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
        accepted, rejected = race(
            lambda offer=offer: table.run("offer_accept", "B", offer=offer),
            lambda offer=offer: game_execute(
                game_id=table.game_id,
                actor=second_b,
                command={"type": "offer_reject", "offer": offer},
                now=table.now,
            ),
        )
        outcomes = sorted([accepted[0], rejected[0]])
        assert outcomes == ["ok", "refused"]
        assert (accepted if accepted[0] == "refused" else rejected)[1] == "offer_not_open"
        assert table.state["offers"][offer]["status"] in ("accepted", "rejected")
    assert_log_is_gapless(table)


def test_racing_timer_ticks_advance_each_phase_exactly_once(sent):
    """Several processes' timer loops wake at the same deadline: one phase advance."""
    table = ServiceTable.create(timed_snapshot(seconds=60), now=1000.0)
    table.seat_everyone()
    table.start()
    ticked = 0
    for _ in range(12):
        game = table.game
        if game.status == "ended":
            break
        if game.deadline is None:  # results: the facilitator moves on
            table.run("advance", "facilitator")
            continue
        deadline, position = game.deadline, (game.state["round"], game.state["phase"])
        starts = Event.objects.filter(game=game, kind="phase_started").count()
        outcomes = race(*[lambda deadline=deadline: game_tick_due(now=deadline)] * 4)
        assert sum(advanced for _, advanced in outcomes) == 1
        game = table.game
        assert (game.state["round"], game.state["phase"]) != position
        assert Event.objects.filter(game=game, kind="phase_started").count() == starts + 1
        ticked += 1
    assert ticked == 8  # four timed phases in each of two rounds
    assert table.game.status == "ended"
    assert_log_is_gapless(table)
    assert_broadcasts_cover(sent, 1, table.game.last_seq)


def test_racing_ticks_for_the_same_expected_phase_apply_once():
    """Two explicit ticks naming the same phase: one advances, the other is a no-op."""
    table = ServiceTable.create(timed_snapshot(seconds=60), now=1000.0)
    table.seat_everyone()
    table.start()
    expected = {"round": 1, "phase": "briefing"}

    def tick():
        return game_execute(
            game_id=table.game_id,
            actor=SYSTEM,
            command={"type": "tick", "expected": expected},
            now=1060.0,
        ).events

    outcomes = race(tick, tick, tick)
    assert sorted(bool(events) for _, events in outcomes) == [False, False, True]
    assert table.state["phase"] == "disclosure"


def test_a_repeated_client_id_sent_concurrently_is_applied_once():
    """A client retrying the same command on two sockets at once: applied once; the other
    copies are answered as duplicates with the same seq."""
    table = ServiceTable.create()
    table.seat_everyone()
    table.start()

    def send():
        return table.run("chat", "A", client_id="same-id", channel="all", text="Only once")

    outcomes = race(send, send, send, send)
    results = [result for _, result in outcomes]
    assert sorted(result.duplicate for result in results) == [False, True, True, True]
    assert len({result.seq for result in results}) == 1
    assert [c["text"] for c in table.state["chat"]] == ["Only once"]


def test_players_joining_at_once_are_all_seated():
    """A class joining together: every join gets its seat and its own seq."""
    table = ServiceTable.create()
    joins = [
        lambda n=n: player_join(game=table.game, name=f"Student {n}", role="ABC"[n % 3])
        for n in range(9)
    ]
    outcomes = race(*joins)
    assert all(kind == "ok" for kind, _ in outcomes)
    assert Player.objects.filter(game_id=table.game_id).count() == 9
    assert len(table.state["players"]) == 9
    assert_log_is_gapless(table)
    assert table.game.last_seq == 9


def test_the_facilitator_ending_the_game_while_teams_act():
    """Commands racing `end` are applied before it or refused with game_ended after it."""
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "decision")

    def chatter(code: str) -> Callable:
        def play() -> list[str]:
            codes = []
            for index in range(15):
                try:
                    table.run("chat", code, channel="all", text=f"{index}")
                    codes.append("ok")
                except CommandRefused as refused:
                    codes.append(refused.code)
            return codes

        return play

    outcomes = race(chatter("A"), chatter("B"), lambda: table.run("end", "facilitator").seq)
    end_seq = outcomes[2][1]
    for _, codes in outcomes[:2]:
        assert set(codes) <= {"ok", "game_ended"}
        if "game_ended" in codes:  # once refused for the end, never applied again
            assert "ok" not in codes[codes.index("game_ended") :]
    chat_seqs = Event.objects.filter(game_id=table.game_id, kind="chat_posted").values_list(
        "seq", flat=True
    )
    assert all(seq < end_seq for seq in chat_seqs)
    assert_log_is_gapless(table)
