"""What a curation change leaves to refresh, called explicitly by the curation services.

Curation changes which entities cables mention (and how many cables each has), nothing else
that the search-box suggestions count. Once the change is committed, the entities' cable
counts are stored for the new archive version and this process's suggestion index is built
again, so the curator's next keystroke already sees the change. Other processes see a new
archive version on their next suggestion and build theirs (cables/autocomplete.py).
"""

from __future__ import annotations

from django.db import transaction

from cables import autocomplete
from cables.summaries import recount


def curation_changed() -> None:
    """Refresh the suggestions after the current transaction commits (never if it is rolled
    back: a preview's dry run leaves them alone)."""
    transaction.on_commit(refresh_suggestions)


def refresh_suggestions() -> None:
    recount("entity_cables", autocomplete.count_entity_cables)
    autocomplete.rebuild()
