"""What a curation change leaves to refresh, called explicitly by the curation services.

Curation changes which entities cables mention (and how many cables each has). Once the change
is committed, the slices that count entities (the search-box suggestions) refresh what they
hold, so the curator's next keystroke already sees the change. They register their refresh
here (`cables.apps`): entities never import the slices above them. Other processes see a new
archive version on their next suggestion and build theirs (cables/suggest/index.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

# Filled by `CablesConfig.ready`.
REFRESHERS: list[Callable[[], object]] = []


def register_refresher(refresh: Callable[[], object]) -> None:
    if refresh not in REFRESHERS:
        REFRESHERS.append(refresh)


def curation_changed() -> None:
    """Refresh after the current transaction commits (never if it is rolled back: a preview's
    dry run leaves everything alone). Robust: the change is committed whatever happens here, so
    a failed refresh is logged, never shown as a failed change, and never keeps the hooks after
    it (the index's publication) from running."""
    transaction.on_commit(refresh_suggestions, robust=True)


def refresh_suggestions() -> None:
    for refresh in REFRESHERS:
        refresh()
