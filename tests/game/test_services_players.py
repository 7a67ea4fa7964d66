"""Joining, authenticating and seating players (game.services.lifecycle, .seating)."""

import hashlib

import pytest
from game_tables import FACILITATOR, ServiceTable

from game.models import Event, Player
from game.services import CommandRefused, game_execute, player_authenticate, player_join
from game.services.seating import command_execute, player_move, player_remove

pytestmark = pytest.mark.django_db


def _counts(table) -> tuple[int, int, int]:
    game = table.game
    return (
        Player.objects.filter(game=game).count(),
        Event.objects.filter(game=game).count(),
        game.last_seq,
    )


def test_player_join_seats_a_player_and_returns_a_secret_token(db):
    """The player row and a player_joined event are written; only the token's hash is kept."""
    table = ServiceTable.create()
    player, token = player_join(game=table.game, name="Ann", role="B")

    assert (player.name, player.role, player.removed) == ("Ann", "B", False)
    assert len(token) >= 40
    assert player.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in player.token_hash
    assert not Player.objects.filter(token_hash=token).exists()
    [event] = table.events()
    assert event.kind == "player_joined"
    assert event.data == {"player_id": player.pk, "name": "Ann", "role": "B"}
    assert table.state["players"][str(player.pk)] == {"id": player.pk, "name": "Ann", "role": "B"}


def test_every_join_gets_its_own_token(db):
    table = ServiceTable.create()
    tokens = {player_join(game=table.game, name=f"P{n}", role="A")[1] for n in range(5)}
    assert len(tokens) == 5


def test_players_can_join_a_running_game(table):
    table.start()
    player, _ = player_join(game=table.game, name="Late", role="C")
    assert table.state["players"][str(player.pk)]["role"] == "C"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Ann  ", "Ann"),
        ("Ann \t  Lee\n", "Ann Lee"),
        ("x" * 60, "x" * 60),
        ("  " + "y" * 60 + "  ", "y" * 60),
    ],
)
def test_names_are_trimmed_and_inner_space_collapsed(db, raw, stored):
    table = ServiceTable.create()
    player, _ = player_join(game=table.game, name=raw, role="A")
    assert player.name == stored
    assert table.state["players"][str(player.pk)]["name"] == stored


@pytest.mark.parametrize(
    ("name", "role", "code"),
    [
        ("", "A", "invalid"),
        ("   \t ", "A", "invalid"),
        (None, "A", "invalid"),
        ("z" * 61, "A", "invalid"),
        ("Ann\x00", "A", "invalid"),
        ("Ann \ud800", "A", "invalid"),
        ("Ann", "ZZ", "unknown_role"),
        ("Ann", "a", "unknown_role"),
        ("Ann", "", "unknown_role"),
    ],
)
def test_a_refused_join_leaves_no_trace(db, name, role, code):
    """Bad names and unknown teams are refused before anything is written."""
    table = ServiceTable.create()
    with pytest.raises(CommandRefused) as refused:
        player_join(game=table.game, name=name, role=role)
    assert refused.value.code == code
    assert _counts(table) == (0, 0, 0)


def test_joining_an_ended_game_is_refused_and_leaves_no_player(table):
    """The engine's refusal rolls back the player row created before it."""
    table.start()
    table.run("end", "facilitator")
    before = _counts(table)
    with pytest.raises(CommandRefused) as refused:
        player_join(game=table.game, name="Too late", role="A")
    assert refused.value.code == "game_ended"
    assert _counts(table) == before


def test_player_authenticate_finds_the_player_by_game_code_and_token(table):
    game = table.game
    token = table.tokens["A"]
    player = player_authenticate(game_code=game.code, token=token)
    assert player is not None and player.pk == table.players["A"].player_id
    assert player_authenticate(game_code=game.code.lower(), token=token).pk == player.pk


def test_player_authenticate_rejects_wrong_tokens_and_other_games(table):
    game = table.game
    other = ServiceTable.create()
    other.seat_everyone()
    token = table.tokens["A"]

    assert player_authenticate(game_code=game.code, token=token + "x") is None
    assert player_authenticate(game_code=game.code, token=token[:-1]) is None
    assert player_authenticate(game_code=game.code, token=other.tokens["A"]) is None
    assert player_authenticate(game_code=other.game.code, token=token) is None
    assert player_authenticate(game_code="NOSUCH", token=token) is None
    # The stored hash is not a token.
    stored_hash = Player.objects.get(pk=table.players["A"].player_id).token_hash
    assert player_authenticate(game_code=game.code, token=stored_hash) is None
    for junk in ("", None, 42, ["x"], "a" * 201):
        assert player_authenticate(game_code=game.code, token=junk) is None


def test_a_removed_player_can_no_longer_authenticate(table):
    player_remove(game=table.game, player_id=table.players["A"].player_id, actor=FACILITATOR)
    assert player_authenticate(game_code=table.game.code, token=table.tokens["A"]) is None
    assert player_authenticate(game_code=table.game.code, token=table.tokens["B"]) is not None


def test_player_move_updates_the_row_and_logs_the_move(table):
    table.start()
    player_id = table.players["A"].player_id
    result = player_move(game=table.game, player_id=player_id, role="C", actor=FACILITATOR)

    assert Player.objects.get(pk=player_id).role == "C"
    [event] = result.events
    assert event["kind"] == "player_moved"
    assert event["data"] == {"player_id": player_id, "role": "C", "from": "A"}
    assert event["actor"]["kind"] == "facilitator"
    assert table.state["players"][str(player_id)]["role"] == "C"
    assert player_authenticate(game_code=table.game.code, token=table.tokens["A"]).role == "C"


def test_moving_a_player_to_its_own_team_changes_nothing(table):
    player_id = table.players["B"].player_id
    before = _counts(table)
    result = player_move(game=table.game, player_id=player_id, role="B", actor=FACILITATOR)
    assert result.events == []
    assert _counts(table) == before
    assert Player.objects.get(pk=player_id).role == "B"


def test_player_remove_marks_the_row_and_logs_the_removal(table):
    player_id = table.players["B"].player_id
    result = player_remove(game=table.game, player_id=player_id, actor=FACILITATOR)

    assert Player.objects.get(pk=player_id).removed is True
    [event] = result.events
    assert (event["kind"], event["data"]) == (
        "player_removed",
        {"player_id": player_id, "role": "B"},
    )
    assert str(player_id) not in table.state["players"]


@pytest.mark.parametrize("act", ["move", "remove"])
def test_seating_an_unknown_removed_or_foreign_player_is_refused(table, act):
    """unknown_player for a made-up id, a removed player and another game's player."""
    other = ServiceTable.create()
    other.seat_everyone()
    removed = table.players["C"].player_id
    player_remove(game=table.game, player_id=removed, actor=FACILITATOR)
    before = _counts(table)

    for player_id in (987654, removed, other.players["A"].player_id):
        with pytest.raises(CommandRefused) as refused:
            if act == "move":
                player_move(game=table.game, player_id=player_id, role="A", actor=FACILITATOR)
            else:
                player_remove(game=table.game, player_id=player_id, actor=FACILITATOR)
        assert refused.value.code == "unknown_player"
    assert _counts(table) == before
    assert Player.objects.get(pk=other.players["A"].player_id).removed is False


def test_seating_refusals_leave_the_player_row_as_it_was(table):
    """Only the facilitator seats; a move to an unknown team changes nothing."""
    player_id = table.players["A"].player_id
    before = _counts(table)
    with pytest.raises(CommandRefused) as refused:
        player_move(game=table.game, player_id=player_id, role="ZZ", actor=FACILITATOR)
    assert refused.value.code == "unknown_role"
    for attempt in (
        lambda: player_move(
            game=table.game, player_id=player_id, role="B", actor=table.players["B"]
        ),
        lambda: player_remove(game=table.game, player_id=player_id, actor=table.players["B"]),
    ):
        with pytest.raises(CommandRefused) as refused:
            attempt()
        assert refused.value.code == "not_facilitator"
    player = Player.objects.get(pk=player_id)
    assert (player.role, player.removed) == ("A", False)
    assert _counts(table) == before


@pytest.mark.django_db
def test_a_moved_player_cannot_act_for_its_old_team(table):
    """Under the game lock the log's seat wins: a command still carrying the old team is
    refused with not_seated and changes nothing; a removed player's commands likewise."""
    old = table.players["A"]
    player_move(game=table.game, player_id=old.player_id, role="B", actor=FACILITATOR)
    before = table.game.last_seq
    with pytest.raises(CommandRefused) as refused:
        game_execute(
            game_id=table.game_id,
            actor=old,
            command={"type": "chat", "channel": "all", "text": "still A?"},
        )
    assert refused.value.code == "not_seated" and "now sit on team B" in refused.value.message
    player_remove(game=table.game, player_id=old.player_id, actor=FACILITATOR)
    with pytest.raises(CommandRefused) as refused:
        game_execute(
            game_id=table.game_id,
            actor=old,
            command={"type": "chat", "channel": "all", "text": "hello?"},
        )
    assert refused.value.code == "not_seated"
    assert table.game.last_seq == before + 1


@pytest.mark.django_db
def test_seat_commands_are_idempotent_by_client_id(table):
    """A repeated player_remove id is answered as a duplicate, not refused as unknown."""
    player = table.players["C"]
    command = {"type": "player_remove", "player_id": player.player_id}
    first = command_execute(
        game_id=table.game_id, actor=FACILITATOR, command=command, client_id="rm-1"
    )
    again = command_execute(
        game_id=table.game_id, actor=FACILITATOR, command=command, client_id="rm-1"
    )
    assert (again.seq, again.duplicate, first.duplicate) == (first.seq, True, False)
