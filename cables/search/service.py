"""One entry point for searching the archive: `search(query, filter_data, sort, page)`.

The query box (see `query.py`) and the facet parameters (see `filters.py`) narrow a
Cable queryset; the backend finds matching paragraphs, ranks cables by their best paragraph
and makes snippets only for the page shown. Facets are counted over the matching cables, each
with its own selection left out (disjunctive), one GROUP BY query per facet.
"""

from __future__ import annotations

from django.core.paginator import Paginator

from cablearchive.routers import reading_from
from cables.models import Cable

from . import get_backend, thresholds
from .facets import archive_sample_ids, count_facets, spread_sample, whole_archive_facets
from .filtering import bound_filterset, filtered_cables, filtered_ids, narrow_ids, valid_filter_data
from .listing import MatchList, ResultList
from .matching import exclusion_of, text_match
from .months import months_of_selected_year
from .query import parse_query
from .rank_index import rank_index
from .read_alias import of_the_archive, read_alias
from .relax import suggestions_for
from .results import SORTS, SearchResults
from .value_counts import pin_selected_counts


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
    per_page = per_page or thresholds.PER_PAGE
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
            ResultList(cables, parsed, sort, using, data, whole),
            per_page,
            orphans=thresholds.ORPHANS,
        )
        results_page = paginator.page(page or 1)
        total_exact = True
        if paginator.count <= thresholds.FACET_SAMPLE:
            facets = count_facets(
                lambda filters: bound_filterset(filters, base).qs.order_by().values("id"),
                data,
                1.0,
                whole,
            )
        else:
            # Facets over every `step`-th cable id of the archive: a deterministic sample of
            # about FACET_SAMPLE cables, scaled up and marked. The ids are listed (primary-key
            # lookups), never found by testing every cable; a facet whose own selection is
            # left out counts over the same sample.
            sampled, step = archive_sample_ids(using)
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
                    return get_backend(using).ids_subquery(narrow_ids(sampled, filters, using))
                return bound_filterset(filters, sample).qs.order_by().values("id")

            facets = count_facets(sample_source, data, float(step), whole)
        if with_months:
            months = months_of_selected_year(data, cables, whole=whole is not None)
    else:
        data = valid_filter_data(filter_data)
        rank_index(using)  # the newest published generation, once per search
        # The count needs the first page's worth of cables; the order reads as deep as asked.
        exclusion = exclusion_of(parsed, using)
        # The cables passing the filters, once: the count and the ranking both use them.
        filtered = bool(data) or parsed.has_field_filters
        allowed = filtered_ids(parsed, data, using) if filtered else None
        match = text_match(parsed, data, per_page + thresholds.ORPHANS, using, exclusion, allowed)
        paginator = Paginator(
            MatchList(match, parsed, data, sort, using, exclusion, allowed),
            per_page,
            orphans=thresholds.ORPHANS,
        )
        results_page = paginator.page(page or 1)
        backend = get_backend(using)

        # Facets over at most about FACET_SAMPLE of the cables (every n-th id), scaled up and
        # marked: exact facets of the 20,000 cables of "election" naming Putin took 0.5 s.
        ids, ids_scale = spread_sample(match.ids)
        base_ids, base_scale = spread_sample(match.base_ids)

        def ids_source(filters):
            if filters == data:
                return backend.ids_subquery(ids)
            return backend.ids_subquery(narrow_ids(base_ids, filters, using))

        def scale_of(filters):
            if filters == data:
                return match.scale * ids_scale
            return match.base_scale * base_scale

        facets = count_facets(ids_source, data, scale_of)
        total_exact = match.total_exact
        if with_months:
            matched = Cable.objects.using(using).filter(id__in=backend.ids_subquery(match.ids))
            months = months_of_selected_year(data, matched, scale=match.scale)
    if total_exact:
        pin_selected_counts(facets, paginator.count)
    results = SearchResults(query, parsed, sort, results_page, facets, [], total_exact)
    results.months = months
    if results.total == 0:
        results.suggestions = suggestions_for(parsed, data, query)
    return results
