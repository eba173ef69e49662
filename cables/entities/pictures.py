"""What an entity page draws: its paragraphs month by month (an SVG bar chart) and the
entities mentioned in the same paragraphs.

Both are one GROUP BY each (see `pages`), kept in the process's cache per archive version:
the most-mentioned people have tens of thousands of mentions at full size, and their pages
are the ones read most. Any change readers can see raises the version (curation included),
so a cached answer is never stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse

from cables.lib.archive_version import current_version
from cables.lib.charts import MONTH_NAMES, Chart, Column, january_ticks, layout, month_span
from cables.search.facets import whole_archive_facets

from . import pages

CACHE_SECONDS = 24 * 3600
TIMELINE_WIDTH = 960


@dataclass
class EntityPictures:
    months: dict[tuple[int, int], int]  # (year, month) -> paragraphs, months with any only
    undated: int  # paragraphs in cables without a date: in no month
    co_mentioned: list[pages.CoMention]

    @property
    def timeline(self) -> list[pages.MonthBar]:
        return [pages.MonthBar(date(y, m, 1), n) for (y, m), n in sorted(self.months.items())]

    @property
    def dated(self) -> int:
        return sum(self.months.values())

    @property
    def paragraphs(self) -> int:
        """Every paragraph mentioning the entity: each is in one month or undated."""
        return self.dated + self.undated


def entity_pictures(entity, using: str = "default") -> EntityPictures:
    kind = pages.kind_of(entity)
    key = f"entity-pictures:{using}:{kind}:{entity.pk}:{current_version(using).number}"
    found = cache.get(key)
    if found is None:
        months, undated = pages.paragraphs_by_month(entity)
        found = EntityPictures(months, undated, pages.co_mentioned(entity))
        cache.set(key, found, CACHE_SECONDS)
    return found


def _paragraphs(count: int) -> str:
    return f"{count} paragraph{'' if count == 1 else 's'}"


def timeline_chart(entity, pictures: EntityPictures) -> Chart | None:
    """Every month from the January of the first year with a mention to the December of the
    last: a month without any is an empty column. A month with mentions links to the search
    for its cables that mention the entity."""
    if not pictures.months:
        return None
    first, last = min(pictures.months), max(pictures.months)
    months = month_span((first[0], 1), (last[0], 12))
    kind = pages.kind_of(entity)
    search = reverse("cables:search")
    columns = []
    for year, month in months:
        count = pictures.months.get((year, month), 0)
        href = ""
        if count:
            end = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
            query = {
                kind: entity.slug,
                "date_from": date(year, month, 1).isoformat(),
                "date_to": date.fromordinal(end).isoformat(),
            }
            href = f"{search}?{urlencode(query)}"
        columns.append(
            Column(
                key=f"{year}-{month:02d}",
                label=f"{MONTH_NAMES[month - 1]} {year}",
                count=count,
                name=f"{MONTH_NAMES[month - 1]} {year}: {_paragraphs(count)}",
                link=bool(count),
                href=href,
            )
        )
    return layout(columns, january_ticks(months, TIMELINE_WIDTH), width=TIMELINE_WIDTH)


MOST_MENTIONED = (("person", "People"), ("party", "Parties"), ("election", "Elections"))


def most_mentioned(limit: int = 5) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """(heading, [(page, name, cables)]) of the entities named in most cables: read from the
    whole archive's facet counts, stored per archive version (no counting here)."""
    entities = whole_archive_facets()["entities"]
    groups = []
    for kind, heading in MOST_MENTIONED:
        counts, labels = entities.get(kind) or ([], {})
        rows = [
            (reverse(f"entities:{kind}-detail", args=[slug]), labels.get(slug, slug), n)
            for slug, n in counts[:limit]
        ]
        if rows:
            groups.append((heading, rows))
    return groups
