import json
import secrets
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from game.management.simulation import SimulationFailed, game_simulate, score_table
from game.services.export import game_export
from scenarios.selectors import scenario_get, scenario_list_published


class Command(BaseCommand):
    help = (
        "Play a whole game of a published scenario with one bot per role, through the service "
        "layer, and print the scores. Deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Slug of a published scenario.")
        parser.add_argument(
            "--seed", type=int, help="The game's seed (bots draw from it); random if omitted."
        )
        parser.add_argument(
            "--export", metavar="PATH", help="Write the game's JSON export (for `replay`) here."
        )
        parser.add_argument(
            "--start",
            type=float,
            metavar="EPOCH",
            help="Simulated clock at the start, in epoch seconds (default: now). Phases end at "
            "their deadlines on this clock, so no real time passes.",
        )

    def handle(self, *args, slug, seed, export, start, **options):
        scenario = scenario_get(slug=slug)
        if scenario is None or not scenario.published:
            published = ", ".join(s.slug for s in scenario_list_published()) or "none"
            state = "is not published" if scenario else "does not exist"
            raise CommandError(
                f"Scenario '{slug}' {state}. Published scenarios: {published}. "
                "(`manage.py load_bundled_scenarios` loads the bundled ones.)"
            )
        if seed is not None and not 0 <= seed < 2**63:
            raise CommandError("--seed must be a whole number from 0 to 2**63 - 1.")
        if seed is None:
            seed = secrets.randbelow(2**31)
        began = time.monotonic()
        try:
            game = game_simulate(
                snapshot=scenario.to_document(),
                scenario=scenario,
                seed=seed,
                now=time.time() if start is None else start,
            )
        except SimulationFailed as failed:
            raise CommandError(f"Simulation failed: {failed}") from None
        elapsed = time.monotonic() - began
        self.stdout.write(
            f"Simulated {scenario.slug} as game {game.code} (seed {seed}): "
            f"{len(game.state['results'])} rounds, {game.last_seq} events, {elapsed:.2f} s"
        )
        for line in score_table(game.state):
            self.stdout.write(line)
        if export:
            path = Path(export)
            try:
                path.write_text(
                    json.dumps(game_export(game=game), cls=DjangoJSONEncoder, indent=2) + "\n",
                    encoding="utf-8",
                )
            except OSError as error:
                raise CommandError(f"Could not write the export to {path}: {error}") from None
            self.stdout.write(f"Exported to {path}")
