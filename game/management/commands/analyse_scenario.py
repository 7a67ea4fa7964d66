import json
import os
import sys
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from game.analysis import analyse_scenario, analysis_table
from game.engine import LATEST_RULES, RULES_VERSIONS
from game.management.scenario_input import scenario_document


@contextmanager
def native_output_silenced():
    """HiGHS prints the odd diagnostic straight to file descriptor 1; keep it out of the
    table and the JSON document."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class Command(BaseCommand):
    help = (
        "Analyse a scenario (issue 8, docs/analysis.md): status quo, unilateral moves, no-deal "
        "outcome, best coalition/total and fair deal with and without commitments, maximum "
        "pressure and the incentive checks a-d. Exits 1 when a check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="A scenario slug or a scenario file (JSON/YAML).")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the analysis as JSON."
        )
        parser.add_argument(
            "--rules",
            type=int,
            choices=RULES_VERSIONS,
            default=LATEST_RULES,
            help="Scoring rules version to analyse under (default: the latest).",
        )

    def handle(self, *args, scenario, as_json, rules, **options):
        _, document = scenario_document(scenario)
        with native_output_silenced():
            result = analyse_scenario(document, rules=rules)
        if as_json:
            self.stdout.write(_dumps(result))
        else:
            for line in analysis_table(result):
                self.stdout.write(line)
        failed = [name for name, check in result["checks"].items() if not check["passed"]]
        if failed:
            raise CommandError(f"check(s) failed: {', '.join(failed)}")


def _dumps(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False)
