"""The bundled scenarios keep a workshop hour quick but a decision comfortable on a phone:
a timed decision phase gives at least 30 s per lever the busiest team holds, plus 30 s to read
the estimate and lock (docs/frontend.md, "Phase times")."""

from pathlib import Path

import pytest
import yaml

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"
PER_LEVER, TO_LOCK = 30, 30


def decision_minimum(document: dict) -> int:
    held = {
        role["code"]: sum(1 for lever in document["levers"] if role["code"] in lever["holders"])
        for role in document["roles"]
    }
    return PER_LEVER * max(held.values()) + TO_LOCK


@pytest.mark.parametrize("path", sorted(BUNDLED.iterdir()), ids=lambda path: path.name)
def test_every_timed_decision_phase_leaves_time_for_every_lever(path):
    document = yaml.safe_load(path.read_text())
    minimum = decision_minimum(document)
    for number, spec in enumerate(document["rounds"], start=1):
        seconds = spec.get("phase_seconds", {}).get("decision", 0)
        assert seconds == 0 or seconds >= minimum, (
            f"{path.name} round {number}: a {seconds} s decision phase, {minimum} s needed"
        )
