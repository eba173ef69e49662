"""Cables per month of the one year a search selects: the search page draws them under the
year histogram. Counted only when exactly one year is selected, over the search's cables, off
the cable table (`CableTable.months`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MonthCounts:
    year: int
    counts: list[int]  # January to December
    # Cables of the year without a date: their year comes from the reference ID (07ASTANA…).
    undated: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts) + self.undated


def selected_year(data: dict) -> int | None:
    """The year when the facet selection holds exactly one."""
    years = data.get("year") or []
    if len(years) != 1:
        return None
    try:
        year = int(years[0])
    except (TypeError, ValueError):
        return None
    return year if 1 <= year <= 9999 else None  # "0000" passes the form: no months of it
