"""The release's own index of reference IDs (`cable2month.csv.gz`), for the coverage page.

Every reference ID of the 2010-2011 release (251,287) with the number of the month it was
written in; the year is the ID's two-digit prefix (`07ASTANA2223,8` is August 2007). Plain
Python, no Django.

Each ID is filed under a post: a station of the release (`cables/data/stations.csv`). The few
IDs the release garbled (`EFTOLONDON`, `06SECTION01OF02HARARE628`, `90STATE255195TOSEC140301`)
go to the station their letters end with; misspellings and one-off names (`HONGKOG`, `BONN`)
to `OTHER`, so that every ID of the release is counted somewhere.

Held compactly (about 2 MB, where a dict of the 251,287 IDs takes 21 MB in each worker): per
two-digit year and letters, a sorted array of serial numbers and the months beside them. The
release writes no serial with a leading zero, so an ID is rebuilt exactly from its parts; the
53 IDs of another shape are kept as they are.
"""

from __future__ import annotations

import array
import bisect
import calendar
import gzip
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .fields.header import expand_year
from .stations import load_stations

__all__ = ["OTHER", "Entry", "ReleaseIndex", "load_stations", "read_release_index"]
OTHER = "OTHER"  # no station of the release has this name
MONTH_NAMES = calendar.month_name[1:]  # English: no locale is ever set

_REGULAR = re.compile(r"^(\d{2})([A-Z]+)([1-9]\d*)$")
_YEAR = re.compile(r"^(\d{2})")
_LETTERS = re.compile(r"[A-Z]+")
# Shorter letter runs than this are never taken for a station a garbled ID ends with.
_MIN_SUFFIX = 4


@dataclass(frozen=True)
class Entry:
    reference_id: str
    post: str
    year: int
    month: int

    @property
    def month_name(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


@dataclass
class ReleaseIndex:
    stations: frozenset[str]
    available: bool = True  # False: the index file could not be read (an empty index)
    # (two-digit year, letters) -> (sorted serials, their months)
    _regular: dict[tuple[str, str], tuple[array.array, bytes]] = field(default_factory=dict)
    _irregular: dict[str, int] = field(default_factory=dict)
    _posts: dict[str, str] = field(default_factory=dict)  # letters -> post
    counts: Counter = field(default_factory=Counter)  # (post, year) -> cables

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def post_of_letters(self, letters: str) -> str:
        """The station a run of letters names, or ends with (`EFTOLONDON`), else OTHER."""
        post = self._posts.get(letters)
        if post is None:
            post = _station_in(letters, self.stations) or OTHER
            self._posts[letters] = post
        return post

    def post_of(self, reference_id: str) -> str:
        """The post of any reference ID, in the release or not."""
        match = _REGULAR.match(reference_id)
        if match:
            return self.post_of_letters(match.group(2))
        return _irregular_post(reference_id, self.stations)

    def locate(self, reference_id: str) -> tuple[str, int, int] | None:
        """(post, year, month) of a reference ID of the release, or None when the release has
        no such ID."""
        match = _REGULAR.match(reference_id)
        if match:
            yy, letters, serial = match.groups()
            found = self._regular.get((yy, letters))
            if found is None:
                return None
            serials, months = found
            position = bisect.bisect_left(serials, int(serial))
            if position == len(serials) or serials[position] != int(serial):
                return None
            return self.post_of_letters(letters), expand_year(yy), months[position]
        month = self._irregular.get(reference_id)
        if month is None:
            return None
        return _irregular_post(reference_id, self.stations), _year_of(reference_id), month

    def entry(self, reference_id: str) -> Entry | None:
        """The release's entry for a reference ID, or None when the release has no such ID."""
        located = self.locate(reference_id)
        return Entry(reference_id, *located) if located else None

    def __contains__(self, reference_id: str) -> bool:
        return self.locate(reference_id) is not None

    def entries(self, post: str, year: int) -> list[Entry]:
        """The release's cables of one post and year, in serial-number order."""
        found = []
        for (yy, letters), (serials, months) in self._regular.items():
            if expand_year(yy) == year and self.post_of_letters(letters) == post:
                found.extend(
                    Entry(f"{yy}{letters}{serial}", post, year, month)
                    for serial, month in zip(serials, months, strict=True)
                )
        found.sort(key=lambda entry: (_serial_key(entry.reference_id), entry.reference_id))
        for reference_id in self._irregular:
            entry = self.entry(reference_id)
            if entry.post == post and entry.year == year:
                found.append(entry)
        return found


def _station_in(letters: str, stations: frozenset[str]) -> str | None:
    if letters in stations:
        return letters
    suffixes = [s for s in stations if len(s) >= _MIN_SUFFIX and letters.endswith(s)]
    return max(suffixes, key=len) if suffixes else None


def _irregular_post(reference_id: str, stations: frozenset[str]) -> str:
    # The last run of letters that names a station: `06SECTION01OF02HARARE628` is HARARE,
    # `90STATE255195TOSEC140301` is STATE.
    for letters in reversed(_LETTERS.findall(reference_id)):
        station = _station_in(letters, stations)
        if station:
            return station
    return OTHER


def _year_of(reference_id: str) -> int:
    match = _YEAR.match(reference_id)
    return expand_year(match.group(1)) if match else 0


def _serial_key(reference_id: str) -> int:
    digits = re.search(r"(\d+)$", reference_id)
    return int(digits.group(1)) if digits else 0


def read_release_index(path: Path, stations: frozenset[str] | None = None) -> ReleaseIndex:
    """Read `cable2month.csv.gz` (lines `reference ID,month`). Raises OSError if unreadable."""
    index = ReleaseIndex(stations if stations is not None else load_stations())
    regular: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            reference_id, _, month = line.strip().partition(",")
            if not (month.isdigit() and 1 <= int(month) <= 12):
                continue
            match = _REGULAR.match(reference_id)
            if match:
                yy, letters, serial = match.groups()
                regular[(yy, letters)].append((int(serial), int(month)))
            elif reference_id:
                index._irregular[reference_id] = int(month)
    for (yy, letters), rows in regular.items():
        rows.sort()
        index._regular[(yy, letters)] = (
            array.array("L", (serial for serial, _ in rows)),
            bytes(month for _, month in rows),
        )
        index.counts[(index.post_of_letters(letters), expand_year(yy))] += len(rows)
    for reference_id in index._irregular:
        post, year, _ = index.locate(reference_id)
        index.counts[(post, year)] += 1
    return index
