"""Workshops: several tables of one exercise grouped for the debrief (DESIGN §6)."""

from game.models import Game, Workshop


def workshop_create(*, title: str, games: list[Game], scenario=None, created_by=None) -> Workshop:
    workshop = Workshop.objects.create(title=title, scenario=scenario, created_by=created_by)
    workshop.games.set(games)
    return workshop
