"""PostgreSQL's search vectors hold the archive's own terms (FTS5's, cables/search/words.py),
written by ingest, instead of `to_tsvector('english', text)`: the same terms as SQLite's, so a
URL means the same on both backends. Rebuild the rank index afterwards
(`manage.py rank_index --rebuild`)."""

import django.contrib.postgres.search
from django.db import migrations

import cables.models.archive

BATCH = 5_000


def write_terms(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from cables.search.words import Fts5Words, tsvector_literal

    words = Fts5Words()
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, text FROM cables_paragraph WHERE id > %s ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            texts = words.index_texts([text for _, text in rows])
            cursor.execute(
                "UPDATE cables_paragraph p SET search_vector = v.terms::tsvector "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, terms) WHERE p.id = v.id",
                [[pid for pid, _ in rows], [tsvector_literal(text) for text in texts]],
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("cables", "0019_rate_counts")]

    operations = [
        migrations.RemoveIndex(model_name="paragraph", name="paragraph_search_gin"),
        migrations.RemoveField(model_name="paragraph", name="search_vector"),
        migrations.AddField(
            model_name="paragraph",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(write_terms, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="paragraph",
            index=cables.models.archive.PostgresGinIndex(
                fields=["search_vector"], name="paragraph_search_gin"
            ),
        ),
    ]
