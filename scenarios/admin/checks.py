"""Whole-scenario validation of an admin page, before anything is saved.

Django validates a page's main form, then each inline formset. When the last formset has been
cleaned, ``ScenarioPage`` builds the scenario document as the page would leave it (the rows
submitted on this page over the saved rows of the rest of the scenario) and runs the one
validator, ``scenarios.validation``. Each problem is attached to the form field it concerns,
or shown at the top of the page when it concerns a row edited elsewhere.

Unpublished drafts may be saved unfinished: problems that only say "not finished yet" (too few
roles or rounds, a role holding no lever, a lever nobody holds, no shared lever) become a
warning after saving. Every other problem — and any problem of a published scenario — refuses
the save, so a published scenario is always valid.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from scenarios.admin.forms import scenario_of
from scenarios.documents import FORM_FIELDS, DraftItem, ScenarioDraft, describe_path
from scenarios.validation import document_problems, split_path

REFUSED = (
    "Nothing was saved: with these changes the scenario would be inconsistent. "
    "The problems are marked on this page."
)
PUBLISHED_MUST_BE_COMPLETE = (
    "A published scenario must be complete and valid. Untick “Published” to save it as a draft."
)


def is_deleted(formset, form) -> bool:
    return formset.can_delete and bool(form.cleaned_data.get(DELETION_FIELD_NAME))


def draft_items(formset, saved: list[DraftItem], child: str | None = None) -> list[DraftItem]:
    """The rows a formset would leave: saved rows (with their saved children) as edited, new
    rows, minus deleted ones — in the order they will have once saved."""
    saved_by_pk = {item.obj.pk: item for item in saved}
    items = []
    for form in formset.forms:
        obj = form.instance
        if is_deleted(formset, form) or (obj.pk is None and not form.has_changed()):
            continue
        previous = saved_by_pk.get(obj.pk)
        items.append(DraftItem(obj, form, dict(previous.children) if previous else {}))
    items.sort(
        key=lambda item: (getattr(item.obj, "order", 0), item.obj.pk is None, item.obj.pk or 0)
    )
    return items


def replace_item(items: list[DraftItem], item: DraftItem) -> None:
    for index, existing in enumerate(items):
        if existing.obj.pk is not None and existing.obj.pk == item.obj.pk:
            items[index] = item
            return
    items.append(item)


class ScenarioPartFormSet(BaseInlineFormSet):
    """Inline formset whose forms know their scenario and which reports to the page check."""

    scenario_page: ScenarioPage | None = None

    def get_form_kwargs(self, index):
        kwargs = {**super().get_form_kwargs(index), "scenario": scenario_of(self.instance)}
        is_new = index is None or index >= self.initial_form_count()  # None: the "add" template
        if is_new:
            offset = 0 if index is None else index - self.initial_form_count()
            kwargs["initial"] = self.new_row_initial(offset)
        return kwargs

    def new_row_initial(self, offset: int) -> dict:
        """Initial values of a new row; ``offset`` counts the new rows before it."""
        has_order = any(field.name == "order" for field in self.model._meta.fields)
        return {"order": self.next_order} if has_order else {}

    @cached_property
    def next_order(self) -> int:
        """New rows go after the existing ones unless the author says otherwise."""
        highest = self.get_queryset().aggregate(highest=Max("order"))["highest"]
        return 0 if highest is None else highest + 1

    def clean(self):
        try:
            super().clean()
        except ValidationError:
            if self.scenario_page is not None:
                self.scenario_page.formset_cleaned(self, valid=False)
            raise
        if self.scenario_page is not None:
            self.scenario_page.formset_cleaned(self)


class ScenarioPage:
    """The whole-scenario check of one submitted admin page (see the module docstring)."""

    def __init__(self, *, admin_: ScenarioPageAdmin, request, formset_count: int):
        self.admin = admin_
        self.request = request
        self.formset_count = formset_count
        self.formsets: list = []
        self.valid = True
        self.document: dict = {}
        self.warnings: list[tuple[str, str]] = []
        self.renamed_roles: dict[str, str] = {}

    def formset_cleaned(self, formset, *, valid: bool = True) -> None:
        self.formsets.append(formset)
        self.valid = self.valid and valid
        if len(self.formsets) == self.formset_count:
            self.check()

    def page_is_valid(self, form) -> bool:
        *others, last = self.formsets
        return (
            self.valid
            and form.is_valid()
            and all(formset.is_valid() for formset in others)
            and not any(f.errors for f in last.forms if not is_deleted(last, f))
        )

    def check(self) -> None:
        form = getattr(self.request, "scenario_page_form", None)
        if form is None or not self.page_is_valid(form):
            return  # the usual form errors come first
        formsets = {formset.model: formset for formset in self.formsets}
        draft = self.admin.scenario_draft(form, formsets)
        self.renamed_roles = draft.renamed_roles
        self.document, sources = draft.build()
        problems = document_problems(self.document)
        if problems is None:
            return
        published = draft.scenario.published
        refused = [e for e in problems.errors if published or e not in problems.incomplete]
        if not refused:
            self.warnings = problems.errors
            return
        for path, message in refused:
            self.attach(form, sources, split_path(path), message)
        if published and any(error in problems.incomplete for error in refused):
            form.add_error(
                "published" if "published" in form.fields else None, PUBLISHED_MUST_BE_COMPLETE
            )
        raise ValidationError(REFUSED)

    def attach(self, form, sources: dict[tuple, DraftItem], path: tuple, message: str) -> None:
        """Put ``message`` on the form field that edits ``path``, else atop the nearest form."""
        for length in range(len(path), -1, -1):
            item = sources.get(path[:length])
            if item is not None:
                break
        rest = path[length:]
        if item is None or item.form is None:
            form.add_error(None, f"{describe_path(path, self.document)}: {message}")
            return
        fields = FORM_FIELDS.get(type(item.obj), {})
        for size in range(len(rest), -1, -1):
            name = fields.get(".".join(str(part) for part in rest[:size]))
            if name is not None and name in item.form.fields:
                item.form.add_error(name, message)
                return
        where = describe_path(path, self.document)
        item.form.add_error(None, f"{where}: {message}")

    def warn(self) -> None:
        if not self.warnings:
            return
        items = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (describe_path(split_path(path), self.document), message)
                for path, message in self.warnings
            ),
        )
        messages.warning(
            self.request,
            format_html(
                "Saved as an unfinished draft. Before the scenario can be published:<ul>{}</ul>",
                items,
            ),
        )


class ScenarioPageAdmin(admin.ModelAdmin):
    """A change page of a scenario or of one of its parts, saved only if the scenario stays
    consistent. Subclasses say how the page's forms change the scenario: ``scenario_draft``."""

    def scenario_draft(self, form, formsets: dict) -> ScenarioDraft:
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        def __init__(form, *args, **kwargs):
            form_class.__init__(form, *args, **kwargs)
            request.scenario_page_form = form

        return type(form_class.__name__, (form_class,), {"__init__": __init__})

    def get_formsets_with_inlines(self, request, obj=None):
        pairs = list(super().get_formsets_with_inlines(request, obj))
        page = ScenarioPage(admin_=self, request=request, formset_count=len(pairs))
        request.scenario_page = page
        for formset_class, inline in pairs:
            yield type(formset_class.__name__, (formset_class,), {"scenario_page": page}), inline

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        page = getattr(request, "scenario_page", None)
        if page is not None:
            page.warn()
