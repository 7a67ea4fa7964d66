"""Scenario authoring in the Django admin (see ``scenario`` and ``parts``)."""

from scenarios.admin import parts, scenario

__all__ = ["parts", "scenario"]
