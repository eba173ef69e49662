"""Facet filters and the query box's field filters, as querysets and as lists of cable ids."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import reduce
from operator import or_

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from cables.models import Cable, Mention, Tag
from cables.search.filters import CableFilter

from . import get_backend, thresholds
from .cable_table import CableTable
from .lookup import matching_entities, named_entity_ids
from .query import ParsedQuery, QuerySyntaxError, parse_query
from .rank_index import rank_index


def query_box_filters(cables: QuerySet, parsed: ParsedQuery) -> QuerySet:
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
            # What a person types (surname, name, alias, any case): see lookup.py.
            # No entity named: an id none has (the facet SQL cannot be written with IN ()).
            named = named_entity_ids(key, values) or [0]
            mentioned = (
                Mention.objects.visible().filter(**{f"{key}_id__in": named}).values("cable_id")
            )
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
            listed = rank_index(using).cables_with(parsed.text, thresholds.MATERIALISE_LIMIT)
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
    return query_box_filters(cables, parsed)


def _match_once(cable_ids: QuerySet, backend):
    """The full-text match run once: its cable ids as a one-parameter subquery.

    The count, the ranking and every facet filter on the text match; running the full-text
    query once instead of ten times is most of a search's cost. Past MATERIALISE_LIMIT cables
    the ids are left to the database's own subquery.
    """
    ids = list(
        cable_ids.order_by()
        .values_list("cable_id", flat=True)
        .distinct()[: thresholds.MATERIALISE_LIMIT + 1]
    )
    return cable_ids if len(ids) > thresholds.MATERIALISE_LIMIT else backend.ids_subquery(ids)


def filter_form_data(data) -> dict:
    """Only the facet parameters of a QueryDict/dict, as lists."""
    getlist = data.getlist if hasattr(data, "getlist") else lambda k: _as_list(data.get(k))
    return {key: getlist(key) for key in CableFilter.base_filters if getlist(key)}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _query_dict(data: dict):
    query_dict = QueryDict(mutable=True)
    for key, values in data.items():
        query_dict.setlist(key, [str(v) for v in values])
    return query_dict


def bound_filterset(data: dict, cables: QuerySet) -> CableFilter:
    return CableFilter(_query_dict(data), queryset=cables)


def filtered_cables(
    query: str, filter_data, using: str = "default", listed_by_rank_index: bool = False
):
    """(parsed query, facet data, filtered cable queryset). Raises QuerySyntaxError."""
    parsed = parse_query(query)
    data = filter_form_data(filter_data)
    base = matching_cables(parsed, using, listed_by_rank_index)
    filterset = bound_filterset(data, base)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        raise QuerySyntaxError(f"Some filters are not valid ({errors}).")
    return parsed, data, base, filterset.qs


def valid_filter_data(filter_data) -> dict:
    data = filter_form_data(filter_data)
    form = CableFilter.bound_form(_query_dict(data))
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in form.errors.items()
        )
        raise QuerySyntaxError(f"Some filters are not valid ({errors}).")
    return data


def id_list(queryset) -> list:
    """The first column of a values_list() query, read with one fetchall: Django's iterator
    fetched the 38,000 cable ids of a person 100 at a time (166 ms, against about 20)."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a condition that can match nothing (`tag_id IN ()`)
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def box_mask(table: CableTable, parsed: ParsedQuery, using: str) -> np.ndarray:
    """The cables of the table passing the query box's field filters, as `query_box_filters`
    keeps them in the database (several values of a field: any of them), read off the table
    instead of checking every matched cable in the database (376 ms at p95 at full size)."""
    mask = table.everything()
    for key, values in parsed.filters.items():
        if key in ("origin", "class"):
            name = "origin" if key == "origin" else "classification"
            typed = [v.lower() for v in values]
            kept = [value for value in table.columns[name].values if _contains(value, typed)]
            mask &= table.value_mask(name, kept)
        elif key == "year":
            mask &= table.value_mask("year", [str(int(v)) for v in values])
        elif key == "tag":
            typed = {v.upper() for v in values}
            mask &= table.value_mask(
                "tag", [c for c in table.links["tag"].values if c.upper() in typed]
            )
        elif key in ("person", "party", "election"):
            slugs = {e.slug for v in values for e in matching_entities(key, v, using)}
            mask &= table.value_mask(key, slugs)
        elif key == "ref":  # reference IDs are not in the table: the unique index finds them
            condition = reduce(or_, (Q(reference_id__iexact=v) for v in values))
            cables = Cable.objects.using(using).filter(condition)
            mask &= table.of_ids(id_list(cables.values_list("id")))
    if parsed.date_from:
        mask &= table.value_mask("date_from", [parsed.date_from])
    if parsed.date_before:  # exclusive: the day before, inclusive
        mask &= table.value_mask("date_to", [parsed.date_before - timedelta(days=1)])
    return mask


def _contains(value, typed: list[str]) -> bool:
    text = str(value).lower()
    return any(t in text for t in typed)
