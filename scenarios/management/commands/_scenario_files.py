"""Helpers shared by the scenario management commands."""

from django.core.management.base import CommandError

from scenarios.validation import ScenarioInvalid, load_document


def problems_error(where: str, invalid: ScenarioInvalid, *, action: str) -> CommandError:
    """A CommandError that lists every problem as ``path: message``."""
    count = len(invalid.errors)
    lines = "\n".join(f"  {path}: {message}" for path, message in invalid.errors)
    return CommandError(f"{where}: {count} problem(s); {action}\n{lines}")


def read_document(path: str) -> dict:
    try:
        return load_document(path)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a scenario file") from None
    except PermissionError:
        raise CommandError(f"{path}: permission denied") from None
