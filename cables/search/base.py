from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Markers the backends put around matched words in snippets. The snippet is HTML-escaped
# first and the markers become <mark> afterwards, so cable text can never inject markup.
MARK_START = "\x02"
MARK_END = "\x03"


def marked_snippet(raw: str) -> SafeString:
    html = escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


def by_paragraph(chosen: dict[int, list[tuple[int, float]]]) -> dict[int, tuple[int, float]]:
    """{paragraph_id: (cable_id, score)} from the chosen (paragraph_id, score) of each cable."""
    return {pid: (cable_id, score) for cable_id, hits in chosen.items() for pid, score in hits}


@dataclass
class ParagraphHit:
    cable_id: int
    number: int
    snippet: SafeString
    score: float


class SearchBackend:
    """What every search backend provides.

    Search is per paragraph: a backend finds paragraphs matching a query node (see
    `cables.search.query`), ranks cables by their best paragraph, and makes snippets for the
    cables of the page shown only.
    """

    vendor = ""
    # Whether a search fetches the matching cable ids once and passes them on as one
    # parameter (see `ids_subquery`) instead of re-running the full-text query in the count,
    # the ranking and every facet.
    materialise_matches = True

    def __init__(self, using: str = "default"):
        self.using = using

    # --- index upkeep, called by ingest ------------------------------------------------
    def unindex_cables(self, cable_ids: Iterable[int]) -> None:
        """Forget the paragraphs of these cables (before they are deleted or replaced)."""

    def index_cables(self, cable_ids: Iterable[int]) -> None:
        """Index the paragraphs of these cables (after they are written)."""

    def rebuild(self) -> None:
        """Rebuild the whole index from the paragraph table (after a bulk load)."""

    def index_problems(self) -> dict[str, dict[str, int]]:
        """Per index table: how many paragraphs (with words) it should hold (`expected`), how
        many it holds (`indexed`), and its entries that differ from the paragraphs' text now,
        missing, stale or extra (`wrong`: 0 in a sound index). {} where the index cannot
        drift from the rows."""
        return {}

    # --- search ------------------------------------------------------------------------
    def matching_cable_ids(self, node) -> QuerySet:
        """`cable_id` values of paragraphs matching `node`, for use in `id__in=`."""
        raise NotImplementedError

    def matched_paragraphs(self, node) -> list[tuple[int, int]]:
        """(cable_id, paragraph_id) of every paragraph matching `node` (the database's own
        answer, which the rank index must equal: tests and `exhaustive.py`)."""
        raise NotImplementedError

    def matching_paragraph_ids(self, node, cable_ids: list[int]) -> list[int]:
        """Ids of the paragraphs of these cables that match `node` (an export's chunk)."""
        raise NotImplementedError

    def snippets(self, node, chosen: dict[int, list[tuple[int, float]]]) -> dict:
        """{cable_id: [ParagraphHit, ...]} for the chosen (paragraph_id, score) of each
        cable, best first, with highlighted snippets."""
        raise NotImplementedError

    def ids_subquery(self, ids: list[int]):
        """A subquery yielding these ids, for `id__in=`, with the list as one parameter."""
        return ids
