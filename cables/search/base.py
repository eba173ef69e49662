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

    # --- search ------------------------------------------------------------------------
    def matching_cable_ids(self, node) -> QuerySet:
        """`cable_id` values of paragraphs matching `node`, for use in `id__in=`."""
        raise NotImplementedError

    def ranked_cable_ids(self, node, cables: QuerySet, offset: int, limit: int) -> list[int]:
        """Ids of `cables` ordered by their best matching paragraph, best first."""
        raise NotImplementedError

    def best_paragraphs(self, node, cable_ids: list[int], per_cable: int = 3) -> dict:
        """{cable_id: [ParagraphHit, ...]} best first, with highlighted snippets."""
        raise NotImplementedError

    def ids_subquery(self, ids: list[int]):
        """A subquery yielding these ids, for `id__in=`, with the list as one parameter."""
        return ids

    @staticmethod
    def _keep_best(hits: Iterable[ParagraphHit], per_cable: int) -> dict[int, list[ParagraphHit]]:
        best: dict[int, list[ParagraphHit]] = {}
        for hit in hits:
            kept = best.setdefault(hit.cable_id, [])
            if len(kept) < per_cable:
                kept.append(hit)
        return best
