"""Every kind of event the engine makes has a plain sentence in the console's event log."""

import re
from pathlib import Path

from game import engine

SOURCE = Path(__file__).resolve().parents[2] / "frontend/static/frontend/js/eventtext.js"


def test_every_event_kind_has_a_sentence():
    block = SOURCE.read_text().split("const SENTENCES = {", 1)[1].split("\n};", 1)[0]
    worded = set(re.findall(r"^  (\w+): ", block, flags=re.MULTILINE))
    assert worded == set(engine.EVENT_KINDS)
