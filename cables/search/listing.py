"""The lazy sequences a paginator pages through: filtered cables (no text) and text matches.

Both know every cable of the result (a mask of the cable table, `cable_table.py`): the count
is its size, and a page in date order is a slice of the table's date order. The page's rows
are then read by id.
"""

from __future__ import annotations

import numpy as np

from cables.models import Cable

from . import get_backend, thresholds
from .cable_table import CableTable
from .matching import relevance_ranking
from .query import ParsedQuery
from .rank_index import rank_index
from .results import LISTED_FIELDS, CableHit, hits


class ResultList:
    """Paginator's sequence for a search without text."""

    def __init__(self, table: CableTable, found: np.ndarray, sort: str, using: str):
        self.table = table
        self.found = found
        self.sort = sort
        self.using = using

    def count(self) -> int:
        return int(self.found.sum())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page_slice: slice) -> list[CableHit]:
        offset, stop = page_slice.start or 0, page_slice.stop
        if stop is None or stop <= offset:
            return []
        ids = self.table.in_order(self.found, self.sort, offset, stop)
        listed = Cable.objects.using(self.using).filter(id__in=ids).only(*LISTED_FIELDS)
        by_id = {cable.id: cable for cable in listed}
        return hits([by_id[i] for i in ids if i in by_id], {}, self.using)


class MatchList:
    """Paginator's sequence over the cables matching a text: the page's cables in the order
    asked for (relevance from the rank index, dates from the table), with their best
    paragraphs' snippets."""

    def __init__(
        self,
        table: CableTable,
        found: np.ndarray,
        parsed: ParsedQuery,
        narrowed: bool,
        sort: str,
        using: str,
    ):
        self.table = table
        self.found = found
        self.parsed = parsed
        self.narrowed = narrowed  # exclusions or filters narrow the text's cables
        self.sort = sort
        self.using = using
        self.backend = get_backend(using)

    def count(self) -> int:
        return int(self.found.sum())

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
            ranking = relevance_ranking(
                index, query, self.parsed, self.table, self.found, self.narrowed, stop
            )
            ids = ranking.ids[offset:stop]
        else:
            ids = self.table.in_order(self.found, self.sort, offset, stop)
        # Not in_bulk: on SQLite it works out a batch size per call, for 20 ids.
        by_id = {cable.id: cable for cable in cables.filter(id__in=ids).order_by()}
        page_cables = [by_id[i] for i in ids if i in by_id]
        chosen = index.best_paragraphs(query, ids, thresholds.SNIPPETS)
        best = self.backend.snippets(self.parsed.text, chosen)
        return hits(page_cables, best, self.using)
