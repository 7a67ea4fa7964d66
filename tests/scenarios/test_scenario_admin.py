"""The scenario admin: pages render, consistent edits save, inconsistent ones are refused with
the field named, drafts may be unfinished, actions, and the import page."""

import copy
import html
import io
import json
import zipfile

import pytest
import yaml
from conftest import MINI_DOCUMENT
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from scenario_pages import inline_form, page_data, page_errors

from scenarios.formats import dump_document
from scenarios.models import Inject, Lever, RedLine, Role, Round, Scenario
from scenarios.services import scenario_export, scenario_import
from scenarios.validation import validate_document

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:scenarios_{name}", args=args)


def change_url(obj):
    return url(f"{obj._meta.model_name}_change", obj.pk)


def shown_messages(response) -> list[str]:
    return [html.unescape(str(message)) for message in response.context["messages"]]


@pytest.fixture
def scenario(document):
    return scenario_import(document=document)


@pytest.fixture
def published(document):
    return scenario_import(document=document, published=True)


def edit(admin_client, obj, **changes):
    """Submit ``obj``'s admin page with ``changes`` applied to what the page would send."""
    page = change_url(obj)
    data = page_data(admin_client.get(page))
    for name, value in changes.items():
        name = name.replace("__", "-")
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return admin_client.post(page, data)


def assert_refused(response, scenario, before):
    assert response.status_code == 200, "the page should be shown again with errors"
    assert "Nothing was saved" in " ".join(page_errors(response))
    assert scenario_export(scenario=Scenario.objects.get(pk=scenario.pk)) == before


def field_errors(form, name) -> list[str]:
    return [str(error) for error in form.errors.get(name, [])]


# Pages render ------------------------------------------------------------------------------


def test_pages_render(admin_client, scenario):
    inject = Inject.objects.first()
    pages = [
        url("scenario_changelist"),
        url("scenario_add"),
        change_url(scenario),
        url("scenario_import"),
        url("lever_changelist"),
        url("redline_changelist"),
        url("round_changelist"),
        url("inject_changelist"),
        change_url(scenario.levers.first()),
        change_url(scenario.red_lines.first()),
        change_url(scenario.rounds.first()),
        change_url(inject),
        url("scenario_changelist") + "?q=JP",
        url("scenario_changelist") + "?published__exact=0",
        url("lever_changelist") + f"?scenario__id__exact={scenario.pk}",
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


def test_changelist_columns_and_import_link(admin_client, scenario):
    html = admin_client.get(url("scenario_changelist")).content.decode()
    for text in ["Mini crisis", "mini-crisis", "US, JP, ROK", url("scenario_import")]:
        assert text in html
    for header in ["Teams", "Rounds", "Published", "Updated at"]:
        assert f">{header}<" in html, header


def test_search_finds_by_role(admin_client, scenario):
    assert (
        "Mini crisis" in admin_client.get(url("scenario_changelist") + "?q=Korea").content.decode()
    )
    assert (
        "Mini crisis"
        not in admin_client.get(url("scenario_changelist") + "?q=France").content.decode()
    )


def test_part_pages_have_no_add_page(admin_client):
    for name in ["lever", "redline", "round", "inject"]:
        assert admin_client.get(url(f"{name}_add")).status_code == 403


def test_change_page_links_to_parts_and_export(admin_client, scenario):
    html = admin_client.get(change_url(scenario)).content.decode()
    assert change_url(scenario.levers.first()) in html
    assert change_url(scenario.red_lines.first()) in html
    assert change_url(scenario.rounds.first()) in html
    assert url("scenario_export", scenario.pk, "json") in html
    assert "Valid: ready to publish" in html


def test_status_lists_the_problems_of_a_draft(admin_client, scenario):
    scenario.rounds.all().delete()
    html = admin_client.get(change_url(scenario)).content.decode()
    assert "Not ready to publish" in html
    assert "needs at least 1 entry, has 0" in html


def test_role_and_lever_menus_offer_this_scenarios_only(admin_client, scenario, document):
    document["slug"] = "other"
    other = scenario_import(document=document)
    response = admin_client.get(change_url(scenario.red_lines.first()))
    form = response.context["adminform"].form
    assert set(form.fields["role"].queryset) == set(scenario.roles.all())
    assert not set(form.fields["lever"].queryset) & set(other.levers.all())


# Saving valid data -------------------------------------------------------------------------


@pytest.mark.parametrize("part", [None, "lever", "red_line", "round", "inject"])
def test_unchanged_pages_save(admin_client, published, part):
    """Every page of a valid scenario saves as it is, and changes nothing."""
    before = scenario_export(scenario=published)
    obj = {
        None: published,
        "lever": published.levers.first(),
        "red_line": published.red_lines.first(),
        "round": published.rounds.first(),
        "inject": Inject.objects.first(),
    }[part]
    response = edit(admin_client, obj)
    assert response.status_code == 302, page_errors(response)
    assert scenario_export(scenario=Scenario.objects.get()) == before


def test_valid_edits_save(admin_client, published):
    response = edit(admin_client, published, title="Renamed", red_lines__1__value="85")
    assert response.status_code == 302, page_errors(response)
    document = scenario_export(scenario=Scenario.objects.get())
    assert (document["title"], document["red_lines"][1]["value"]) == ("Renamed", 85)


def test_add_a_draft_scenario_with_inlines(admin_client):
    """A new scenario may be saved unfinished as a draft; a warning lists what is missing."""
    data = page_data(admin_client.get(url("scenario_add")))
    data.update(
        {
            "title": "New crisis",
            "slug": "new-crisis",
            "learning_objectives": "First lesson\n\nSecond lesson\n",
            "roles-0-code": "US",
            "roles-0-name": "United States",
            "roles-1-code": "JP",
            "roles-1-name": "Japan",
            "roles-1-color": "#c8102e",
            "levers-0-key": "sanctions",
            "levers-0-label": "Sanctions",
            "levers-0-min_value": "0",
            "levers-0-max_value": "100",
            "levers-0-step": "5",
            "levers-0-pressure": "up",
            "rounds-0-title": "Round one",
        }
    )
    response = admin_client.post(url("scenario_add"), data, follow=True)
    assert response.redirect_chain, page_errors(response)
    scenario = Scenario.objects.get(slug="new-crisis")
    assert not scenario.published
    assert scenario.learning_objectives == ["First lesson", "Second lesson"]
    assert list(scenario.roles.values_list("code", flat=True)) == ["US", "JP"]
    warning = " ".join(shown_messages(response))
    assert "Saved as an unfinished draft" in warning
    assert "role 'US' holds no lever" in warning
    assert "no role holds this lever" in warning


def test_new_teams_get_different_colours(admin_client, scenario):
    add_page = admin_client.get(url("scenario_add"))
    roles = add_page.context["inline_admin_formsets"][0].formset
    assert [form["color"].value() for form in roles.forms] == ["#1f4e99", "#c8102e"]
    change_page = admin_client.get(change_url(scenario))
    roles = change_page.context["inline_admin_formsets"][0].formset
    assert roles.empty_form["color"].value() == "#e9a23b"  # the first colour nobody uses


def test_adding_a_published_scenario_requires_a_complete_one(admin_client):
    data = page_data(admin_client.get(url("scenario_add")))
    data.update(
        {
            "title": "New crisis",
            "slug": "new-crisis",
            "published": "on",
            "roles-0-code": "US",
            "roles-0-name": "United States",
        }
    )
    response = admin_client.post(url("scenario_add"), data)
    assert response.status_code == 200
    assert not Scenario.objects.exists()
    form = response.context["adminform"].form
    assert "must be complete" in " ".join(field_errors(form, "published"))
    assert "Roles: needs at least 2 entries, has 1" in " ".join(form.non_field_errors())


def test_field_errors_from_the_form_come_first(admin_client):
    """Missing required fields are reported by the form itself, not twice."""
    data = page_data(admin_client.get(url("scenario_add")))
    data.update({"title": "", "slug": "Not A Slug"})
    response = admin_client.post(url("scenario_add"), data)
    form = response.context["adminform"].form
    assert field_errors(form, "title") == ["This field is required."]
    assert field_errors(form, "slug")


# Inconsistent data is refused, naming the field -----------------------------------------------


def test_red_line_on_a_lever_its_role_does_not_hold(admin_client, scenario):
    before = scenario_export(scenario=scenario)
    other = scenario.levers.get(key="us_lng_to_allies")
    response = edit(admin_client, scenario, red_lines__0__lever=str(other.pk))
    assert_refused(response, scenario, before)
    form = inline_form(response, "red_lines", 0)
    assert field_errors(form, "lever") == ["role 'JP' does not hold lever 'us_lng_to_allies'"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25", "25 is outside the range of lever 'russian_lng_share' (0 to 20)"),
        (
            "4.5",
            "4.5 is not on the step of lever 'russian_lng_share' (values go from 0 in steps of 1)",
        ),
    ],
)
def test_red_line_value_outside_range_or_off_step(admin_client, scenario, value, message):
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, scenario, red_lines__0__value=value)
    assert_refused(response, scenario, before)
    assert field_errors(inline_form(response, "red_lines", 0), "value") == [message]


def test_even_a_draft_refuses_values_out_of_range(admin_client, scenario):
    assert not scenario.published
    before = scenario_export(scenario=scenario)
    assert_refused(edit(admin_client, scenario, roles__0__weight="0"), scenario, before)


def test_duplicate_role_codes(admin_client, scenario):
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, scenario, roles__1__code="US")
    assert response.status_code == 200
    assert scenario_export(scenario=Scenario.objects.get()) == before
    assert any("code" in error for error in page_errors(response))


def test_duplicate_lever_keys(admin_client, scenario):
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, scenario, levers__1__key="sanctions")
    assert response.status_code == 200
    assert scenario_export(scenario=Scenario.objects.get()) == before
    assert any("key" in error for error in page_errors(response))


def test_lever_code_format_is_checked(admin_client, scenario):
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, scenario, levers__0__key="Bad Key")
    assert_refused(response, scenario, before)
    assert "lowercase letters" in " ".join(field_errors(inline_form(response, "levers", 0), "key"))


def test_removing_every_round_of_a_published_scenario(admin_client, published):
    before = scenario_export(scenario=published)
    response = edit(admin_client, published, rounds__0__DELETE="on", rounds__1__DELETE="on")
    assert_refused(response, published, before)
    form = response.context["adminform"].form
    assert "Rounds: needs at least 1 entry, has 0" in form.non_field_errors()
    assert "must be complete" in " ".join(field_errors(form, "published"))


def test_removing_every_round_of_a_draft_saves_with_a_warning(admin_client, scenario):
    page = change_url(scenario)
    data = page_data(admin_client.get(page))
    data.update({"rounds-0-DELETE": "on", "rounds-1-DELETE": "on"})
    response = admin_client.post(page, data, follow=True)
    assert response.redirect_chain, page_errors(response)
    assert Round.objects.count() == 0
    assert "Rounds: needs at least 1 entry, has 0" in " ".join(shown_messages(response))


def test_fewer_than_two_roles_in_a_published_scenario(admin_client, published):
    before = scenario_export(scenario=published)
    response = edit(
        admin_client,
        published,
        roles__1__DELETE="on",
        roles__2__DELETE="on",
        rounds__0__DELETE="on",  # its inject's audience names JP and ROK
    )
    assert_refused(response, published, before)
    assert "Roles: needs at least 2 entries, has 1" in page_errors(response)


def test_deleting_a_role_named_in_an_audience_is_refused(admin_client, scenario):
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, scenario, roles__2__DELETE="on")
    assert_refused(response, scenario, before)
    assert (
        "Round 1, inject 'Gas price spike', audience: unknown role 'ROK'"
        in response.context["adminform"].form.non_field_errors()
    )


def test_new_rows_go_after_the_existing_ones(admin_client, scenario):
    """A role added with "Add another" is placed last, not in front of the others."""
    response = admin_client.get(change_url(scenario))
    roles = next(
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "roles"
    )
    assert roles.formset.empty_form["order"].value() == 3
    data = page_data(response)
    data.update(
        {
            "roles-TOTAL_FORMS": "4",
            "roles-3-order": "3",
            "roles-3-code": "AU",
            "roles-3-name": "Australia",
            "roles-3-color": "#00843d",
            "roles-3-weight": "1",
        }
    )
    response = admin_client.post(change_url(scenario), data, follow=True)
    assert [r.code for r in Scenario.objects.get().roles.all()] == ["US", "JP", "ROK", "AU"]
    assert "role 'AU' holds no lever" in " ".join(shown_messages(response))


def test_renaming_a_role_code_follows_everywhere(admin_client, published):
    response = edit(admin_client, published, roles__1__code="JPN")
    assert response.status_code == 302, page_errors(response)
    document = scenario_export(scenario=Scenario.objects.get())
    assert document["red_lines"][0]["role"] == "JPN"
    assert list(document["levers"][1]["holders"]) == ["JPN", "ROK"]
    assert document["rounds"][0]["injects"][0]["audience"] == ["JPN", "ROK"]
    assert document["rounds"][0]["injects"][0]["effects"][0]["role"] == "JPN"


def test_lever_range_change_that_strands_a_red_line(admin_client, scenario):
    """The problem is on another page, so it is named at the top of this one."""
    lever = scenario.levers.get(key="russian_lng_share")
    before = scenario_export(scenario=scenario)
    response = edit(
        admin_client, lever, min_value="6", holders__0__start="6", holders__1__start="9"
    )
    assert_refused(response, scenario, before)
    assert (
        "Red line 'jp-sakhalin', value: 5 is outside the range of lever 'russian_lng_share'"
        " (6 to 20)" in response.context["adminform"].form.non_field_errors()
    )


def test_lever_min_not_below_max(admin_client, scenario):
    lever = scenario.levers.get(key="sanctions")
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, lever, max_value="0")
    assert_refused(response, scenario, before)
    form = response.context["adminform"].form
    assert field_errors(form, "max_value") == ["must be greater than min (0), got 0"]


def test_holder_start_off_step(admin_client, scenario):
    lever = scenario.levers.get(key="sanctions")
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, lever, holders__0__start="91")
    assert_refused(response, scenario, before)
    form = inline_form(response, "holders", 0)
    assert "not on the step" in " ".join(field_errors(form, "start"))


def test_removing_a_holder_a_red_line_needs(admin_client, scenario):
    lever = scenario.levers.get(key="russian_lng_share")
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, lever, holders__0__DELETE="on")  # JP
    assert_refused(response, scenario, before)
    errors = response.context["adminform"].form.non_field_errors()
    assert (
        "Red line 'jp-sakhalin', lever: role 'JP' does not hold lever 'russian_lng_share'" in errors
    )


def test_lever_page_offers_rows_for_teams_not_holding_it(admin_client, scenario):
    lever = scenario.levers.get(key="us_lng_to_allies")
    response = admin_client.get(change_url(lever))
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.initial.get("role") for form in formset.extra_forms] == [
        Role.objects.get(code="JP").pk,
        Role.objects.get(code="ROK").pk,
    ]
    data = page_data(response)
    data["holders-2-start"] = "1"  # ROK
    data["holders-2-cost"] = "0.5"
    assert admin_client.post(change_url(lever), data).status_code == 302
    assert list(scenario_export(scenario=scenario)["levers"][2]["holders"]) == ["US", "ROK"]


def test_unless_condition_on_a_lever_its_role_does_not_hold(admin_client, scenario):
    red_line = scenario.red_lines.get(key="jp-sakhalin")
    before = scenario_export(scenario=scenario)
    jp = Role.objects.get(code="JP")
    response = edit(admin_client, red_line, conditions__0__role=str(jp.pk))
    assert_refused(response, scenario, before)
    form = inline_form(response, "conditions", 0)
    assert field_errors(form, "lever") == ["role 'JP' does not hold lever 'us_lng_to_allies'"]


def test_unless_condition_value_out_of_range(admin_client, scenario):
    red_line = scenario.red_lines.get(key="jp-sakhalin")
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, red_line, conditions__0__value="12")
    assert_refused(response, scenario, before)
    assert "outside the range" in " ".join(
        field_errors(inline_form(response, "conditions", 0), "value")
    )


def test_unless_condition_naming_another_scenarios_role(admin_client, scenario, document):
    document["slug"] = "other"
    stranger = scenario_import(document=document).roles.get(code="US")
    red_line = scenario.red_lines.get(key="jp-sakhalin")
    response = edit(admin_client, red_line, conditions__0__role=str(stranger.pk))
    assert response.status_code == 200
    assert field_errors(inline_form(response, "conditions", 0), "role")


def test_add_an_unless_condition(admin_client, scenario):
    red_line = scenario.red_lines.get(key="us-sanctions")
    data = page_data(admin_client.get(change_url(red_line)))
    data.update(
        {
            "conditions-TOTAL_FORMS": "1",
            "conditions-0-role": str(Role.objects.get(code="JP").pk),
            "conditions-0-lever": str(Lever.objects.get(key="sanctions").pk),
            "conditions-0-op": ">=",
            "conditions-0-value": "60",
            "conditions-0-order": "0",
        }
    )
    response = admin_client.post(change_url(red_line), data)
    assert response.status_code == 302, page_errors(response)
    assert scenario_export(scenario=scenario)["red_lines"][1]["unless"] == [
        {"role": "JP", "lever": "sanctions", "op": ">=", "value": 60}
    ]


def test_round_page_edits_injects_and_questions(admin_client, scenario):
    round_ = scenario.rounds.get(title="Winter")
    data = page_data(admin_client.get(change_url(round_)))
    data.update(
        {
            "briefing": "It is cold.",
            "negotiation_seconds": "600",
            "injects-TOTAL_FORMS": "1",
            "injects-0-title": "Pipeline leak",
            "injects-0-body": "Gas stops.",
            "injects-0-audience": ["ROK", "US"],
            "injects-0-order": "0",
            "questions-TOTAL_FORMS": "1",
            "questions-0-text": "Who blinked?",
            "questions-0-order": "0",
        }
    )
    response = admin_client.post(change_url(round_), data)
    assert response.status_code == 302, page_errors(response)
    winter = scenario_export(scenario=scenario)["rounds"][1]
    assert winter["briefing"] == "It is cold."
    assert winter["phase_seconds"]["negotiation"] == 600
    assert winter["injects"] == [
        {"title": "Pipeline leak", "body": "Gas stops.", "audience": ["US", "ROK"], "effects": []}
    ]
    assert winter["questions"] == ["Who blinked?"]


def test_inject_audience_unticked_means_everyone(admin_client, scenario):
    inject = Inject.objects.get(title="Gas price spike")
    response = edit(admin_client, inject, audience=None)
    assert response.status_code == 302, page_errors(response)
    inject.refresh_from_db()
    assert inject.audience == "all"


def test_inject_effect_on_a_lever_its_role_does_not_hold(admin_client, scenario):
    inject = Inject.objects.get(title="Gas price spike")
    before = scenario_export(scenario=scenario)
    us = Role.objects.get(code="US")
    response = edit(admin_client, inject, effects__0__role=str(us.pk))
    assert_refused(response, scenario, before)
    form = inline_form(response, "effects", 0)
    assert field_errors(form, "lever") == ["role 'US' does not hold lever 'russian_lng_share'"]


def test_inject_effect_multiplier_must_be_positive(admin_client, scenario):
    inject = Inject.objects.get(title="Gas price spike")
    before = scenario_export(scenario=scenario)
    response = edit(admin_client, inject, effects__0__cost_multiplier="0")
    assert_refused(response, scenario, before)
    assert field_errors(inline_form(response, "effects", 0), "cost_multiplier") == [
        "must be greater than 0, got 0"
    ]


# Deleting parts from their own pages ---------------------------------------------------------


def test_deleting_parts_of_a_published_scenario(admin_client, published):
    """A part may be deleted from its own page unless that would break a published scenario."""
    winter, invasion = published.rounds.get(title="Winter"), published.rounds.get(title="Invasion")
    response = admin_client.post(url("round_delete", winter.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Round.objects.filter(pk=winter.pk).exists()
    response = admin_client.post(url("round_delete", invasion.pk), {"post": "yes"}, follow=True)
    assert Round.objects.filter(pk=invasion.pk).exists()
    text = " ".join(shown_messages(response))
    assert "“Invasion” was not deleted" in text
    assert "Rounds: needs at least 1 entry, has 0" in text
    assert response.redirect_chain[-1][0] == change_url(invasion)


def test_deleting_a_part_of_a_draft_may_leave_it_unfinished(admin_client, scenario):
    red_line = scenario.red_lines.get(key="us-sanctions")
    assert admin_client.post(url("redline_delete", red_line.pk), {"post": "yes"}).status_code == 302
    assert not RedLine.objects.filter(pk=red_line.pk).exists()


def test_deleting_a_whole_scenario(admin_client, scenario):
    response = admin_client.post(url("scenario_delete", scenario.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Scenario.objects.exists()
    assert not Role.objects.exists()


# Actions -----------------------------------------------------------------------------------


def run_action(admin_client, action, *scenarios):
    data = {"action": action, "_selected_action": [str(s.pk) for s in scenarios], "index": "0"}
    return admin_client.post(url("scenario_changelist"), data, follow=True)


def broken_draft(document):
    document = copy.deepcopy(document)
    document["slug"] = "broken"
    scenario = scenario_import(document=document)
    scenario.rounds.all().delete()
    return scenario


def test_validate_action(admin_client, scenario, document):
    broken = broken_draft(document)
    text = " ".join(
        shown_messages(run_action(admin_client, "validate_scenarios", scenario, broken))
    )
    assert "“Mini crisis” is valid." in text
    assert "has 1 problem:" in text
    assert "Rounds: needs at least 1 entry, has 0" in text


def test_publish_action_refuses_invalid_scenarios(admin_client, scenario, document):
    broken = broken_draft(document)
    response = run_action(admin_client, "publish_scenarios", scenario, broken)
    assert Scenario.objects.get(pk=scenario.pk).published
    assert not Scenario.objects.get(pk=broken.pk).published
    assert "was not published" in " ".join(shown_messages(response))


def test_unpublish_action(admin_client, published):
    run_action(admin_client, "unpublish_scenarios", published)
    assert not Scenario.objects.get().published


def test_duplicate_action(admin_client, published):
    response = run_action(admin_client, "duplicate_scenarios", published)
    copy_ = Scenario.objects.get(slug="mini-crisis-copy")
    assert not copy_.published
    assert response.redirect_chain[-1][0] == change_url(copy_)


@pytest.mark.parametrize(
    ("action", "loads"), [("export_json", json.loads), ("export_yaml", yaml.safe_load)]
)
def test_export_actions_download_a_file(admin_client, scenario, action, loads):
    response = run_action(admin_client, action, scenario)
    fmt = action.removeprefix("export_")
    assert response["Content-Disposition"] == f'attachment; filename="mini-crisis.{fmt}"'
    assert loads(response.content.decode()) == scenario_export(scenario=scenario)


def test_export_action_zips_several(admin_client, scenario, document):
    other = broken_draft(document)
    response = run_action(admin_client, "export_json", scenario, other)
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["broken.json", "mini-crisis.json"]
        assert json.loads(archive.read("mini-crisis.json")) == scenario_export(scenario=scenario)


def test_actions_work_from_the_change_page(admin_client, scenario):
    data = {"CHANGE_FORM-action": "publish_scenarios", "_selected_action": [str(scenario.pk)]}
    admin_client.post(change_url(scenario), data)
    assert Scenario.objects.get().published


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_links_on_the_change_page(admin_client, scenario, fmt):
    response = admin_client.get(url("scenario_export", scenario.pk, fmt))
    assert response["Content-Disposition"] == f'attachment; filename="mini-crisis.{fmt}"'
    assert yaml.safe_load(response.content.decode()) == scenario_export(scenario=scenario)
    assert admin_client.get(url("scenario_export", scenario.pk, "xml")).status_code == 404


# The import page ---------------------------------------------------------------------------


def upload(admin_client, document, name="scenario.json", **fields):
    fmt = "yaml" if name.endswith(".yaml") else "json"
    text = dump_document(document, fmt=fmt) if isinstance(document, dict) else document
    content = text.encode() if isinstance(text, str) else text
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return admin_client.post(url("scenario_import"), data, follow=True)


def test_import_page_creates_a_scenario(admin_client, document):
    response = upload(admin_client, document)
    scenario = Scenario.objects.get()
    assert response.redirect_chain[-1][0] == change_url(scenario)
    assert "was imported; it is an unpublished draft" in " ".join(shown_messages(response))
    assert scenario_export(scenario=scenario) == validate_document(copy.deepcopy(MINI_DOCUMENT))


def test_import_page_yaml_and_publish(admin_client, document):
    upload(admin_client, document, name="scenario.yaml", publish="on")
    assert Scenario.objects.get().published


def test_import_page_lists_every_problem(admin_client, document):
    document["red_lines"][0]["unless"][0]["lever"] = "lng"
    document["roles"][0]["color"] = "blue"
    response = upload(admin_client, document)
    assert response.status_code == 200
    assert not Scenario.objects.exists()
    html = response.content.decode()
    assert "The file was not imported" in html
    assert "<code>red_lines[0].unless[0].lever</code>: unknown lever &#x27;lng&#x27;" in html
    assert "<code>roles[0].color</code>" in html


def test_import_page_syntax_error(admin_client):
    response = upload(admin_client, "slug: [unclosed\n", name="bad.yaml")
    assert response.context["problems"][0][0] == "bad.yaml"
    assert "invalid YAML" in response.context["problems"][0][1]


def test_import_page_non_utf8_file(admin_client):
    response = upload(admin_client, "title: caf\xe9".encode("latin-1"), name="bad.yaml")
    assert response.context["problems"] == [("bad.yaml", "is not a UTF-8 text file")]


def test_import_page_existing_slug_needs_the_update_box(admin_client, scenario, document):
    document["title"] = "Replaced"
    response = upload(admin_client, document)
    assert "already exists" in response.context["problems"][0][1]
    assert Scenario.objects.get().title == "Mini crisis"
    response = upload(admin_client, document, update="on")
    assert Scenario.objects.get().title == "Replaced"
    assert Scenario.objects.get().pk == scenario.pk
    assert "was replaced" in " ".join(shown_messages(response))


def test_import_page_needs_a_file(admin_client):
    response = admin_client.post(url("scenario_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_import_page_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user(username="p", password="pw-12345-long")
    client.force_login(user)
    response = client.get(url("scenario_import"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_change_page_shows_the_analysis_and_failed_checks_as_warnings(admin_client, published):
    """The small test scenario fails checks (b) and (c): both are warnings on its page, and
    it stays published (a failed check never blocks publishing)."""
    response = admin_client.get(change_url(published))
    assert response.status_code == 200
    page = response.content.decode()
    assert "fair deal" in page and "maximum pressure" in page
    warnings = [text for text in shown_messages(response) if text.startswith("Analysis check")]
    assert [text.split(" (")[0] for text in warnings] == [
        "Analysis check not met: blind maximum pressure scores worse than the fair deal for "
        "every role",
        "Analysis check not met: commitments add value",
    ]
    assert all("Publishing is not blocked" in text for text in warnings)
    published.refresh_from_db()
    assert published.published


def test_bundled_scenario_page_has_no_analysis_warning(admin_client):
    from scenarios.services import scenario_import_bundled

    scenario = {s.slug: s for s in scenario_import_bundled()}["taiwan-strait-2027"]
    response = admin_client.get(change_url(scenario))
    assert not [text for text in shown_messages(response) if text.startswith("Analysis check")]
    page = html.unescape(response.content.decode()).replace("<strong>", "").replace("</strong>", "")
    assert "Met: no role gains by retreating below its start" in page
    assert "Not met" not in page


def test_an_unfinished_draft_has_no_analysis_yet(admin_client, scenario):
    scenario.rounds.all().delete()
    response = admin_client.get(change_url(scenario))
    assert "Available once the scenario is complete and valid." in response.content.decode()
