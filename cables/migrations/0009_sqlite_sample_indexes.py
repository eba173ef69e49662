from django.db import migrations

# Frozen here: the tables this migration makes (see `cables.search.sqlite`).
SAMPLES = (
    ("cables_paragraph_fts_sample1", 8),
    ("cables_paragraph_fts_sample2", 64),
    ("cables_paragraph_fts_sample3", 512),
)
CREATE_SAMPLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
    "text, content='cables_paragraph', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')"
)


def create_samples(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, modulus in SAMPLES:
        schema_editor.execute(CREATE_SAMPLE.format(table=table))
        # Filled from the paragraphs already stored (external content, like the main index).
        schema_editor.execute(
            f"INSERT INTO {table}(rowid, text) SELECT id, text FROM cables_paragraph "
            f"WHERE cable_id % {modulus} = 0"
        )
        schema_editor.execute(f"INSERT INTO {table}({table}) VALUES('optimize')")


def drop_samples(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, _ in SAMPLES:
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    """SQLite only: the sample indexes that relevance ranking of very common words starts from
    (every 8th, 64th and 512th cable's paragraphs, see `cables.search.bands.CableSample`)."""

    dependencies = [("cables", "0008_sqlite_fts_without_prefix_indexes")]

    operations = [migrations.RunPython(create_samples, drop_samples)]
