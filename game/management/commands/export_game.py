import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from game.models import Game
from game.reports.files import FORMATS, document_report_file, game_report_file


class Command(BaseCommand):
    help = (
        "Write a game's after-action product: the JSON export, the CSV bundle (zip), the XLSX "
        "workbook, or the report as HTML or PDF (docs/export-format.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="The game's code (see the admin).")
        parser.add_argument("--format", choices=FORMATS, default="json", dest="fmt")
        parser.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="Where to write (default: a file named after "
            "the game in the current directory; '-' for standard output).",
        )
        parser.add_argument(
            "--input",
            metavar="EXPORT",
            help="Render from a redlines.game/1 JSON export file "
            "instead of the database (e.g. one written by `simulate --export`).",
        )

    def handle(self, *args, code, fmt, output, input, **options):
        if bool(code) == bool(input):
            raise CommandError("Give a game code or --input EXPORT (one of them).")
        if input:
            try:
                document = json.loads(Path(input).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {input}: {error}") from None
            report = document_report_file(document=document, fmt=fmt)
        else:
            game = Game.objects.filter(code=code.upper()).first()
            if game is None:
                raise CommandError(f"There is no game with code '{code.upper()}'.")
            report = game_report_file(game=game, fmt=fmt)
        if output == "-":
            sys.stdout.buffer.write(report.content)
            sys.stdout.flush()
            return
        path = Path(output or report.filename)
        try:
            path.write_bytes(report.content)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error}") from None
        self.stdout.write(f"Wrote {fmt} ({len(report.content):,} bytes) to {path}")
