#!/usr/bin/env python3
"""Incremental ingest into a full archive: the last N cables of a corpus, taken out, put back.

    SQLITE_PATH=var/full.sqlite3 .venv/bin/python scripts/bench_incremental.py \\
        --corpus var/bench/cables-251287-seed1.csv.gz [--cables 1000] [--repeat 2]

Uses the archive the settings point at (SQLITE_PATH or DATABASE_URL), which must already hold
the corpus (a bulk load, e.g. by `manage.py bench`). Writes the corpus's last N records to
var/bench/last<N>.csv, then for each repeat deletes those cables from the archive
(`delete_cables`: search indexes first) and times the normal per-cable ingest of the file
(`ingest_paths`, entity tagging included). Prints the seconds and saves them as JSON in
bench-results/. The archive holds the same cables afterwards, under new ids. The target is 30 s
for 1,000.
"""

import argparse
import csv
import gzip
import io
import json
import os
import sys
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from cables.ingest.incremental import delete_cables, ingest_paths  # noqa: E402
from cables.models import Cable  # noqa: E402
from cables.tooling.corpus_generator import format_row  # noqa: E402

REFERENCE_ID_COLUMN = 2  # cables.csv: row number, date, reference ID, origin, ...


def last_records(corpus: Path, count: int) -> list[list[str]]:
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        reader = csv.reader(text, escapechar="\\", doublequote=False, strict=False)
        return list(deque((row for row in reader if len(row) > REFERENCE_ID_COLUMN), maxlen=count))


def remove(reference_ids: list[str]) -> int:
    return delete_cables(
        Cable.objects.filter(reference_id__in=reference_ids).values_list("id", flat=True)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, help="The corpus the archive was loaded from.")
    parser.add_argument("--cables", type=int, default=1000, help="How many cables (default 1000).")
    parser.add_argument("--repeat", type=int, default=2, help="Timed runs (default 2).")
    args = parser.parse_args()

    rows = last_records(Path(args.corpus), args.cables)
    out = ROOT / "var" / "bench" / f"last{args.cables}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(format_row(row) for row in rows), encoding="utf-8")
    reference_ids = [row[REFERENCE_ID_COLUMN] for row in rows]
    total = Cable.objects.count()
    print(f"{connection.vendor}: {total:,} cables; the last {len(rows):,} written to {out}")

    runs = []
    for run in range(1, args.repeat + 1):
        removed = remove(reference_ids)
        began, cpu = time.perf_counter(), time.process_time()
        summary = ingest_paths([out])
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        runs.append({"removed": removed, "created": summary.created, "seconds": round(seconds, 1)})
        print(
            f"run {run}: removed {removed:,}, ingested {summary.created:,} "
            f"({summary.failed} failed) in {seconds:.1f} s ({cpu:.1f} s of CPU here)"
        )
    if Cable.objects.count() != total:
        print(f"the archive holds {Cable.objects.count():,} cables, not {total:,}", file=sys.stderr)
        return 1

    results = ROOT / "bench-results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
    path = results / f"incremental-{connection.vendor}-{stamp}.json"
    report = {"backend": connection.vendor, "archive": total, "cables": len(rows), "runs": runs}
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
