"""The game row's cached state is compressed with lz4 on PostgreSQL (migration 0010; 0011 for
the column of its round records): every command rewrites it, and pglz's compression was the
largest part of the database's CPU per command (docs/performance.md, round 10)."""

import pytest
from django.db import connection
from game_tables import ServiceTable

from game.models import Game

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgresql"),
]


def _column(sql: str, game_id: int | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, [game_id] if game_id is not None else [])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("column", ["state", "state_archive"])
def test_the_state_columns_compress_with_lz4(column):
    table = Game._meta.db_table
    method = _column(
        "SELECT attcompression FROM pg_attribute "
        f"WHERE attrelid = '{table}'::regclass AND attname = '{column}'"
    )
    assert method == "l"


def test_a_large_state_is_stored_compressed_with_lz4_and_reads_back_whole():
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "negotiation")
    for n in range(40):  # enough chat for PostgreSQL to compress the value (over ~2 KiB)
        table.run("chat", "A", channel="all", text=f"Message {n}: " + "we hold the line " * 8)
    game_table = Game._meta.db_table
    stored = _column(
        f"SELECT pg_column_compression(state) FROM {game_table} WHERE id = %s", table.game_id
    )
    assert stored == "lz4"
    state = Game.stored_state(table.game_id)
    assert state["chat"][-1]["text"].startswith("Message 39: ")
