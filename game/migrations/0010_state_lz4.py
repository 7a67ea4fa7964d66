"""PostgreSQL: the game row's cached state compressed with lz4 instead of pglz.

Every command rewrites the row's state (jsonb, up to ~34 KiB in the bundled scenario's
game), and PostgreSQL compresses a value that large each time it is written: with pglz
that was the largest part of the database's CPU per command (issue 11, docs/performance.md
round 10). lz4 compresses several times faster. Rows keep their old compression until
their next write. A server built without lz4 refuses the setting: pglz stays, and the
migration goes on.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)


def _set_compression(apps, schema_editor, method: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    game = apps.get_model("game", "Game")
    table = schema_editor.quote_name(game._meta.db_table)
    column = schema_editor.quote_name(game._meta.get_field("state").column)
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}"
            )
    except DatabaseError as error:
        logger.warning("The game state keeps PostgreSQL's default compression: %s", error)


def state_lz4(apps, schema_editor):
    _set_compression(apps, schema_editor, "lz4")


def state_default(apps, schema_editor):
    _set_compression(apps, schema_editor, "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("game", "0009_state_without_scenario")]
    operations = [migrations.RunPython(state_lz4, state_default)]
