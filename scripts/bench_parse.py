"""Parsing speed on one core: the whole sample cables.csv, cables per second.

Usage: .venv/bin/python scripts/bench_parse.py [--runs 3] [PATH]
Prints each run and the median (the figure to report). Plain Python: no database involved.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cables.parsing import ParseFailure, iter_path  # noqa: E402


def one_run(path: Path) -> tuple[int, int, float, float]:
    cables = failures = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for record in iter_path(path):
        if isinstance(record, ParseFailure):
            failures += 1
        else:
            record.to_json()
            cables += 1
    return cables, failures, time.perf_counter() - started, time.process_time() - cpu_started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "path", nargs="?", default=ROOT / "sample_corpus" / "cablegate-sample.csv.gz"
    )
    parser.add_argument("--runs", type=int, default=3, help="number of timed runs (default 3)")
    options = parser.parse_args()
    rates, cpu_rates = [], []
    for run in range(1, options.runs + 1):
        cables, failures, seconds, cpu_seconds = one_run(Path(options.path))
        rates.append(cables / seconds if seconds else 0.0)
        cpu_rates.append(cables / cpu_seconds if cpu_seconds else 0.0)
        print(
            f"run {run}: {cables} cables, {failures} failures in {seconds:.2f} s wall "
            f"({rates[-1]:.0f} cables/s), {cpu_seconds:.2f} s CPU ({cpu_rates[-1]:.0f} cables/s)"
        )
    # On a shared machine the CPU-time rate is what one free core would do.
    print(f"median: {statistics.median(rates):.0f} cables/s wall clock")
    print(f"median: {statistics.median(cpu_rates):.0f} cables/s per CPU second (one core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
