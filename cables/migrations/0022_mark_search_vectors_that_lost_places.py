"""PostgreSQL keeps at most 256 places of a term in a tsvector and none past 16,383, so a
phrase after them matches no paragraph there (the release has paragraphs with 442 "the").
Ingest now marks such vectors with the `_lost_places` lexeme (`words.tsvector_literal`) and the
search checks their phrases in the text; this marks the vectors already written."""

from django.db import migrations

MARK = """
UPDATE cables_paragraph SET search_vector = search_vector || '_lost_places'::tsvector
WHERE pg_column_size(search_vector) >= 512
  AND NOT search_vector @@ '_lost_places'::tsquery
  AND EXISTS (
    SELECT 1 FROM unnest(search_vector) AS term
    WHERE cardinality(term.positions) >= 256
       OR term.positions[cardinality(term.positions)] >= 16383
  )
"""


def mark_lost_places(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(MARK)


class Migration(migrations.Migration):
    dependencies = [("cables", "0021_drop_sqlite_sample_indexes")]

    operations = [
        migrations.RunPython(mark_lost_places, migrations.RunPython.noop, elidable=True),
    ]
