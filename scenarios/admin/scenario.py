"""The scenario admin: the scenario page, its actions, and the import and export pages."""

import io
import zipfile

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from game.services import game_create
from game.wording import plural
from scenarios.admin.analysis import analysis_html, failed_check_warnings, scenario_page_analysis
from scenarios.admin.checks import ScenarioPageAdmin, draft_items
from scenarios.admin.forms import ScenarioImportForm
from scenarios.admin.inlines import LeverInline, RedLineInline, RoleInline, RoundInline
from scenarios.documents import ScenarioDraft, describe_path
from scenarios.formats import CONTENT_TYPES, FORMATS, dump_document
from scenarios.models import Lever, RedLine, Role, Round, Scenario
from scenarios.selectors import scenario_problems
from scenarios.services import (
    scenario_duplicate,
    scenario_export,
    scenario_import,
    scenario_rename_role_codes,
    scenario_set_published,
)
from scenarios.validation import ScenarioInvalid, parse_document, split_path

BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
HOW_TO_AUTHOR = (
    "Write the scenario in this order: (1) the teams (roles), levers and rounds on this page, "
    "then “Save and continue editing”; (2) on each lever’s page (its “Change” link) choose the "
    "teams that hold it, with their starting values and costs; (3) red lines, on this page, and "
    "their “unless” conditions on each red line’s page; (4) each round’s injects and debrief "
    "questions on the round’s page. An unpublished draft may be saved unfinished — a message "
    "lists what is missing. Only a complete, valid scenario can be published."
)


def problem_list(problems, document=None):
    """Problems as an HTML list, each named the way an instructor would look for it."""
    return format_html_join(
        "",
        "<li>{}: {}</li>",
        (
            (describe_path(split_path(path), document) if document else path, message)
            for path, message in problems
        ),
    )


def export_response(scenarios, fmt: str) -> HttpResponse:
    """One scenario as a file download, several as a zip of files."""
    if len(scenarios) == 1:
        scenario = scenarios[0]
        text = dump_document(scenario_export(scenario=scenario), fmt=fmt)
        response = HttpResponse(text, content_type=f"{CONTENT_TYPES[fmt]}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{scenario.slug}.{fmt}"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for scenario in scenarios:
            text = dump_document(scenario_export(scenario=scenario), fmt=fmt)
            archive.writestr(f"{scenario.slug}.{fmt}", text)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="scenarios.zip"'
    return response


@admin.register(Scenario)
class ScenarioAdmin(ScenarioPageAdmin):
    list_display = ["title", "slug", "published", "role_codes", "round_count", "updated_at"]
    list_display_links = ["title", "slug"]
    list_filter = ["published", "updated_at"]
    search_fields = ["title", "slug", "summary", "roles__code", "roles__name"]
    date_hierarchy = "updated_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "analysis", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "background",
                    "learning_objectives",
                    "published",
                ],
                "description": HOW_TO_AUTHOR,
            },
        ),
        (
            "Scoring",
            {
                "fields": ["alignment_weight", "coalition_weight", "broken_commitment_penalty"],
                "description": "The defaults (0.5, 0.5, 10) suit most workshops.",
            },
        ),
        ("Status", {"fields": ["status", "created_at", "updated_at"]}),
        (
            "Analysis",
            {
                "fields": ["analysis"],
                "description": "What this scenario rewards, solved exactly over the levers' "
                "steps. A check that is not met is a warning: it does not block publishing.",
            },
        ),
    ]
    inlines = [RoleInline, LeverInline, RedLineInline, RoundInline]
    actions = [
        "validate_scenarios",
        "publish_scenarios",
        "unpublish_scenarios",
        "duplicate_scenarios",
        "export_json",
        "export_yaml",
        "create_games",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(round_count=Count("rounds", distinct=True))
            .prefetch_related("roles")
        )

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # A red line names a role and a lever, which a new scenario does not have yet.
        return [inline for inline in inlines if obj is not None or inline.model is not RedLine]

    @admin.display(description="teams")
    def role_codes(self, scenario):
        return ", ".join(role.code for role in scenario.roles.all()) or "—"

    @admin.display(description="rounds", ordering="round_count")
    def round_count(self, scenario):
        return scenario.round_count

    @admin.display(description="analysis")
    def analysis(self, scenario):
        return analysis_html(scenario_page_analysis(scenario))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            scenario = self.get_object(request, unquote(object_id))
            failed_check_warnings(request, scenario_page_analysis(scenario))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="status")
    def status(self, scenario):
        if scenario.pk is None:
            return "Not saved yet."
        problems = scenario_problems(scenario=scenario)
        if not problems:
            if scenario.published:
                return "Valid and published."
            return "Valid: ready to publish (tick “Published”, or use the Publish action)."
        document = scenario.to_document()
        return format_html(
            "Not ready to publish:<ul>{}</ul>", problem_list(problems, document=document)
        )

    def scenario_draft(self, form, formsets):
        scenario = form.instance
        draft = ScenarioDraft.from_db(scenario)
        draft.form = form
        if Role in formsets:
            draft.roles = draft_items(formsets[Role], draft.roles)
            for item in draft.roles:
                old = item.form.initial.get("code") if item.obj.pk else None
                if old and old != item.obj.code:
                    draft.renamed_roles[old] = item.obj.code
        for model, name in ((Lever, "levers"), (RedLine, "red_lines"), (Round, "rounds")):
            if model in formsets:
                setattr(draft, name, draft_items(formsets[model], getattr(draft, name)))
        return draft

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        page = getattr(request, "scenario_page", None)
        if page is not None:
            scenario_rename_role_codes(scenario=form.instance, renames=page.renamed_roles)

    # Actions -----------------------------------------------------------------------------

    @admin.action(
        description="Create a game (table) from this scenario",
        description_plural="Create a game (table) from each selected scenario",
        location=BOTH_PLACES,
    )
    def create_games(self, request, queryset):
        if not request.user.has_perm("game.add_game"):
            self.message_user(
                request, "Creating games needs the permission to add games.", messages.ERROR
            )
            return
        for scenario in queryset:
            if not scenario.published:
                self.message_user(
                    request,
                    f"“{scenario}” is not published; publish it before creating a game.",
                    messages.ERROR,
                )
                continue
            game = game_create(
                snapshot=scenario.to_document(), scenario=scenario, created_by=request.user
            )
            url = reverse("admin:game_game_change", args=[game.pk])
            message = format_html(
                '“{}”: game <a href="{}">{}</a> created; players join at /join/{}/',
                scenario,
                url,
                game.code,
                game.code,
            )
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(
        description="Validate this scenario",
        description_plural="Validate the selected scenarios",
        location=BOTH_PLACES,
    )
    def validate_scenarios(self, request, queryset):
        for scenario in queryset:
            problems = scenario_problems(scenario=scenario)
            if problems:
                document = scenario.to_document()
                message = format_html(
                    "“{}” has {}:<ul>{}</ul>",
                    scenario,
                    plural(len(problems), "problem"),
                    problem_list(problems, document=document),
                )
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, f"“{scenario}” is valid.", messages.SUCCESS)

    @admin.action(
        description="Publish this scenario",
        description_plural="Publish the selected scenarios",
        permissions=["change"],
        location=BOTH_PLACES,
    )
    def publish_scenarios(self, request, queryset):
        for scenario in queryset:
            try:
                scenario_set_published(scenario=scenario, published=True)
            except ScenarioInvalid as invalid:
                document = scenario.to_document()
                message = format_html(
                    "“{}” was not published; it has problems:<ul>{}</ul>",
                    scenario,
                    problem_list(invalid.errors, document=document),
                )
                self.message_user(request, message, messages.ERROR)
            else:
                self.log_change(request, scenario, "Published.")
                self.message_user(request, f"“{scenario}” is published.", messages.SUCCESS)

    @admin.action(
        description="Unpublish this scenario",
        description_plural="Unpublish the selected scenarios",
        permissions=["change"],
        location=BOTH_PLACES,
    )
    def unpublish_scenarios(self, request, queryset):
        for scenario in queryset:
            scenario_set_published(scenario=scenario, published=False)
            self.log_change(request, scenario, "Unpublished.")
        message = f"Unpublished {plural(len(queryset), 'scenario')}."
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(
        description="Duplicate this scenario",
        description_plural="Duplicate the selected scenarios",
        permissions=["add"],
        location=BOTH_PLACES,
    )
    def duplicate_scenarios(self, request, queryset):
        copies = []
        for scenario in queryset:
            copy = scenario_duplicate(scenario=scenario)
            self.log_addition(request, copy, f"Duplicated from “{scenario.slug}”.")
            copies.append(copy)
            url = reverse("admin:scenarios_scenario_change", args=[copy.pk])
            message = format_html(
                "“{}” was copied as an unpublished draft: <a href='{}'>{}</a>.",
                scenario,
                url,
                copy.slug,
            )
            self.message_user(request, message, messages.SUCCESS)
        if len(copies) == 1:
            return HttpResponseRedirect(
                reverse("admin:scenarios_scenario_change", args=[copies[0].pk])
            )
        return None

    @admin.action(
        description="Export this scenario as a JSON file",
        description_plural="Export the selected scenarios as JSON files",
        location=BOTH_PLACES,
    )
    def export_json(self, request, queryset):
        return export_response(list(queryset), "json")

    @admin.action(
        description="Export this scenario as a YAML file",
        description_plural="Export the selected scenarios as YAML files",
        location=BOTH_PLACES,
    )
    def export_yaml(self, request, queryset):
        return export_response(list(queryset), "yaml")

    # Import and export pages -------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="scenarios_scenario_import",
            ),
            path(
                "<path:object_id>/export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="scenarios_scenario_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id, fmt):
        scenario = self.get_object(request, unquote(object_id))
        if scenario is None or fmt not in FORMATS:
            raise Http404("No such scenario or file format.")
        if not self.has_view_or_change_permission(request, scenario):
            raise PermissionDenied
        return export_response([scenario], fmt)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        bound = request.method == "POST"
        form = ScenarioImportForm(request.POST, request.FILES) if bound else ScenarioImportForm()
        problems = []
        if bound and form.is_valid():
            upload, update = form.cleaned_data["file"], form.cleaned_data["update"]
            if update and not self.has_change_permission(request):
                raise PermissionDenied
            try:
                text = upload.read().decode("utf-8-sig")
                document = parse_document(text, filename=upload.name)
                existed = Scenario.objects.filter(slug=document.get("slug")).exists()
                scenario = scenario_import(
                    document=document,
                    update=update,
                    published=True if form.cleaned_data["publish"] else None,
                )
            except UnicodeDecodeError:
                problems = [(upload.name, "is not a UTF-8 text file")]
            except ScenarioInvalid as invalid:
                problems = invalid.errors
            else:
                if existed:
                    self.log_change(request, scenario, f"Replaced by importing {upload.name}.")
                else:
                    self.log_addition(request, scenario, f"Imported from {upload.name}.")
                verb = "replaced" if existed else "imported"
                state = "published" if scenario.published else "an unpublished draft"
                self.message_user(
                    request, f"“{scenario}” was {verb}; it is {state}.", messages.SUCCESS
                )
                return redirect("admin:scenarios_scenario_change", scenario.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a scenario file",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/scenarios/scenario/import.html", context)
