"""Write a synthetic cables.csv of N cables, built from the real sample, for benchmarks.

Deterministic for a seed; streams (memory stays flat whatever N); `.gz` output is compressed.
See cables/corpus_generator.py for what is real in it.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cables.tooling.corpus_generator import (
    FULL_SIZE,
    CorpusGenerator,
    SourceMaterial,
    load_reference_ids,
    write_corpus,
)


def default_material() -> SourceMaterial:
    corpus = Path(settings.SAMPLE_CORPUS_DIR)
    return SourceMaterial.load(
        corpus / "cablegate-sample.csv.gz", sorted((corpus / "mirror-pages").glob("*.txt"))
    )


def default_reference_ids():
    return load_reference_ids(Path(settings.SAMPLE_CORPUS_DIR) / "cable2month.csv.gz")


class Command(BaseCommand):
    help = __doc__
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--cables", type=int, default=FULL_SIZE, help="How many cables.")
        parser.add_argument("--out", required=True, help="Output path, .csv or .csv.gz.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, **options):
        count = options["cables"]
        if count < 1:
            raise CommandError("--cables must be at least 1.")
        out = Path(options["out"])
        started = time.perf_counter()
        generator = CorpusGenerator(default_material(), default_reference_ids(), options["seed"])
        self.stderr.write(f"source material loaded in {time.perf_counter() - started:.1f} s")

        def progress(done: int) -> None:
            elapsed = time.perf_counter() - started
            self.stderr.write(f"  {done:,} cables, {elapsed:.0f} s")

        written = write_corpus(generator, count, out, progress=progress)
        elapsed = time.perf_counter() - started
        size = out.stat().st_size
        self.stdout.write(
            f"{written:,} cables written to {out} ({size / 1e6:.1f} MB) in {elapsed:.1f} s "
            f"({written / elapsed:,.0f} cables/s)"
        )
