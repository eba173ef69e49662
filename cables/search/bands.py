"""Bands: in which order relevance ranking looks at the matches of a very common query.

A query matching at most about EXACT_HITS paragraphs (each backend estimates it its own way)
has every match ranked and counted: the total and the facet counts are exact. Above it,
ranking looks at a window of the archive first, spread over all years and origins, then at
wider ones until the page is full; the total and the facets are then estimates shown as
"about N". A window depends on the query and the archive alone, so the order is the same on
every run and every page is a slice of the same ranking.

A backend's `band_windows(node)` yields `(window, complete)` pairs; the last is complete (with
it, every match has been looked at). `window.share` is the part of the archive looked at once
that window's band is ranked, growing from band to band; None stands for the whole archive.
Two kinds:

- `Slices` (PostgreSQL): the same stretch of each of SLICES equal parts of the paragraph ids,
  read by id range; the first sized for about CANDIDATE_HITS matches, each next WIDEN times
  bigger (`sliced_windows`).
- `CableSample` (SQLite): the paragraphs of every n-th cable, kept in an FTS5 table of their
  own, so that a common word's band walks a doclist n times shorter than the whole index's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

EXACT_HITS = 5_000
CANDIDATE_HITS = 2_000
WIDEN = 4
SLICES = 50


@dataclass(frozen=True)
class Slices:
    """Paragraph ids p with first <= p <= last and lo <= (p - first) % stride < hi: the same
    stretch of every one of about SLICES equal parts of the archive, so that a band of
    matches is spread over all years and origins (a fair sample for the estimates)."""

    first: int
    last: int
    stride: int
    lo: int
    hi: int

    @property
    def share(self) -> float:
        """The share of all paragraph ids covered from offset 0 up to `hi`."""
        return min(1.0, self.hi / self.stride)

    @property
    def ids(self) -> int:
        """About how many paragraph ids these slices hold (lo <= offset < hi in each part)."""
        return (self.hi - self.lo) * (self.last - self.first + 1) // self.stride


@dataclass(frozen=True)
class CableSample:
    """The paragraphs of the cables whose id is a multiple of `modulus`, indexed in `table`.

    Cable ids follow the order of loading, so every n-th cable is spread over the whole
    archive; a cable is in a sample with all its paragraphs (its best three can be shown).
    Samples nest: a multiple of 512 is a multiple of 64 and of 8."""

    table: str
    modulus: int

    @property
    def share(self) -> float:
        return 1.0 / self.modulus


def sliced_windows(backend, node) -> Iterator[tuple[Slices | None, bool]]:
    """The windows of a backend that estimates a query's matches (`count_hits`) and reads
    stretches of the paragraph ids: everything at once up to about EXACT_HITS matches, else
    slices sized for about CANDIDATE_HITS matches, widened WIDEN times until they cover all."""
    first, last = backend.paragraph_id_bounds()
    hits = backend.count_hits(node, first, last) if last > first else 0
    if hits <= EXACT_HITS:
        yield None, True
        return
    stride = max(1, -(-(last - first + 1) // SLICES))
    lo, hi = 0, max(1, -(-stride * CANDIDATE_HITS // hits))
    while hi < stride:
        yield Slices(first, last, stride, lo, hi), False
        lo, hi = hi, hi * WIDEN
    yield Slices(first, last, stride, lo, stride), True
