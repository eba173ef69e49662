"""The search page's facet lists and results, built in Python: up to 200 facet links and 20
results with their snippets a page, each with a dozen conditionals, cost more as template
nodes (about 15 ms a page) than most of the search itself.

The markup is joined from plain strings escaped by `_esc`: format_html and Django's escape
go through lazy-string checks per value, about 2,000 of them a page."""

from html import escape as _html_escape

from django import template
from django.template.defaultfilters import urlencode
from django.utils.safestring import SafeData, mark_safe

from .reading import bar_class

register = template.Library()

SELECTED_NOTE = '<span class="visually-hidden"> (selected, click to remove)</span>'
CURRENT = ' aria-current="true"'


def _esc(value) -> str:
    """What conditional_escape gives, as a plain str (values here are never lazy)."""
    if isinstance(value, SafeData):
        return str(value)
    return _html_escape(str(value))


def _title(text) -> str:
    return f' title="{_esc(text)}"' if text else ""


@register.simple_tag
def facet_items(facet):
    """The `<li>` items of one facet: same markup as the template it replaces."""
    year = facet.name == "year"
    name = _esc(facet.name)
    tags = facet.name == "tag"
    lines = []
    for item in facet.items:
        selected = item.selected
        title = _title(item.title)
        bar = (
            f' <span class="bar {_esc(bar_class(item.percent))}" aria-hidden="true"></span>'
            if year
            else ""
        )
        # A TAG's meaning written out beside its code, not only in the tooltip.
        meaning = (
            f' <span class="tag-meaning">{_esc(item.title)}</span>' if tags and item.title else ""
        )
        lines.append(
            f'<li><a class="facet-link{" selected" if selected else ""}" href="{_esc(item.href)}"'
            f'{title}{CURRENT if selected else ""} data-facet="{name}"'
            f' data-value="{_esc(item.value)}"><span class="check" aria-hidden="true">'
            f'{"☑" if selected else "☐"}</span> <span class="facet-label">{_esc(item.label)}'
            f'{meaning}</span>{bar} <span class="count">{item.count:,}</span>'
            f"{SELECTED_NOTE if selected else ''}</a></li>"
        )
    return mark_safe("\n".join(lines))


def _day(value) -> str:
    """The `date:"Y-m-d"` filter (no time zone change, as before)."""
    if value in (None, ""):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


@register.simple_tag
def result_item(hit, query):
    """One result of the list: same markup as the template it replaces."""
    cable = hit.cable
    url = _esc(cable.get_absolute_url())
    q = urlencode(query) if query else ""
    tags = "".join(
        f'<span class="tag"{_title(tag.definition)}>{_esc(tag.code)}</span>' for tag in hit.tags
    )
    snippets = ""
    if hit.paragraphs:
        q_html = _esc(q)
        items = "\n".join(
            f'            <li><a class="snippet-link" href="{url}?q={q_html}#par{_esc(p.number)}">'
            f'¶{_esc(p.number)}</a> <span class="snippet">{_esc(p.snippet)}</span></li>'
            for p in hit.paragraphs
        )
        snippets = f'\n          <ul class="snippets">\n{items}\n          </ul>'
    partial = ' · <span class="badge">partial extract</span>' if cable.partial else ""
    return mark_safe(
        '<li class="result">\n'
        f'          <h3><a href="{url}{_esc(f"?q={q}") if query else ""}">'
        f"{_esc(cable.reference_id)}</a>: {_esc(cable.subject or '(no subject)')}</h3>\n"
        f'          <p class="meta">{_esc(_day(cable.created))} · {_esc(cable.origin)} · '
        f"{_esc(cable.classification)}{partial}\n            {tags}</p>{snippets}\n"
        "        </li>"
    )
