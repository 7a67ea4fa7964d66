import os

import pytest

# Tests drive timers explicitly; the in-process timer loop would race them. Server processes
# started by end-to-end tests inherit this unless they set GAME_TIMER_LOOP themselves.
os.environ.setdefault("GAME_TIMER_LOOP", "false")


def pytest_configure(config):
    # pytest-django has loaded the settings before this file is imported, so the environment
    # default above comes too late for this process: switch the loop off here as well.
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        settings.GAME_TIMER_LOOP = False


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"red lines back ends: database={db} channel_layer={layer}"


@pytest.fixture
def require_services():
    """True when CI demands the real PostgreSQL + Redis leg (never skipped there)."""
    return os.environ.get("REQUIRE_SERVICES") == "1"
