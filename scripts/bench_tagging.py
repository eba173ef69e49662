#!/usr/bin/env python3
"""Benchmark entity tagging over the 4,533-cable sample, in paragraphs per second.

    .venv/bin/python scripts/bench_tagging.py              # SQLite file var/bench-tagging.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_tagging.py
    .venv/bin/python scripts/bench_tagging.py --runs 5

The first run migrates the database, ingests sample_corpus/cablegate-sample.csv.gz (plus the
mirror pages) once and loads the starter entity list; later runs reuse it. Each timed run
re-tags the whole archive with `tag_archive` (what `manage.py tag_entities` does); the median
is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs (default: %(default)s)")
    parser.add_argument(
        "--sqlite",
        default=str(ROOT / "var" / "bench-tagging.sqlite3"),
        help="SQLite file when DATABASE_URL is not set (default: %(default)s)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        print("bench_tagging: --runs must be at least 1", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")
    if not os.environ.get("DATABASE_URL"):
        Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
        os.environ["SQLITE_PATH"] = args.sqlite
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cables.entities import tag_archive
    from cables.entities.loading import load_starter_list
    from cables.ingest.incremental import ingest_paths
    from cables.models import Cable, Paragraph

    call_command("migrate", verbosity=0, skip_checks=True)
    load_starter_list()
    if Cable.objects.count() < 4500:
        began = time.perf_counter()
        summary = ingest_paths(
            [
                ROOT / "sample_corpus" / "cablegate-sample.csv.gz",
                ROOT / "sample_corpus" / "mirror-pages",
            ]
        )
        print(f"ingested the sample in {time.perf_counter() - began:.1f} s: {summary.line()}")
    cables = Cable.objects.count()
    paragraphs = Paragraph.objects.count()
    print(f"{connection.vendor}: {cables} cables, {paragraphs} paragraphs")
    rates = []
    for run in range(1, args.runs + 1):
        stats = tag_archive()
        rate = stats.paragraphs / stats.seconds if stats.seconds else 0.0
        rates.append(rate)
        print(f"run {run}: {stats.seconds:.2f} s, {rate:.0f} paragraphs/s; {stats.line()}")
    print(f"median: {statistics.median(rates):.0f} paragraphs/second over {args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
