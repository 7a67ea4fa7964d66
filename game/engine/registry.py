"""Where rule modules register their command handlers and event appliers.

Each rule module declares, next to its handler, who may send a command and when; decide()
in rules.py enforces those declarations before the handler runs, so handlers only check
their own payload and rules.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    type: str
    handler: Callable[[dict, dict], list[dict]]
    actors: tuple[str, ...]
    statuses: tuple[str, ...]
    phases: tuple[str, ...] | None
    while_paused: bool
    action: str


COMMANDS: dict[str, CommandSpec] = {}
APPLIERS: dict[str, Callable[[dict, dict], dict]] = {}


def command(
    type_: str,
    *,
    actors: tuple[str, ...],
    statuses: tuple[str, ...] = ("running",),
    phases: tuple[str, ...] | None = None,
    while_paused: bool = True,
    action: str = "",
):
    """Register `handler(state, command) -> events`; it may raise Rejected.

    `action` completes the wrong-phase message: "<action> during <phases>; ...".
    """

    def register(handler):
        COMMANDS[type_] = CommandSpec(
            type_, handler, actors, statuses, phases, while_paused, action or type_
        )
        return handler

    return register


def applies(kind: str):
    """Register `applier(state, data) -> new state` for one event kind."""

    def register(applier):
        APPLIERS[kind] = applier
        return applier

    return register
