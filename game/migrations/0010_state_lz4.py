"""PostgreSQL: the game row's cached state compressed with lz4 instead of pglz.

Every command rewrites the row's state (jsonb, up to ~34 KiB in the bundled scenario's
game), and PostgreSQL compresses a value that large each time it is written: with pglz
that was the largest part of the database's CPU per command (issue 11, docs/performance.md
round 10). lz4 compresses several times faster. Rows keep their old compression until
their next write. A server built without lz4 refuses the setting: pglz stays, and the
migration goes on.
"""

from django.db import migrations

from game.dbcompression import set_column_compression


def state_lz4(apps, schema_editor):
    set_column_compression(apps, schema_editor, "state", "lz4")


def state_default(apps, schema_editor):
    set_column_compression(apps, schema_editor, "state", "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("game", "0009_state_without_scenario")]
    operations = [migrations.RunPython(state_lz4, state_default)]
