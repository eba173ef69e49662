"""Tuning constants of search: page size, facet and sampling bounds, the limits that pick a
strategy. One module so tests and benchmarks set them in one place (`thresholds.NAME`)."""

PER_PAGE = 20
ORPHANS = 3
FACET_LIMIT = 25
MATERIALISE_LIMIT = 20_000
SNIPPETS = 3  # best paragraphs shown per cable
# A listing of at most FEW_CABLES cables finds them through its filters, then sorts them.
FEW_CABLES = 5_000


# Facet filters keeping at least this share of the archive list their cables by walking the
# date order of every cable (see `walked_slice`).
WIDE_SHARE = 0.2


# A facet or field filter keeping at most this many cables is applied inside the rank index.
RANK_WITHIN_LIMIT = 50_000


# `filtered_ids` looks up the TAGS or entities of at most this many cables of other filters.
LINKED_CANDIDATES = 20_000


# Date sorts of a broad query walk the archive in date order, this many cables at a time at
# first, and keep those matching: "said" (most cables) fills a page from the first step.
DATE_WALK_STEP = 200
