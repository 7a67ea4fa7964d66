"""Games, their players, and the append-only event log that is the source of truth.

A game's `state` is a cache of the engine state folded over its events up to `last_seq`;
it can always be rebuilt from `snapshot` + the events (see game.services.game_rebuild_state).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_watch_key() -> str:
    return secrets.token_urlsafe(16)


# The state's round records, stored apart from the rest of it (Game.state_archive): they grow
# every round (4.5 KiB of results and 1.2 KiB of injects a round in the bundled scenario,
# two thirds of the stored state by the last round) and change once a phase at most, while
# every command rewrites the rest. On PostgreSQL a command that leaves them alone leaves
# their column alone: a late command no longer costs ~1.3x an early one (issue 11).
STATE_ARCHIVE_KEYS = ("results", "injects")


def state_archive_part(state: dict) -> dict:
    """The keys of `state` stored in Game.state_archive."""
    return {key: state[key] for key in STATE_ARCHIVE_KEYS if key in state}


def state_from_columns(state: dict, snapshot: dict, archive: dict) -> dict:
    """A state read from its columns, whole again: its round records are the archive column's
    and its scenario is the game's snapshot (every row holds neither in `state` since
    migration 0011)."""
    return {**state, **archive, "scenario": snapshot}


class GameStateField(models.JSONField):
    """The engine state, stored without its scenario and its round records. The scenario is
    the game's `snapshot`, kept once in its own column instead of in every rewrite of the
    state (29 of a state's 34 KiB for the bundled scenario, written and encoded by every
    command); the round records are `state_archive`'s (STATE_ARCHIVE_KEYS). Instances get
    both back from Game.from_db; a raw read of the columns (values_list) uses
    state_from_columns."""

    def get_prep_value(self, value):
        if isinstance(value, dict) and ("scenario" in value or _archived(value)):
            value = {
                key: item
                for key, item in value.items()
                if key != "scenario" and key not in STATE_ARCHIVE_KEYS
            }
        return super().get_prep_value(value)


def _archived(state: dict) -> bool:
    return any(key in state for key in STATE_ARCHIVE_KEYS)


class GameStateArchiveField(models.JSONField):
    """The state's round records (STATE_ARCHIVE_KEYS), written from the instance's state
    whenever the row is saved through the ORM (the service layer's commands write it in
    game.services.commandsql)."""

    def pre_save(self, model_instance, add):
        state = getattr(model_instance, "state", None)
        if isinstance(state, dict) and _archived(state):  # a whole state: its part
            setattr(model_instance, self.attname, state_archive_part(state))
        return super().pre_save(model_instance, add)


class Game(models.Model):
    class Status(models.TextChoices):
        LOBBY = "lobby", "Lobby"
        RUNNING = "running", "Running"
        ENDED = "ended", "Ended"

    code = models.CharField(max_length=12, unique=True, default=new_join_code)
    title = models.CharField(max_length=200)
    scenario = models.ForeignKey(
        "scenarios.Scenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="games",
        help_text="The scenario this game was created from.",
    )
    snapshot = models.JSONField(
        help_text="The normalized scenario document taken when the game was created; "
        "editing the scenario later never changes it."
    )
    seed = models.BigIntegerField()
    rules_version = models.PositiveSmallIntegerField(
        default=2,
        help_text="The scoring rules version the game is played under (docs/scoring.md); "
        "games created before versions were recorded play under version 1.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LOBBY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_games",
        help_text="Staff who may run this game besides its creator (game.services.access).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_seq = models.PositiveIntegerField(default=0)
    state = GameStateField(
        help_text="Engine state after event `last_seq` (a cache), without its scenario: that "
        "is `snapshot`."
    )
    state_archive = GameStateArchiveField(
        default=dict,
        help_text="The state's round records (results, injects), stored apart from `state`: "
        "they change at most once a phase, and a command that leaves them alone does not "
        "rewrite them.",
    )
    deadline = models.FloatField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Epoch seconds when the current timed phase ends (null: untimed or paused).",
    )

    watch_key = models.CharField(
        max_length=40,
        default=new_watch_key,
        help_text="The secret of the game's read-only links (observer and projector views): "
        "public information only.",
    )
    retired_watch_keys = models.JSONField(
        default=list,
        blank=True,
        help_text="SHA-256 hashes of the watch keys the facilitator replaced (newest last), "
        "so that a page opened with one says its link was replaced.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} ({self.code})"

    @classmethod
    def stored_state(cls, game_id: int) -> dict:
        """The state as its row holds it now, whole (without building the instance)."""
        return state_from_columns(
            *cls.objects.values_list("state", "snapshot", "state_archive").get(pk=game_id)
        )

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        game = super().from_db(db, field_names, values, **kwargs)
        state = game.__dict__.get("state")
        if isinstance(state, dict):  # reads a deferred snapshot or archive
            game.state = state_from_columns(state, game.snapshot, game.state_archive)
        return game


class Player(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="players")
    role = models.CharField(max_length=8)
    name = models.CharField(max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    removed = models.BooleanField(default=False)
    bot_strategy = models.CharField(
        max_length=10,
        blank=True,
        help_text="open, guarded or secretive when a bot plays this seat (empty: a person).",
    )

    class Meta:
        ordering = ["game", "role", "joined_at"]

    def __str__(self):
        return f"{self.name} ({self.role}) in {self.game.code}"


class Event(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    round = models.PositiveSmallIntegerField(default=0)
    phase = models.CharField(max_length=20, blank=True)
    actor = models.JSONField()
    kind = models.CharField(max_length=40)
    data = models.JSONField()
    audience = models.JSONField(help_text='"all", "facilitator", or a list of role codes.')

    class Meta:
        ordering = ["game", "seq"]
        constraints = [
            # The database's uniqueness is what serialises writers across processes.
            models.UniqueConstraint(fields=["game", "seq"], name="event_seq_unique_per_game"),
        ]

    def __str__(self):
        return f"{self.game_id}#{self.seq} {self.kind}"

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "round": self.round,
            "phase": self.phase,
            "actor": self.actor,
            "kind": self.kind,
            "data": self.data,
            "audience": self.audience,
        }


class CommandReceipt(models.Model):
    """Remembers accepted client command ids, so a repeated id is answered, not re-applied."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="receipts")
    actor_key = models.CharField(max_length=80)
    client_id = models.CharField(max_length=100)
    seq = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["game", "actor_key", "client_id"], name="receipt_unique_client_id"
            ),
        ]

    def __str__(self):
        return f"{self.actor_key} {self.client_id} -> #{self.seq}"


class Connection(models.Model):
    """An open WebSocket, for presence across every server process."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20)
    role = models.CharField(max_length=8, blank=True)
    player = models.ForeignKey(Player, null=True, blank=True, on_delete=models.CASCADE)
    server = models.CharField(max_length=100, blank=True, help_text="The serving process.")
    address = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="The client's address (socket limits)."
    )
    connected_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="Refreshed by the serving process; rows of a dead process go stale.",
    )

    def __str__(self):
        return f"{self.kind} {self.role or ''} on {self.channel_name}".replace("  ", " ")


class StaffToken(models.Model):
    """A staff user's API token for scripts (REST, and the socket's hello once wired).

    Only a hash is stored; the token itself is shown once, when it is created in the admin.
    Revoking keeps the row (who had which token, until when).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. 'results script'.")
    prefix = models.CharField(max_length=12, editable=False, help_text="Its first characters.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "staff API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…, {self.user})"


class Workshop(models.Model):
    """Several tables (games) of one exercise, run together and compared in the debrief."""

    title = models.CharField(max_length=200)
    scenario = models.ForeignKey(
        "scenarios.Scenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshops",
    )
    games = models.ManyToManyField(Game, related_name="workshops", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class GameReview(models.Model):
    """The facilitator's after-action edits of a game's report: the findings, the
    improvement plan and notes on the debrief questions. The report shows the findings
    derived from the log where these are empty."""

    game = models.OneToOneField(Game, on_delete=models.CASCADE, related_name="review")
    strengths = models.JSONField(default=list, help_text="Findings, one text each.")
    improvements = models.JSONField(default=list, help_text="Findings, one text each.")
    plan = models.JSONField(default=list, help_text="[{issue, action, owner, due}]")
    debrief_notes = models.JSONField(default=dict, help_text='{"<round>": notes}')
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Review of {self.game.code}"
