"""Parse cables from files, directories or cables.csv and print them as JSON, without a database.

One JSON object per cable (the archive's cable schema). Inputs that cannot be parsed are named
on stderr with their reason (`path [row N]: reason`); the others still come out; the exit status
is 1 if any input failed.
"""

import json

from django.core.management.base import BaseCommand

from cables.parsing import ParseFailure, iter_path


class Command(BaseCommand):
    help = __doc__
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="Files or directories (recursively) to parse: mirror pages, cablegate HTML "
            "pages, plain text cables, cables.csv plain or gzip-compressed.",
        )
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help="Print one compact JSON object per line instead of an indented JSON array.",
        )

    def handle(self, *args, **options):
        failed = 0
        first = True
        jsonl = options["jsonl"]
        if not jsonl:
            self.stdout.write("[", ending="")
        for path in options["paths"]:
            for record in iter_path(path):
                if isinstance(record, ParseFailure):
                    failed += 1
                    self.stderr.write(self._describe(record))
                    continue
                if jsonl:
                    self.stdout.write(json.dumps(record.to_json(), ensure_ascii=False))
                    continue
                text = json.dumps(record.to_json(), ensure_ascii=False, indent=2)
                self.stdout.write(("\n" if first else ",\n") + text, ending="")
                first = False
        if not jsonl:
            self.stdout.write("\n]" if not first else "]")
        if failed:
            self.stderr.write(f"{failed} input(s) could not be parsed")
            raise SystemExit(1)

    @staticmethod
    def _describe(failure: ParseFailure) -> str:
        source = failure.source
        where = f"{source.path} row {source.row}" if source.row is not None else source.path
        return f"{where}: {failure.reason}"
