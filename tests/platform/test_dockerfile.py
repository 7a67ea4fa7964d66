"""The image runs as an unprivileged user, with the runtime dependencies and no test tools.

(Docker is not available to the test suite: these read the Dockerfile and apply its filter.)
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
TEST_TOOLS = {"pytest", "pytest-django", "pytest-asyncio", "pytest-timeout", "hypothesis", "ruff"}


def pins(name: str) -> dict[str, str]:
    """A lock file's pins: {name: version}."""
    text = (ROOT / name).read_text()
    return dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, flags=re.M))


def test_the_image_installs_the_runtime_lock_with_hashes_and_no_test_or_lint_tools():
    assert "pip install --no-cache-dir --require-hashes -r requirements-runtime.lock" in DOCKERFILE
    kept = {name.lower() for name in pins("requirements-runtime.lock")}
    assert not kept & TEST_TOOLS
    for needed in ("django", "daphne", "channels", "channels-redis", "psycopg", "whitenoise"):
        assert needed in kept


def test_the_lock_files_pin_the_same_versions_and_hash_every_pin():
    everything, runtime = pins("requirements.lock"), pins("requirements-runtime.lock")
    assert runtime.items() <= everything.items()
    assert {name.lower() for name in everything} >= TEST_TOOLS
    for name in ("requirements.lock", "requirements-runtime.lock"):
        blocks = re.split(r"\n(?=[A-Za-z])", (ROOT / name).read_text())
        for block in blocks[1:]:
            assert "--hash=sha256:" in block, f"{name}: no hash for {block.split()[0]}"


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
