from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who issues a command: a player of a role, a facilitator (staff user), or the system."""

    kind: str  # "player" | "facilitator" | "system"
    role: str | None = None
    player_id: int | None = None
    user_id: int | None = None
    name: str = ""
    bot: bool = False  # a seat played by a server-side bot (game.services.bots)

    @classmethod
    def system(cls) -> "Actor":
        return cls(kind="system", name="system")

    @classmethod
    def for_staff(cls, user) -> "Actor":
        """A facilitator: a logged-in staff user."""
        return cls(kind="facilitator", user_id=user.pk, name=user.get_username())

    @classmethod
    def for_observer(cls) -> "Actor":
        """A read-only viewer (observer or projector link): public information only."""
        return cls(kind="observer", name="Observer")

    @classmethod
    def for_player(cls, player) -> "Actor":
        """A seated player (a game.models.Player row)."""
        return cls(
            kind="player",
            role=player.role,
            player_id=player.pk,
            name=player.name,
            bot=bool(getattr(player, "bot_strategy", "")),
        )

    @property
    def key(self) -> str:
        """Identity used to de-duplicate client command ids."""
        if self.kind == "player":
            return f"player:{self.player_id}"
        if self.kind == "facilitator":
            return f"facilitator:{self.user_id}"
        return self.kind

    def for_engine(self) -> dict:
        return {"kind": self.kind, "role": self.role}

    def for_log(self) -> dict:
        entry = {"kind": self.kind, "name": self.name}
        if self.role:
            entry["role"] = self.role
        if self.player_id is not None:
            entry["player_id"] = self.player_id
        if self.user_id is not None:
            entry["user_id"] = self.user_id
        return entry

    def viewer(self) -> dict:
        """The engine viewer this actor sees the game as."""
        if self.kind == "player":
            return {"kind": "player", "role": self.role}
        if self.kind == "facilitator":
            return {"kind": "facilitator"}
        return {"kind": "observer"}
