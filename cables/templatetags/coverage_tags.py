"""The coverage tables' rows and bars, and the release-index check of the cable page's
references.

The rows are joined from plain strings in Python: 275 posts and 45 years of rows with a bar
each cost about 100 ms as template nodes, a few here.
"""

from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from cables.lib.release import release_index

register = template.Library()


def _width(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}".rstrip("0").rstrip(".") if whole else "0"


def _bar(row) -> str:
    """A bar as long as the row's cables in the release: full text, partial, missing.

    Server-rendered SVG: the CSP forbids inline styles, and SVG geometry attributes are none."""
    full = _width(row.full, row.exist)
    held = _width(row.held, row.exist)
    return (
        '<svg class="coverage-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
        f'<rect class="bar-full" x="0" y="0" width="{full}" height="10"/>'
        f'<rect class="bar-partial" x="{full}" y="0" width="{_width(row.partial, row.exist)}" '
        'height="10"/>'
        f'<rect class="bar-missing" x="{held}" y="0" width="{_width(row.missing, row.exist)}" '
        'height="10"/></svg>'
    )


@register.simple_tag
def coverage_bar(row):
    return mark_safe(_bar(row))  # noqa: S308 - numbers only


def _row(row, head: str, attributes: str = "") -> str:
    return (
        f'<tr{attributes}><th scope="row">{head}</th>'
        f'<td class="num exist">{row.exist:,}</td><td class="num full">{row.full:,}</td>'
        f'<td class="num partial">{row.partial:,}</td>'
        f'<td class="num missing">{row.missing:,}</td>'
        f'<td class="num">{escape(row.percent_held)}</td>'
        f'<td class="bar-cell">{_bar(row)}</td></tr>'
    )


@register.simple_tag
def coverage_row(row, head, css_class=""):
    """A total's row: `head` is plain text."""
    attributes = f' class="{escape(css_class)}"' if css_class else ""
    return mark_safe(_row(row, escape(head), attributes))  # noqa: S308 - escaped


@register.simple_tag
def post_rows(rows, year=None):
    """The rows of the posts table, each post linking to its own coverage."""
    query = f"?year={int(year)}" if year else ""
    lines = []
    for row in rows:
        post = escape(str(row.key))
        label = f' <span class="meta">{escape(row.label)}</span>' if row.label else ""
        href = escape(reverse("cables:coverage-post", args=[row.key]))
        head = f'<a href="{href}{query}">{post}</a>{label}'
        lines.append(_row(row, head, f' data-post="{post}"'))
    return mark_safe("\n".join(lines))  # noqa: S308 - escaped


@register.simple_tag
def year_rows(rows, href, current=None, anchor=""):
    """The rows of a per-year table, each year linking to `href?year=YEAR`."""
    lines = []
    for row in rows:
        year = int(row.key)
        marked = ' aria-current="true"' if year == current else ""
        head = f'<a href="{escape(href)}?year={year}{escape(anchor)}">{year}</a>'
        lines.append(_row(row, head, f' data-year="{year}"{marked}'))
    return mark_safe("\n".join(lines))  # noqa: S308 - escaped


@register.filter
def in_release(reference_id: str) -> bool:
    """Whether the release has a cable of this reference ID (held by the archive or not)."""
    return reference_id in release_index()


@register.filter
def thousands(number) -> str:
    """`251,287`: the published figures are written so."""
    try:
        return f"{int(number):,}"
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def cable_items(entries):
    """`<li>` items linking to each cable of a post-year (up to 4,095 of them: 09STATE)."""
    address = reverse("cables:cable-detail", args=["REFERENCE"])
    items = []
    for entry in entries:
        reference_id = escape(entry.reference_id)
        href = escape(address.replace("REFERENCE", quote(entry.reference_id, safe="")))
        items.append(
            f'<li><a href="{href}">{reference_id}</a> '
            f'<span class="meta">{escape(entry.month_name)}</span></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - escaped
