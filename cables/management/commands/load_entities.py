"""Load the starter list of people, parties and elections, then tag the archive with it.

    python manage.py load_entities                 # cables/data/entities.json, then tag
    python manage.py load_entities --file my.json  # another list in the same format
    python manage.py load_entities --no-tag        # load only
    python manage.py load_entities --retag         # re-tag even if the list changed nothing

Idempotent: loading again updates names, roles and notes, adds new aliases, and never removes
an alias or entity that a curator added. Tagging keeps curated decisions. When the list changed
nothing and the archive already has mentions, the archive is not re-tagged (ingest tags every
cable it writes; `tag_entities` re-tags on demand): a server start stays quick.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from cables.entities import tag_archive
from cables.entities.index import STARTER_LIST
from cables.entities.loading import StarterListError, load_starter_list
from cables.models import Mention


class Command(BaseCommand):
    help = "Load the starter list of people, parties and elections and tag the archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(STARTER_LIST),
            help="JSON list of people, parties and elections (default: %(default)s).",
        )
        parser.add_argument(
            "--no-tag", action="store_true", help="Load the list only; do not re-tag the archive."
        )
        parser.add_argument(
            "--retag",
            action="store_true",
            help="Re-tag the whole archive even when the list changed nothing.",
        )

    def handle(self, *args, file, no_tag, retag, **options):
        try:
            counts = load_starter_list(
                file, on_problem=lambda message: print(message, file=sys.stderr)
            )
        except StarterListError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Entities: {counts.line()}")
        if no_tag:
            return
        changed = counts.created or counts.updated or counts.aliases
        if not (changed or retag or not Mention.objects.exists()):
            self.stdout.write(
                "The list changed nothing and the archive is tagged: not re-tagging "
                "(--retag to re-tag anyway)."
            )
            return
        stats = tag_archive()
        self.stdout.write(f"Tagged: {stats.line()}")
