"""Writes to scenarios (HackSoft-style services): import, export, duplicate, publish."""

from __future__ import annotations

import re
from pathlib import Path

from django.db import IntegrityError, transaction

from scenarios.documents import write_document
from scenarios.models import Inject, Scenario
from scenarios.validation import (
    ScenarioInvalid,
    document_problems,
    load_document,
    validate_document,
)

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
BUNDLED_SUFFIXES = (".json", ".yaml", ".yml")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class ScenarioSlugTaken(ScenarioInvalid):
    """A scenario with the document's slug exists and no update was asked for."""


def _delete_children(scenario: Scenario) -> None:
    scenario.rounds.all().delete()
    scenario.red_lines.all().delete()
    scenario.levers.all().delete()
    scenario.roles.all().delete()


def scenario_import(
    *, document: dict, update: bool = False, published: bool | None = None
) -> Scenario:
    """Create a scenario from a document, or with ``update`` replace the one with its slug.

    The document is validated first; nothing is written if it is invalid, and the writing is
    one transaction. An update keeps the scenario's identity (games point to it) and, unless
    ``published`` is given, its published flag, and replaces all of its roles, levers, red
    lines and rounds. A new scenario is a draft unless ``published`` is True.
    Raises ``ScenarioInvalid`` (``ScenarioSlugTaken`` if the slug exists and not ``update``).
    """
    normalized = validate_document(document)
    try:
        return _scenario_write(normalized, update=update, published=published)
    except IntegrityError:
        # Another import created the same slug between our check and our insert.
        if Scenario.objects.filter(slug=normalized["slug"]).exists():
            raise _slug_taken(normalized["slug"]) from None
        raise


def _slug_taken(slug: str) -> ScenarioSlugTaken:
    message = f"a scenario with slug '{slug}' already exists; import with update to replace it"
    return ScenarioSlugTaken([("slug", message)])


@transaction.atomic
def _scenario_write(normalized: dict, *, update: bool, published: bool | None) -> Scenario:
    scenario = Scenario.objects.select_for_update().filter(slug=normalized["slug"]).first()
    if scenario is None:
        scenario = Scenario(published=bool(published))
    elif not update:
        raise _slug_taken(normalized["slug"])
    else:
        _delete_children(scenario)
        if published is not None:
            scenario.published = published
    return write_document(scenario, normalized)


def scenario_export(*, scenario: Scenario) -> dict:
    """The scenario's complete, normalized document (DESIGN §4), private parts included."""
    return scenario.to_document()


def _free_slug(base: str) -> str:
    base = base[:45].rstrip("-")
    candidate, number = f"{base}-copy", 1
    while Scenario.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-copy-{number}"
    return candidate


@transaction.atomic
def scenario_duplicate(*, scenario: Scenario, slug: str | None = None) -> Scenario:
    """Copy a scenario (even an unfinished draft) as a new unpublished draft.

    The copy's slug is ``slug`` or ``<slug>-copy`` (numbered if taken); its title gets " (copy)".
    """
    document = scenario.to_document()
    if slug is None:
        slug = _free_slug(scenario.slug)
    elif not _SLUG.match(slug) or len(slug) > 50:
        raise ScenarioInvalid(
            [("slug", f"'{slug}' is not a valid slug (lowercase letters, digits, hyphens)")]
        )
    elif Scenario.objects.filter(slug=slug).exists():
        raise ScenarioInvalid([("slug", f"a scenario with slug '{slug}' already exists")])
    document["slug"] = slug
    document["title"] = f"{document['title']} (copy)"[:200]
    return write_document(Scenario(published=False), document)


def bundled_scenario_paths() -> list[Path]:
    """The scenario files shipped with the server (``scenarios/bundled/``), sorted by name."""
    return sorted(
        path
        for path in BUNDLED_DIR.iterdir()
        if path.is_file() and path.suffix.lower() in BUNDLED_SUFFIXES
    )


@transaction.atomic
def scenario_import_bundled(*, update: bool = True) -> list[Scenario]:
    """Import every bundled scenario file as a published scenario, all or nothing.

    Without ``update``, a scenario whose slug already exists is left as it is.
    Raises ``ScenarioInvalid`` whose paths start with the file name.
    """
    documents, errors, slugs = [], [], {}
    for path in bundled_scenario_paths():
        try:
            document = validate_document(load_document(path))
        except ScenarioInvalid as invalid:
            errors += [(f"{path.name}: {where}", message) for where, message in invalid.errors]
            continue
        if document["slug"] in slugs:
            other = slugs[document["slug"]]
            errors.append(
                (f"{path.name}: slug", f"'{document['slug']}' is also the slug of {other}")
            )
        slugs[document["slug"]] = path.name
        documents.append(document)
    if errors:
        raise ScenarioInvalid(errors)
    scenarios = []
    for document in documents:
        existing = Scenario.objects.filter(slug=document["slug"]).first()
        if existing is not None and not update:
            scenarios.append(existing)
        else:
            scenarios.append(scenario_import(document=document, update=True, published=True))
    return scenarios


def scenario_set_published(*, scenario: Scenario, published: bool) -> Scenario:
    """Publish (only a complete, valid scenario) or unpublish a scenario."""
    if published:
        problems = document_problems(scenario.to_document())
        if problems is not None:
            raise problems
    scenario.published = published
    scenario.save(update_fields=["published", "updated_at"])
    return scenario


def scenario_rename_role_codes(*, scenario: Scenario, renames: dict[str, str]) -> None:
    """Follow role-code changes in inject audiences (which store codes, not rows)."""
    if not renames:
        return
    for inject in Inject.objects.filter(round__scenario=scenario):
        if isinstance(inject.audience, list):
            audience = [renames.get(code, code) for code in inject.audience]
            if audience != inject.audience:
                inject.audience = audience
                inject.save(update_fields=["audience"])
