"""Cables per month of the one year a search selects: the search page draws them under the
year histogram.

Counted only when exactly one year is selected, over the cables the search already narrowed
(one GROUP BY on the month of `created`); a search with nothing but the year takes them from
the whole archive's counts, stored per archive version like the facets.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from cables.lib.summaries import summary
from cables.models import Cable

from .year_month import YearMonth, year_and_month


@dataclass
class MonthCounts:
    year: int
    counts: list[int]  # January to December
    # Cables of the year without a date: their year comes from the reference ID (07ASTANA…).
    undated: int = 0
    approximate: bool = False  # scaled up from part of the matches, like the facets

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


def count_by_month(cables: QuerySet, year: int, scale: float = 1.0) -> MonthCounts:
    """One GROUP BY over `cables` (already narrowed to `year`)."""
    # `year` is `created.year` in UTC (ingest): the month is read in UTC too.
    rows = cables.order_by().annotate(ym=YearMonth("created")).values_list("ym")
    counts, undated = [0] * 12, 0
    for ym, n in rows.annotate(n=Count("*")):
        if ym is None:
            undated += n
        else:
            counts[year_and_month(ym)[1] - 1] += n
    if scale != 1:
        counts = [round(n * scale) if n else 0 for n in counts]
        undated = round(undated * scale)
    return MonthCounts(year, counts, undated, approximate=scale != 1)


def whole_archive_months() -> dict[str, list[int]]:
    """Every year's cables per month (twelve counts, then the undated ones), stored per
    archive version: what `?year=1995` alone shows without counting anything."""

    def compute():
        # The dated cables off the date's index alone (a dated cable's year is its date's),
        # the undated ones by the year of their reference ID.
        dated = (
            Cable.objects.order_by()
            .filter(created__isnull=False)
            .annotate(ym=YearMonth("created"))
            .values_list("ym")
            .annotate(n=Count("*"))
        )
        undated = (
            Cable.objects.order_by()
            .filter(created__isnull=True, year__isnull=False)
            .values_list("year")
            .annotate(n=Count("*"))
        )
        years: dict[str, list[int]] = {}
        for ym, n in dated:
            year, month = year_and_month(ym)
            years.setdefault(str(year), [0] * 13)[month - 1] += n
        for year, n in undated:
            years.setdefault(str(year), [0] * 13)[12] += n
        return years

    return summary("months", compute)


def months_of_selected_year(
    data: dict, cables: QuerySet, *, scale: float = 1.0, whole: bool = False
) -> MonthCounts | None:
    """The month counts of the search's one selected year, or None (no year, several).
    `cables`: the search's matching cables; `whole`: nothing but the year narrows them, so
    the stored counts of the whole archive answer."""
    year = selected_year(data)
    if year is None:
        return None
    if whole and set(data) == {"year"}:
        stored = whole_archive_months().get(str(year), [0] * 13)
        return MonthCounts(year, list(stored[:12]), stored[12])
    return count_by_month(cables, year, scale)
