"""Server time as a game grows, and the after-action reads (issue 11, targets 3 and 6).

In-process, on a temporary SQLite file (or the DATABASE_URL given), no server, no network:

- one command's server time (a chat through game_execute, broadcast included, median of
  `--samples`) and the size and build time of a player's `welcome` view, in a fresh running
  game and in games of 200, 1,000 and 3,000 chat messages, measured side by side (a
  command on each in turn), with each length's median ratio to the fresh game's command
  taken in the same turn;
- the same for a chat in the first and in the last round of a game the bots play (the
  state's round records grow every round);
- the full JSON export of a whole 4-round game of the bundled scenario with 500 events
  (bots play it; chat fills it to 500);
- the catch-up of 200 missed events (the selector a reconnecting socket calls), p99.

    .venv/bin/python bench/growth.py [--json out.json]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup() -> None:
    folder = tempfile.mkdtemp(prefix="redlines-growth-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/db.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabletop.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["GAME_TIMER_LOOP"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Chat messages posted before the measured commands: a fresh running game, then longer.
LENGTHS = (0, 200, 1000, 3000)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="commands per game length")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    setup()

    from game import engine, selectors
    from game.models import Game, state_archive_part
    from game.services import Actor, game_create, game_execute, player_join
    from game.services.export import game_export
    from scenarios.services import scenario_import_bundled

    scenario = {s.slug: s for s in scenario_import_bundled()}["coalition-2022"]
    snapshot = scenario.to_document()
    facilitator = Actor(kind="facilitator", name="bench")
    clock = [time.time()]

    def run(game, actor, command):
        clock[0] += 0.01
        return game_execute(game_id=game.pk, actor=actor, command=command, now=clock[0])

    def new_game(seed):
        game = game_create(snapshot=snapshot, seed=seed)
        bots = {}
        for role in snapshot["roles"]:
            player, _ = player_join(game=game, name=f"{role['code']} bot", role=role["code"])
            bots[role["code"]] = Actor(
                kind="player", role=role["code"], player_id=player.pk, name=player.name
            )
        run(game, facilitator, {"type": "start"})
        return game, bots

    def side_by_side(games, then=None):
        """Per game, the server time of `--samples` chats: a sample is one chat on each game
        in turn (the first game rotating), so a drift of the machine's speed falls on every
        game alike; `then(sample, index, game, actor)` runs after each chat, untimed."""
        times = [[] for _ in games]
        for sample in range(args.samples):
            for k in range(len(games)):
                index = (sample + k) % len(games)
                game, us = games[index]
                began = time.perf_counter()
                run(game, us, {"type": "chat", "channel": "all", "text": "measured"})
                times[index].append(time.perf_counter() - began)
                if then is not None:
                    then(sample, index, game, us)
        return times

    results = {"growth": [], "export": {}, "catch_up": {}}
    # One game per length, filled first, then measured side by side (the ratios compare
    # commands taken together).
    games = []
    for n, length in enumerate(LENGTHS):
        game, bots = new_game(10 + n)
        for posted in range(length):
            run(
                game,
                bots[("US", "JP", "ROK")[posted % 3]],
                {"type": "chat", "channel": "all" if posted % 2 else "team", "text": "x" * 80},
            )
        games.append((game, bots["US"]))
    builds = [[] for _ in games]
    sizes = [0 for _ in games]

    def welcome(sample, index, game, us):
        if sample % 4 == 0:
            began = time.perf_counter()
            _actor, snap = selectors.game_seated_snapshot(game_id=game.pk, actor=us)
            frame = json.dumps({"type": "welcome", **snap}, separators=(",", ":"))
            builds[index].append(time.perf_counter() - began)
            sizes[index] = len(frame)

    times = side_by_side(games, then=welcome)
    for index, (game, _us) in enumerate(games):
        game.refresh_from_db()
        paired = [a / b for a, b in zip(times[index], times[0], strict=True)]
        row = {
            "chat_messages": LENGTHS[index] + args.samples,
            "events": game.last_seq,
            "state_kib": len(json.dumps(game.state)) / 1024,
            "command_ms": 1000 * statistics.median(times[index]),
            "command_ms_p90": 1000 * percentile(times[index], 0.9),
            "command_ratio_paired": statistics.median(paired),
            "welcome_kib": sizes[index] / 1024,
            "welcome_ms": 1000 * statistics.median(builds[index]),
        }
        results["growth"].append(row)
        print(row, file=sys.stderr, flush=True)

    def play(game, bots, *, until=lambda state: False, chat_to_seq=0):
        """Bots play whole phases (engine.bot_commands), the facilitator advances, until the
        game ends or `until(state)` holds at the start of a phase; in each negotiation,
        chat fills the log up to `chat_to_seq` events."""
        for _step in range(60):
            game.refresh_from_db()
            state = game.state
            if state["status"] != "running" or until(state):
                return
            if state["phase"] == "negotiation":
                for n in range(80):
                    if game.last_seq >= chat_to_seq:
                        break
                    run(
                        game,
                        bots[("US", "JP", "ROK")[n % 3]],
                        {"type": "chat", "channel": "all", "text": "x" * 80},
                    )
                    game.last_seq += 1
            for _ in range(4):
                acted = False
                for code, actor in bots.items():
                    game.refresh_from_db()
                    for command in engine.bot_commands(game.state, code, seed=2, now=clock[0]):
                        command = {k: v for k, v in command.items() if k not in ("actor", "now")}
                        acted = bool(run(game, actor, command).events) or acted
                if not acted:
                    break
            run(game, facilitator, {"type": "advance"})

    # A whole game's rounds: a chat in the first round's negotiation and in the last's,
    # side by side as above (the round records grow every round: results, injects, offers).
    last = len(snapshot["rounds"])
    staged = []
    for n, round_no in enumerate((1, last)):
        game, bots = new_game(30 + n)
        play(game, bots, until=lambda s, r=round_no: (s["round"], s["phase"]) == (r, "negotiation"))
        staged.append((game, bots["US"]))
    times = side_by_side(staged)
    results["rounds"] = []
    for index, (game, us) in enumerate(staged):
        game.refresh_from_db()
        _actor, snap = selectors.game_seated_snapshot(game_id=game.pk, actor=us)
        row = {
            "round": game.state["round"],
            "events": game.last_seq,
            "stored_state_kib": len(json.dumps(Game.state.field.get_prep_value(game.state))) / 1024,
            "stored_archive_kib": len(json.dumps(state_archive_part(game.state))) / 1024,
            "command_ms": 1000 * statistics.median(times[index]),
            "command_ratio_paired": statistics.median(
                a / b for a, b in zip(times[index], times[0], strict=True)
            ),
            "welcome_kib": len(json.dumps({"type": "welcome", **snap}, separators=(",", ":")))
            / 1024,
        }
        results["rounds"].append(row)
        print(row, file=sys.stderr, flush=True)

    # A whole game with 500 events: bots play, chat fills it.
    game, bots = new_game(2)
    play(game, bots, chat_to_seq=470)
    game.refresh_from_db()
    while game.last_seq < 500 and game.state["status"] == "running":
        run(game, bots["US"], {"type": "chat", "channel": "all", "text": "x"})
        game.refresh_from_db()
    times = []
    for _ in range(10):
        game.refresh_from_db()
        began = time.perf_counter()
        document = game_export(game=game)
        json.dumps(document)
        times.append(time.perf_counter() - began)
    results["export"] = {
        "events": game.last_seq,
        "status": game.state["status"],
        "rounds": len(game.state["results"]),
        "ms_median": 1000 * statistics.median(times),
        "ms_max": 1000 * max(times),
    }
    print(results["export"], file=sys.stderr, flush=True)
    viewer = {"kind": "player", "role": "US"}
    times = []
    for _ in range(100):
        began = time.perf_counter()
        frame = selectors.game_events_since(game_id=game.pk, seq=game.last_seq - 200, viewer=viewer)
        json.dumps(frame)
        times.append(time.perf_counter() - began)
    results["catch_up"] = {
        "missed": 200,
        "ms_p50": 1000 * statistics.median(times),
        "ms_p99": 1000 * percentile(times, 0.99),
    }
    print(results["catch_up"], file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
