import json

from django.core.management.base import BaseCommand, CommandError

from game.engine.strategies import SEATINGS
from game.management.lesson import LESSON_MARGIN, lesson, lesson_table
from game.management.scenario_input import scenario_document


class Command(BaseCommand):
    help = (
        "Play bot tables of a scenario with all-open, all-guarded, all-secretive, mixed and "
        "lone-open seatings (seeds 0..N-1) and print, per seating, the coalition score, "
        "effectiveness, breaches, broken commitments, accepted offers and each role's final "
        f"with a 95%% interval. Exits 1 when all-open does not beat all-secretive by "
        f"{LESSON_MARGIN:g} points (docs/analysis.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="A scenario slug or a scenario file (JSON/YAML).")
        parser.add_argument("--seeds", type=int, default=20, help="Tables per seating.")
        parser.add_argument(
            "--seating", action="append", choices=SEATINGS, help="Only these seatings."
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the result as JSON."
        )

    def handle(self, *args, scenario, seeds, seating, as_json, **options):
        if seeds < 1:
            raise CommandError("--seeds must be at least 1.")
        slug, document = scenario_document(scenario)
        result = lesson(document, seeds=seeds, seatings=tuple(seating or SEATINGS))
        if as_json:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            for line in lesson_table(slug, result):
                self.stdout.write(line)
        if "open_minus_secretive" in result:
            mean, half = result["open_minus_secretive"]
            if not mean - half >= LESSON_MARGIN:
                raise CommandError("all-open does not beat all-secretive by the stated margin")
