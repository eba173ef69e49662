"""One entry point for searching the archive: `search(query, filter_data, sort, page)`.

The rank index (`rank_index.py`) finds every cable matching the text and ranks them by their
best paragraph; the query box's typed filters and the facet parameters (`filters.py`) narrow
them. The total and every facet are counted exactly over those cables in the facet table
(`cable_table.py`), each facet with its own selection left out (disjunctive). The database
serves the rows of the page shown and the snippets of its best paragraphs.
"""

from __future__ import annotations

from django.core.paginator import Paginator

from cablearchive.routers import reading_from

from . import thresholds
from .cable_table import cable_table
from .facets import table_facets
from .filtering import filtered_cables, id_list, narrow_box, valid_filter_data
from .listing import MatchList, ResultList
from .months import selected_year
from .query import parse_query
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


def _search(query, filter_data, sort, page, per_page, using, with_months) -> SearchResults:
    per_page = per_page or thresholds.PER_PAGE
    parsed = parse_query(query)
    if sort not in SORTS:
        sort = "relevance" if parsed.text is not None else "-created"
    if sort == "relevance" and parsed.text is None:
        sort = "-created"
    if parsed.text is None:
        parsed, data, base, _ = filtered_cables(query, filter_data, using)
        table = cable_table(using)
        if parsed.excluded or parsed.has_field_filters:
            within = table.of_ids(id_list(base.order_by().values_list("id")))
        else:
            within = table.everything()
        found = table.filtered(data, within)
        listing = ResultList(table, found, sort, using)
    else:
        data = valid_filter_data(filter_data)
        index = rank_index(using)  # the newest published generation, once per search
        table = cable_table(using)
        matched = index.every_matching_cable(parsed.text, parsed.excluded)
        if parsed.has_field_filters:
            matched = narrow_box(matched.tolist(), parsed, using)
        within = table.of_ids(matched)
        found = table.filtered(data, within)
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
