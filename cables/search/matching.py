"""Relevance ranking among the cables a search found (its text, exclusions and filters)."""

from __future__ import annotations

import numpy as np

from . import thresholds
from .cable_table import CableTable
from .index_schema import CABLE_WORDS
from .rank_index import RankIndex, Ranking

# Ranked inside a list of the found cables (`RankIndex.within`) when they are at most this
# share of the text's cables; otherwise the text's ranking is read and the found ones kept.
WITHIN_SHARE = 0.05


def relevance_ranking(
    index: RankIndex,
    query,
    parsed,
    table: CableTable,
    found: np.ndarray,
    narrowed: bool,
    need: int,
) -> Ranking:
    """The first `need` cables of the documented ranking (best paragraph's BM25, then id)
    among the cables of `found` (a mask of `table`), from the rank index (`rank_index.py`).
    `query`: the text compiled by `index`. `narrowed`: exclusions or filters keep fewer
    cables than the text alone matches."""
    searcher = index.searcher()
    if not narrowed or query is None:
        return index.ranked(query, need)
    passing = int(found.sum())
    if passing <= thresholds.RANK_WITHIN_LIMIT:
        anywhere = index.compile(parsed.text, searcher, CABLE_WORDS)
        if passing < WITHIN_SHARE * index.count_paragraphs(anywhere, searcher):
            # Few of the text's cables (Embassy Cairo: 1 % of the archive): ranked among them.
            return index.ranked(index.within(query, table.ids_of(found)), need)
    return index.ranked(query, need, lambda ids: table.kept(ids, found))
