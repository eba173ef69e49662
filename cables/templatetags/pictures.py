"""The search page's pictures: the year facet as a histogram, and the months of the one
selected year. Geometry in `cables.lib.charts`, markup in `cables/_bar_chart.html`."""

from calendar import monthrange
from datetime import date

from django import template

from cables.lib.charts import MONTH_NAMES, MONTHS, Chart, Column, layout, year_ticks

register = template.Library()

# A year axis longer than this (a stray date) lists the years that have cables only.
MAX_YEAR_SPAN = 150


def _cables(count: int) -> str:
    return f"{count} cable{'' if count == 1 else 's'}"


def year_chart(facet) -> Chart | None:
    """One column per year from the first to the last year with cables (years without any
    stay as empty columns); each with cables links to the facet toggled, as its list item
    did."""
    items = {int(item.value): item for item in facet.items if item.value.isdigit()}
    if not any(item.count or item.selected for item in items.values()):
        return None
    low, high = min(items), max(items)
    years = list(range(low, high + 1)) if high - low <= MAX_YEAR_SPAN else sorted(items)
    columns = []
    for year in years:
        item = items.get(year)
        count = item.count if item else 0
        selected = bool(item and item.selected)
        columns.append(
            Column(
                key=str(year),
                label=str(year),
                count=count,
                name=f"{year}: {_cables(count)}"
                + (" (selected; select again to remove)" if selected else ""),
                link=bool(item and (count or selected)),
                selected=selected,
                params=item.params if item else {},
            )
        )
    return layout(columns, year_ticks(years, 720), plot_height=84)


def month_chart(months, query) -> Chart:
    """Twelve columns; each links to its month as the date range (again: removes it)."""
    year = months.year
    date_from, date_to = query.get("date_from", ""), query.get("date_to", "")
    columns = []
    for index, count in enumerate(months.counts):
        first = date(year, index + 1, 1)
        last = date(year, index + 1, monthrange(year, index + 1)[1])
        selected = date_from == first.isoformat() and date_to == last.isoformat()
        params = {"date_from": first.isoformat(), "date_to": last.isoformat(), "page": None}
        if selected:
            params = {"date_from": None, "date_to": None, "page": None}
        columns.append(
            Column(
                key=f"{year}-{index + 1:02d}",
                label=MONTH_NAMES[index],
                count=count,
                name=f"{MONTH_NAMES[index]} {year}: {_cables(count)}"
                + (" (selected; select again to remove)" if selected else ""),
                link=bool(count or selected),
                selected=selected,
                params=params,
            )
        )
    return layout(columns, dict(enumerate(MONTHS)), plot_height=60)


@register.inclusion_tag("cables/_year_histogram.html", takes_context=True)
def year_histogram(context, results):
    request = context["request"]
    facet = next((f for f in results.facets if f.name == "year"), None)
    years = year_chart(facet) if facet is not None else None
    months = results.months
    return {
        "request": request,
        "facet": facet,
        "years": years,
        "months": months,
        "month_chart": month_chart(months, request.GET) if months is not None else None,
    }
