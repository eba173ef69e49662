"""Mention.cable: the paragraph's cable, copied onto each mention (search facets per cable)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_cables(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The new key's checks are deferred: run them now, or altering the column to NOT
            # NULL below finds pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "UPDATE cables_mention SET cable_id = (SELECT p.cable_id FROM cables_paragraph p "
            "WHERE p.id = cables_mention.paragraph_id)"
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0006_cable_newest_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="cable",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cables.cable",
            ),
        ),
        migrations.RunPython(fill_cables, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mention",
            name="cable",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cables.cable",
            ),
        ),
    ]
