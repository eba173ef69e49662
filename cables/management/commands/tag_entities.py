"""Re-tag every paragraph of the archive with the people, parties and elections it mentions.

    python manage.py tag_entities                    # whole archive
    python manage.py tag_entities --cable 07ASTANA2223 --cable 05ALMATY4029
    python manage.py tag_entities --batch-size 200

Automatic mentions are replaced; curators' confirmed and rejected decisions are re-applied,
so running it twice changes nothing. Shows a progress bar on a terminal, stays quiet
otherwise, and ends with the counts and the speed in paragraphs per second.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cables.entities import tag_archive, tag_cables
from cables.models import Cable


class Command(BaseCommand):
    help = "Re-tag the archive's paragraphs with people, parties and elections."

    def add_arguments(self, parser):
        parser.add_argument(
            "--cable",
            action="append",
            default=[],
            metavar="REFERENCE_ID",
            help="Tag only this cable (repeatable). Default: every cable.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Cables tagged per transaction (default: %(default)s).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar even on a terminal."
        )

    def handle(self, *args, cable, batch_size, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if cable:
            ids = dict(
                Cable.objects.filter(reference_id__in=cable).values_list("reference_id", "pk")
            )
            for missing in sorted(set(cable) - ids.keys()):
                print(f"tag_entities: no cable {missing} in the archive", file=sys.stderr)
            stats = tag_cables(list(ids.values()))
        else:
            bar = None
            if not no_progress and sys.stderr.isatty():
                bar = tqdm(total=Cable.objects.count(), unit=" cables", file=sys.stderr)
            try:
                stats = tag_archive(batch_size=batch_size, progress=bar.update if bar else None)
            finally:
                if bar:
                    bar.close()
        self.stdout.write(stats.line())
