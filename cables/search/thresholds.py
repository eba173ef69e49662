"""Tuning constants of search: page size, facet length, the limits that pick a strategy.
One module so tests and benchmarks set them in one place (`thresholds.NAME`)."""

PER_PAGE = 20
ORPHANS = 3
FACET_LIMIT = 25
MATERIALISE_LIMIT = 20_000
SNIPPETS = 3  # best paragraphs shown per cable

# Filters keeping at most this many cables (and few of the text's) are ranked among those
# cables inside the rank index (`matching.relevance_ranking`).
RANK_WITHIN_LIMIT = 50_000
