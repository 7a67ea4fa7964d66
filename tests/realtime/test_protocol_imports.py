"""The protocol constants and the bot client are usable outside the Django project."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bot_client_and_protocol_import_without_django_settings():
    """bench/ and remote bot clients import these with no settings configured."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys; import game.realtime.botclient, game.realtime.protocol as p; "
        "assert 'django.db' not in sys.modules, 'pulled in the ORM'; "
        "assert 'not_seated' in p.SESSION_ERROR_CODES"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
