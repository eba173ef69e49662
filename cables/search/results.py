"""What a search returns: sorts, facet labels, result types (hits, facets, suggestions, the page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from cables.models import Cable

from .base import ParagraphHit
from .months import MonthCounts
from .query import ParsedQuery

SORTS = {
    "relevance": "Relevance",
    "-created": "Newest first",
    "created": "Oldest first",
    "-released": "Recently released",
}
FACET_LABELS = {
    "year": "Year",
    "origin": "Origin",
    "classification": "Classification",
    "tag": "TAGS",
    "person": "Person",
    "party": "Party",
    "election": "Election",
    "partial": "Text",
}


class TagLabel(NamedTuple):
    code: str
    definition: str


@dataclass
class CableHit:
    cable: Cable
    paragraphs: list[ParagraphHit] = field(default_factory=list)
    tags: list[TagLabel] = field(default_factory=list)  # the cable's TAGS, by code


def hits(cables: list[Cable], best: dict, using: str) -> list[CableHit]:
    """The page's hits with their TAGS, read in one query as (code, definition): what
    prefetch_related("tags") gives, without a Tag instance and a manager per tag (~1.5 ms)."""
    tags: dict[int, list[TagLabel]] = {cable.id: [] for cable in cables}
    rows = (
        Cable.tags.through.objects.using(using)
        .filter(cable_id__in=list(tags))
        .order_by("tag__code")
        .values_list("cable_id", "tag__code", "tag__definition")
    )
    for cable_id, code, definition in rows:
        tags[cable_id].append(TagLabel(code, definition))
    return [CableHit(c, best.get(c.id, []), tags[c.id]) for c in cables]


@dataclass
class FacetItem:
    value: str
    label: str
    count: int
    selected: bool
    toggle: list[str]  # the facet's values after clicking this item
    title: str = ""
    percent: int = 0  # bar length, relative to the largest count
    name: str = ""
    href: str = ""  # the link toggling this item, set by the view

    @property
    def params(self) -> dict:
        """Changes to the current URL's parameters that toggle this item."""
        return {self.name: self.toggle or None, "page": None}


@dataclass
class Facet:
    name: str
    label: str
    items: list[FacetItem]
    selected: list[str]


@dataclass
class Suggestion:
    text: str
    changes: dict  # querystring changes that relax the search

    @property
    def params(self) -> dict:
        return {**{k: (v or None) for k, v in self.changes.items()}, "page": None}


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    sort: str
    page: object  # django.core.paginator.Page of CableHit
    facets: list[Facet]
    suggestions: list[Suggestion]
    months: MonthCounts | None = None  # per month, when exactly one year is selected

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def highlight_terms(self) -> list[str]:
        return self.parsed.highlight_terms()


# The cable fields a result list shows (search page and API): not the raw header and body.
LISTED_FIELDS = (
    "id",
    "reference_id",
    "created",
    "released",
    "year",
    "classification",
    "origin",
    "subject",
    "partial",
)
COLUMN_FACETS = ("year", "origin", "classification", "partial")
ENTITY_FACETS = ("person", "party", "election")
