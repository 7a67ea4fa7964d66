"""The operations guide and the protocol agree on who the game socket accepts."""

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_both_guides_say_the_socket_accepts_staff_tokens():
    operations = (DOCS / "operations.md").read_text()
    protocol = (DOCS / "protocol.md").read_text()
    for guide in (operations, protocol):
        assert '"staff_token": "rls_..."' in guide
    assert "does not accept tokens" not in " ".join(operations.split())
