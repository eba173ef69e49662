"""SQLite only: the sample indexes of migration 0009 go. A search counts every match from the
rank index and the cable table now; nothing reads a sample of the paragraphs."""

from importlib import import_module

from django.db import migrations

samples = import_module("cables.migrations.0009_sqlite_sample_indexes")


class Migration(migrations.Migration):
    dependencies = [("cables", "0020_paragraph_terms_of_the_archive_tokenizer")]

    operations = [migrations.RunPython(samples.drop_samples, samples.create_samples)]
