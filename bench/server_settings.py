"""Settings of the benchmark's servers: the project's development settings (plain HTTP,
the development key, as the end-to-end tests' servers run) with DEBUG's per-query log off,
as in production. With DEBUG on, Django records every SQL statement, which cost the game
about a quarter of a command's server time; the bare relay makes no queries, so the ratios
would be unfair to the game."""

from tabletop.settings import *  # noqa: F403

DEBUG = False
