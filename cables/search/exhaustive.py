"""The documented ranking over every match, computed the slow exhaustive way (for the bench)."""

# STAND-IN: replaced by the lead. It ranks with search() itself, page after page, so the
# bench's overlap@20 is 1.0 by construction; it only lets the bench and its test run.

from django.core.paginator import InvalidPage

from cables.search.service import search

STAND_IN_PAGE = 100  # snippets of more cables exceed SQLite's compound SELECT limit


def exhaustive_ranking(
    query: str, filter_data: dict, sort: str, using: str = "default"
) -> list[int]:
    """Cable ids in the documented order over EVERY match of the query, facet filters
    (filter_data: {param: [values]}, as request.GET lists) and sort ("relevance",
    "-created", "created", "-released"), computed the slow exhaustive way."""
    # STAND-IN: replaced by the lead.
    ids: list[int] = []
    number = 1
    while True:
        try:
            results = search(query, filter_data, sort, number, STAND_IN_PAGE, using)
        except InvalidPage:
            return ids
        ids.extend(hit.cable.id for hit in results.page)
        if not results.page.has_next():
            return ids
        number += 1
