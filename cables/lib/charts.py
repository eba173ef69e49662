"""Bar charts drawn as server-side SVG: the geometry only (plain Python, no Django).

A chart is a row of columns on a continuous axis (every year, every month, empty ones
included, so that a gap reads as a gap), each with a count, an accessible name ("1995: 312
cables") and optionally a link. The template draws the rectangles and the axis labels from the
numbers worked out here; no style attribute anywhere (the CSP forbids them): positions are
SVG attributes, colours CSS classes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

# Year steps an axis may label: every 1st, 2nd, 5th, ... year.
NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


@dataclass
class Column:
    key: str  # what the column stands for: "1995", "1995-03"
    count: int
    name: str  # accessible name and tooltip: "1995: 312 cables"
    label: str = ""  # short text for a table row: "1995", "March"
    link: bool = True  # drawn as a link (the template knows the URL)
    selected: bool = False
    params: dict = field(default_factory=dict)  # querystring changes of its link
    href: str = ""  # or a full link
    # Set by `layout`, in the chart's viewBox units:
    x: float = 0
    width: float = 0
    y: float = 0
    height: float = 0
    slot: float = 0  # the full width of the column's slot (its hover and click area)
    slot_x: float = 0


@dataclass
class Tick:
    x: float
    text: str


@dataclass
class Chart:
    columns: list[Column]
    ticks: list[Tick]
    largest: int
    width: int
    height: int
    plot_top: int
    plot_bottom: int  # the baseline
    label_y: int  # baseline of the axis labels
    pad: int = 18  # room left and right of the columns for the outer axis labels

    @property
    def hit_height(self) -> int:
        """A column's click area: from the top of the plot down through its axis label."""
        return self.height - self.plot_top

    @property
    def view_box(self) -> str:
        return f"{-self.pad} 0 {self.width + 2 * self.pad} {self.height}"

    @property
    def total(self) -> int:
        return sum(column.count for column in self.columns)

    @property
    def counted(self) -> list[Column]:
        """The columns with something in them: the rows of the table under the chart."""
        return [column for column in self.columns if column.count or column.selected]


def layout(
    columns: list[Column],
    ticks: dict[int, str],
    *,
    width: int = 720,
    plot_height: int = 110,
    top: int = 14,
    min_slots: int = 12,
) -> Chart:
    """Place `columns` side by side over `width` units; `ticks` maps a column's index to the
    label written under it. A column with a count is at least one unit high (visible and
    clickable however small next to the largest). Fewer than `min_slots` columns keep the
    width of that many, centred (one year is not one bar across the page)."""
    count = max(len(columns), 1)
    slot = width / max(count, min_slots)
    left = (width - slot * count) / 2
    gap = slot * 0.2 if slot >= 4 else 0
    largest = max((c.count for c in columns), default=0)
    bottom = top + plot_height
    for index, column in enumerate(columns):
        height = 0.0
        if column.count and largest:
            height = max(1.0, round(plot_height * column.count / largest, 1))
        column.slot = round(slot, 2)
        column.slot_x = round(left + index * slot, 2)
        column.x = round(left + index * slot + gap / 2, 2)
        column.width = round(max(slot - gap, 0.5), 2)
        column.height = height
        column.y = round(bottom - height, 2)
    placed = [Tick(round(left + (i + 0.5) * slot, 2), text) for i, text in sorted(ticks.items())]
    return Chart(
        columns=columns,
        ticks=placed,
        largest=largest,
        width=width,
        height=bottom + 18,
        plot_top=top,
        plot_bottom=bottom,
        label_y=bottom + 14,
    )


def year_step(years: int, width: int, label_width: int = 34) -> int:
    """The smallest nice step between labelled years that keeps labels `label_width` apart
    when `years` years share `width` units."""
    per_year = width / max(years, 1)
    for step in NICE_STEPS:
        if step * per_year >= label_width:
            return step
    return NICE_STEPS[-1]


def year_ticks(years: list[int], width: int) -> dict[int, str]:
    """Labels under a row of consecutive years: the first year and every `step`-th year
    (multiples of the step), never two labels closer than a label's width."""
    if not years:
        return {}
    step = year_step(len(years), width)
    ticks = {i: str(y) for i, y in enumerate(years) if y % step == 0}
    first_tick = min(ticks, default=len(years))
    if first_tick * width / len(years) >= 34 or not ticks:
        ticks[0] = str(years[0])
    return ticks


def month_span(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (year, month) from `first` to `last`, both included."""
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def january_ticks(months: list[tuple[int, int]], width: int) -> dict[int, str]:
    """Year labels under a row of months: at each labelled year's January (the first month
    too when the span starts mid-year and there is room)."""
    if not months:
        return {}
    years = sorted({y for y, _ in months})
    step = year_step(len(months) / 12 or 1, width)
    ticks = {i: str(y) for i, (y, m) in enumerate(months) if m == 1 and y % step == 0}
    per_month = width / len(months)
    first_tick = min(ticks, default=len(months))
    if first_tick * per_month >= 34 or not ticks:
        ticks[0] = str(years[0])
    return ticks


MONTHS = tuple(calendar.month_abbr[1:])
MONTH_NAMES = tuple(calendar.month_name[1:])  # English: no locale is ever set
