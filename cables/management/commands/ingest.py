"""Ingest cables into the archive from any mix of source files.

Accepts mirror pages, original cablegate.wikileaks.org HTML pages, plain text cables and the
official bulk cables.csv (plain or gzip-compressed), as files or directories (recursively).
Running it twice leaves the same archive. Each bad input is named on stderr with its reason
and counted; the run goes on, and the exit status is 1 if anything failed.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from cables.ingest.bulk import LoadRunning, bulk_load, interrupted_load, undo_interrupted_load
from cables.ingest.incremental import DEFAULT_BATCH_SIZE, ingest_paths
from cables.parsing import skipped_files


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="Files or directories to ingest."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Parse and decide everything, then roll back: the archive is not changed.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Cables written per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=(
                "Fast first load of an EMPTY archive (all cores parse, COPY on PostgreSQL, "
                "search index built once at the end). On a non-empty archive it falls back to "
                "the normal ingest."
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Parsing processes for --bulk (default: one per core).",
        )
        parser.add_argument(
            "--progress",
            choices=["auto", "always", "never"],
            default="auto",
            help="Show a progress bar: on a terminal outside CI (auto, the default), always or never.",
        )

    def handle(self, *paths, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        missing = [path for path in options["paths"] if not os.path.exists(path)]
        for path in missing:
            self.stderr.write(f"{path}: no such file or directory")
        progress = {
            "always": True,
            "never": False,
            "auto": sys.stderr.isatty() and not os.environ.get("CI"),
        }[options["progress"]]
        present = [path for path in options["paths"] if path not in missing]
        for file, reason in skipped_files(present):
            self.stderr.write(f"{file}: skipped, {reason}")
        if options["bulk"] and options["dry_run"]:
            raise CommandError("--bulk and --dry-run do not go together.")
        try:
            if options["dry_run"]:
                if interrupted_load():
                    # Its cables are stored but not in the search index: nothing to try against.
                    raise CommandError(
                        "An earlier bulk load was interrupted: an ingest without --dry-run "
                        "removes what it wrote; dry-run after that."
                    )
            elif not options["bulk"]:  # bulk_load looks for one itself
                undo_interrupted_load(self.stdout)
        except LoadRunning as error:
            raise CommandError(f"Not ingesting: {error}.") from error
        if options["bulk"]:
            try:
                summary = bulk_load(
                    present, workers=options["workers"], stdout=self.stdout, stderr=self.stderr
                )
            except LoadRunning as error:
                raise CommandError(f"Not ingesting: {error}.") from error
            summary.failed += len(missing)
            self.stdout.write(summary.line())
            if not summary.fell_back:
                self.stdout.write(summary.phases())
            if summary.failed:
                raise CommandError(
                    f"{summary.failed} input(s) failed; see the messages above.", returncode=1
                )
            return
        summary = ingest_paths(
            present,
            dry_run=options["dry_run"],
            batch_size=options["batch_size"],
            on_failure=lambda message: self.stderr.write(message),
            progress=progress,
        )
        summary.failed += len(missing)
        prefix = "Dry run (nothing stored): " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{summary.line()}")
        if summary.failed:
            raise CommandError(
                f"{summary.failed} input(s) failed; see the messages above.", returncode=1
            )
