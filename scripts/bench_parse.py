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
    rates = []
    for run in range(1, options.runs + 1):
        cables, failures, seconds = one_run(Path(options.path))
        rate = cables / seconds if seconds else 0.0
        rates.append(rate)
        print(
            f"run {run}: {cables} cables, {failures} failures in {seconds:.2f} s = {rate:.0f} cables/s"
        )
    print(f"median: {statistics.median(rates):.0f} cables/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
