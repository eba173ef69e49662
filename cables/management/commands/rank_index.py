"""Check or build the rank index, the tantivy index that gives relevance order.

    python manage.py rank_index            # compare it with the paragraph table, publish what differs
    python manage.py rank_index --check    # compare only; exit 1 when they differ
    python manage.py rank_index --rebuild  # publish a generation of every paragraph, from scratch
    python manage.py rank_index --copy-from DIR  # install the generation another server published

Writers publish the rank index by themselves (ingest, deletes, curation and the bulk load, after
their commit); a server never builds it. This command is for a new application server (or copy
a published generation from another one, docs/scaling.md), a restored database backup, or a
check after a crash between a commit and its publication. The comparison reads the whole
paragraph table.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cables.lib.index_generation import index_dir, read_stamp
from cables.search.index_store import build, copy_from, differing_cables, publish


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Index every paragraph anew instead of checking."
        )
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit 1 when the index differs."
        )
        parser.add_argument(
            "--copy-from",
            type=Path,
            metavar="DIR",
            help="Install the published generation of this index directory (another server's).",
        )
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )

    def handle(self, *args, **options):
        using = options["database"]
        if options["copy_from"]:
            try:
                stamp = copy_from(options["copy_from"], using)
            except FileNotFoundError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(self._published(using, stamp))
            return
        if options["rebuild"]:
            stamp = build(using, self.stdout)
            self.stdout.write(self._published(using, stamp))
            return
        differing = differing_cables(using)
        if differing is None:
            self.stdout.write(f"There is no rank index in {index_dir(using)}.")
            if options["check"]:
                sys.exit(1)
            self.stdout.write(self._published(using, build(using, self.stdout)))
            return
        if not differing:
            stamp = read_stamp(using)
            self.stdout.write(
                f"The rank index ({stamp.name}, archive version {stamp.version}) holds the "
                "paragraphs of the table."
            )
            return
        self.stdout.write(
            f"The rank index differs from the paragraph table in {len(differing):,} cables."
        )
        if options["check"]:
            sys.exit(1)
        self.stdout.write(self._published(using, publish(using, differing)))

    @staticmethod
    def _published(using, stamp) -> str:
        return f"Published {stamp.name} (archive version {stamp.version}) in {index_dir(using)}."
