"""Write `cables/data/stations.csv`: the station spellings of the release's reference IDs.

Usage: .venv/bin/python scripts/build_station_list.py [CABLE2MONTH_CSV_GZ]
(default: sample_corpus/cable2month.csv.gz, every reference ID of the full release).
A station is the letters between the year and the serial (`UNVIEVIENNA` of `09UNVIEVIENNA192`).
Kept: stations of at least two cables, minus the release's garbled IDs (`SECTION01OF02...`,
`EFTO...`) and known misspellings; the parser reads REF lines against this list.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT / "sample_corpus" / "cable2month.csv.gz"
OUTPUT = ROOT / "cables" / "data" / "stations.csv"
GARBLED = re.compile(r"SECT|SECI|SCTI|ECTI|OF\d|EFTO|TOSEC|SUSPECTED|ZFR|NOFORN|SIFIED|^AMEMBASSY")
# Misspellings seen twice or more, and `WASHDC` (the Department's cables are `STATE`).
NOT_STATIONS = {"AITTAIPIE", "NDJAENA", "UNESCOPARIS", "WASHDC"}


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_INPUT
    counts: Counter = Counter()
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = re.fullmatch(r"\d{2}([A-Z]+)\d+", line.split(",", 1)[0])
            if match:
                counts[match.group(1)] += 1
    kept = sorted(
        (
            (number, station)
            for station, number in counts.items()
            if number >= 2 and not GARBLED.search(station) and station not in NOT_STATIONS
        ),
        key=lambda item: (-item[0], item[1]),
    )
    with open(OUTPUT, "w", encoding="utf-8") as out:
        out.write("station,cables\n")
        out.writelines(f"{station},{number}\n" for number, station in kept)
    print(f"{len(kept)} stations written to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
