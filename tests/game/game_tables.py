"""Helpers for service-layer tests: small scenarios and a driver that goes through game_execute.

Import with `from game_tables import ...` (tests/game has no __init__.py, so pytest puts this
directory on sys.path).
"""

from game.engine import PHASES
from game.engine.testing import round_, trio_scenario
from game.models import Event, Game
from game.services import Actor, CommandRefused, game_create, game_execute, player_join

FACILITATOR = Actor(kind="facilitator", user_id=None, name="Facilitator")
SYSTEM = Actor.system()


def trio_snapshot(**overrides) -> dict:
    """The engine tests' trio scenario (game.engine.testing.trio_scenario), with an inject
    for B only in round 1 unless `rounds` is overridden."""
    overrides.setdefault("rounds", [round_("First", injects=[_inject_for_b()]), round_("Second")])
    return trio_scenario(**overrides)


def _inject_for_b() -> dict:
    from game.engine.testing import inject

    return inject("SECRET-INJECT-B", audience=["B"], body="Only B reads this.")


def timed_snapshot(seconds: int = 60, rounds: int = 2) -> dict:
    """trio_snapshot with every phase of every round timed."""
    return trio_snapshot(rounds=[round_(f"Round {n}", seconds=seconds) for n in range(rounds)])


class ServiceTable:
    """One game driven through the service layer: commands by role code, "facilitator" or
    "system", on an explicit clock (`now`)."""

    def __init__(self, game: Game, *, now: float = 1000.0):
        self.game_id = game.pk
        self.now = now
        self.players: dict[str, Actor] = {}
        self.tokens: dict[str, str] = {}

    @classmethod
    def create(cls, snapshot: dict | None = None, *, seed: int = 7, now: float = 1000.0):
        return cls(game_create(snapshot=snapshot or trio_snapshot(), seed=seed), now=now)

    @property
    def game(self) -> Game:
        return Game.objects.get(pk=self.game_id)

    @property
    def state(self) -> dict:
        return self.game.state

    def events(self) -> list[Event]:
        return list(Event.objects.filter(game_id=self.game_id).order_by("seq"))

    def seat_everyone(self) -> None:
        for spec in self.game.snapshot["roles"]:
            code = spec["code"]
            player, token = player_join(game=self.game, name=f"Player {code}", role=code)
            self.players[code] = Actor(
                kind="player", role=code, player_id=player.pk, name=player.name
            )
            self.tokens[code] = token

    def actor(self, by: str) -> Actor:
        if by == "facilitator":
            return FACILITATOR
        if by == "system":
            return SYSTEM
        return self.players.get(by) or Actor(kind="player", role=by, player_id=0, name=by)

    def run(self, type_: str, by: str, *, client_id: str | None = None, now=None, **payload):
        return game_execute(
            game_id=self.game_id,
            actor=self.actor(by),
            command={"type": type_, **payload},
            client_id=client_id,
            now=self.now if now is None else now,
        )

    def refuse(self, type_: str, by: str, **payload) -> CommandRefused:
        try:
            result = self.run(type_, by, **payload)
        except CommandRefused as refused:
            return refused
        raise AssertionError(f"{type_} by {by} was accepted: {result}")

    def start(self) -> None:
        if not self.players:
            self.seat_everyone()
        self.run("start", "facilitator")

    def advance_to(self, round_no: int, phase: str) -> None:
        if self.state["status"] == "lobby":
            self.start()
        target = (round_no, PHASES.index(phase))
        for _ in range(100):
            state = self.state
            if (state["round"], PHASES.index(state["phase"])) >= target:
                break
            self.run("advance", "facilitator")
        state = self.state
        assert (state["round"], state["phase"]) == (round_no, phase)


__all__ = ["FACILITATOR", "SYSTEM", "ServiceTable", "timed_snapshot", "trio_snapshot"]
