"""The image runs as an unprivileged user, with the runtime dependencies and no test tools.

(Docker is not available to the test suite: these read the Dockerfile and apply its filter.)
"""

import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
TEST_TOOLS = {"pytest", "pytest-django", "pytest-asyncio", "pytest-timeout", "hypothesis", "ruff"}


def runtime_lock() -> set[str]:
    """What the Dockerfile's grep keeps of requirements.lock (run through the real grep)."""
    pattern = re.search(r"grep -viE '([^']+)'", DOCKERFILE).group(1)
    kept = subprocess.run(
        f"grep -viE {shlex.quote(pattern)} requirements.lock",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split("==")[0].lower() for line in kept.splitlines() if "==" in line}


def test_the_image_installs_no_test_or_lint_tools():
    kept = runtime_lock()
    assert not kept & TEST_TOOLS
    for needed in ("django", "daphne", "channels", "channels_redis", "psycopg", "whitenoise"):
        assert needed in kept


def test_the_image_runs_as_a_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, flags=re.M)
    assert users and users[-1] not in {"root", "0"}
    assert DOCKERFILE.index("USER") > DOCKERFILE.index("collectstatic")


def test_tests_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "tests" in ignored and ".git" in ignored


def test_collectstatic_runs_in_production_mode():
    """DEBUG off builds the manifest that production's static storage needs."""
    line = next(line for line in DOCKERFILE.splitlines() if "collectstatic" in line)
    assert "DEBUG=true" not in line and "SECRET_KEY=" in line
