from django.db import migrations

# The definition of 0002, for going back.
FTS_WITH_PREFIX_INDEXES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cables_paragraph_fts USING fts5("
    "text, content='cables_paragraph', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
)


def _recreate(schema_editor, create_sql: str) -> None:
    from cables.search.sqlite import DROP_FTS_SQL, FTS_TABLE

    schema_editor.execute(DROP_FTS_SQL)
    schema_editor.execute(create_sql)
    # External content: the index is rebuilt from the paragraphs already stored.
    schema_editor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")


def without_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from cables.search.sqlite import CREATE_FTS_SQL

    _recreate(schema_editor, CREATE_FTS_SQL)


def with_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    _recreate(schema_editor, FTS_WITH_PREFIX_INDEXES)


class Migration(migrations.Migration):
    """SQLite only: the FTS5 index without its 2- and 3-letter prefix indexes (see
    `cables.search.sqlite.CREATE_FTS_SQL`); rebuilt from the stored paragraphs."""

    dependencies = [("cables", "0007_mention_cable")]

    operations = [migrations.RunPython(without_prefix_indexes, with_prefix_indexes)]
