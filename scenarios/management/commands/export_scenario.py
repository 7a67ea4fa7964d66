from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scenarios.formats import FORMATS, dump_document, format_for_filename
from scenarios.selectors import scenario_get
from scenarios.services import scenario_export


class Command(BaseCommand):
    help = "Export a scenario as a JSON or YAML file (to standard output by default)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The scenario's slug.")
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="File format; default: from the output file's extension, else json.",
        )

    def handle(self, *args, slug, output, format, **options):
        scenario = scenario_get(slug=slug)
        if scenario is None:
            raise CommandError(f"no scenario with slug '{slug}'")
        fmt = format or format_for_filename(output)
        text = dump_document(scenario_export(scenario=scenario), fmt=fmt)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output}: cannot write ({error.strerror})") from None
        self.stderr.write(f"Wrote '{slug}' to {output} ({fmt}).")
