"""Tag paragraphs with the people, parties and elections they mention.

`tag_cables` is called by ingest for every cable whose paragraphs it (re)wrote, inside the
ingest transaction, and by `manage.py tag_entities` for the whole archive. It replaces the
cables' mentions with fresh ones and then re-applies the curators' decisions
(`MentionDecision`), so re-tagging never duplicates a mention and a confirmed or rejected
mention keeps its status.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from cables.lib.archive_version import archive_changed
from cables.models import (
    Cable,
    EntitySuggestion,
    Mention,
    Paragraph,
)
from cables.search.index_store import publish_on_commit

from .decisions import apply_decisions
from .index import EntityIndex
from .review_queue import fold_pending_surnames, pending_full_names, store_suggestions
from .tagger import CableTagger, Found


@dataclass
class TaggingStats:
    cables: int = 0
    paragraphs: int = 0
    mentions: int = 0
    suggestions: int = 0
    decisions_applied: int = 0
    seconds: float = 0.0
    by_method: Counter = field(default_factory=Counter)

    def add(self, other: TaggingStats) -> None:
        self.cables += other.cables
        self.paragraphs += other.paragraphs
        self.mentions += other.mentions
        self.suggestions += other.suggestions
        self.decisions_applied += other.decisions_applied
        self.seconds += other.seconds
        self.by_method.update(other.by_method)

    @property
    def paragraphs_per_second(self) -> float:
        return self.paragraphs / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        methods = ", ".join(f"{name} {count}" for name, count in sorted(self.by_method.items()))
        return (
            f"{self.cables} cables, {self.paragraphs} paragraphs, {self.mentions} mentions"
            f" ({methods or 'none'}), {self.suggestions} new names for review,"
            f" {self.decisions_applied} curator decisions applied,"
            f" {self.paragraphs_per_second:.0f} paragraphs/second"
        )


def tag_cables(cable_ids: list[int], *, index: EntityIndex | None = None) -> TaggingStats:
    """Replace the mentions of these cables; curator decisions are re-applied. Idempotent."""
    began = time.perf_counter()
    stats = TaggingStats()
    cable_ids = list(cable_ids)
    if not cable_ids:
        return stats
    index = index or EntityIndex()
    tagger = CableTagger(index)
    cables = list(
        Cable.objects.filter(pk__in=cable_ids).only(
            "pk", "reference_id", "origin", "created", "signers", "classified_by"
        )
    )
    index.prepare_origins({cable.origin for cable in cables})
    tag_codes: dict[int, list[str]] = defaultdict(list)
    for cable_id, code in Cable.tags.through.objects.filter(cable_id__in=cable_ids).values_list(
        "cable_id", "tag__code"
    ):
        tag_codes[cable_id].append(code)
    by_cable: dict[int, list[Paragraph]] = defaultdict(list)
    paragraphs: dict[tuple[int, int], Paragraph] = {}
    for paragraph in (
        Paragraph.objects.filter(cable_id__in=cable_ids)
        .only("pk", "cable_id", "number", "text")
        .order_by("cable_id", "number")
    ):
        by_cable[paragraph.cable_id].append(paragraph)
        paragraphs[(paragraph.cable_id, paragraph.number)] = paragraph
    found: list[Found] = []
    suggestions: list[tuple[str, str, str, dict]] = []
    for cable in cables:
        cable_found, cable_suggestions = tagger.tag(cable, by_cable[cable.pk], tag_codes[cable.pk])
        found.extend(cable_found)
        suggestions.extend(cable_suggestions)
    with transaction.atomic():
        stats.decisions_applied = apply_decisions(found, cables, by_cable)
        Mention.objects.filter(cable_id__in=cable_ids).delete()
        Mention.objects.bulk_create([item.to_mention() for item in found], batch_size=1000)
        if index.suggestion_full_names is None:
            index.suggestion_full_names = pending_full_names()
        stats.suggestions = store_suggestions(
            suggestions, cables, full_names=index.suggestion_full_names
        )
        archive_changed()
        publish_on_commit()  # the index stamped with the new version
    stats.cables = len(cables)
    stats.paragraphs = len(paragraphs)
    stats.mentions = len(found)
    stats.by_method.update(item.method for item in found)
    stats.seconds = time.perf_counter() - began
    return stats


def tag_archive(*, batch_size: int = 500, progress=None) -> TaggingStats:
    """Re-tag every cable, in batches; `progress(cables_done)` is called after each batch."""
    index = EntityIndex()
    total = TaggingStats()
    ids = list(Cable.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), batch_size):
        batch = ids[offset : offset + batch_size]
        total.add(tag_cables(batch, index=index))
        if progress:
            progress(len(batch))
    fold_pending_surnames()
    # After the whole archive, a pending name seen nowhere (older, looser rules) leaves the queue.
    EntitySuggestion.objects.filter(
        status=EntitySuggestion.Status.PENDING, places__isnull=True
    ).delete()
    return total
