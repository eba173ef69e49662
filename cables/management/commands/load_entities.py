"""Load the starter list of people, parties and elections, then tag the archive with it.

    python manage.py load_entities                 # cables/data/entities.json, then tag
    python manage.py load_entities --file my.json  # another list in the same format
    python manage.py load_entities --no-tag        # load only

Idempotent: loading again updates names, roles and notes, adds new aliases, and never removes
an alias or entity that a curator added. Tagging keeps curated decisions.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from cables.entities import tag_archive
from cables.entities.index import STARTER_LIST
from cables.entities.loading import StarterListError, load_starter_list


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

    def handle(self, *args, file, no_tag, **options):
        try:
            counts = load_starter_list(
                file, on_problem=lambda message: print(message, file=sys.stderr)
            )
        except StarterListError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Entities: {counts.line()}")
        if not no_tag:
            stats = tag_archive()
            self.stdout.write(f"Tagged: {stats.line()}")
