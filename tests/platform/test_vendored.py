"""The vendored front-end libraries are the pinned files their README lists, with licences."""

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "frontend" / "static" / "frontend" / "vendor"


def listed_checksums() -> dict[str, str]:
    text = (VENDOR / "README.md").read_text()
    return dict(re.findall(r"^\| `([^`]+\.js)` \| `([0-9a-f]{64})` \|$", text, flags=re.MULTILINE))


def test_every_vendored_script_matches_its_listed_checksum():
    listed = listed_checksums()
    found = {str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*.js")}
    assert found == set(listed), "vendor/README.md must list every vendored script"
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_every_vendored_library_ships_its_licence():
    for folder in (path for path in VENDOR.iterdir() if path.is_dir()):
        assert (folder / "LICENSE").is_file(), folder.name


def test_the_vendored_modules_import_each_other_by_relative_path():
    """No bare `from "preact"` (it would need an import map, i.e. an inline script)."""
    for path in VENDOR.rglob("*.js"):
        assert not re.search(r'from\s*"(?!\.)', path.read_text()), path.name
