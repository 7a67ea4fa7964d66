"""The state's round records (results, injects) in a column of their own.

Every command rewrites the game row's state; the round records grow every round and change
at most once a phase, so with them inside it a command late in a game cost PostgreSQL
~1.3x one early in it (issue 11, docs/performance.md round 11). They move to
`state_archive` (compressed with lz4 on PostgreSQL, as the state is since 0010); the reverse
puts them back.
"""

import json

from django.db import migrations

import game.models
from game.dbcompression import set_column_compression

KEYS = ("results", "injects")


def archive_round_records(apps, schema_editor):
    Game = apps.get_model("game", "Game")
    for pk, state in Game.objects.values_list("pk", "state").iterator():
        if not isinstance(state, dict):
            continue
        archive = {key: state[key] for key in KEYS if key in state}
        # A row last written before 0009 still holds its scenario: the snapshot is that.
        rest = {key: value for key, value in state.items() if key not in (*KEYS, "scenario")}
        Game.objects.filter(pk=pk).update(state=rest, state_archive=archive)
    set_column_compression(apps, schema_editor, "state_archive", "lz4")


def restore_round_records(apps, schema_editor):
    Game = apps.get_model("game", "Game")
    connection = schema_editor.connection
    table = schema_editor.quote_name(Game._meta.db_table)
    column = schema_editor.quote_name(Game._meta.get_field("state").column)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    rows = Game.objects.values_list("pk", "state", "state_archive").iterator()
    with connection.cursor() as cursor:
        for pk, state, archive in rows:
            if isinstance(state, dict) and archive:
                # In SQL: the state field of this code would leave the records out again.
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s{cast} WHERE id = %s",
                    [json.dumps({**state, **archive}), pk],
                )


class Migration(migrations.Migration):
    dependencies = [("game", "0010_state_lz4")]
    operations = [
        migrations.AddField(
            model_name="game",
            name="state_archive",
            field=game.models.GameStateArchiveField(
                default=dict,
                help_text="The state's round records (results, injects), stored apart from "
                "`state`: they change at most once a phase, and a command that leaves them "
                "alone does not rewrite them.",
            ),
        ),
        migrations.RunPython(archive_round_records, restore_round_records),
    ]
