"""A scenario named on a command line: a file (JSON/YAML) or the slug of a stored one."""

import os

from django.core.management.base import CommandError

from scenarios.selectors import scenario_get
from scenarios.validation import ScenarioInvalid, load_document, validate_document


def scenario_document(name: str) -> tuple[str, dict]:
    """(slug, normalized document) of a scenario file or stored scenario."""
    if os.path.isfile(name):
        try:
            document = validate_document(load_document(name))
        except ScenarioInvalid as invalid:
            problems = "; ".join(f"{path}: {message}" for path, message in invalid.errors)
            raise CommandError(f"{name} is not a valid scenario: {problems}") from None
        return document["slug"], document
    scenario = scenario_get(slug=name)
    if scenario is None:
        raise CommandError(f"No scenario '{name}' (neither a slug nor a file).")
    return scenario.slug, scenario.to_document()
