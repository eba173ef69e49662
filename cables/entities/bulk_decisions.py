"""Bulk decisions (a selection or a whole same-text group at once), recorded so that the
entity's history can undo them.

`decide_many` (cables/entities/curation.py) records each decision row's state before the
action; `undo` puts those states back (deleting the rows the action created) and tags the
cables again, so the mentions return to what the tagger and the remaining decisions say.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cables.lib.archive_version import archive_changed
from cables.models import BulkDecision, Cable, MentionDecision
from cables.search.index_store import publish_on_commit

from .tagging import tag_cables
from .upkeep import curation_changed

SNAPSHOT_FIELDS = (
    "status",
    "person_id",
    "party_id",
    "election_id",
    "decided_by_id",
    "paragraph_number",
    "start",
    "end",
    "paragraph_key",
    "context",
)


def snapshot(decision: MentionDecision) -> dict | None:
    """The decision row as it is now, or None when it is not stored yet."""
    if decision.pk is None:
        return None
    stored = MentionDecision.objects.filter(pk=decision.pk).values(*SNAPSHOT_FIELDS).first()
    return stored


def start(mentions, status: str, *, user=None, description: str = "") -> BulkDecision:
    entities = {mention.entity for mention in mentions}
    entity = entities.pop() if len(entities) == 1 else None
    kind = type(entity).__name__.lower() if entity is not None else None
    texts = sorted({mention.matched_text for mention in mentions})
    batch = BulkDecision(
        description=description or f"{status} {len(mentions)} selected mentions ({', '.join(texts)[:200]})",
        status=status,
        decided_by=user if getattr(user, "is_authenticated", False) else None,
        items=[],
        **({kind: entity} if kind else {}),
    )  # fmt: skip
    batch.save()
    return batch


def finish(batch: BulkDecision) -> None:
    batch.count = len(batch.items)
    batch.save(update_fields=["count", "items"])


def _as_user(row, user, reason):
    if user is not None and getattr(user, "is_authenticated", False):
        row._history_user = user
    row._change_reason = reason
    return row


@transaction.atomic
def undo(batch: BulkDecision, *, user=None) -> int:
    """Put back every decision row the bulk decision changed; tag its cables again."""
    if batch.undone_at is not None:
        return 0
    reason = f"undo of bulk decision #{batch.pk}"
    decisions = MentionDecision.objects.in_bulk([item["decision"] for item in batch.items])
    references = set()
    for item in batch.items:
        decision = decisions.get(item["decision"])
        if decision is None:
            continue
        references.add(decision.reference_id)
        before = item["before"]
        if before is None:
            _as_user(decision, user, reason).delete()
            continue
        for name, value in before.items():
            setattr(decision, name, value)
        _as_user(decision, user, reason).save()
    batch.undone_at = timezone.now()
    batch.undone_by = user if getattr(user, "is_authenticated", False) else None
    batch.save(update_fields=["undone_at", "undone_by"])
    cables = Cable.objects.filter(reference_id__in=references).values_list("pk", flat=True)
    tag_cables(list(cables))
    archive_changed()
    curation_changed()
    publish_on_commit()  # the index stamped with the new version
    return len(batch.items)
