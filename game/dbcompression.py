"""PostgreSQL: the compression of a large JSON column the game row rewrites (migrations
0010 and 0011). Every command rewrites the game's state, and PostgreSQL compresses a value
that large each time it is written: lz4 does it several times faster than the default
pglz (issue 11, docs/performance.md round 10)."""

import logging

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)


def set_column_compression(apps, schema_editor, field: str, method: str) -> None:
    """Set the game table's column `field` to compress with `method` ("lz4", "DEFAULT") on
    PostgreSQL; elsewhere nothing. A server built without lz4 refuses the setting: the
    default stays, with a warning, and the migration goes on."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    game = apps.get_model("game", "Game")
    table = schema_editor.quote_name(game._meta.db_table)
    column = schema_editor.quote_name(game._meta.get_field(field).column)
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}"
            )
    except DatabaseError as error:
        logger.warning("The game's %s keeps PostgreSQL's default compression: %s", field, error)
