"""The documented order of a search computed the slow way, over every match: what the bench
and the tests compare the pages with.

Nothing here takes the search page's shortcuts: the matching cables come from the database's
own full-text index with every exclusion, field filter and facet filter applied to the whole
archive (`filtered_cables`); relevance scores every matching paragraph in the rank index (no
top-k pruning) and keeps each cable's best; date sorts are the database's ORDER BY over all of
them. The facet counts are the database's GROUP BYs over those cables.
"""

from __future__ import annotations

import math

from django.db.models import Count

from cables.models import Cable, Mention

from . import get_backend
from .date_order import ordered
from .filtering import (
    bound_filterset,
    filter_form_data,
    filtered_cables,
    id_list,
    matching_cables,
)
from .query import QuerySyntaxError, parse_query
from .rank_index import rank_index
from .results import ENTITY_FACETS, SORTS


def effective_sort(query: str, sort: str) -> str:
    """The sort `search()` applies: relevance needs text; without a choice, text ranks by
    relevance and no text lists the newest first."""
    has_text = parse_query(query).text is not None
    if sort not in SORTS:
        sort = "relevance" if has_text else "-created"
    if sort == "relevance" and not has_text:
        sort = "-created"
    return sort


def exhaustive_ranking(
    query: str, filter_data, sort: str = "", using: str = "default"
) -> list[int]:
    """Cable ids in the documented order over every match of the query, the facet filters
    (`filter_data`: {parameter: [values]}) and the sort."""
    sort = effective_sort(query, sort)
    parsed, _, _, cables = filtered_cables(query, filter_data, using)
    if sort != "relevance":
        return list(ordered(cables, sort).values_list("id", flat=True))
    matching = set(cables.order_by().values_list("id", flat=True))
    index = rank_index(using)
    scores = index.all_best_scores(index.compile(parsed.text))
    # A cable the database matches but the rank index does not would rank last: the
    # comparison then shows it instead of hiding it.
    return sorted(matching, key=lambda cable_id: (-scores.get(cable_id, -math.inf), cable_id))


def exhaustive_counts(
    names: list[str], query: str, params, using: str = "default"
) -> dict[str, dict[str, int]]:
    """{facet: {value: cables}} of each facet of `names` over every cable matching `query` and
    the other facet filters of `params` (a QueryDict or {parameter: [values]}), counted by the
    database. The box's matches are read once for all the facets: on PostgreSQL a common
    word's full-text scan took seconds, once per facet."""
    parsed = parse_query(query)
    data = filter_form_data(params)
    matching = id_list(matching_cables(parsed, using).order_by().values_list("id"))
    base = Cable.objects.using(using).filter(id__in=get_backend(using).ids_subquery(matching))
    counted = {}
    for name in names:
        others = {key: values for key, values in data.items() if key != name}
        filterset = bound_filterset(others, base)
        if not filterset.is_valid():
            raise QuerySyntaxError(f"Some filters are not valid: {filterset.errors}")
        counted[name] = _counts(name, filterset.qs.order_by().values("id"), using)
    return counted


def _counts(name: str, ids, using: str) -> dict[str, int]:
    if name == "tag":
        rows = (
            Cable.tags.through.objects.using(using)
            .filter(cable_id__in=ids)
            .values_list("tag__code")
            .annotate(n=Count("cable_id", distinct=True))
        )
    elif name in ENTITY_FACETS:
        rows = (
            Mention.objects.using(using)
            .visible()
            .filter(cable_id__in=ids)
            .exclude(**{f"{name}__isnull": True})
            .values_list(f"{name}__slug")
            .annotate(n=Count("cable_id", distinct=True))
        )
    else:
        rows = (
            Cable.objects.using(using).filter(id__in=ids).values_list(name).annotate(n=Count("id"))
        )
    counts = {}
    for value, n in rows.order_by():
        if value in (None, ""):
            continue
        if name == "partial":
            value = "partial" if value else "full"
        counts[str(value)] = n
    return counts
