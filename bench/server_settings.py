"""Settings of the benchmark's servers: the project's development settings (plain HTTP,
the development key, as the end-to-end tests' servers run) with DEBUG's per-query log off and
the timer loop on, as in production. With DEBUG on, Django records every SQL statement,
which cost the game about a quarter of a command's server time; the bare relay makes no
queries, so the ratios would be unfair to the game. The end-to-end tests' servers switch the
timer loop off unless a test needs it; its passes, the heal pass and the sharing of followed
views (game.realtime.followers) are part of what a server costs."""

from tabletop.settings import *  # noqa: F403

DEBUG = False
GAME_TIMER_LOOP = True
