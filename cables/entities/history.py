"""An entity's curation history in one list: the entity's own changes (created, edited,
merged), its aliases added or removed, its mentions confirmed or rejected one by one, and the
bulk decisions, each with who and when; a bulk decision can be undone from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cables.models import Alias, BulkDecision, MentionDecision

from .curation import entity_field

BULK_REASON = re.compile(r"\(bulk decision #\d+\)|undo of bulk decision #\d+")
HISTORY_TYPES = {"+": "added", "~": "changed", "-": "deleted"}


@dataclass
class Entry:
    when: datetime
    who: str
    what: str
    why: str = ""
    bulk: BulkDecision | None = None


def _who(user) -> str:
    return str(user) if user else "system"


def curation_entries(entity, limit: int = 100) -> list[Entry]:
    field = entity_field(entity)
    entries = [
        Entry(h.history_date, _who(h.history_user),
              f"{field} {HISTORY_TYPES[h.history_type]}", h.history_change_reason or "")
        for h in entity.history.select_related("history_user")[:limit]
    ]  # fmt: skip
    entries += [
        Entry(h.history_date, _who(h.history_user),
              f"alias “{h.text}” ({h.get_kind_display().lower()}) {HISTORY_TYPES[h.history_type]}",
              h.history_change_reason or "")
        for h in Alias.history.filter(**{f"{field}_id": entity.pk}).select_related("history_user")[:limit]
    ]  # fmt: skip
    decisions = MentionDecision.history.filter(**{f"{field}_id": entity.pk}).select_related(
        "history_user"
    )
    entries += [
        Entry(h.history_date, _who(h.history_user),
              f"mention “{h.matched_text}” in {h.reference_id} ¶{h.paragraph_number}"
              f" {'decision removed' if h.history_type == '-' else h.status}",
              h.history_change_reason or "")
        for h in decisions[:limit]
        if not BULK_REASON.search(h.history_change_reason or "")
    ]  # fmt: skip
    for batch in BulkDecision.objects.filter(**{field: entity}).select_related(
        "decided_by", "undone_by"
    )[:limit]:
        entries.append(
            Entry(batch.decided_at, _who(batch.decided_by),
                  f"bulk decision #{batch.pk}: {batch.description} ({batch.count} mentions)",
                  "", batch)
        )  # fmt: skip
        if batch.undone_at:
            entries.append(
                Entry(batch.undone_at, _who(batch.undone_by), f"bulk decision #{batch.pk} undone")
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
