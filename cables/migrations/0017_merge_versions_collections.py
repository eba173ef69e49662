# Versions (0015) and collections (0016) were built side by side on 0013.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0015_source_kept_text"),
        ("cables", "0016_collections"),
    ]

    operations = []
