"""Bots in live games: a facilitator fills empty seats with bots of a strategy; they play
through game_execute as their players, answering what people, timers and facilitators do."""

import pytest
from game_tables import FACILITATOR

from game.engine.testing import condition, lever, red_line, role, round_, scenario
from game.models import Event, Player
from game.services import CommandRefused, game_create, game_execute
from game.services.bots import game_fill_empty_seats, game_seat_bot

pytestmark = pytest.mark.django_db


def stag_hunt() -> dict:
    return scenario(
        roles=[role("A"), role("B")],
        levers=[lever("s", holders={"A": (0, 1), "B": (0, 1)}, high=10, step=10)],
        red_lines=[
            red_line(
                "b-cap", "B", "s", "ceiling", 0, penalty=50, unless=[condition("A", "s", ">=", 10)]
            )
        ],
        rounds=[round_("One")],
    )


def advance_to_end(game, captured):
    for step in range(10):
        if game.state["status"] == "ended":
            return
        with captured(execute=True):
            game_execute(
                game_id=game.pk,
                actor=FACILITATOR,
                command={"type": "start" if step == 0 else "advance"},
                now=1000.0 + step,
            )
        game.refresh_from_db()


def test_open_bots_fill_the_seats_and_make_the_deal(django_capture_on_commit_callbacks):
    game = game_create(snapshot=stag_hunt(), seed=3)
    with django_capture_on_commit_callbacks(execute=True):
        bots = game_fill_empty_seats(game=game, strategy="open")
    assert [(bot.role, bot.bot_strategy) for bot in bots] == [("A", "open"), ("B", "open")]
    advance_to_end(game, django_capture_on_commit_callbacks)
    [result] = game.state["results"]
    assert result["decisions"] == {"A": {"s": 10}, "B": {"s": 10}}
    assert result["private"]["B"]["breaches"] == []
    kinds_by_bots = set(
        Event.objects.filter(game=game, actor__kind="player").values_list("kind", flat=True)
    )
    assert {"offer_proposed", "offer_accepted", "decision_locked"} <= kinds_by_bots


def test_secretive_bots_keep_to_the_status_quo(django_capture_on_commit_callbacks):
    game = game_create(snapshot=stag_hunt(), seed=3)
    with django_capture_on_commit_callbacks(execute=True):
        game_fill_empty_seats(game=game, strategy="secretive")
    advance_to_end(game, django_capture_on_commit_callbacks)
    assert game.state["results"][0]["decisions"] == {"A": {"s": 0}, "B": {"s": 0}}


def test_only_empty_seats_are_filled_and_strategies_are_checked(django_capture_on_commit_callbacks):
    game = game_create(snapshot=stag_hunt(), seed=3)
    with django_capture_on_commit_callbacks(execute=True):
        game_seat_bot(game=game, role="A", strategy="guarded")
        [bot] = game_fill_empty_seats(game=game, strategy="secretive")
    assert bot.role == "B"
    assert Player.objects.filter(game=game).count() == 2
    with pytest.raises(CommandRefused, match="one of open, guarded, secretive"):
        game_seat_bot(game=game, role="A", strategy="nice")
    with pytest.raises(CommandRefused, match="no team 'Z'"):
        game_seat_bot(game=game, role="Z", strategy="open")
