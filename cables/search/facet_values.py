"""Facet values beyond the search page's top 25, and the page's summary of active filters.

- "Show all" opens the facet's values page: every value of one facet over the cables that
  match the query and the other filters, counted exactly by the database, up to
  ALL_VALUES_LIMIT values.
- The active filters (facet values and dates), each with a link that removes it, and a link
  that clears them all (the query and the sort stay).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from cables.models import Cable, Mention

from .filtering import filter_form_data, filtered_cables
from .results import FACET_LABELS

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
    filters of `params` (a QueryDict), most cables first. Raises QuerySyntaxError."""
    data = filter_form_data(params)
    others = {key: values for key, values in data.items() if key != name}
    _, _, _, cables = filtered_cables(query, others)
    ids = cables.order_by().values("id")
    meanings: dict[str, str] = {}
    labels: dict[str, str] = {}
    if name == "tag":
        rows = (
            Cable.tags.through.objects.filter(cable_id__in=ids)
            .values_list("tag__code", "tag__definition")
            .annotate(n=Count("cable_id", distinct=True))
            .order_by("-n", "tag__code")
        )
        counted = []
        for code, definition, n in rows:
            counted.append((code, n))
            meanings[code] = definition or ""
    elif name in ENTITY_FACETS:
        rows = (
            Mention.objects.visible()
            .filter(cable_id__in=ids)
            .exclude(**{f"{name}__isnull": True})
            .values_list(f"{name}__slug", f"{name}__name")
            .annotate(n=Count("cable_id", distinct=True))
            .order_by("-n", f"{name}__name")
        )
        counted = []
        for slug, entity_name, n in rows:
            counted.append((slug, n))
            labels[slug] = entity_name
    else:
        column = name
        rows = (
            Cable.objects.filter(id__in=ids)
            .values_list(column)
            .annotate(n=Count("id"))
            .order_by("-n", column)
        )
        counted = []
        for value, n in rows:
            if value in (None, ""):
                continue
            if name == "partial":
                value = "partial" if value else "full"
                labels[value] = PARTIAL_LABELS[value]
            counted.append((str(value), n))
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
                meaning=meanings.get(value, ""),
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
