"""Reads of scenarios (HackSoft-style selectors), including what players may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from scenarios.models import Scenario
from scenarios.validation import document_problems


def scenario_list(*, include_unpublished: bool = False) -> QuerySet[Scenario]:
    """Scenarios by title, with ``role_count`` and ``round_count``; published ones only unless
    ``include_unpublished``."""
    scenarios = Scenario.objects.annotate(
        role_count=Count("roles", distinct=True), round_count=Count("rounds", distinct=True)
    ).prefetch_related("roles")
    return scenarios if include_unpublished else scenarios.filter(published=True)


def scenario_list_published() -> QuerySet[Scenario]:
    return scenario_list()


def scenario_get(*, slug: str) -> Scenario | None:
    """The scenario with ``slug``, published or not (check ``.published``), or None."""
    return scenario_list(include_unpublished=True).filter(slug=slug).first()


def scenario_problems(*, scenario: Scenario) -> list[tuple[str, str]]:
    """Everything that stops the scenario from being valid (empty when it can be published)."""
    problems = document_problems(scenario.to_document())
    return [] if problems is None else problems.errors


def scenario_public_view(*, document: dict) -> dict:
    """The part of a scenario document every player may see before and during a game.

    Leaves out private briefs, objectives, red lines, starting values, costs, and the rounds'
    briefings and injects (they are revealed during the game).
    """
    return {
        "slug": document["slug"],
        "title": document["title"],
        "summary": document["summary"],
        "background": document["background"],
        "learning_objectives": list(document["learning_objectives"]),
        "roles": [
            {key: role[key] for key in ("code", "name", "color", "public_brief")}
            for role in document["roles"]
        ],
        "levers": [
            {
                **{
                    key: lever[key]
                    for key in ("key", "label", "unit", "min", "max", "step", "pressure")
                },
                "description": lever["description"],
                "holders": list(lever["holders"]),
            }
            for lever in document["levers"]
        ],
        "round_count": len(document["rounds"]),
    }


def scenario_analysis(*, scenario: Scenario, rules: int | None = None) -> dict | None:
    """What the scenario rewards (game.analysis, docs/analysis.md), or None while it is not
    valid (the analyser needs a complete, valid document). The analyser is pure (it imports
    the engine's scoring only), so this read does not reach into the game's services."""
    from game.analysis import analyse_scenario
    from game.engine import LATEST_RULES

    document = scenario.to_document()
    if document_problems(document) is not None:
        return None
    return analyse_scenario(document, rules=rules or LATEST_RULES)
