"""Admin pages of a scenario's parts that have parts of their own: levers (holders), red lines
(unless conditions), rounds (injects, questions) and injects (cost effects).

They are reached from the scenario page (“Change” links) and are checked like it: a change
that would make the scenario inconsistent is refused. New parts are added on the parent's page.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from scenarios.admin.checks import (
    ScenarioPageAdmin,
    ScenarioPartFormSet,
    draft_items,
    replace_item,
)
from scenarios.admin.forms import InjectForm, ScenarioPartForm, scenario_of
from scenarios.admin.inlines import COMPACT_TEXT
from scenarios.admin.scenario import problem_list
from scenarios.documents import DraftItem, ScenarioDraft
from scenarios.models import (
    DebriefQuestion,
    Inject,
    InjectEffect,
    Lever,
    LeverHolder,
    RedLine,
    RedLineCondition,
    Round,
    Scenario,
)
from scenarios.validation import document_problems


def link_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def link(obj, label=None):
    return format_html('<a href="{}">{}</a>', link_url(obj), label or obj)


class PartInline(admin.TabularInline):
    form = ScenarioPartForm
    formset = ScenarioPartFormSet
    extra = 0


class ScenarioPartAdmin(ScenarioPageAdmin):
    """A part's own page; parts are created on the parent's page, so there is no add page."""

    form = ScenarioPartForm
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # deletions are checked one at a time
        return actions

    @admin.display(description="scenario")
    def scenario_link(self, obj):
        return link(scenario_of(obj))

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if request.method == "POST" and obj is not None:
            problems = self.problems_after_deleting(obj)
            if problems:
                message = format_html(
                    "“{}” was not deleted: without it the scenario would have problems:<ul>{}</ul>",
                    obj,
                    problem_list(*problems),
                )
                self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(link_url(obj))
        return super().delete_view(request, object_id, extra_context)

    @staticmethod
    def problems_after_deleting(obj) -> tuple[list[tuple[str, str]], dict] | None:
        """The problems deleting ``obj`` would cause (the rule of saving a page), and the
        document they are about; None if there would be none."""
        scenario = scenario_of(obj)
        with transaction.atomic():
            type(obj).objects.filter(pk=obj.pk).delete()
            document = Scenario.objects.get(pk=scenario.pk).to_document()
            transaction.set_rollback(True)
        problems = document_problems(document)
        if problems is None:
            return None
        errors = problems.errors
        if not scenario.published:
            errors = [error for error in errors if error not in problems.incomplete]
        return (errors, document) if errors else None


# Levers ------------------------------------------------------------------------------------


class LeverHolderInline(PartInline):
    model = LeverHolder
    fields = ["role", "start", "cost"]
    verbose_name = "holder (a team that sets this lever)"
    verbose_name_plural = "holders (the teams that set this lever)"

    def get_extra(self, request, obj=None, **kwargs):
        return len(missing_holders(obj)) if obj is not None else 0


def missing_holders(lever):
    return list(lever.scenario.roles.exclude(holdings__lever=lever))


@admin.register(Lever)
class LeverAdmin(ScenarioPartAdmin):
    list_display = ["key", "label", "scenario", "pressure", "value_range", "holder_codes"]
    list_filter = ["scenario", "pressure"]
    list_select_related = ["scenario"]
    search_fields = ["key", "label", "scenario__title", "scenario__slug"]
    fields = [
        "scenario_link",
        "order",
        ("key", "label"),
        ("min_value", "max_value", "step", "unit"),
        "pressure",
        "weight",
        "description",
    ]
    readonly_fields = ["scenario_link"]
    inlines = [LeverHolderInline]

    @admin.display(description="range")
    def value_range(self, lever):
        return f"{lever.min_value:g} to {lever.max_value:g} by {lever.step:g} {lever.unit}".strip()

    @admin.display(description="held by")
    def holder_codes(self, lever):
        return ", ".join(holder.role.code for holder in lever.holders.select_related("role"))

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, LeverHolderInline) and obj is not None and obj.pk:
            kwargs["initial"] = [{"role": role.pk} for role in missing_holders(obj)]
        return kwargs

    def scenario_draft(self, form, formsets):
        lever = form.instance
        draft = ScenarioDraft.from_db(lever.scenario)
        saved = next((item for item in draft.levers if item.obj.pk == lever.pk), None)
        holders = draft_items(formsets[LeverHolder], saved.children["holders"] if saved else [])
        replace_item(draft.levers, DraftItem(lever, form, {"holders": holders}))
        return draft


# Red lines ---------------------------------------------------------------------------------


class RedLineConditionInline(PartInline):
    model = RedLineCondition
    fields = ["role", "lever", "op", "value", "order"]
    verbose_name_plural = (
        "unless: the red line is lifted when partners have committed to all of these"
    )


@admin.register(RedLine)
class RedLineAdmin(ScenarioPartAdmin):
    list_display = ["key", "role", "lever", "kind", "value", "penalty", "scenario"]
    list_filter = ["scenario", "kind"]
    list_select_related = ["scenario", "role", "lever"]
    search_fields = ["key", "statement", "scenario__title", "scenario__slug"]
    fields = [
        "scenario_link",
        "order",
        "key",
        ("role", "lever"),
        ("kind", "value", "penalty"),
        "statement",
    ]
    readonly_fields = ["scenario_link"]
    inlines = [RedLineConditionInline]
    formfield_overrides = COMPACT_TEXT

    def scenario_draft(self, form, formsets):
        red_line = form.instance
        draft = ScenarioDraft.from_db(red_line.scenario)
        saved = next((item for item in draft.red_lines if item.obj.pk == red_line.pk), None)
        formset = formsets[RedLineCondition]
        conditions = draft_items(formset, saved.children["conditions"] if saved else [])
        replace_item(draft.red_lines, DraftItem(red_line, form, {"conditions": conditions}))
        return draft


# Rounds ------------------------------------------------------------------------------------


class InjectInline(admin.StackedInline):
    model = Inject
    form = InjectForm
    formset = ScenarioPartFormSet
    extra = 0
    fields = ["order", "title", "body", "audience", "effect_summary"]
    readonly_fields = ["effect_summary"]
    show_change_link = True

    @admin.display(description="cost effects")
    def effect_summary(self, inject):
        if inject.pk is None:
            return "Save, then add cost effects on the inject’s page."
        effects = inject.effects.select_related("role", "lever")
        summary = "; ".join(str(effect) for effect in effects)
        return summary or "None (add them on the inject’s page: its “Change” link)."


class DebriefQuestionInline(PartInline):
    model = DebriefQuestion
    fields = ["order", "text"]
    formfield_overrides = COMPACT_TEXT


@admin.register(Round)
class RoundAdmin(ScenarioPartAdmin):
    list_display = ["title", "scenario", "order", "weight", "inject_count"]
    list_filter = ["scenario"]
    list_select_related = ["scenario"]
    search_fields = ["title", "briefing", "scenario__title", "scenario__slug"]
    fieldsets = [
        (None, {"fields": ["scenario_link", "order", "title", "briefing", "weight"]}),
        (
            "Phase lengths in seconds (0 = the facilitator moves on by hand)",
            {
                "fields": [
                    (
                        "briefing_seconds",
                        "disclosure_seconds",
                        "negotiation_seconds",
                        "decision_seconds",
                    )
                ]
            },
        ),
    ]
    readonly_fields = ["scenario_link"]
    inlines = [InjectInline, DebriefQuestionInline]

    @admin.display(description="injects")
    def inject_count(self, round_):
        return round_.injects.count()

    def scenario_draft(self, form, formsets):
        round_ = form.instance
        draft = ScenarioDraft.from_db(round_.scenario)
        saved = next((item for item in draft.rounds if item.obj.pk == round_.pk), None)
        children = saved.children if saved else {"injects": [], "questions": []}
        item = DraftItem(
            round_,
            form,
            {
                "injects": draft_items(formsets[Inject], children["injects"]),
                "questions": draft_items(formsets[DebriefQuestion], children["questions"]),
            },
        )
        replace_item(draft.rounds, item)
        return draft


# Injects -----------------------------------------------------------------------------------


class InjectEffectInline(PartInline):
    model = InjectEffect
    fields = ["role", "lever", "cost_multiplier", "order"]


@admin.register(Inject)
class InjectAdmin(ScenarioPartAdmin):
    form = InjectForm
    list_display = ["title", "round", "scenario_link", "audience_codes"]
    list_filter = ["round__scenario"]
    list_select_related = ["round__scenario"]
    search_fields = ["title", "body", "round__title", "round__scenario__title"]
    fields = ["scenario_link", "round_link", "order", "title", "body", "audience"]
    readonly_fields = ["scenario_link", "round_link"]
    inlines = [InjectEffectInline]

    @admin.display(description="round")
    def round_link(self, inject):
        return link(inject.round)

    @admin.display(description="audience")
    def audience_codes(self, inject):
        audience = inject.audience
        return ", ".join(audience) if isinstance(audience, list) else "all teams"

    def scenario_draft(self, form, formsets):
        inject = form.instance
        draft = ScenarioDraft.from_db(inject.round.scenario)
        round_item = next(item for item in draft.rounds if item.obj.pk == inject.round_id)
        injects = round_item.children["injects"]
        saved = next((item for item in injects if item.obj.pk == inject.pk), None)
        effects = draft_items(formsets[InjectEffect], saved.children["effects"] if saved else [])
        replace_item(injects, DraftItem(inject, form, {"effects": effects}))
        return draft
