"""Authored scenarios (DESIGN §3): what an instructor writes and a game is created from.

A game never reads these tables while it runs: it keeps the document that
``Scenario.to_document()`` returned when the game was created (the snapshot).
Cross-field rules (a red line's lever held by its role, values on the lever's step, ...)
live in ``scenarios.validation``; the admin and the import service run that one validator.
"""

from django.db import models

from scenarios.fields import TextListField
from scenarios.validation import DEFAULT_COLORS, DEFAULT_SCORING


def _default_color() -> str:
    return DEFAULT_COLORS[0]


def _everyone() -> str:
    return "all"


class Scenario(models.Model):
    slug = models.SlugField(
        unique=True,
        help_text="Short name used in file names and links, e.g. coalition-2022 "
        "(lowercase letters, digits and hyphens).",
    )
    title = models.CharField(max_length=200, help_text="Shown to everyone, e.g. on join pages.")
    summary = models.TextField(
        blank=True, help_text="One or two sentences for the scenario list. Players see it."
    )
    background = models.TextField(
        blank=True,
        help_text="The shared situation every player reads first (Markdown). Players see it.",
    )
    learning_objectives = TextListField(
        help_text="What the workshop should take away, one per line. Players see them.",
    )
    alignment_weight = models.FloatField(
        default=DEFAULT_SCORING["alignment_weight"],
        help_text="β, 0 to 1: share of the coalition score that comes from alignment between "
        "the teams (the rest comes from combined pressure). Default 0.5.",
    )
    coalition_weight = models.FloatField(
        default=DEFAULT_SCORING["coalition_weight"],
        help_text="γ, 0 to 1: share of each team's round score that comes from the coalition "
        "score (the rest is its national score). Default 0.5.",
    )
    broken_commitment_penalty = models.FloatField(
        default=DEFAULT_SCORING["broken_commitment_penalty"],
        help_text="Points a team loses for each commitment it breaks, per round. Default 10.",
    )
    published = models.BooleanField(
        default=False,
        help_text="Published scenarios can be chosen by facilitators. Only a complete, valid "
        "scenario can be published; a draft may be saved unfinished.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "slug"]

    def __str__(self):
        return self.title or self.slug

    def to_document(self) -> dict:
        """The normalized scenario document (DESIGN §4): the game snapshot and the export."""
        from scenarios.documents import ScenarioDraft

        return ScenarioDraft.from_db(self).to_document()


class Role(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="roles")
    order = models.PositiveIntegerField(
        default=0, help_text="Position in the list of teams (lower first)."
    )
    code = models.CharField(
        max_length=8,
        help_text="Short capital code, e.g. US, JP or ROK. Used in files, offers and red lines.",
    )
    name = models.CharField(max_length=100, help_text="Full name, e.g. United States.")
    color = models.CharField(
        max_length=7, default=_default_color, help_text="The team's colour on charts and tables."
    )
    weight = models.FloatField(
        default=1,
        help_text="Weight of this team in the coalition's combined pressure (greater than 0); "
        "a weight of 3 counts three times as much as a weight of 1.",
    )
    public_brief = models.TextField(
        blank=True, help_text="What every team knows about this one (Markdown)."
    )
    private_brief = models.TextField(
        blank=True, help_text="Secret: only this team and the facilitator read it (Markdown)."
    )
    objectives = TextListField(
        help_text="This team's goals, one per line. Secret, like the private brief.",
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "code"],
                name="scenarios_role_unique_code",
                violation_error_message="Another role of this scenario has this code.",
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.name}" if self.name else self.code


class Lever(models.Model):
    class Pressure(models.TextChoices):
        UP = "up", "up — a higher value puts more pressure on the aggressor"
        DOWN = "down", "down — a lower value puts more pressure on the aggressor"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="levers")
    order = models.PositiveIntegerField(default=0, help_text="Position in the list (lower first).")
    key = models.CharField(
        max_length=50,
        help_text="Short identifier used in files, e.g. russian_lng_share "
        "(lowercase letters, digits, underscores).",
    )
    label = models.CharField(max_length=200, help_text="What players see, e.g. Russian LNG share.")
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, bcm, index.")
    min_value = models.FloatField("minimum", help_text="Lowest value a team may choose.")
    max_value = models.FloatField(
        "maximum", help_text="Highest value a team may choose (greater than the minimum)."
    )
    step = models.FloatField(
        default=1,
        help_text="Values go from the minimum in steps of this size, e.g. 5 allows 0, 5, 10, …",
    )
    pressure = models.CharField(max_length=4, choices=Pressure)
    weight = models.FloatField(
        default=1, help_text="How much this lever counts in alignment and pressure (above 0)."
    )
    description = models.TextField(blank=True, help_text="Explanation for players (Markdown).")

    class Meta:
        ordering = ["scenario", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "key"],
                name="scenarios_lever_unique_key",
                violation_error_message="Another lever of this scenario has this key.",
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.key})" if self.label else self.key


class LeverHolder(models.Model):
    lever = models.ForeignKey(Lever, on_delete=models.CASCADE, related_name="holders")
    role = models.ForeignKey(
        Role,
        on_delete=models.CASCADE,
        related_name="holdings",
        help_text="A team that sets this lever in its decisions.",
    )
    start = models.FloatField(
        help_text="The team's value before round 1 (within the lever's range, on its step)."
    )
    cost = models.FloatField(
        default=0,
        help_text="Domestic cost points per unit the team moves in the pressure direction "
        "(0 or more).",
    )

    class Meta:
        ordering = ["role__order", "role_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lever", "role"],
                name="scenarios_leverholder_unique_role",
                violation_error_message="This team already holds this lever.",
            )
        ]
        verbose_name = "lever holder"

    def __str__(self):
        return f"{self.role.code} holds {self.lever.key}"


class RedLine(models.Model):
    class Kind(models.TextChoices):
        FLOOR = "floor", "floor — the team will not go below the value"
        CEILING = "ceiling", "ceiling — the team will not go above the value"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="red_lines")
    order = models.PositiveIntegerField(default=0, help_text="Position in the list (lower first).")
    key = models.CharField(
        "id", max_length=64, help_text="Short identifier used in files, e.g. jp-sakhalin."
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.CASCADE,
        related_name="red_lines",
        help_text="The team whose red line this is.",
    )
    lever = models.ForeignKey(
        Lever,
        on_delete=models.CASCADE,
        related_name="red_lines",
        help_text="A lever that this team holds.",
    )
    kind = models.CharField(max_length=7, choices=Kind)
    value = models.FloatField(help_text="The limit, within the lever's range and on its step.")
    penalty = models.FloatField(
        help_text="Points the team loses in a round in which it crosses the line (0 or more)."
    )
    statement = models.TextField(
        help_text="The sentence a partner reads when the line is fully revealed, e.g. "
        "“Japan will not give up Sakhalin-2.”"
    )

    class Meta:
        ordering = ["scenario", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "key"],
                name="scenarios_redline_unique_key",
                violation_error_message="Another red line of this scenario has this id.",
            )
        ]

    def __str__(self):
        return self.key


class RedLineCondition(models.Model):
    class Op(models.TextChoices):
        AT_LEAST = ">=", "≥ at least"
        AT_MOST = "<=", "≤ at most"

    red_line = models.ForeignKey(RedLine, on_delete=models.CASCADE, related_name="conditions")
    order = models.PositiveIntegerField(default=0)
    role = models.ForeignKey(
        Role,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The team that must commit (it must hold the lever).",
    )
    lever = models.ForeignKey(Lever, on_delete=models.CASCADE, related_name="+")
    op = models.CharField("operator", max_length=2, choices=Op)
    value = models.FloatField(help_text="Within the lever's range and on its step.")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "unless condition"

    def __str__(self):
        return f"{self.role.code} {self.lever.key} {self.op} {self.value:g}"


class Round(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="rounds")
    order = models.PositiveIntegerField(default=0, help_text="Position in the game (lower first).")
    title = models.CharField(max_length=200)
    briefing = models.TextField(
        blank=True, help_text="Shown to every team when the round starts (Markdown)."
    )
    weight = models.FloatField(
        default=1, help_text="How much this round counts in the final score (above 0)."
    )
    briefing_seconds = models.PositiveIntegerField(
        default=0, help_text="Length of the briefing phase; 0 = the facilitator advances it."
    )
    disclosure_seconds = models.PositiveIntegerField(
        default=0, help_text="Length of the disclosure phase; 0 = the facilitator advances it."
    )
    negotiation_seconds = models.PositiveIntegerField(
        default=0, help_text="Length of the negotiation phase; 0 = the facilitator advances it."
    )
    decision_seconds = models.PositiveIntegerField(
        default=0, help_text="Length of the decision phase; 0 = the facilitator advances it."
    )

    class Meta:
        ordering = ["scenario", "order", "id"]

    def __str__(self):
        return self.title


class Inject(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="injects")
    order = models.PositiveIntegerField(default=0, help_text="Position in the round (lower first).")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="The news or event (Markdown).")
    audience = models.JSONField(
        default=_everyone,
        help_text='Who sees it: "all", or a list of role codes.',
    )

    class Meta:
        ordering = ["round", "order", "id"]

    def __str__(self):
        return self.title


class InjectEffect(models.Model):
    inject = models.ForeignKey(Inject, on_delete=models.CASCADE, related_name="effects")
    order = models.PositiveIntegerField(default=0)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    lever = models.ForeignKey(
        Lever,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A lever this team holds.",
    )
    cost_multiplier = models.FloatField(
        help_text="From this round on, the team's cost of moving this lever is multiplied by "
        "this (above 0; 1.5 = 50% more expensive). Effects of several injects multiply."
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "cost effect"

    def __str__(self):
        return f"{self.role.code} {self.lever.key} ×{self.cost_multiplier:g}"


class DebriefQuestion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(help_text="A prompt shown with the round's results.")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "debrief question"

    def __str__(self):
        return self.text[:60]
