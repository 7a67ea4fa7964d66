"""tabletop.storable: which text a database cannot store, and where in a value it is."""

import pytest

from tabletop.storable import all_storable, storable, unstorable_path


@pytest.mark.parametrize("text", ["\x00", "a\x00", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_cannot_be_stored(text):
    assert not storable(text)


@pytest.mark.parametrize("text", ["", "plain", "Zoë 中文 \U0001f600", "\u2028\ufffe\x01"])
def test_everything_else_can(text):
    assert storable(text)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"type": "chat", "text": "ok"}, None),
        ({"text": "a\x00"}, "text"),
        ({"a": "\x00", "b": "\x00"}, "a"),  # the first in document order
        ({"terms": [{"by": "US"}, {"by": "J\ud800"}]}, "terms[1].by"),
        ({"values": {"le\x00ver": 5}}, "values (a key)"),
        ({"\x00": 1}, "(a key)"),
        (["ok", ["\x00"]], "[1][0]"),
        ("\x00", ""),
        ({"n": 5, "b": True, "z": None}, None),
    ],
)
def test_the_path_of_the_first_unstorable_text(value, path):
    assert unstorable_path(value) == path
    assert all_storable(value) is (path is None)


def test_the_path_never_quotes_the_text():
    assert "\x00" not in unstorable_path({"k\x00": {"x": 1}})
