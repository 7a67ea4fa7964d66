"""Replaced watch keys are remembered (hashed), so a page opened with one says so."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("game", "0011_state_archive"),
    ]

    operations = [
        migrations.AddField(
            model_name="game",
            name="retired_watch_keys",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="SHA-256 hashes of the watch keys the facilitator replaced (newest "
                "last), "
                "so that a page opened with one says its link was replaced.",
            ),
        ),
    ]
