"""Inferring the year of a cable that names none (mirror page 004: `UNCLAS ALMATY 004123`).

Evidence, in the order it is used (each measured on the 4,533-cable sample with the year hidden;
see `tests/test_parsing_years.py`):

1. Dates named in the text, only when the declassification date minus the usual ten years is also
   a year the body names with a month (`November 2005`): right for 505 of the 536 sample cables
   where both exist (94%). Either alone is weak: the latest month-dated year in a body is the
   cable's year in under half of the sample, the declassification year minus ten in 82%.
2. Serial-number order of known cables of the same post: already in the archive (the ingest
   passes them in, `cable.settle_year`) or seen earlier in this run. Serials run up through a year
   and restart, so `ALMATY 4123` between `ALMATY 4100` and `ALMATY 4200` of 2005 is a 2005 cable;
   the months the text names with a day (`on November 15`) must agree with the neighbours'.
   With the other sample cables as the archive: 1,413 answers, 1,045 right (74%): a sparse
   archive often holds only one year's neighbours. Said in the warning, so it can be checked.
3. The release's own index of reference IDs (`sample_corpus/cable2month.csv.gz`): the years in
   which this post's serials reach this number, narrowed by the months named in the text.

A year is returned only when its evidence points to exactly one.
"""

from __future__ import annotations

import bisect
import gzip
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from .fields import MONTH_NAMES, expand_year

SERIAL_MONTHS_FILE = Path(__file__).resolve().parents[2] / "sample_corpus" / "cable2month.csv.gz"
REFERENCE_ID_PARTS = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")

# How the year was found: the start of the `year-inferred` warning message names it.
BY_SERIAL_ORDER = "serial-number order"
BY_TEXT = "dates in the text"
BY_RELEASE_INDEX = "release index"

_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_DAY_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2}\b",
    re.IGNORECASE,
)
# `November 15, 2005`, `November 2005`, `15 November 2005`, `Nov. 2005`.
_MONTH_YEAR = re.compile(
    r"\b" + _MONTH + r"\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?((?:19[6-9]|20[0-2])\d)\b"
    r"|\b\d{1,2}\s+" + _MONTH + r",?\s+((?:19[6-9]|20[0-2])\d)\b",
    re.IGNORECASE,
)
_DECL_YEAR = re.compile(r"\bDECL(?:ASSIFY ON)?\s*:\s*\d{1,2}/\d{1,2}/(\d{2}(?:\d{2})?)\b", re.I)
_USUAL_CLASSIFICATION_YEARS = 10
# A known serial counts as a one-sided neighbour only this close (the serial, not the year, grows).
_NEAR_SERIALS = 300
# Known serials further apart than this say little: a post sends tens to thousands of cables a
# month, and a sparse archive brackets almost any serial.
_BRACKET_SERIALS = 600


def named_months(text: str) -> set[int]:
    """Months the text names with a day (`on November 15`): the cable was written near them."""
    return {MONTH_NAMES[m.group(1).lower()] for m in _DAY_MONTH.finditer(text)}


def year_from_text(text: str) -> tuple[int, str] | None:
    """(year, reason) when the declassification date and a month-dated year in the text agree."""
    decl = _DECL_YEAR.search(text, 0, 8000)
    if not decl:
        return None
    year = expand_year(decl.group(1)) - _USUAL_CLASSIFICATION_YEARS
    named = {int(m.group(2) or m.group(4)) for m in _MONTH_YEAR.finditer(text)}
    if year not in named:
        return None
    return year, (
        f"{BY_TEXT}: declassification on {decl.group(0).split(':', 1)[1].strip()} (usually ten "
        f"years on) and {year} named with a month in the text"
    )


def _month_between(below: tuple[int, int | None], above: tuple[int, int | None], serial: int):
    """The month of `serial`, interpolated between two known (serial, month) neighbours."""
    if below[1] is None or above[1] is None:
        return below[1] if above[1] is None else above[1]
    if above[0] == below[0]:
        return below[1]
    share = (serial - below[0]) / (above[0] - below[0])
    return round(below[1] + share * (above[1] - below[1]))


def year_from_serial_order(
    post: str, serial: int, known: Iterable[tuple[int, int, int | None]], months: set[int]
) -> tuple[int, str] | None:
    """(year, reason) from known (serial, four-digit year, month or None) cables of `post`.

    A year is a candidate when its known serials bracket `serial`, or, with only one side known,
    when the nearest is within a few hundred serials and the text's named months fit its month.
    """
    by_year: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for known_serial, year, month in known:
        if known_serial != serial:
            by_year[year].append((known_serial, month))
    bracketing: dict[int, tuple] = {}
    near: dict[int, tuple] = {}
    for year, entries in by_year.items():
        entries.sort(key=lambda entry: entry[0])
        position = bisect.bisect_left([entry[0] for entry in entries], serial)
        below = entries[position - 1] if position > 0 else None
        above = entries[position] if position < len(entries) else None
        if below and above and above[0] - below[0] <= _BRACKET_SERIALS:
            bracketing[year] = (below, above, _month_between(below, above, serial))
        else:
            side = min(
                (entry for entry in (below, above) if entry),
                key=lambda entry: abs(entry[0] - serial),
                default=None,
            )
            if side and abs(side[0] - serial) <= _NEAR_SERIALS:
                near[year] = (side, side, side[1])

    def fits(month: int | None) -> bool:
        return not months or month is None or any(abs(month - m) <= 1 for m in months)

    candidates = {year: found for year, found in bracketing.items() if fits(found[2])}
    if not candidates and months:
        # One-sided neighbours only count when the text's months confirm them.
        candidates = {year: found for year, found in near.items() if found[2] and fits(found[2])}
    if len(candidates) != 1:
        return None
    year, (below, above, month) = next(iter(candidates.items()))
    around = (
        f"{post} {below[0]} and {above[0]} of {year}"
        if below is not above
        else f"{post} {below[0]} of {year}"
    )
    reason = f"{BY_SERIAL_ORDER} of known {post} cables (serial {serial} next to {around})"
    if months:
        reason += f", the months named in the text ({_month_list(months)}) agreeing"
    return year, reason


# --- the release index -------------------------------------------------------------------------

# post -> two-digit year -> sorted [(serial, month)]
_index: dict[str, dict[int, list[tuple[int, int]]]] | None = None


def _load_index() -> dict[str, dict[int, list[tuple[int, int]]]]:
    global _index
    if _index is None:
        index: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        try:
            with gzip.open(SERIAL_MONTHS_FILE, "rt", encoding="utf-8") as lines:
                for line in lines:
                    reference_id, _, month = line.strip().partition(",")
                    match = REFERENCE_ID_PARTS.match(reference_id)
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


def _month_at(serials: list[tuple[int, int]], serial: int) -> int | None:
    """The month a serial number falls in for one post-year, or None if out of its range."""
    if not serials or serial > serials[-1][0] * 1.05 + 20:
        return None
    position = bisect.bisect_left(serials, (serial, 0))
    below = serials[position - 1] if position > 0 else (0, 1)
    above = serials[position] if position < len(serials) else (serial, serials[-1][1])
    return _month_between(below, above, serial)


def year_from_release_index(post: str, serial: int, months: set[int]) -> tuple[int, str] | None:
    years = _load_index().get(post, {})
    candidates = {year: _month_at(serials, serial) for year, serials in years.items()}
    candidates = {year: month for year, month in candidates.items() if month is not None}
    if months:
        candidates = {
            year: month
            for year, month in candidates.items()
            if any(abs(month - named) <= 1 for named in months)
        }
    if len(candidates) != 1:
        return None
    year, month = next(iter(candidates.items()))
    full = expand_year(year)
    reason = f"{BY_RELEASE_INDEX}: the serial-number order of the release's {post} cables "
    reason += f"(serial {serial} falls in month {month} of {full})"
    if months:
        reason += f" and the months named in the text ({_month_list(months)})"
    return full, reason


# --- all together ------------------------------------------------------------------------------


def infer_year(
    post: str, serial: int, text: str, known: Iterable[tuple[int, int, int | None]] = ()
) -> tuple[int, str] | None:
    """(four-digit year, how it was inferred) or None; `known` as for `year_from_serial_order`."""
    post = re.sub(r"[^A-Z]", "", post.upper())
    months = named_months(text)
    return (
        year_from_text(text)
        or year_from_serial_order(post, serial, known, months)
        or year_from_release_index(post, serial, months)
    )


def _month_list(months: set[int]) -> str:
    by_number = {number: name.capitalize() for name, number in MONTH_NAMES.items()}
    return ", ".join(by_number[m] for m in sorted(months))
