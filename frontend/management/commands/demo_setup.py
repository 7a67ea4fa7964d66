"""Prepare the demo: bundled scenarios, a demo facilitator, a demo game; print where to go."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from game.models import Game
from game.services import game_create

DEMO_USERNAME = "facilitator"
DEMO_PASSWORD_DEFAULT = "redlines-demo"
DEMO_SCENARIO = "coalition-2022"


class Command(BaseCommand):
    help = "Load the bundled scenarios, create the demo facilitator and a demo game."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        from scenarios.models import Scenario
        from scenarios.services import scenario_import_bundled

        # Existing scenarios are left alone: an instructor's edits survive re-running the demo.
        for scenario in scenario_import_bundled(update=False):
            self.stdout.write(f"Bundled scenario ready: {scenario.slug}")

        password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save()

        scenario = Scenario.objects.filter(slug=DEMO_SCENARIO, published=True).first()
        game = Game.objects.filter(scenario=scenario, status=Game.Status.LOBBY).first()
        if scenario and game is None:
            game = game_create(snapshot=scenario.to_document(), scenario=scenario, created_by=user)

        base = f"http://{host}:{port}"
        lines = [
            "",
            "Red Lines demo",
            f"  Home:                {base}/",
            f"  Admin (authoring):   {base}/admin/",
            f"  Facilitator login:   {DEMO_USERNAME} / "
            + (
                password
                if created
                else "(unchanged; set before, default " + DEMO_PASSWORD_DEFAULT + ")"
            ),
            f"  REST API docs:       {base}/api/docs/",
            f"  Health:              {base}/healthz",
        ]
        if game:
            lines += [
                "",
                f"  Demo game {game.code}: open the console and one link per team, each in its own",
                "  browser window (a private window per team: one seat per browser).",
                f"  Facilitator console: {base}/console/{game.code}/   (log in as above)",
            ]
            for role in game.snapshot["roles"]:
                link = f"{base}/join/{game.code}/?team={role['code']}"
                lines.append(f"    team {role['code']:<5}          {link}")
            lines.append(f"  Join page (any team): {base}/join/{game.code}/")
            lines.append(
                f"  Projector:           {base}/projector/{game.code}/?key={game.watch_key}"
            )
        lines.append("")
        self.stdout.write("\n".join(lines))
