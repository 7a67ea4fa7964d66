from django.core.management.base import BaseCommand, CommandError

from scenarios.management.commands._scenario_files import problems_error, read_document
from scenarios.validation import ScenarioInvalid, validate_document


class Command(BaseCommand):
    help = (
        'Check scenario files without importing them: prints "ok", or every problem as '
        '"path: message" and exits with status 1.'
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="path", help="Scenario file(s).")

    def handle(self, *args, paths, **options):
        failures = []
        for path in paths:
            try:
                validate_document(read_document(path))
            except ScenarioInvalid as invalid:
                failures.append(problems_error(path, invalid, action="not valid"))
                continue
            except CommandError as error:
                failures.append(error)
                continue
            self.stdout.write("ok" if len(paths) == 1 else f"{path}: ok")
        if failures:
            raise CommandError("\n".join(str(failure) for failure in failures))
