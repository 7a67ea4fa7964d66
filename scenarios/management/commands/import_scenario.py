from django.core.management.base import BaseCommand

from scenarios.management.commands._scenario_files import problems_error, read_document
from scenarios.services import scenario_import
from scenarios.validation import ScenarioInvalid


class Command(BaseCommand):
    help = (
        "Import a scenario file (JSON or YAML). It is validated first; nothing is saved unless "
        "the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The scenario file (.json, .yaml or .yml).")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Replace the scenario with the same slug (else an existing slug is an error).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the scenario (otherwise a new one is a draft and a replaced one keeps "
            "its status).",
        )

    def handle(self, *args, path, update, publish, **options):
        try:
            scenario = scenario_import(
                document=read_document(path), update=update, published=True if publish else None
            )
        except ScenarioInvalid as invalid:
            raise problems_error(path, invalid, action="nothing was imported") from None
        state = "published" if scenario.published else "draft"
        counts = (
            f"{scenario.roles.count()} roles, {scenario.levers.count()} levers, "
            f"{scenario.red_lines.count()} red lines, {scenario.rounds.count()} rounds"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Imported '{scenario.slug}' ({scenario.title}): {counts}; {state}.")
        )
