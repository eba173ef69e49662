"""One entry point for searching the archive: `search(query, filter_data, sort, page)`.

The query box (see `query.py`) and the facet parameters (see `cables/filters.py`) narrow a
Cable queryset; the backend finds matching paragraphs, ranks cables by their best paragraph
and makes snippets only for the page shown. Facets are counted over the matching cables, each
with its own selection left out (disjunctive), one GROUP BY query per facet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import reduce
from operator import or_

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet

from cables.filters import FACET_PARAMETERS, VISIBLE_MENTIONS, CableFilter
from cables.models import Cable, Mention, Tag

from . import get_backend
from .base import ParagraphHit
from .query import And, Or, ParsedQuery, Phrase, QuerySyntaxError, parse_query

PER_PAGE = 20
ORPHANS = 3
FACET_LIMIT = 25
MATERIALISE_LIMIT = 20_000
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


@dataclass
class CableHit:
    cable: Cable
    paragraphs: list[ParagraphHit] = field(default_factory=list)


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

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def highlight_terms(self) -> list[str]:
        return self.parsed.highlight_terms()


def _query_box_filters(cables: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """Apply `origin:`, `tag:`, `from:` … typed in the query box (several values: any of them)."""
    lookups = {
        "origin": lambda v: Q(origin__icontains=v),
        "tag": lambda v: Q(tags__code__iexact=v),
        "class": lambda v: Q(classification__icontains=v),
        "year": lambda v: Q(year=int(v)),
        "ref": lambda v: Q(reference_id__iexact=v),
    }
    for key, values in parsed.filters.items():
        if key in lookups:
            condition = reduce(or_, (lookups[key](v) for v in values))
            if key == "tag":
                cables = cables.filter(id__in=Cable.objects.filter(condition).values("id"))
            else:
                cables = cables.filter(condition)
        elif key in ("person", "party", "election"):
            mentioned = Mention.objects.filter(
                status__in=VISIBLE_MENTIONS, **{f"{key}__slug__in": values}
            ).values("paragraph__cable_id")
            cables = cables.filter(id__in=mentioned)
    if parsed.date_from:
        cables = cables.filter(created__gte=datetime.combine(parsed.date_from, time(), UTC))
    if parsed.date_before:
        cables = cables.filter(created__lt=datetime.combine(parsed.date_before, time(), UTC))
    return cables


def matching_cables(parsed: ParsedQuery, using: str = "default") -> QuerySet:
    """Cables matching the query box (text, exclusions, typed filters), before facets."""
    backend = get_backend(using)
    cables = Cable.objects.using(using).all()
    if parsed.text is not None:
        matches = backend.matching_cable_ids(parsed.text)
        if backend.materialise_matches:
            matches = _match_once(matches, backend)
        cables = cables.filter(id__in=matches)
    for excluded in parsed.excluded:
        cables = cables.exclude(id__in=backend.matching_cable_ids(excluded))
    return _query_box_filters(cables, parsed)


def _match_once(cable_ids: QuerySet, backend):
    """The full-text match run once: its cable ids as a one-parameter subquery.

    The count, the ranking and every facet filter on the text match; running the full-text
    query once instead of ten times is most of a search's cost. Past MATERIALISE_LIMIT cables
    the ids are left to the database's own subquery.
    """
    ids = list(
        cable_ids.order_by().values_list("cable_id", flat=True).distinct()[: MATERIALISE_LIMIT + 1]
    )
    return cable_ids if len(ids) > MATERIALISE_LIMIT else backend.ids_subquery(ids)


def filter_form_data(data) -> dict:
    """Only the facet parameters of a QueryDict/dict, as lists."""
    getlist = data.getlist if hasattr(data, "getlist") else lambda k: _as_list(data.get(k))
    return {key: getlist(key) for key in CableFilter.base_filters if getlist(key)}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _filterset(data: dict, cables: QuerySet) -> CableFilter:
    from django.http import QueryDict

    query_dict = QueryDict(mutable=True)
    for key, values in data.items():
        query_dict.setlist(key, [str(v) for v in values])
    return CableFilter(query_dict, queryset=cables)


def filtered_cables(query: str, filter_data, using: str = "default"):
    """(parsed query, facet data, filtered cable queryset). Raises QuerySyntaxError."""
    parsed = parse_query(query)
    data = filter_form_data(filter_data)
    base = matching_cables(parsed, using)
    filterset = _filterset(data, base)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        raise QuerySyntaxError(f"Some filters are not valid ({errors}).")
    return parsed, data, base, filterset.qs


def ordered(cables: QuerySet, sort: str) -> QuerySet:
    if sort == "created":
        return cables.order_by(F("created").asc(nulls_last=True), "reference_id")
    if sort == "-released":
        return cables.order_by(F("released").desc(nulls_last=True), "reference_id")
    return cables.order_by(F("created").desc(nulls_last=True), "reference_id")


class _ResultList:
    """A lazy result sequence for Paginator: counts once, fetches only the page's slice."""

    def __init__(self, cables: QuerySet, parsed: ParsedQuery, sort: str, using: str):
        self.cables = cables
        self.parsed = parsed
        self.sort = sort
        self.using = using
        self.backend = get_backend(using)

    def count(self) -> int:
        return self.cables.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page_slice: slice) -> list[CableHit]:
        offset, stop = page_slice.start or 0, page_slice.stop
        if stop is None or stop <= offset:
            return []
        text = self.parsed.text
        if text is not None and self.sort == "relevance":
            ids = self.backend.ranked_cable_ids(text, self.cables, offset, stop - offset)
            by_id = Cable.objects.using(self.using).prefetch_related("tags").in_bulk(ids)
            page_cables = [by_id[i] for i in ids if i in by_id]
        else:
            page_cables = list(
                ordered(self.cables, self.sort).prefetch_related("tags")[offset:stop]
            )
        best = {}
        if text is not None:
            best = self.backend.best_paragraphs(text, [c.id for c in page_cables])
        return [CableHit(cable, best.get(cable.id, [])) for cable in page_cables]


def _facet_items(name: str, rows, selected: list[str], labels=None, titles=None):
    selected_set = set(selected)
    counts = {str(value): count for value, count in rows if value not in (None, "")}
    for value in selected:  # a selected value stays visible even with no matches left
        counts.setdefault(value, 0)
    largest = max(counts.values(), default=0) or 1
    items = []
    for value, count in counts.items():
        is_selected = value in selected_set
        toggle = [v for v in selected if v != value] if is_selected else [*selected, value]
        items.append(
            FacetItem(
                value=value,
                label=(labels or {}).get(value, value),
                count=count,
                selected=is_selected,
                toggle=toggle,
                title=(titles or {}).get(value, ""),
                percent=round(100 * count / largest),
                name=name,
            )
        )
    return items


COLUMN_FACETS = ("year", "origin", "classification", "partial")
ENTITY_FACETS = ("person", "party", "election")


def _column_counts(ids, names: list[str]) -> dict[str, list]:
    """Counts of several cable columns from one GROUP BY over all of them."""
    totals: dict[str, dict] = {name: {} for name in names}
    rows = Cable.objects.filter(id__in=ids).values_list(*names).annotate(n=Count("id")).order_by()
    for *values, n in rows:
        for name, value in zip(names, values, strict=True):
            if name == "partial":
                value = "partial" if value else "full"
            totals[name][value] = totals[name].get(value, 0) + n
    counted = {}
    for name, counts in totals.items():
        if name == "year":
            counted[name] = sorted(counts.items(), key=lambda item: (item[0] is None, item[0]))
        else:
            ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            counted[name] = ranked[:FACET_LIMIT]
    return counted


def _entity_counts(ids, names: list[str]) -> dict[str, tuple[list, dict]]:
    """Cables with a confirmed or suggested mention, per entity, in one GROUP BY."""
    fields = [f"{name}__{column}" for name in names for column in ("slug", "name")]
    rows = (
        Mention.objects.filter(paragraph__cable_id__in=ids, status__in=VISIBLE_MENTIONS)
        .values_list(*fields)
        .annotate(n=Count("paragraph__cable_id", distinct=True))
        .order_by()
    )
    found: dict[str, dict] = {name: {} for name in names}
    labels: dict[str, dict] = {name: {} for name in names}
    for row in rows:
        *values, n = row
        for index, name in enumerate(names):
            slug, label = values[2 * index], values[2 * index + 1]
            if slug:
                found[name][slug] = found[name].get(slug, 0) + n
                labels[name][slug] = label
    return {
        name: (
            sorted(found[name].items(), key=lambda item: (-item[1], labels[name][item[0]]))[
                :FACET_LIMIT
            ],
            labels[name],
        )
        for name in names
    }


def facet_counts(base: QuerySet, data: dict) -> list[Facet]:
    """Counts over the matching cables minus each facet's own selection (disjunctive).

    Facets that end up with the same filters (all those with nothing selected, typically)
    share one GROUP BY: one for the cable columns, one for TAGS, one for the entities.
    """

    def others_key(name):
        return tuple(sorted((k, tuple(v)) for k, v in data.items() if k != name))

    def ids_for(key):
        return _filterset(dict(key), base).qs.order_by().values("id")

    columns: dict[str, list] = {}
    for group in (COLUMN_FACETS, ENTITY_FACETS):
        by_key: dict[tuple, list[str]] = {}
        for name in group:
            by_key.setdefault(others_key(name), []).append(name)
        for key, names in by_key.items():
            if group is COLUMN_FACETS:
                for name, rows in _column_counts(ids_for(key), names).items():
                    columns[name] = (rows, None)
            else:
                columns.update(_entity_counts(ids_for(key), names))

    facets = []
    for name in FACET_PARAMETERS:
        selected = [str(v) for v in data.get(name, [])]
        labels, titles = None, None
        if name == "tag":
            through = Cable.tags.through.objects.filter(cable_id__in=ids_for(others_key(name)))
            tag_rows = list(
                through.values_list("tag__code", "tag__definition")
                .annotate(n=Count("cable_id"))
                .order_by("-n", "tag__code")[:FACET_LIMIT]
            )
            rows = [(code, n) for code, _, n in tag_rows]
            titles = {code: definition for code, definition, _ in tag_rows}
            missing = [v for v in selected if v not in titles]
            if missing:
                titles.update(
                    Tag.objects.filter(code__in=missing).values_list("code", "definition")
                )
        else:
            rows, labels = columns[name]
            if name == "partial":
                labels = {"full": "Full text", "partial": "Partial extract"}
        items = _facet_items(name, rows, selected, labels, titles)
        if items or selected:
            facets.append(Facet(name, FACET_LABELS[name], items, selected))
    return facets


EXCLUDED_TOKEN_RE = re.compile(r'(?:^|\s)-(?:[A-Za-z]+:)?(?:"[^"]*"?|\S+)')
FIELD_TOKEN_RE = re.compile(r'(?:^|\s)[A-Za-z]+:(?:"[^"]*"?|\S+)')


def _suggestions(parsed: ParsedQuery, data: dict, query: str) -> list[Suggestion]:
    """Ways to relax a search that found nothing, each a change of the URL's parameters."""
    suggestions = []
    for name, values in data.items():
        for value in values:
            rest = [v for v in values if v != value]
            label = FACET_LABELS.get(name, name)
            suggestions.append(Suggestion(f"Remove the {label} filter “{value}”", {name: rest}))
    if isinstance(parsed.text, And):
        any_of = " OR ".join(_node_query(item) for item in parsed.text.items)
        suggestions.append(Suggestion(f"Match any of the words: {any_of}", {"q": any_of}))
    if parsed.excluded:
        relaxed = " ".join(EXCLUDED_TOKEN_RE.sub(" ", query).split())
        suggestions.append(Suggestion(f"Drop the excluded words: {relaxed}", {"q": relaxed}))
    if parsed.filters:
        relaxed = " ".join(FIELD_TOKEN_RE.sub(" ", query).split())
        suggestions.append(
            Suggestion(f"Remove the field filters typed in the query: {relaxed}", {"q": relaxed})
        )
    return suggestions


def _node_query(node) -> str:
    """A node written back in the query syntax."""
    if isinstance(node, And | Or):
        joiner = " OR " if isinstance(node, Or) else " "
        return joiner.join(_node_query(i) for i in node.items)
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    return node.word + ("*" if node.prefix else "")


def search(
    query: str, filter_data, sort: str = "", page=1, per_page: int = PER_PAGE, using="default"
) -> SearchResults:
    """Search the archive. Raises QuerySyntaxError (message for the user) and
    django.core.paginator.InvalidPage (a page that does not exist)."""
    parsed, data, base, cables = filtered_cables(query, filter_data, using)
    if sort not in SORTS:
        sort = "relevance" if parsed.text is not None else "-created"
    if sort == "relevance" and parsed.text is None:
        sort = "-created"
    paginator = Paginator(_ResultList(cables, parsed, sort, using), per_page, orphans=ORPHANS)
    results_page = paginator.page(page or 1)
    facets = facet_counts(base, data)
    results = SearchResults(query, parsed, sort, results_page, facets, [])
    if results.total == 0:
        results.suggestions = _suggestions(parsed, data, query)
    return results
