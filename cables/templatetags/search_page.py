"""The search page's facet lists and results, built in Python: up to 200 facet links and 20
results with their snippets a page, each with a dozen conditionals, cost more as template
nodes (about 15 ms a page) than most of the search itself."""

from django import template
from django.template.defaultfilters import date, urlencode
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .reading import bar_class

register = template.Library()


@register.simple_tag
def facet_items(facet):
    """The `<li>` items of one facet: same markup as the template it replaces."""
    year = facet.name == "year"
    approximate = " approximate" if facet.approximate else ""
    tilde = "~" if facet.approximate else ""

    def rows():
        for item in facet.items:
            selected = item.selected
            yield (
                " selected" if selected else "",
                item.href,
                format_html(' title="{}"', item.title) if item.title else "",
                mark_safe(' aria-current="true"') if selected else "",
                facet.name,
                item.value,
                "☑" if selected else "☐",
                item.label,
                format_html(
                    ' <span class="bar {}" aria-hidden="true"></span>', bar_class(item.percent)
                )
                if year
                else "",
                approximate,
                tilde,
                item.count,
                mark_safe('<span class="visually-hidden"> (selected, click to remove)</span>')
                if selected
                else "",
            )

    return format_html_join(
        "\n",
        '<li><a class="facet-link{}" href="{}"{}{} data-facet="{}" data-value="{}">'
        '<span class="check" aria-hidden="true">{}</span> <span class="facet-label">{}</span>{}'
        ' <span class="count{}">{}{}</span>{}</a></li>',
        rows(),
    )


@register.simple_tag
def result_item(hit, query):
    """One result of the list: same markup as the template it replaces."""
    cable = hit.cable
    url = cable.get_absolute_url()
    q = urlencode(query) if query else ""
    tags = format_html_join(
        "",
        '<span class="tag"{}>{}</span>',
        (
            (format_html(' title="{}"', tag.definition) if tag.definition else "", tag.code)
            for tag in cable.tags.all()
        ),
    )
    snippets = ""
    if hit.paragraphs:
        snippets = format_html(
            '\n          <ul class="snippets">\n{}\n          </ul>',
            format_html_join(
                "\n",
                '            <li><a class="snippet-link" href="{}?q={}#par{}">¶{}</a> '
                '<span class="snippet">{}</span></li>',
                ((url, q, p.number, p.number, p.snippet) for p in hit.paragraphs),
            ),
        )
    return format_html(
        '<li class="result">\n'
        '          <h3><a href="{}{}">{}</a>: {}</h3>\n'
        '          <p class="meta">{} · {} · {}{}\n            {}</p>{}\n'
        "        </li>",
        url,
        f"?q={q}" if query else "",
        cable.reference_id,
        cable.subject or "(no subject)",
        date(cable.created, "Y-m-d"),
        cable.origin,
        cable.classification,
        mark_safe(' · <span class="badge">partial extract</span>') if cable.partial else "",
        tags,
        snippets,
    )
