"""Parse the bundled sample corpus and print how many cables have each field.

Usage: .venv/bin/python scripts/parse_report.py [PATH ...]
(default: sample_corpus/cablegate-sample.csv.gz and every HTML page in sample_corpus).
Counts: total, exceptions (must be 0), failures, with subject / tags / >=1 paragraph /
references / signer / summary, partial extracts, and warnings by code.
"""

from __future__ import annotations

import sys
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cables.parsing import ParseFailure, iter_path  # noqa: E402

DEFAULT_INPUTS = [
    ROOT / "sample_corpus" / "cablegate-sample.csv.gz",
    ROOT / "sample_corpus" / "cablegate-html",
    ROOT / "sample_corpus" / "cablegate-html-2011",
]


def report(paths: list[Path]) -> Counter:
    counts: Counter = Counter()
    warnings: Counter = Counter()
    for path in paths:
        records = iter_path(path)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception:  # noqa: BLE001 - counted: the parser must never raise
                counts["exceptions"] += 1
                traceback.print_exc()
                break
            if isinstance(record, ParseFailure):
                counts["failures"] += 1
                print(f"failure: {record.describe()}", file=sys.stderr)
                continue
            counts["total"] += 1
            counts["with subject"] += bool(record.subject)
            counts["with tags"] += bool(record.tags)
            counts["with >=1 paragraph"] += bool(record.paragraphs)
            counts["with references"] += bool(record.references)
            counts["with a signer"] += bool(record.signers)
            counts["with summary"] += bool(record.summary)
            counts["with classified by"] += bool(record.classified_by)
            counts["partial"] += record.partial
            for warning in record.warnings:
                warnings[warning.code] += 1
    counts["exceptions"] += 0
    counts["failures"] += 0
    return counts, warnings


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or DEFAULT_INPUTS
    counts, warnings = report(paths)
    total = counts["total"] or 1
    for key in ("total", "exceptions", "failures"):
        print(f"{key:24} {counts[key]:6}")
    for key in (
        "with subject",
        "with tags",
        "with >=1 paragraph",
        "with references",
        "with a signer",
        "with summary",
        "with classified by",
        "partial",
    ):
        print(f"{key:24} {counts[key]:6}  ({100 * counts[key] / total:5.1f}%)")
    print("warnings by code:")
    for code, number in warnings.most_common():
        print(f"  {code:30} {number:6}")
    return 1 if counts["exceptions"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
