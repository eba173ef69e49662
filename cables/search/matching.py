"""Text matching under filters: exclusions, banded and filtered matches, relevance ranking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cables.models import Cable

from . import get_backend, thresholds
from .date_order import walk_date_order
from .filtering import bound_filterset, filtered_ids, narrow_box, narrow_ids, query_box_filters
from .query import ParsedQuery
from .rank_index import Ranking, rank_index


@dataclass
class TextMatch:
    base_ids: list[int]  # matching cables before the facet filters (sorted)
    ids: list[int]  # after the facet filters too (sorted)
    complete: bool  # every matching paragraph was looked at: counts are exact
    scale: float  # estimated matches per match seen (1 when complete)
    estimate: int  # the total: exact when complete, else rounded to two significant digits
    base_scale: float = 1.0  # the same for base_ids (a narrow filter counts `ids` exactly)
    # `estimate` is exact though not every match was listed (the cable documents counted it).
    total_exact: bool = False

    def __post_init__(self):
        self.total_exact = self.total_exact or self.complete


def _about(count: int, scale: float) -> int:
    """An estimate rounded to two significant digits, never below what was seen."""
    estimate = round(count * scale)
    if estimate >= 100:
        digits = len(str(estimate)) - 2
        estimate = round(estimate, -digits)
    return max(count, estimate)


def _bands(backend, node):
    """(the cable ids of `matched_paragraphs`, window or None, complete) for each band the
    count looks at: the backend's windows (see `bands.py`), narrowest first."""
    for window, complete in backend.band_windows(node):
        rows = backend.matched_paragraphs(node, window)
        yield {cable_id for cable_id, _ in rows}, window, complete


@dataclass
class Exclusion:
    """What a query's exclusions (`-word`, `-"a phrase"`) leave: a cable is left out when any
    of its paragraphs matches one. `left`: every cable matching the text and no exclusion,
    when there are at most MATERIALISE_LIMIT of them; else `excluded`: the cables left out."""

    left: set[int] | None = None
    excluded: set[int] = field(default_factory=set)


def exclusion_of(parsed: ParsedQuery, using: str) -> Exclusion:
    """Read once per search off the rank index's cable documents: "embassy -the" asks the
    index for the cables with "embassy" and without "the" (a few thousand), never for the
    250,000 with "the"."""
    if not parsed.excluded:
        return Exclusion()
    index = rank_index(using, check=False)
    left = index.cables_left(parsed.text, parsed.excluded, thresholds.MATERIALISE_LIMIT)
    if left is not None:
        return Exclusion(left=left)
    return Exclusion(excluded=set().union(*(index.cables_with(n) for n in parsed.excluded)))


def text_match(
    parsed: ParsedQuery,
    data: dict,
    need: int,
    using: str,
    exclusion: Exclusion,
    allowed: list[int] | None = None,
) -> TextMatch:
    """The count and the facets' cables: the cables matching the query's text, exclusions and
    filters, from the database's full-text index.

    A query matching at most about EXACT_HITS paragraphs is counted exactly; a very common one
    is counted in bands (see `bands.py`) until `need` cables passed the filters, and the total
    and the facets are estimated from the share of the archive looked at. The order of the
    page does not come from here: see `relevance_ranking` and `date_ordered_ids`.
    `allowed`: the cables passing the facet and field filters (`filtered_ids`), if known.
    """
    if exclusion.left is not None:
        # An exclusion of a common word leaves few cables, which the bands would only find by
        # reading every match ("embassy -the"): the rank index gave them all.
        base_ids = narrow_box(sorted(exclusion.left), parsed, using)
        ids = narrow_ids(base_ids, data, using)
        return TextMatch(base_ids, ids, True, 1.0, len(ids))
    narrow = _filtered_match(parsed, data, need, using, exclusion, allowed)
    if narrow is not None:
        return narrow
    match = _banded_match(parsed, data, need, using, exclusion)
    if not match.complete and not data and not parsed.has_field_filters:
        # A common word alone ("the"): its cable documents count its cables exactly; the
        # facets stay counted over the bands.
        exact = rank_index(using, check=False).exact_cable_count(parsed.text, parsed.excluded)
        if exact is not None:
            match.estimate, match.total_exact = exact, True
    return match


def _filtered_match(
    parsed: ParsedQuery,
    data: dict,
    need: int,
    using: str,
    exclusion: Exclusion,
    allowed: list[int] | None,
) -> TextMatch | None:
    """The count of a text query under a narrow filter (a party, an election, a post and a
    TAG), exactly: the text is matched among the filtered cables in the rank index (the same
    matches as the database's). The bands would read ever wider windows of a common word
    until enough of its cables passed the filter: 5 s and a 503 for "government" and a party
    at full size on PostgreSQL. The matches before the facet filters (for a selected facet's
    own counts) are still counted in bands, until `need` of them."""
    if allowed is None:
        return None
    index = rank_index(using, check=False)
    query = index.compile(parsed.text)
    if query is None:
        ids: list[int] = []
    else:
        if index.count_paragraphs(index.within(query, allowed)) > thresholds.FILTERED_COUNT_HITS:
            return None
        ids = sorted(index.cables_matching_node(parsed.text, allowed) - exclusion.excluded)
    if not data:  # every facet counts over these same cables
        return TextMatch(ids, ids, True, 1.0, len(ids))
    base = _banded_match(parsed, {}, need, using, exclusion)
    return TextMatch(base.base_ids, ids, True, 1.0, len(ids), base_scale=base.scale)


def _banded_match(
    parsed: ParsedQuery, data: dict, need: int, using: str, exclusion: Exclusion
) -> TextMatch:
    """The count in bands of the database's matches (see `bands.py`), widened until `need`
    cables passed the filters."""
    backend = get_backend(using)
    excluded = exclusion.excluded
    seen: set[int] = set()
    base_ids = []
    filtered: list[int] = []
    share = 1.0
    complete = False
    for found, window, complete in _bands(backend, parsed.text):
        share = 1.0 if complete else window.share
        ids = found - seen
        seen |= ids
        # Exclusions are per cable: any paragraph of the cable, in the window or not.
        ids -= excluded
        new_ids = narrow_box(sorted(ids), parsed, using)
        base_ids.extend(new_ids)
        new_ids = narrow_ids(new_ids, data, using)
        filtered.extend(new_ids)
        if complete or len(filtered) >= need:
            break
    base_ids.sort()
    filtered.sort()
    scale = 1.0 if complete else 1.0 / share
    estimate = len(filtered) if complete else _about(len(filtered), scale)
    return TextMatch(base_ids, filtered, complete, scale, estimate, base_scale=scale)


def _filters_passing(parsed: ParsedQuery, data: dict, using: str):
    """`keep` for a ranking: the cables of a list (in any order) that pass the query box's
    field filters and the facet filters."""

    def keep(ids: list[int]) -> set[int]:
        return set(narrow_ids(narrow_box(sorted(ids), parsed, using), data, using))

    return keep


UNKNOWN: Any = object()


def relevance_ranking(
    parsed: ParsedQuery,
    data: dict,
    need: int,
    using: str,
    exclusion: Exclusion,
    allowed: list[int] | None = UNKNOWN,
) -> Ranking:
    """The first `need` cables of the documented ranking (best paragraph's BM25, then id)
    over every match passing the filters, from the rank index (see `rank_index.py`).
    `allowed`: `filtered_ids(parsed, data, using)` when the caller has it."""
    index = rank_index(using, check=False)  # checked once per search, in `search`
    query = index.compile(parsed.text)
    filtered = bool(data) or parsed.has_field_filters
    if allowed is UNKNOWN:
        allowed = filtered_ids(parsed, data, using) if filtered else None
    keep = _filters_passing(parsed, data, using) if filtered and allowed is None else None
    if exclusion.left is not None and query is not None:
        # "embassy -the": nearly every cable of the word is left out, so the ranking would
        # read all its matches: rank among the cables that are left instead.
        left = exclusion.left
        allowed = sorted(left.intersection(allowed) if allowed is not None else left)
    elif exclusion.excluded and query is not None:
        candidates = set(allowed) if allowed is not None else index.cables_with(parsed.text)
        allowed = sorted(candidates - exclusion.excluded)
    if query is not None and allowed is not None:
        # Likewise a filter keeping few cables (Embassy Cairo: 1 % of the archive).
        query = index.within(query, allowed)
    return index.ranked(query, need, keep)


def date_ordered_ids(
    parsed: ParsedQuery, data: dict, sort: str, need: int, using: str, exclusion: Exclusion
) -> list[int]:
    """The first `need` matching cables in date order, for a query too broad to sort every
    match: the cables passing the facet and field filters, read in the sort's order (an
    index), each step checked against the text and the exclusions in the rank index."""
    index = rank_index(using, check=False)  # checked once per search, in `search`
    query = index.compile(parsed.text)
    box = ParsedQuery(
        filters=parsed.filters, date_from=parsed.date_from, date_before=parsed.date_before
    )
    filtered = bound_filterset(data, query_box_filters(Cable.objects.using(using).all(), box)).qs

    def keep(chunk: list[int]) -> set[int]:
        if query is None:
            return set()
        return index.cables_matching(query, chunk) - exclusion.excluded

    return walk_date_order(filtered, sort, need, keep, thresholds.DATE_WALK_STEP)
