"""One entry point for searching the archive: `search(query, filter_data, sort, page)`.

The rank index (`rank_index.py`) finds every cable matching the text and ranks them by their
best paragraph; the query box's typed filters and the facet parameters (`filters.py`) narrow
them. The total and every facet are counted exactly over those cables in the facet table
(`cable_table.py`), each facet with its own selection left out (disjunctive). The database
serves the rows of the page shown and the snippets of its best paragraphs.
"""

from __future__ import annotations

import numpy as np
from django.core.paginator import Paginator

from cablearchive.routers import reading_from

from . import thresholds
from .cable_table import CableTable, cable_table
from .facets import table_facets
from .filtering import box_mask, valid_filter_data
from .listing import MatchList, ResultList
from .months import selected_year
from .query import ParsedQuery, parse_query
from .rank_index import rank_index
from .read_alias import read_alias
from .relax import suggestions_for
from .results import SORTS, SearchResults


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


def matching_mask(table: CableTable, parsed: ParsedQuery, using: str) -> np.ndarray:
    """The cables of `table` matching the box: its text, exclusions and typed fields (before
    the facet filters). Browsing needs no rank index; text and exclusions do."""
    if parsed.text is None:
        within = table.everything()
        if parsed.excluded:
            index = rank_index(using)
            for excluded in parsed.excluded:
                within &= ~table.of_ids(index.every_matching_cable(excluded, []))
    else:
        index = rank_index(using)  # the newest published generation, once per search
        within = table.of_ids(index.every_matching_cable(parsed.text, parsed.excluded))
    if parsed.has_field_filters:
        within &= box_mask(table, parsed, using)
    return within


def facet_counts(name: str, query: str, filter_data) -> tuple[dict, CableTable]:
    """{value: cables} of every value of facet `name` over the cables matching `query` and
    the other facet filters: what the search page counts, not cut to its top list ("Show
    all"). Raises QuerySyntaxError."""
    alias = read_alias()
    with reading_from(alias):
        parsed = parse_query(query)
        data = valid_filter_data(filter_data)
        others = {key: values for key, values in data.items() if key != name}
        table = cable_table(alias)
        among = table.filtered(others, matching_mask(table, parsed, alias))
        return table.counts(name, among), table


def _search(query, filter_data, sort, page, per_page, using, with_months) -> SearchResults:
    per_page = per_page or thresholds.PER_PAGE
    parsed = parse_query(query)
    if sort not in SORTS:
        sort = "relevance" if parsed.text is not None else "-created"
    if sort == "relevance" and parsed.text is None:
        sort = "-created"
    data = valid_filter_data(filter_data)
    table = cable_table(using)
    within = matching_mask(table, parsed, using)
    found = table.filtered(data, within)
    if parsed.text is None:
        listing = ResultList(table, found, sort, using)
    else:
        narrowed = bool(data or parsed.excluded or parsed.has_field_filters)
        listing = MatchList(table, found, parsed, narrowed, sort, using)
    paginator = Paginator(listing, per_page, orphans=thresholds.ORPHANS)
    results_page = paginator.page(page or 1)
    facets = table_facets(table, within, data)
    results = SearchResults(query, parsed, sort, results_page, facets, [])
    year = selected_year(data)
    if with_months and year is not None:
        results.months = table.months(found, year)
    if results.total == 0:
        results.suggestions = suggestions_for(parsed, data, query)
    return results
