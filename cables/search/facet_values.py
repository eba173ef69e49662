"""Facet values beyond the search page's top 25, and the page's summary of active filters.

- "Show all" opens the facet's values page: every value of one facet over the cables that
  match the query and the other filters, counted as the search page counts them (the cable
  table, `service.facet_counts`), up to ALL_VALUES_LIMIT values.
- The active filters (facet values and dates), each with a link that removes it, and a link
  that clears them all (the query and the sort stay).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from .filtering import filter_form_data
from .results import FACET_LABELS
from .service import facet_counts

# Values listed on a facet's values page: every origin of the release is 274 posts; TAGS and
# people run to thousands, and past this a reader narrows the search instead.
ALL_VALUES_LIMIT = 1_000
ENTITY_FACETS = ("person", "party", "election")
PARTIAL_LABELS = {"full": "Full text", "partial": "Partial extract"}
DATE_LABELS = {"date_from": "Created from", "date_to": "Created until"}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    href: str = ""
    meaning: str = ""  # a TAG's definition


@dataclass
class FacetValues:
    name: str
    label: str
    values: list[FacetValue]
    distinct: int  # values found (more than listed past ALL_VALUES_LIMIT)
    back_href: str = ""

    @property
    def truncated(self) -> bool:
        return self.distinct > len(self.values)


def all_values(name: str, query: str, params) -> FacetValues:
    """Every value of facet `name` over the cables matching `query` and the other facet
    filters of `params` (a QueryDict), most cables first: the search page's own counts, not
    cut to its top list. Raises QuerySyntaxError."""
    data = filter_form_data(params)
    counts, table = facet_counts(name, query, params)
    meanings: dict[str, str] = {}
    labels: dict[str, str] = {}
    if name == "tag":
        meanings = table.links["tag"].labels
        counted = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    elif name in ENTITY_FACETS:
        labels = table.links[name].labels
        counted = sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]]))
    else:
        counted = sorted(((str(v), n) for v, n in counts.items()), key=lambda i: (-i[1], i[0]))
        if name == "partial":
            labels = PARTIAL_LABELS
    if name == "year":
        counted.sort(key=lambda row: row[0])
    selected = [str(v) for v in data.get(name, [])]
    search_url = reverse("cables:search") + "?"
    current = dict(params.lists())
    current.pop("page", None)
    values = []
    for value, n in counted[:ALL_VALUES_LIMIT]:
        is_selected = value in selected
        toggled = [v for v in selected if v != value] if is_selected else [*selected, value]
        values.append(
            FacetValue(
                value=value,
                label=labels.get(value, value),
                count=n,
                selected=is_selected,
                href=search_url + _encoded({**current, name: toggled}),
                meaning=meanings.get(value) or "",
            )
        )
    return FacetValues(
        name=name,
        label=FACET_LABELS[name],
        values=values,
        distinct=len(counted),
        back_href=search_url + _encoded(current),
    )


def _encoded(params: dict) -> str:
    return urlencode([(key, value) for key, values in params.items() for value in values])


@dataclass
class ActiveFilter:
    name: str
    label: str  # the facet's
    value: str
    value_label: str
    remove_href: str


@dataclass
class ActiveFilters:
    filters: list[ActiveFilter] = field(default_factory=list)
    clear_href: str = ""


def active_filters(params, facets) -> ActiveFilters:
    """The facet values and dates in `params` (a QueryDict), each with the link removing it,
    and the link removing them all (query and sort kept). Value labels come from the page's
    facets (an entity's name, a TAG's meaning)."""
    current = {key: values for key, values in params.lists() if key != "page"}
    item_labels = {}
    for facet in facets:
        for item in facet.items:
            label = item.label
            if facet.name == "tag" and item.title:
                label = f"{item.value} ({item.title})"
            item_labels[(facet.name, item.value)] = label
    active = ActiveFilters()
    for name in (*FACET_LABELS, *DATE_LABELS):
        for value in current.get(name, []):
            if not value:
                continue
            rest = {**current, name: [v for v in current[name] if v != value]}
            label = FACET_LABELS.get(name) or DATE_LABELS[name]
            value_label = item_labels.get((name, value)) or PARTIAL_LABELS.get(value, value)
            active.filters.append(
                ActiveFilter(name, label, value, value_label, "?" + _encoded(rest))
            )
    if active.filters:
        kept = {key: current[key] for key in ("q", "sort") if current.get(key)}
        active.clear_href = "?" + _encoded(kept)
    return active
