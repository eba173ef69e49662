"""Inferring the year of a cable that names none (mirror page 004: `UNCLAS ALMATY 004123`).

Two kinds of evidence: the serial-number order of the same post's cables (every reference ID of the
release with its month, `sample_corpus/cable2month.csv.gz`, plus cables seen in this run) and the
months the text names with a day (`November 15`). A year is returned only when the evidence
points to exactly one.
"""

from __future__ import annotations

import bisect
import gzip
import re
from collections import defaultdict
from pathlib import Path

from .fields import MONTH_NAMES

SERIAL_MONTHS_FILE = Path(__file__).resolve().parents[2] / "sample_corpus" / "cable2month.csv.gz"
_ID = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")
_DAY_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2}\b",
    re.IGNORECASE,
)

# post -> year -> sorted [(serial, month)]
_index: dict[str, dict[int, list[tuple[int, int]]]] | None = None


def _load_index() -> dict[str, dict[int, list[tuple[int, int]]]]:
    global _index
    if _index is None:
        index: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        try:
            with gzip.open(SERIAL_MONTHS_FILE, "rt", encoding="utf-8") as lines:
                for line in lines:
                    reference_id, _, month = line.strip().partition(",")
                    match = _ID.match(reference_id)
                    if match and month.isdigit():
                        year = int(match.group(1))
                        index[match.group(2)][year].append((int(match.group(3)), int(month)))
        except OSError:
            pass
        for years in index.values():
            for serials in years.values():
                serials.sort()
        _index = index
    return _index


def remember(reference_id: str, month: int) -> None:
    """Add a cable seen in this run to the serial index."""
    match = _ID.match(reference_id)
    if match:
        serials = _load_index()[match.group(2)][int(match.group(1))]
        bisect.insort(serials, (int(match.group(3)), month))


def _month_at(serials: list[tuple[int, int]], serial: int) -> int | None:
    """The month a serial number falls in for one post-year, or None if out of its range."""
    if not serials or serial > serials[-1][0] * 1.05 + 20:
        return None
    position = bisect.bisect_left(serials, (serial, 0))
    below = serials[position - 1] if position > 0 else (0, 1)
    above = serials[position] if position < len(serials) else (serial, serials[-1][1])
    if above[0] == below[0]:
        return above[1]
    # Serials grow through the year: interpolate the month between the neighbours.
    share = (serial - below[0]) / (above[0] - below[0])
    return round(below[1] + share * (above[1] - below[1]))


def infer_year(post: str, serial: int, text: str) -> tuple[int, str] | None:
    """(four-digit year, how it was inferred) or None."""
    post_key = re.sub(r"[^A-Z]", "", post.upper())
    years = _load_index().get(post_key, {})
    named_months = {MONTH_NAMES[m.group(1).lower()] for m in _DAY_MONTH.finditer(text)}
    candidates = {year: _month_at(serials, serial) for year, serials in years.items()}
    candidates = {year: month for year, month in candidates.items() if month is not None}
    if named_months:
        fitting = [
            year
            for year, month in candidates.items()
            if any(abs(month - named) <= 1 for named in named_months)
        ]
        if len(fitting) == 1:
            year = fitting[0]
            full = 1900 + year if year >= 60 else 2000 + year
            months = ", ".join(sorted(m.capitalize() for m in _names(named_months)))
            return full, (
                f"the serial-number order of {post_key} cables (serial {serial} falls in "
                f"month {candidates[year]} of {full}) and the months named in the text ({months})"
            )
    if len(candidates) == 1:
        year = next(iter(candidates))
        full = 1900 + year if year >= 60 else 2000 + year
        return full, f"the serial-number order of {post_key} cables"
    return None


def _names(months: set[int]) -> list[str]:
    by_number = {number: name for name, number in MONTH_NAMES.items()}
    return [by_number[m] for m in months]
