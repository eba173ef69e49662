"""Print what the archive holds, one `name value` a line: the archive version and the rows of
each kind a backup must bring back (scripts/backup.sh writes it to the backup's MANIFEST,
scripts/restore.sh compares the restored archive with it)."""

from django.core.management.base import BaseCommand

from cables.lib.archive_version import current_version
from cables.models import (
    Alias,
    Cable,
    Collection,
    Election,
    Mention,
    MentionDecision,
    Paragraph,
    Party,
    Person,
    SavedParagraph,
)

COUNTED = {
    "cables": Cable,
    "paragraphs": Paragraph,
    "people": Person,
    "parties": Party,
    "elections": Election,
    "aliases": Alias,
    "mentions": Mention,
    "decisions": MentionDecision,
    "collections": Collection,
    "saved_paragraphs": SavedParagraph,
}


class Command(BaseCommand):
    help = "Print the archive version and the rows of each kind, one `name value` a line."

    def handle(self, *args, **options):
        self.stdout.write(f"archive_version {current_version().number}")
        for name, model in COUNTED.items():
            self.stdout.write(f"{name} {model.objects.count()}")
