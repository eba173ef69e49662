from django.db import migrations

# The definitions frozen here: the one this migration makes, and 0002's for going back.
FTS_WITHOUT_PREFIX_INDEXES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cables_paragraph_fts USING fts5("
    "text, content='cables_paragraph', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
FTS_WITH_PREFIX_INDEXES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cables_paragraph_fts USING fts5("
    "text, content='cables_paragraph', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
)


def _recreate(schema_editor, create_sql: str) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS cables_paragraph_fts")
    schema_editor.execute(create_sql)
    # External content: the index is rebuilt from the paragraphs already stored.
    schema_editor.execute(
        "INSERT INTO cables_paragraph_fts(cables_paragraph_fts) VALUES('rebuild')"
    )


def without_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    _recreate(schema_editor, FTS_WITHOUT_PREFIX_INDEXES)


def with_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    _recreate(schema_editor, FTS_WITH_PREFIX_INDEXES)


class Migration(migrations.Migration):
    """SQLite only: the FTS5 index without its 2- and 3-letter prefix indexes (see
    `cables.search.sqlite.CREATE_FTS_SQL`); rebuilt from the stored paragraphs."""

    dependencies = [("cables", "0007_mention_cable")]

    operations = [migrations.RunPython(without_prefix_indexes, with_prefix_indexes)]
