"""Load TAGS definitions (cables/data/tag_definitions.csv) into the Tag table.

A definition already edited in the admin is kept unless --overwrite is given.
"""

import csv

from django.core.management.base import BaseCommand, CommandError

from cables.lib.archive_version import archive_changed
from cables.models import Tag
from cables.parsing.fields import TAG_DEFINITIONS_FILE as DEFAULT_PATH
from cables.search.index_store import publish_on_commit


class Command(BaseCommand):
    help = "Load TAGS definitions from a CSV file (code,definition,kind)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_PATH),
            help="CSV of code,definition[,kind] (default: the bundled table).",
        )
        parser.add_argument("--overwrite", action="store_true", help="Replace edited definitions.")

    def handle(self, path, overwrite, **options):
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            raise CommandError(f"{path}: cannot read ({error.strerror}).") from None
        kinds = set(Tag.Kind.values)
        created = updated = skipped = 0
        for line, row in enumerate(rows, start=2):
            code = (row.get("code") or "").strip()
            definition = (row.get("definition") or "").strip()
            kind = (row.get("kind") or "").strip() or Tag.Kind.OTHER
            if not code or not definition or kind not in kinds:
                self.stderr.write(
                    f"{path} line {line}: needs a code, a definition and a known kind."
                )
                skipped += 1
                continue
            tag, was_created = Tag.objects.get_or_create(
                code=code, defaults={"definition": definition, "kind": kind}
            )
            if was_created:
                created += 1
            elif overwrite or not tag.definition:
                tag.definition, tag.kind = definition, kind
                tag.save(update_fields=["definition", "kind"])
                updated += 1
        if created or updated:
            archive_changed()
            publish_on_commit()  # the index stamped with the new version
        self.stdout.write(
            f"TAGS definitions: {created} created, {updated} updated, {skipped} skipped."
        )
