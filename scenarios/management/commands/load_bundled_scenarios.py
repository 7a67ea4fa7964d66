from django.core.management.base import BaseCommand, CommandError

from scenarios.services import BUNDLED_DIR, scenario_import_bundled
from scenarios.validation import ScenarioInvalid


class Command(BaseCommand):
    help = (
        f"Import every scenario file shipped in {BUNDLED_DIR.name}/ as a published scenario, "
        "replacing existing ones with the same slug (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Leave scenarios whose slug already exists as they are.",
        )

    def handle(self, *args, keep_existing, **options):
        try:
            scenarios = scenario_import_bundled(update=not keep_existing)
        except ScenarioInvalid as invalid:
            lines = "\n".join(f"  {path}: {message}" for path, message in invalid.errors)
            raise CommandError(
                f"bundled scenarios are invalid; nothing was loaded\n{lines}"
            ) from None
        for scenario in scenarios:
            self.stdout.write(f"{scenario.slug}: {scenario.title}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(scenarios)} bundled scenario(s)."))
