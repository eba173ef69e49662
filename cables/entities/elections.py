"""Elections found from a cable's context: country, kind and date named in the text."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from .index import ElectionInfo, EntityIndex

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
KIND_WORDS = {
    "presidential": "presidential",
    "parliamentary": "parliamentary",
    "legislative": "parliamentary",
    "mazhilis": "parliamentary",
    "majilis": "parliamentary",
    "majlis": "parliamentary",
    "senate": "parliamentary",
    "maslikhat": "local",
    "local": "local",
    "municipal": "local",
}
ELECTION_PHRASE = re.compile(
    r"(?<![\w-])(?:(?P<month>"
    + "|".join(MONTHS)
    + r")\s+(?:(?P<day>\d{1,2})(?:-\d{1,2})?\s*,?\s*)?)?"
    r"(?:(?P<year>(?:19|20)\d\d)\s+)?"
    r"(?:(?P<kind>(?i:" + "|".join(KIND_WORDS) + r"))\s+)?"
    r"(?P<noun>(?i:elections?|re-election))\b"
)
# "the last election", "in prior elections": not the one the cable is about.
OTHER_ELECTION = re.compile(r"(?i:\b(?:last|prior|previous|past|earlier|future|next|any)\s+)$")
UPCOMING_DAYS = 270
RECENT_DAYS = 60


@dataclass(frozen=True)
class ElectionHit:
    start: int
    end: int
    text: str
    election: ElectionInfo
    explicit_date: bool


def _cable_day(created: datetime | None) -> date | None:
    return created.date() if created else None


def find_elections(
    text: str,
    *,
    index: EntityIndex,
    countries: set[str],
    created: datetime | None,
    cable_year: int | None = None,
) -> list[ElectionHit]:
    """Each known election a paragraph speaks of by kind and date words, first place only."""
    if "lection" not in text and "LECTION" not in text:
        return []  # the phrase scan is the slow part; most paragraphs have no election
    candidates = [
        info
        for info in index.elections.values()
        if info.date and (not info.country or info.country.lower() in countries)
    ]
    if not candidates:
        return []
    day = _cable_day(created)
    hits: dict[int, ElectionHit] = {}
    for match in ELECTION_PHRASE.finditer(text):
        month = MONTHS.get(match.group("month") or "")
        year = int(match.group("year")) if match.group("year") else None
        kind = KIND_WORDS.get((match.group("kind") or "").lower())
        if not (month or year or kind) and OTHER_ELECTION.search(text[: match.start()][-20:]):
            continue
        chosen = _resolve(candidates, kind=kind, month=month, year=year, day=day)
        if chosen is None and day is None and cable_year and not year:
            # Undated cable: its reference ID still gives the year, enough when one national
            # election of that kind took place in it.
            chosen = _resolve(candidates, kind=kind, month=month, year=cable_year, day=None)
        if chosen is None or chosen.ref.pk in hits:
            continue
        hits[chosen.ref.pk] = ElectionHit(
            match.start(), match.end(), match.group(), chosen, explicit_date=bool(month or year)
        )
    return sorted(hits.values(), key=lambda hit: hit.start)


def _resolve(
    candidates: list[ElectionInfo],
    *,
    kind: str | None,
    month: int | None,
    year: int | None,
    day: date | None,
) -> ElectionInfo | None:
    pool = [c for c in candidates if not kind or c.kind == kind]
    if year:
        pool = [c for c in pool if c.date.year == year]
    if month:
        pool = [c for c in pool if c.date.month == month]
    if day is None:
        pool = [c for c in pool if kind == "local" or c.kind != "local"]
        return pool[0] if len(pool) == 1 and (year or month) else None
    if not year:
        # Without a year the cable means an election close to its own date, preferably ahead.
        def distance(info: ElectionInfo) -> int:
            return (info.date - day).days

        pool = [c for c in pool if -RECENT_DAYS <= distance(c) <= UPCOMING_DAYS]
        if not (kind or month):
            # A bare "the election" is only resolved when one election is in sight.
            # Local councils are elected alongside parliament; a bare word means the national one.
            pool = [c for c in pool if c.kind != "local"] or pool
            if len(pool) != 1:
                return None
        pool.sort(key=lambda c: (distance(c) < 0, abs(distance(c))))
    return pool[0] if pool else None
