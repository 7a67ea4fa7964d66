"""The pages' event sentences (wording.js) cover every event type the engine writes, so no
event log line ever falls back to "Something changed"."""

import re
from pathlib import Path

from game.engine import EVENT_KINDS

WORDING = Path(__file__).resolve().parents[2] / "frontend/static/frontend/js/wording.js"


def test_every_event_kind_has_a_sentence():
    described = set(re.findall(r"^  (\w+): \(", WORDING.read_text(), flags=re.MULTILINE))
    assert set(EVENT_KINDS) - described == set()
