"""Check or rebuild the rank index, the tantivy index that gives relevance order.

    python manage.py rank_index            # compare it with the paragraph table, repair what differs
    python manage.py rank_index --rebuild  # index every paragraph anew

Ingest keeps the rank index in step by itself (and every process repairs it when the paragraph
table changed behind its back); this command is for a new application server, a restored
database backup, or a check after a crash.
"""

from django.core.management.base import BaseCommand

from cables.search.rank_index import rank_index


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Index every paragraph anew instead of repairing.",
        )
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )

    def handle(self, *args, **options):
        index = rank_index(options["database"], check=False)
        if options["rebuild"]:
            index.rebuild(self.stdout)
            return
        stored, table = index.stored_fingerprint(), index.database_fingerprint()
        if stored == table:
            self.stdout.write(
                f"The rank index holds the {table.paragraphs:,} paragraphs of the table."
            )
            return
        repaired = index.repair()
        self.stdout.write(
            f"The rank index differed from the paragraph table; re-indexed {repaired:,} cables."
        )
