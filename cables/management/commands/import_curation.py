"""Load a curation file written by `export_curation` into this archive, and re-tag.

    python manage.py import_curation var/backups/curation-20261204T020000000000Z.json

Restores people, parties, elections, aliases, merges and deletions, curators' decisions on
mentions and the review queue's accepted and dismissed names, with their history. Run it after
rebuilding an archive (`migrate`, `load_entities`, `ingest --bulk ...`): the decisions find
their mentions again by their stable keys and the archive shows the same confirmed and rejected
mentions. Idempotent; one transaction: a bad file is named with its bad entry and the reason,
and nothing is written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cables.entities.backup import CurationFileError
from cables.entities.restore import restore


class Command(BaseCommand):
    help = "Restore the curators' work from a file written by export_curation."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", type=Path, help="The curation file to load.")

    def handle(self, *args, path, **options):
        try:
            counts = restore(path)
        except CurationFileError as error:
            raise CommandError(f"{error}. Nothing was changed.") from error
        self.stdout.write(f"Restored {path}: {counts.line()}")
