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
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from cablearchive.routers import reading_from
from cables.filters import FACET_PARAMETERS, VISIBLE_MENTIONS, CableFilter
from cables.models import Cable, Mention, Tag
from cables.summaries import stored as stored_summary
from cables.summaries import summary

from . import get_backend
from .base import ParagraphHit
from .months import MonthCounts, months_of_selected_year
from .query import And, Or, ParsedQuery, Phrase, QuerySyntaxError, parse_query
from .rank_index import Ranking, rank_index
from .read_alias import of_the_archive, read_alias

PER_PAGE = 20
ORPHANS = 3
FACET_LIMIT = 25
MATERIALISE_LIMIT = 20_000
SNIPPETS = 3  # best paragraphs shown per cable
# Without text, facets over more than FACET_SAMPLE cables count an evenly spread sample of them.
FACET_SAMPLE = 5_000
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


def _hits(cables: list[Cable], best: dict, using: str) -> list[CableHit]:
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
    approximate: bool = False  # counts estimated from the ranked candidates, not exact


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
    total_exact: bool = True  # False: `total` is an estimate, shown as "about N"
    # Words of the query the index leaves out (PostgreSQL's stop words), said on the page.
    ignored_words: list[str] = field(default_factory=list)
    months: MonthCounts | None = None  # per month, when exactly one year is selected

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
        "class": lambda v: Q(classification__icontains=v),
        "year": lambda v: Q(year=int(v)),
        "ref": lambda v: Q(reference_id__iexact=v),
    }
    for key, values in parsed.filters.items():
        if key == "tag":
            # The tags' ids first: then the link table's tag index finds their cables (a join
            # on UPPER(code) read every link: 0.6 s for tag:PREL at full size).
            codes = reduce(or_, (Q(code__iexact=v) for v in values))
            tag_ids = list(Tag.objects.filter(codes).values_list("id", flat=True))
            linked = Cable.tags.through.objects.filter(tag_id__in=tag_ids)
            cables = cables.filter(id__in=linked.values("cable_id"))
        elif key in lookups:
            cables = cables.filter(reduce(or_, (lookups[key](v) for v in values)))
        elif key in ("person", "party", "election"):
            mentioned = Mention.objects.filter(
                status__in=VISIBLE_MENTIONS, **{f"{key}__slug__in": values}
            ).values("cable_id")
            cables = cables.filter(id__in=mentioned)
    if parsed.date_from:
        cables = cables.filter(created__gte=datetime.combine(parsed.date_from, time(), UTC))
    if parsed.date_before:
        cables = cables.filter(created__lt=datetime.combine(parsed.date_before, time(), UTC))
    return cables


def matching_cables(
    parsed: ParsedQuery, using: str = "default", listed_by_rank_index: bool = False
) -> QuerySet:
    """Cables matching the query box (text, exclusions, typed filters), before facets.
    `listed_by_rank_index`: the text's cables listed by the rank index (the same matches, one
    hit per cable for a word) when there are at most MATERIALISE_LIMIT of them: an export's
    first rows of "corruption" waited 1.2 s on PostgreSQL for the database to list them."""
    backend = get_backend(using)
    cables = Cable.objects.using(using).all()
    if parsed.text is not None:
        listed = None
        if listed_by_rank_index:
            listed = rank_index(using).cables_with(parsed.text, MATERIALISE_LIMIT)
        if listed is not None:
            matches = backend.ids_subquery(sorted(listed))
        else:
            matches = backend.matching_cable_ids(parsed.text)
            # (Known to be too many to list when the rank index said so.)
            if backend.materialise_matches and not listed_by_rank_index:
                matches = _match_once(matches, backend)
        cables = cables.filter(id__in=matches)
    for excluded in parsed.excluded:
        matches = backend.matching_cable_ids(excluded)
        if backend.vendor == "postgresql":
            # An anti-join: PostgreSQL's NOT IN over the 180,000 cables of "minister" outgrew
            # work_mem's hash and ran the subquery again for every cable (over 8 minutes).
            cables = cables.filter(~Exists(matches.filter(cable_id=OuterRef("id"))))
        else:
            cables = cables.exclude(id__in=matches)
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


def _query_dict(data: dict):
    from django.http import QueryDict

    query_dict = QueryDict(mutable=True)
    for key, values in data.items():
        query_dict.setlist(key, [str(v) for v in values])
    return query_dict


def _filterset(data: dict, cables: QuerySet) -> CableFilter:
    return CableFilter(_query_dict(data), queryset=cables)


def filtered_cables(
    query: str, filter_data, using: str = "default", listed_by_rank_index: bool = False
):
    """(parsed query, facet data, filtered cable queryset). Raises QuerySyntaxError."""
    parsed = parse_query(query)
    data = filter_form_data(filter_data)
    base = matching_cables(parsed, using, listed_by_rank_index)
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


def date_ordered_parts(cables: QuerySet, sort: str) -> tuple[QuerySet, QuerySet]:
    """`ordered(cables, sort)` as two querysets to read one after the other: the dated cables
    in the date index's order (ties by reference ID), then the undated ones. One ORDER BY with
    NULLS LAST sorted every cable before the first row (2-5 s for `sort=created` at full size
    on SQLite, whose NULLs sort first)."""
    field = "released" if sort == "-released" else "created"
    date = F(field).desc() if sort.startswith("-") else F(field).asc()
    dated = cables.filter(**{f"{field}__isnull": False}).order_by(date, "reference_id")
    undated = cables.filter(**{f"{field}__isnull": True}).order_by("reference_id")
    return dated, undated


def date_ordered_chunks(cables: QuerySet, sort: str, size: int = 500):
    """`ordered(cables, sort)` in lists of at most `size` cables, each list its own short
    query (keyset: after the last date and reference ID read), never one statement open for
    the whole walk: an export of the whole archive then streams on within the per-statement
    time budget instead of being cut off."""
    field = "released" if sort == "-released" else "created"
    descending = sort.startswith("-")
    dated, undated = date_ordered_parts(cables, sort)
    last = None
    while True:
        if last is None:
            rows = list(dated[:size])
        else:
            # Two range reads of the date index: an OR of both made the database sort.
            date, reference_id = last
            rows = list(dated.filter(**{field: date, "reference_id__gt": reference_id})[:size])
            if len(rows) < size:
                beyond = {f"{field}__lt" if descending else f"{field}__gt": date}
                rows += dated.filter(**beyond)[: size - len(rows)]
        if rows:
            yield rows
        if len(rows) < size:
            break
        last = (getattr(rows[-1], field), rows[-1].reference_id)
    last_reference = None
    while True:
        chunk = undated
        if last_reference is not None:
            chunk = chunk.filter(reference_id__gt=last_reference)
        rows = list(chunk[:size])
        if rows:
            yield rows
        if len(rows) < size:
            break
        last_reference = rows[-1].reference_id


def date_ordered_slice(cables: QuerySet, sort: str, offset: int, stop: int) -> list[int]:
    """Ids of `ordered(cables, sort)[offset:stop]`, read off the date's index."""
    dated, undated = date_ordered_parts(cables, sort)
    ids = list(dated.values_list("id", flat=True)[offset:stop])
    if len(ids) < stop - offset:
        skip = max(0, offset - dated.count())
        ids += undated.values_list("id", flat=True)[skip : skip + stop - offset - len(ids)]
    return ids


# Facet filters keeping at least this share of the archive list their cables by walking the
# date order of every cable (see `_walked_slice`).
WIDE_SHARE = 0.2


def _walked_slice(data: dict, sort: str, offset: int, stop: int, using: str) -> list[int]:
    """`date_ordered_slice` of the cables passing wide facet filters: every cable walked in
    the sort's order, each step narrowed to those passing the filters. For `?tag=PREL` (71 %
    of the archive) SQLite's planner took the 178,000 tagged cables and sorted them all (the
    API page took 330 ms, 48 ms walked)."""

    def keep(chunk: list[int]) -> set[int]:
        return set(_narrow(sorted(chunk), data, using))

    everything = Cable.objects.using(using).all()
    return _walk_date_order(everything, sort, stop, keep, max(DATE_WALK_STEP, 2 * stop))[offset:]


def _walk_date_order(cables: QuerySet, sort: str, need: int, keep, step: int) -> list[int]:
    """The first `need` of `cables` in the sort's order (read off the date index, `step`
    cables then 4 times more at a time) that `keep(chunk)` (a set of ids) keeps."""
    found: list[int] = []
    start = 0
    while len(found) < need:
        chunk = date_ordered_slice(cables, sort, start, start + step)
        if not chunk:
            break
        kept = keep(chunk)
        found.extend(cable_id for cable_id in chunk if cable_id in kept)
        start += step
        step *= 4
    return found[:need]


class _ResultList:
    """Paginator's sequence for a search without text: counts once, fetches the page's slice."""

    def __init__(
        self, cables: QuerySet, parsed: ParsedQuery, sort: str, using: str, data=None, whole=None
    ):
        self.cables = cables
        self.sort = sort
        self.counted: int | None = None
        self.linked_only = None
        self.wide_filters = None
        if data and not parsed.excluded and not parsed.has_field_filters:
            if len(data) == 1:
                ((name, values),) = data.items()
                if name in LINKED_FILTERS and values:
                    self.linked_only = (name, values)
            if _estimated_share(data, using, whole)[0] >= WIDE_SHARE:
                self.wide_filters = data

    def count(self) -> int:
        if self.linked_only:
            self.counted = _linked_count(*self.linked_only, self.cables.db)
        else:
            self.counted = self.cables.order_by().count()
        return self.counted

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page_slice: slice) -> list[CableHit]:
        offset, stop = page_slice.start or 0, page_slice.stop
        if stop is None or stop <= offset:
            return []
        if self.wide_filters is not None:
            ids = _walked_slice(self.wide_filters, self.sort, offset, stop, self.cables.db)
        elif self.counted is not None and self.counted <= FACET_SAMPLE:
            # Few cables: found through the filter, then sorted. Walking the date index for
            # the 34 partial extracts of the archive took SQLite 270 ms (0.2 ms this way).
            few = Cable.objects.using(self.cables.db).filter(
                id__in=self.cables.order_by().values("id")
            )
            ids = date_ordered_slice(few, self.sort, offset, stop)
        else:
            ids = date_ordered_slice(self.cables, self.sort, offset, stop)
        listed = Cable.objects.using(self.cables.db).filter(id__in=ids).only(*LISTED_FIELDS)
        by_id = {cable.id: cable for cable in listed}
        return _hits([by_id[i] for i in ids if i in by_id], {}, self.cables.db)


def _valid_filter_data(filter_data) -> dict:
    data = filter_form_data(filter_data)
    form = CableFilter.bound_form(_query_dict(data))
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in form.errors.items()
        )
        raise QuerySyntaxError(f"Some filters are not valid ({errors}).")
    return data


@dataclass
class TextMatch:
    base_ids: list[int]  # matching cables before the facet filters (sorted)
    ids: list[int]  # after the facet filters too (sorted)
    complete: bool  # every matching paragraph was looked at: counts are exact
    scale: float  # estimated matches per match seen (1 when complete)
    estimate: int  # the total: exact when complete, else rounded to two significant digits
    base_scale: float = 1.0  # the same for base_ids (a narrow filter counts `ids` exactly)


def _about(count: int, scale: float) -> int:
    """An estimate rounded to two significant digits, never below what was seen."""
    estimate = round(count * scale)
    if estimate >= 100:
        digits = len(str(estimate)) - 2
        estimate = round(estimate, -digits)
    return max(count, estimate)


# Filters that keep those of a few candidate cables carrying a tag or an entity: driven by
# the candidates (index lookups per candidate), never by every cable with that tag.
LINKED_FILTERS = ("tag", "person", "party", "election")


def _id_list(queryset) -> list:
    """The first column of a values_list() query, read with one fetchall: Django's iterator
    fetched the 38,000 cable ids of a person 100 at a time (166 ms, against about 20)."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a condition that can match nothing (`tag_id IN ()`)
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _linked(ids: list[int], name: str, entity_ids, using: str) -> list[int]:
    """The cables of `ids` with one of these tags / a visible mention of these entities."""
    backend = get_backend(using)
    if name == "tag":
        rows = Cable.tags.through.objects.using(using).filter(
            cable_id__in=backend.ids_subquery(ids), tag_id__in=entity_ids
        )
        return sorted(set(_id_list(rows.values_list("cable_id"))))
    rows = Mention.objects.using(using).filter(
        cable_id__in=backend.ids_subquery(ids),
        status__in=VISIBLE_MENTIONS,
        **{f"{name}_id__in": entity_ids},
    )
    return sorted(set(_id_list(rows.values_list("cable_id"))))


def _links(name: str, values, using: str) -> QuerySet:
    """The link rows of these tags (by code) / the visible mentions of these entities (by
    slug): what `CableFilter` filters the cables by."""
    if name == "tag":
        return Cable.tags.through.objects.using(using).filter(tag__code__in=values).order_by()
    return (
        Mention.objects.using(using)
        .filter(status__in=VISIBLE_MENTIONS, **{f"{name}__slug__in": values})
        .order_by()  # the mentions' own order joins the cables and paragraphs
    )


def _linked_count(name: str, values, using: str) -> int:
    """The cables with one of these tags / a visible mention of these entities, counted in
    the link table alone: joined to the cables, PostgreSQL looked up each of the 178,000
    cables tagged PREL (760 ms, against 26)."""
    links = _links(name, values, using)
    if name == "tag" and len(set(values)) == 1:  # one row per (cable, tag)
        return links.count()
    return links.values("cable_id").distinct().count()


def _linked_ids(name: str, values, exact: bool, using: str) -> list[int]:
    if name == "tag":
        tags = Tag.objects.using(using)
        if exact:
            return list(tags.filter(code__in=values).values_list("id", flat=True))
        condition = reduce(or_, (Q(code__iexact=v) for v in values))
        return list(tags.filter(condition).values_list("id", flat=True))
    model = Mention._meta.get_field(name).related_model
    return list(model.objects.using(using).filter(slug__in=values).values_list("id", flat=True))


def _narrow(ids: list[int], filters: dict, using: str) -> list[int]:
    """The cables of `ids` (sorted) passing these facet filters (as CableFilter does)."""
    if not ids or not filters:
        return ids
    plain = {k: v for k, v in filters.items() if k not in LINKED_FILTERS}
    if plain:
        narrowed = Cable.objects.using(using).filter(id__in=get_backend(using).ids_subquery(ids))
        ids = sorted(_id_list(_filterset(plain, narrowed).qs.order_by().values_list("id")))
    for name in LINKED_FILTERS:
        if filters.get(name) and ids:
            ids = _linked(ids, name, _linked_ids(name, filters[name], True, using), using)
    return ids


def _narrow_box(ids: list[int], parsed: ParsedQuery, using: str) -> list[int]:
    """The cables of `ids` (sorted) passing the query box's field filters."""
    if not ids or not parsed.has_field_filters:
        return ids
    linked = {k: v for k, v in parsed.filters.items() if k in LINKED_FILTERS}
    rest = {k: v for k, v in parsed.filters.items() if k not in LINKED_FILTERS}
    if rest or parsed.date_from or parsed.date_before:
        plain = ParsedQuery(
            filters=rest, date_from=parsed.date_from, date_before=parsed.date_before
        )
        narrowed = Cable.objects.using(using).filter(id__in=get_backend(using).ids_subquery(ids))
        ids = sorted(_id_list(_query_box_filters(narrowed, plain).values_list("id")))
    for name, values in linked.items():
        if ids:
            ids = _linked(ids, name, _linked_ids(name, values, name != "tag", using), using)
    return ids


def _bands(backend, node):
    """(the cable ids of `matched_paragraphs`, window or None, complete) for each band the
    count looks at: the backend's windows (see `bands.py`), narrowest first."""
    for window, complete in backend.band_windows(node):
        rows = backend.matched_paragraphs(node, window)
        yield {cable_id for cable_id, _ in rows}, window, complete


@dataclass
class Exclusion:
    """What a query's exclusions (`-word`, `-"a phrase"`) leave: a cable is left out when any
    of its paragraphs matches one. `left`: every cable matching the text and no exclusion,
    when there are at most MATERIALISE_LIMIT of them; else `excluded`: the cables left out."""

    left: set[int] | None = None
    excluded: set[int] = field(default_factory=set)


def _exclusion(parsed: ParsedQuery, using: str) -> Exclusion:
    """Read once per search off the rank index's cable documents: "embassy -the" asks the
    index for the cables with "embassy" and without "the" (a few thousand), never for the
    250,000 with "the"."""
    if not parsed.excluded:
        return Exclusion()
    index = rank_index(using, check=False)
    left = index.cables_left(parsed.text, parsed.excluded, MATERIALISE_LIMIT)
    if left is not None:
        return Exclusion(left=left)
    return Exclusion(excluded=set().union(*(index.cables_with(n) for n in parsed.excluded)))


def _text_match(
    parsed: ParsedQuery,
    data: dict,
    need: int,
    using: str,
    exclusion: Exclusion,
    allowed: list[int] | None = None,
) -> TextMatch:
    """The count and the facets' cables: the cables matching the query's text, exclusions and
    filters, from the database's full-text index.

    A query matching at most about EXACT_HITS paragraphs is counted exactly; a very common one
    is counted in bands (see `bands.py`) until `need` cables passed the filters, and the total
    and the facets are estimated from the share of the archive looked at. The order of the
    page does not come from here: see `_relevance_ranking` and `_date_ordered_ids`.
    `allowed`: the cables passing the facet and field filters (`_filtered_ids`), if known.
    """
    if exclusion.left is not None:
        # An exclusion of a common word leaves few cables, which the bands would only find by
        # reading every match ("embassy -the"): the rank index gave them all.
        base_ids = _narrow_box(sorted(exclusion.left), parsed, using)
        ids = _narrow(base_ids, data, using)
        return TextMatch(base_ids, ids, True, 1.0, len(ids))
    narrow = _filtered_match(parsed, data, need, using, exclusion, allowed)
    if narrow is not None:
        return narrow
    return _banded_match(parsed, data, need, using, exclusion)


# A filter keeping at most RANK_WITHIN_LIMIT cables is counted exactly, among its cables, when
# at most this many of their paragraphs match the text.
FILTERED_COUNT_HITS = 100_000


def _filtered_match(
    parsed: ParsedQuery,
    data: dict,
    need: int,
    using: str,
    exclusion: Exclusion,
    allowed: list[int] | None,
) -> TextMatch | None:
    """The count of a text query under a narrow filter (a party, an election, a post and a
    TAG), exactly: the text is matched among the filtered cables in the rank index (the same
    matches as the database's). The bands would read ever wider windows of a common word
    until enough of its cables passed the filter: 5 s and a 503 for "government" and a party
    at full size on PostgreSQL. The matches before the facet filters (for a selected facet's
    own counts) are still counted in bands, until `need` of them."""
    if allowed is None:
        return None
    index = rank_index(using, check=False)
    query = index.compile(parsed.text)
    if query is None:
        ids: list[int] = []
    else:
        if index.count_paragraphs(index.within(query, allowed)) > FILTERED_COUNT_HITS:
            return None
        ids = sorted(index.cables_matching_node(parsed.text, allowed) - exclusion.excluded)
    if not data:  # every facet counts over these same cables
        return TextMatch(ids, ids, True, 1.0, len(ids))
    base = _banded_match(parsed, {}, need, using, exclusion)
    return TextMatch(base.base_ids, ids, True, 1.0, len(ids), base_scale=base.scale)


def _banded_match(
    parsed: ParsedQuery, data: dict, need: int, using: str, exclusion: Exclusion
) -> TextMatch:
    """The count in bands of the database's matches (see `bands.py`), widened until `need`
    cables passed the filters."""
    backend = get_backend(using)
    excluded = exclusion.excluded
    seen: set[int] = set()
    base_ids = []
    filtered: list[int] = []
    share = 1.0
    complete = False
    for found, window, complete in _bands(backend, parsed.text):
        share = 1.0 if complete else window.share
        ids = found - seen
        seen |= ids
        # Exclusions are per cable: any paragraph of the cable, in the window or not.
        ids -= excluded
        new_ids = _narrow_box(sorted(ids), parsed, using)
        base_ids.extend(new_ids)
        new_ids = _narrow(new_ids, data, using)
        filtered.extend(new_ids)
        if complete or len(filtered) >= need:
            break
    base_ids.sort()
    filtered.sort()
    scale = 1.0 if complete else 1.0 / share
    estimate = len(filtered) if complete else _about(len(filtered), scale)
    return TextMatch(base_ids, filtered, complete, scale, estimate, base_scale=scale)


def _filters_passing(parsed: ParsedQuery, data: dict, using: str):
    """`keep` for a ranking: the cables of a list (in any order) that pass the query box's
    field filters and the facet filters."""

    def keep(ids: list[int]) -> set[int]:
        return set(_narrow(_narrow_box(sorted(ids), parsed, using), data, using))

    return keep


_UNKNOWN: Any = object()


def _relevance_ranking(
    parsed: ParsedQuery,
    data: dict,
    need: int,
    using: str,
    exclusion: Exclusion,
    allowed: list[int] | None = _UNKNOWN,
) -> Ranking:
    """The first `need` cables of the documented ranking (best paragraph's BM25, then id)
    over every match passing the filters, from the rank index (see `rank_index.py`).
    `allowed`: `_filtered_ids(parsed, data, using)` when the caller has it."""
    index = rank_index(using, check=False)  # checked once per search, in `search`
    query = index.compile(parsed.text)
    filtered = bool(data) or parsed.has_field_filters
    if allowed is _UNKNOWN:
        allowed = _filtered_ids(parsed, data, using) if filtered else None
    keep = _filters_passing(parsed, data, using) if filtered and allowed is None else None
    if exclusion.left is not None and query is not None:
        # "embassy -the": nearly every cable of the word is left out, so the ranking would
        # read all its matches: rank among the cables that are left instead.
        left = exclusion.left
        allowed = sorted(left.intersection(allowed) if allowed is not None else left)
    elif exclusion.excluded and query is not None:
        candidates = set(allowed) if allowed is not None else index.cables_with(parsed.text)
        allowed = sorted(candidates - exclusion.excluded)
    if query is not None and allowed is not None:
        # Likewise a filter keeping few cables (Embassy Cairo: 1 % of the archive).
        query = index.within(query, allowed)
    return index.ranked(query, need, keep)


# A facet or field filter keeping at most this many cables is applied inside the rank index.
RANK_WITHIN_LIMIT = 50_000


def _filtered_ids(parsed: ParsedQuery, data: dict, using: str) -> list[int] | None:
    """The ids of the cables passing the facet and field filters (whatever their text), or
    None when there are more than RANK_WITHIN_LIMIT of them."""
    box = ParsedQuery(
        filters=parsed.filters, date_from=parsed.date_from, date_before=parsed.date_before
    )
    if not box.has_field_filters and _estimated_cables(data, using) > RANK_WITHIN_LIMIT:
        return None  # listing them to find out would cost more than it saves
    boxed = _query_box_filters(Cable.objects.using(using).all(), box)
    linked = {k: v for k, v in data.items() if k in LINKED_FILTERS and v}
    plain = {k: v for k, v in data.items() if k not in linked}
    if len(linked) == 1 and not plain and not box.has_field_filters:
        # One TAG or entity alone: its link table, without a lookup of each cable.
        ((name, values),) = linked.items()
        ids = _id_list(
            _links(name, values, using).values_list("cable_id").distinct()[: RANK_WITHIN_LIMIT + 1]
        )
        return ids if len(ids) <= RANK_WITHIN_LIMIT else None
    if linked and (plain or box.has_field_filters):
        # The cables of the other filters first, then the TAG or entity looked up for each
        # (the link tables' (cable, ...) indexes): as one query, PostgreSQL hashed the
        # 178,000 cables tagged PREL to keep those of one post and classification (620 ms).
        candidates = _filterset(plain, boxed).qs.order_by().values_list("id")
        ids = _id_list(candidates[: LINKED_CANDIDATES + 1])
        if len(ids) <= LINKED_CANDIDATES:
            ids = _narrow(sorted(ids), linked, using)
            return ids if len(ids) <= RANK_WITHIN_LIMIT else None
    ids = _id_list(_filterset(data, boxed).qs.order_by().values_list("id")[: RANK_WITHIN_LIMIT + 1])
    # Too many: the filters are checked on the ranking's candidates instead.
    return ids if len(ids) <= RANK_WITHIN_LIMIT else None


# `_filtered_ids` looks up the TAGS or entities of at most this many cables of other filters.
LINKED_CANDIDATES = 20_000


def _estimated_cables(data: dict, using: str) -> float:
    """About how many cables pass these facet filters, from the stored counts of the whole
    archive with the facets taken as independent: PREL (178,000 cables) and CONFIDENTIAL
    (97,000) make about 69,000. A value the stored counts do not list (beyond the most
    frequent) counts 0, a filter without stored counts (a date range) 0 too: the estimate
    errs low, where the cables are listed and counted."""
    share, total = _estimated_share(data, using)
    return share * total


def _estimated_share(data: dict, using: str, whole=None) -> tuple[float, int]:
    """(the share of the archive expected to pass these filters, the archive's cables), as
    `_estimated_cables` explains; (0, 0) without stored counts. `whole`: the stored counts
    (`whole_archive_facets`), when the caller has read them."""
    if not data or not of_the_archive(using):
        return 0.0, 0
    if whole is None:
        whole = stored_summary("facets")
    if whole is None:
        return 0.0, 0
    total = sum(n for _, n in whole["columns"]["year"])  # every year is listed
    share = 1.0
    for name, values in data.items():
        if name in COLUMN_FACETS:
            rows = whole["columns"][name]
        elif name == "tag":
            rows = [(code, n) for code, _, n in whole["tag"]]
        elif name in ENTITY_FACETS:
            rows = whole["entities"][name][0]
        else:
            return 0.0, total
        counts = {str(value): n for value, n in rows}
        wanted = sum(counts.get(str(value), 0) for value in set(values))
        share *= min(1.0, wanted / max(total, 1))
    return share, total


# Date sorts of a broad query walk the archive in date order, this many cables at a time at
# first, and keep those matching: "said" (most cables) fills a page from the first step.
DATE_WALK_STEP = 200


def _date_ordered_ids(
    parsed: ParsedQuery, data: dict, sort: str, need: int, using: str, exclusion: Exclusion
) -> list[int]:
    """The first `need` matching cables in date order, for a query too broad to sort every
    match: the cables passing the facet and field filters, read in the sort's order (an
    index), each step checked against the text and the exclusions in the rank index."""
    index = rank_index(using, check=False)  # checked once per search, in `search`
    query = index.compile(parsed.text)
    box = ParsedQuery(
        filters=parsed.filters, date_from=parsed.date_from, date_before=parsed.date_before
    )
    filtered = _filterset(data, _query_box_filters(Cable.objects.using(using).all(), box)).qs

    def keep(chunk: list[int]) -> set[int]:
        if query is None:
            return set()
        return index.cables_matching(query, chunk) - exclusion.excluded

    return _walk_date_order(filtered, sort, need, keep, DATE_WALK_STEP)


class _MatchList:
    """Paginator's sequence over a TextMatch: the page's cables in the order asked for, with
    their best paragraphs' snippets."""

    def __init__(
        self,
        match: TextMatch,
        parsed: ParsedQuery,
        data: dict,
        sort: str,
        using: str,
        exclusion: Exclusion,
        allowed: list[int] | None = _UNKNOWN,
    ):
        self.exclusion = exclusion
        self.allowed = allowed
        self.match = match
        self.parsed = parsed
        self.data = data
        self.sort = sort
        self.using = using
        self.backend = get_backend(using)

    def count(self) -> int:
        return self.match.estimate

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page_slice: slice) -> list[CableHit]:
        offset, stop = page_slice.start or 0, page_slice.stop
        if stop is None or stop <= offset:
            return []
        cables = Cable.objects.using(self.using).only(*LISTED_FIELDS)
        index = rank_index(self.using, check=False)
        query = index.compile(self.parsed.text)
        if self.sort == "relevance":
            ranking = _relevance_ranking(
                self.parsed, self.data, stop, self.using, self.exclusion, self.allowed
            )
            ids = ranking.ids[offset:stop]
        elif self.match.complete:
            # Every match is known: the database sorts them.
            matched = cables.filter(id__in=self.backend.ids_subquery(self.match.ids))
            ids = list(ordered(matched, self.sort).values_list("id", flat=True)[offset:stop])
        else:
            ids = _date_ordered_ids(
                self.parsed, self.data, self.sort, stop, self.using, self.exclusion
            )
            ids = ids[offset:stop]
        # Not in_bulk: on SQLite it works out a batch size per call, for 20 ids.
        by_id = {cable.id: cable for cable in cables.filter(id__in=ids).order_by()}
        page_cables = [by_id[i] for i in ids if i in by_id]
        chosen = index.best_paragraphs(query, ids, SNIPPETS)
        best = self.backend.snippets(self.parsed.text, chosen)
        return _hits(page_cables, best, self.using)


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


def _column_counts(ids, names: list[str]) -> dict[str, list]:
    """Counts of several cable columns: the matching cables read once, then one small GROUP BY
    per column. (One GROUP BY over all the columns returns about a row per cable, each turned
    into Python values and added up here: slower on both backends.)"""
    cables = Cable.objects.filter(id__in=ids).values_list(*names).order_by()
    inner, params = cables.query.get_compiler(using=cables.db).as_sql()
    connection = connections[cables.db]
    quote = connection.ops.quote_name
    # The other columns as typed NULLs: UNION ALL wants one type per column on PostgreSQL.
    blank = {
        name: f"CAST(NULL AS {Cable._meta.get_field(name).cast_db_type(connection)})"
        for name in names
    }
    arms = [
        f"SELECT {index}, "
        + ", ".join(quote(name) if other == name else blank[other] for other in names)
        + f", COUNT(*) FROM c GROUP BY {quote(name)}"
        for index, name in enumerate(names)
    ]
    sql = f"WITH c({', '.join(quote(name) for name in names)}) AS ({inner}) " + " UNION ALL ".join(
        arms
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    totals: dict[str, dict] = {name: {} for name in names}
    for index, *values, n in rows:
        name = names[index]
        value = values[index]
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


def _tag_counts(ids) -> list[tuple[str, str, int]]:
    """(code, definition, cables) of the most frequent TAGS: counted per tag id on the link
    table's (cable, tag) index alone, the tag rows read for the shown ones only."""
    counts = dict(
        Cable.tags.through.objects.filter(cable_id__in=ids)
        .values_list("tag_id")
        .annotate(n=Count("cable_id"))
        .order_by()
    )
    if not counts:
        return []
    # Rank by count, ties by code: only tags that can still make the cut need their code.
    threshold = sorted(counts.values(), reverse=True)[:FACET_LIMIT][-1]
    contenders = [tag_id for tag_id, n in counts.items() if n >= threshold]
    tags = Tag.objects.filter(id__in=contenders).values_list("id", "code", "definition")
    rows = [(code, definition, counts[tag_id]) for tag_id, code, definition in tags]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return rows[:FACET_LIMIT]


def _entity_counts(ids, names: list[str]) -> dict[str, tuple[list, dict]]:
    """Cables with a confirmed or suggested mention, per entity: the distinct (cable, entity)
    pairs of the matching cables (off `mention_cable_entity_idx`), counted per entity in one
    GROUP BY; names and slugs read afterwards for the entities found only. (A COUNT(DISTINCT)
    grouped by the entities' names joined in sorted every mention: 12 ms for the 15,000
    mentions of the cables of "Tuyakbay" at full size, against 6.)"""
    columns = [f"{name}_id" for name in names]
    pairs = (
        Mention.objects.filter(cable_id__in=ids, status__in=VISIBLE_MENTIONS)
        .values_list("cable_id", *columns)
        .distinct()
        .order_by()
    )
    inner, params = pairs.query.get_compiler(using=pairs.db).as_sql()
    connection = connections[pairs.db]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    sql = (
        f"WITH pairs({quote('cable_id')}, {listed}) AS ({inner}) "
        f"SELECT {listed}, COUNT(*) FROM pairs GROUP BY {listed}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[str, dict] = {name: {} for name in names}
    for *entity_ids, n in rows:
        for name, entity_id in zip(names, entity_ids, strict=True):
            if entity_id is not None:
                found[name][entity_id] = found[name].get(entity_id, 0) + n
    counted = {}
    for name in names:
        if not found[name]:
            counted[name] = ([], {})
            continue
        model = Mention._meta.get_field(name).related_model
        entities = model.objects.using(pairs.db).filter(id__in=list(found[name]))
        slugs, labels = {}, {}
        for entity_id, slug, label in entities.values_list("id", "slug", "name"):
            slugs[entity_id], labels[slug] = slug, label
        counts = [(slugs[i], n) for i, n in found[name].items() if i in slugs]
        counts.sort(key=lambda item: (-item[1], labels[item[0]]))
        counted[name] = (counts[:FACET_LIMIT], labels)
    return counted


def _scaled(rows, scale: float):
    if scale == 1:
        return rows
    return [(value, max(1, round(count * scale))) for value, count in rows]


def whole_archive_facets() -> dict:
    """Every facet's counts over the whole archive, stored per archive version (grouping
    every cable's TAGS took 2.6 s at full size): what a search without text shows for a
    facet whose own selection is all there is (`?tag=KZ` counts the other TAGS over every
    cable)."""

    def compute():
        everything = Cable.objects.order_by().values("id")
        return {
            "columns": _column_counts(everything, list(COLUMN_FACETS)),
            "tag": _tag_counts(everything),
            "entities": _entity_counts(everything, list(ENTITY_FACETS)),
        }

    return summary("facets", compute)


def _facets(ids_source, data: dict, scale=1.0, whole=None) -> list[Facet]:
    """Facet counts; `ids_source(filters)` gives the matching cable ids with these facet
    filters applied, as a subquery. Counts are multiplied by `scale` (a number, or a function
    of the filters) and marked approximate when it is not 1 (counted over a window of the
    matches). `whole`: the counts of the whole archive (`whole_archive_facets`), exact, for
    the facets with no other filter.

    Facets that end up with the same filters (all those with nothing selected, typically)
    share one GROUP BY: one for the cable columns, one for TAGS, one for the entities.
    """

    def others_key(name):
        return tuple(sorted((k, tuple(v)) for k, v in data.items() if k != name))

    def scale_of(name):
        if not callable(scale):
            return scale
        return scale({k: list(v) for k, v in others_key(name)})

    subqueries: dict[tuple, object] = {}

    def ids_for(key):
        # Once per distinct set of filters: the column, TAGS and entity counts share it.
        if key not in subqueries:
            subqueries[key] = ids_source({k: list(v) for k, v in key})
        return subqueries[key]

    columns: dict[str, list] = {}
    exact: set[str] = set()  # read from `whole`, not scaled
    for group in (COLUMN_FACETS, ENTITY_FACETS):
        by_key: dict[tuple, list[str]] = {}
        for name in group:
            by_key.setdefault(others_key(name), []).append(name)
        for key, names in by_key.items():
            if whole is not None and key == ():
                exact.update(names)
                for name in names:
                    if group is COLUMN_FACETS:
                        columns[name] = (whole["columns"][name], None)
                    else:
                        columns[name] = whole["entities"][name]
            elif group is COLUMN_FACETS:
                for name, rows in _column_counts(ids_for(key), names).items():
                    columns[name] = (rows, None)
            else:
                columns.update(_entity_counts(ids_for(key), names))

    facets = []
    for name in FACET_PARAMETERS:
        selected = [str(v) for v in data.get(name, [])]
        labels, titles = None, None
        facet_scale = 1.0 if name in exact else scale_of(name)
        if name == "tag":
            if whole is not None and others_key(name) == ():
                tag_rows, facet_scale = whole["tag"], 1.0
            else:
                tag_rows = _tag_counts(ids_for(others_key(name)))
            rows = _scaled([(code, n) for code, _, n in tag_rows], facet_scale)
            titles = {code: definition for code, definition, _ in tag_rows}
            missing = [v for v in selected if v not in titles]
            if missing:
                titles.update(
                    Tag.objects.filter(code__in=missing).values_list("code", "definition")
                )
        else:
            rows, labels = columns[name]
            rows = _scaled(rows, facet_scale)
            if name == "partial":
                labels = {"full": "Full text", "partial": "Partial extract"}
        items = _facet_items(name, rows, selected, labels, titles)
        if items or selected:
            facets.append(Facet(name, FACET_LABELS[name], items, selected, facet_scale != 1))
    return facets


def _spread_sample(ids: list[int]) -> tuple[list[int], float]:
    """(every n-th of these sorted cable ids, how many each stands for): about FACET_SAMPLE,
    spread over the archive as the ids are (they follow the load order)."""
    step = -(-len(ids) // FACET_SAMPLE)
    if step <= 1:
        return ids, 1.0
    sample = ids[::step]
    return sample, len(ids) / len(sample)


def _sample_ids(using: str) -> tuple[list[int], int]:
    """(the cable ids divisible by `step`, step): about FACET_SAMPLE ids over the id range."""
    # Two scalar subqueries, two index seeks: MIN and MAX side by side make SQLite scan the
    # table (about 2 ms at full size).
    table = Cable._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MIN(id) FROM {table}), (SELECT MAX(id) FROM {table})")
        low, high = cursor.fetchone()
    low, high = low or 0, high or 0
    step = max(1, -(-(high - low + 1) // FACET_SAMPLE))
    return list(range(-(-low // step) * step, high + 1, step)), step


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
    query: str,
    filter_data,
    sort: str = "",
    page=1,
    per_page: int | None = None,
    using="default",
    with_months: bool = False,
) -> SearchResults:
    """Search the archive. Raises QuerySyntaxError (message for the user) and
    django.core.paginator.InvalidPage (a page that does not exist). `with_months`: count the
    cables per month when one year is selected (the search page draws them). Every query of
    the page runs on one database, chosen once (`read_alias.py`)."""
    alias = read_alias() if using == "default" else using
    with reading_from(alias):
        return _search(query, filter_data, sort, page, per_page, alias, with_months)


def _search(query, filter_data, sort, page, per_page, using, with_months) -> SearchResults:
    months = None
    per_page = per_page or PER_PAGE
    parsed = parse_query(query)
    if sort not in SORTS:
        sort = "relevance" if parsed.text is not None else "-created"
    if sort == "relevance" and parsed.text is None:
        sort = "-created"
    if parsed.text is None:
        parsed, data, base, cables = filtered_cables(query, filter_data, using)
        box_filtered = bool(parsed.excluded) or parsed.has_field_filters
        # A facet with no other filter counts the whole archive: the stored counts (exact).
        whole = whole_archive_facets() if not box_filtered and of_the_archive(using) else None
        paginator = Paginator(
            _ResultList(cables, parsed, sort, using, data, whole), per_page, orphans=ORPHANS
        )
        results_page = paginator.page(page or 1)
        total_exact = True
        if paginator.count <= FACET_SAMPLE:
            facets = _facets(
                lambda filters: _filterset(filters, base).qs.order_by().values("id"),
                data,
                1.0,
                whole,
            )
        else:
            # Facets over every `step`-th cable id of the archive: a deterministic sample of
            # about FACET_SAMPLE cables, scaled up and marked. The ids are listed (primary-key
            # lookups), never found by testing every cable; a facet whose own selection is
            # left out counts over the same sample.
            sampled, step = _sample_ids(using)
            sample_ids = get_backend(using).ids_subquery(sampled)
            sample = base.filter(id__in=sample_ids)

            def sample_source(filters):
                # Nothing to filter: the sampled ids themselves, without a lookup in the cable
                # table first (every count joins on the cable id, so an id without a cable
                # counts for nothing either way).
                if not filters and not box_filtered:
                    return sample_ids
                if not box_filtered:
                    # Driven by the sampled ids (the link tables' (cable, ...) indexes): as a
                    # subquery, PostgreSQL hashed all 178,000 cables tagged PREL first.
                    return get_backend(using).ids_subquery(_narrow(sampled, filters, using))
                return _filterset(filters, sample).qs.order_by().values("id")

            facets = _facets(sample_source, data, float(step), whole)
        if with_months:
            months = months_of_selected_year(data, cables, whole=whole is not None)
    else:
        data = _valid_filter_data(filter_data)
        rank_index(using)  # the newest published generation, once per search
        # The count needs the first page's worth of cables; the order reads as deep as asked.
        exclusion = _exclusion(parsed, using)
        # The cables passing the filters, once: the count and the ranking both use them.
        filtered = bool(data) or parsed.has_field_filters
        allowed = _filtered_ids(parsed, data, using) if filtered else None
        match = _text_match(parsed, data, per_page + ORPHANS, using, exclusion, allowed)
        paginator = Paginator(
            _MatchList(match, parsed, data, sort, using, exclusion, allowed),
            per_page,
            orphans=ORPHANS,
        )
        results_page = paginator.page(page or 1)
        backend = get_backend(using)

        # Facets over at most about FACET_SAMPLE of the cables (every n-th id), scaled up and
        # marked: exact facets of the 20,000 cables of "election" naming Putin took 0.5 s.
        ids, ids_scale = _spread_sample(match.ids)
        base_ids, base_scale = _spread_sample(match.base_ids)

        def ids_source(filters):
            if filters == data:
                return backend.ids_subquery(ids)
            return backend.ids_subquery(_narrow(base_ids, filters, using))

        def scale_of(filters):
            if filters == data:
                return match.scale * ids_scale
            return match.base_scale * base_scale

        facets = _facets(ids_source, data, scale_of)
        total_exact = match.complete
        if with_months:
            matched = Cable.objects.using(using).filter(id__in=backend.ids_subquery(match.ids))
            months = months_of_selected_year(data, matched, scale=match.scale)
    results = SearchResults(query, parsed, sort, results_page, facets, [], total_exact)
    results.months = months
    if parsed.text is not None or parsed.excluded:
        results.ignored_words = rank_index(using, check=False).ignored_words(
            [parsed.text, *parsed.excluded]
        )
    if results.total == 0:
        results.suggestions = _suggestions(parsed, data, query)
    return results
