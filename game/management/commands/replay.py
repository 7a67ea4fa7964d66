import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from game import engine
from game.management.simulation import ExportUnreadable, replay_export, score_table

EXIT_DIFFERENT = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Rebuild a game from its JSON export (scenario + seed + events, with the pure engine) "
        "and check the exported results, finals, offers and decisions against the rebuild. "
        "Exits 1 when they differ, 2 when the file cannot be replayed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="A game export (manage.py simulate --export, or GET /api/games/<code>/export).",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the score table.")

    def handle(self, *args, path, quiet, **options):
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}", returncode=EXIT_UNREADABLE) from None
        try:
            state, differences = replay_export(document)
        except ExportUnreadable as unreadable:
            raise CommandError(
                f"Cannot replay {path}: {unreadable}", returncode=EXIT_UNREADABLE
            ) from None
        if not quiet:
            self.stdout.write(f"scoring rules version {engine.rules_version(state)}")
            for line in score_table(state):
                self.stdout.write(line)
        rounds = len(state["results"])
        if differences:
            for difference in differences:
                self.stderr.write(f"  {difference}")
            raise CommandError(
                f"replay differs from the export in {len(differences)} place(s) "
                f"({len(document['events'])} events, {rounds} rounds)",
                returncode=EXIT_DIFFERENT,
            )
        self.stdout.write(f"replay matches: {len(document['events'])} events, {rounds} rounds")
