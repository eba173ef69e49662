"""Write the curators' work (entities, aliases, merges, decisions, history) to one JSON file.

    python manage.py export_curation var/curation.json
    python manage.py export_curation --dir var/backups --keep 14   # nightly, from cron

The file is written beside its final name and renamed into place, so a reader (or a crash)
never sees half a file. With --dir the name is `curation-<UTC time>.json`, and only the newest
--keep files of that pattern are kept. `import_curation` reads it back; the format is
described in docs/reliability.md.
"""

from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cables.entities.backup import write_curation_file

PATTERN = "curation-*.json"


class Command(BaseCommand):
    help = "Write the curators' work to one JSON file (or a dated file in --dir, pruned to --keep)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", metavar="PATH", help="The file to write (replaced if it exists)."
        )
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Write curation-<UTC time>.json into this directory instead (created if needed).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="With --dir: keep only the newest KEEP backups there (default: keep all).",
        )

    def handle(self, *args, path, dir, keep, **options):
        if bool(path) == bool(dir):
            raise CommandError("Give either PATH or --dir.")
        if keep is not None and (dir is None or keep < 1):
            raise CommandError("--keep needs --dir and a number of at least 1.")
        if dir is not None:
            dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            target = dir / f"curation-{stamp}.json"
        else:
            target = Path(path)
        try:
            counts = write_curation_file(target)
        except OSError as error:
            raise CommandError(f"{target}: cannot write: {error.strerror or error}") from error
        self.stdout.write(
            f"Wrote {target}: "
            + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
        )
        if keep is not None:
            for old in sorted(dir.glob(PATTERN), reverse=True)[keep:]:
                old.unlink()
                self.stdout.write(f"Removed {old} (keeping the newest {keep})")
