"""Parse the bundled sample corpus and print how many cables have each field.

Usage: .venv/bin/python scripts/parse_report.py [PATH ...]
(default: sample_corpus/cablegate-sample.csv.gz and every HTML page in sample_corpus).
Counts: total, exceptions (must be 0), failures, with subject / tags / >=1 paragraph /
references / signer / summary, partial extracts, and warnings by code; of the references read,
how many are IDs of the release (`sample_corpus/cable2month.csv.gz`); TAGS of several words.
"""

from __future__ import annotations

import sys
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cables.parsing import ParseFailure, iter_path  # noqa: E402
from cables.parsing.release_index import read_release_index  # noqa: E402

RELEASE_INDEX = ROOT / "sample_corpus" / "cable2month.csv.gz"
DEFAULT_INPUTS = [
    ROOT / "sample_corpus" / "cablegate-sample.csv.gz",
    ROOT / "sample_corpus" / "cablegate-html",
    ROOT / "sample_corpus" / "cablegate-html-2011",
]


def report(paths: list[Path]) -> Counter:
    counts: Counter = Counter()
    warnings: Counter = Counter()
    release = read_release_index(RELEASE_INDEX)
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
            counts["references read"] += len(record.references)
            counts["references in the release"] += sum(r in release for r in record.references)
            counts["TAGS read"] += len(record.tags)
            counts["TAGS of several words"] += sum(" " in tag for tag in record.tags)
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
    read = counts["references read"] or 1
    print(f"{'references read':24} {counts['references read']:6}")
    print(
        f"{'  in the release':24} {counts['references in the release']:6}  "
        f"({100 * counts['references in the release'] / read:5.1f}%)"
    )
    print(f"{'TAGS read':24} {counts['TAGS read']:6}")
    print(f"{'  of several words':24} {counts['TAGS of several words']:6}")
    print("warnings by code:")
    for code, number in warnings.most_common():
        print(f"  {code:30} {number:6}")
    return 1 if counts["exceptions"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
