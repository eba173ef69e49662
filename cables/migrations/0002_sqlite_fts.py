from django.db import migrations


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from cables.search.sqlite import CREATE_FTS_SQL

    schema_editor.execute(CREATE_FTS_SQL)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from cables.search.sqlite import DROP_FTS_SQL

    schema_editor.execute(DROP_FTS_SQL)


class Migration(migrations.Migration):
    """SQLite only: the FTS5 index over paragraph text (PostgreSQL uses the GIN index)."""

    dependencies = [("cables", "0001_initial")]

    operations = [migrations.RunPython(create_fts, drop_fts)]
