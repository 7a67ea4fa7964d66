"""Inline tables of the scenario page: roles, levers, red lines and rounds.

Parts that have parts of their own link to their own page (``show_change_link``), where
those are edited (see ``scenarios.admin.parts``).
"""

from django.contrib import admin
from django.db import models
from django.forms import Textarea

from game.wording import plural
from scenarios.admin.checks import ScenarioPartFormSet
from scenarios.admin.forms import RoleForm, ScenarioPartForm
from scenarios.models import Lever, RedLine, Role, Round
from scenarios.validation import DEFAULT_COLORS

COMPACT_TEXT = {models.TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 40})}}


class RoleFormSet(ScenarioPartFormSet):
    def new_row_initial(self, offset: int) -> dict:
        """A new team gets a palette colour no team has yet."""
        used = {color.lower() for color in self.get_queryset().values_list("color", flat=True)}
        free = [color for color in DEFAULT_COLORS if color not in used] or list(DEFAULT_COLORS)
        return {**super().new_row_initial(offset), "color": free[offset % len(free)]}


class RoleInline(admin.StackedInline):
    model = Role
    form = RoleForm
    formset = RoleFormSet
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("code", "name"),
                    ("color", "weight", "order"),
                    "public_brief",
                    "private_brief",
                    "objectives",
                ]
            },
        )
    ]
    verbose_name = "role (team)"
    verbose_name_plural = "roles (teams)"

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0


class LeverInline(admin.TabularInline):
    model = Lever
    form = ScenarioPartForm
    formset = ScenarioPartFormSet
    extra = 0
    fields = [
        "order",
        "key",
        "label",
        "unit",
        "min_value",
        "max_value",
        "step",
        "pressure",
        "weight",
        "holder_summary",
    ]
    readonly_fields = ["holder_summary"]
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    @admin.display(description="held by (start, cost)")
    def holder_summary(self, lever):
        if lever.pk is None:
            return "Save, then choose holders on the lever’s page."
        holders = lever.holders.select_related("role")
        if not holders:
            return "Nobody yet — open “Change” to choose the teams that hold it."
        return ", ".join(f"{h.role.code} {h.start:g} (cost {h.cost:g})" for h in holders)


class RedLineInline(admin.TabularInline):
    model = RedLine
    form = ScenarioPartForm
    formset = ScenarioPartFormSet
    extra = 0
    fields = [
        "order",
        "key",
        "role",
        "lever",
        "kind",
        "value",
        "penalty",
        "statement",
        "condition_summary",
    ]
    readonly_fields = ["condition_summary"]
    show_change_link = True
    formfield_overrides = COMPACT_TEXT

    @admin.display(description="unless (all of)")
    def condition_summary(self, red_line):
        if red_line.pk is None:
            return "Save, then add conditions on the red line’s page."
        conditions = red_line.conditions.select_related("role", "lever")
        return "; ".join(str(condition) for condition in conditions) or "—"


class RoundInline(admin.TabularInline):
    model = Round
    form = ScenarioPartForm
    formset = ScenarioPartFormSet
    extra = 0
    fields = [
        "order",
        "title",
        "weight",
        "briefing_seconds",
        "disclosure_seconds",
        "negotiation_seconds",
        "decision_seconds",
        "content_summary",
    ]
    readonly_fields = ["content_summary"]
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    @admin.display(description="briefing, injects, questions")
    def content_summary(self, round_):
        if round_.pk is None:
            return "Save, then write the briefing, injects and questions on the round’s page."
        injects, questions = round_.injects.count(), round_.questions.count()
        briefing = "briefing" if round_.briefing else "no briefing"
        return f"{briefing}, {plural(injects, 'inject')}, {plural(questions, 'question')}"
