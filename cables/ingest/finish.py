"""The finish of every write to the archive: planner statistics, and the stored counts of the
new archive version warmed so that no reader waits for them.

The counts belong to the slices that read them (reading, search, suggestions, coverage); each
registers its warm-up here (`cables.apps`), so ingest never imports the read side.
"""

from collections.abc import Callable

from django.db import connection

# What `warm_summaries` computes, in order: filled by `CablesConfig.ready`.
WARMERS: list[Callable[[], object]] = []


def register_warmer(warm: Callable[[], object]) -> None:
    if warm not in WARMERS:
        WARMERS.append(warm)


def warm_summaries() -> None:
    """Compute the stored summaries of the current archive version (at the end of an ingest),
    so that no reader waits for them."""
    for warm in WARMERS:
        warm()


def refresh_planner_statistics(vacuum: bool = False) -> None:
    """After a large write, let the query planner see the new row counts and values.

    Stale statistics made PostgreSQL's planner expect 20 rows where there were 1,638 and pick a
    plan 30 times slower; autovacuum catches up only later. `vacuum` (after a bulk load, on
    PostgreSQL, outside a transaction): VACUUM too, which marks the freshly written pages
    all-visible, so counts over the link tables are index-only scans (the count of the
    178,000 cables tagged PREL: 760 ms with a heap fetch per row, 4 s of VACUUM to avoid it).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            in_transaction = connection.in_atomic_block
            cursor.execute("VACUUM (ANALYZE)" if vacuum and not in_transaction else "ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
