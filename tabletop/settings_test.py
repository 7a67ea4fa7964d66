"""Settings for the test suite: the development mode (DEBUG on, so the development
SECRET_KEY is allowed) unless the environment says otherwise; everything else as in
production settings. Server processes started by the tests set DEBUG themselves
(tests/e2e/servers.py)."""

import os

os.environ.setdefault("DEBUG", "true")

from tabletop.settings import *  # noqa: F403
