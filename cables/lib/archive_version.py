"""The archive version: raised by every change readers can see, read by HTTP caching.

Writers call `archive_changed()` explicitly, like index upkeep, inside their own transaction:
readers then see the new version and the new rows together, never one without the other.
Who calls it: ingest and bulk load (`cables/ingest/`), deletes, entity
tagging and curation (`cables/entities/`), the starter list and TAGS definitions, and the
admin's own saves and deletes (`ArchiveChangeAdminMixin` in `cables/admin.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from django.db.models import F
from django.utils import timezone

from cables.models import ArchiveVersion

ROW = 1
NEVER_CHANGED = datetime(2010, 11, 28, tzinfo=UTC)  # the release began: no earlier change


class Version(NamedTuple):
    number: int
    changed_at: datetime


def current_version(using: str | None = None) -> Version:
    """One primary-key read; an archive never changed (or its row gone) is version 0."""
    manager = ArchiveVersion.objects.using(using) if using else ArchiveVersion.objects
    row = manager.filter(pk=ROW).values_list("number", "changed_at").first()
    return Version(*row) if row else Version(0, NEVER_CHANGED)


def archive_changed(using: str = "default") -> None:
    """Raise the version: every cached page of the archive becomes stale."""
    now = timezone.now()
    rows = ArchiveVersion.objects.using(using).filter(pk=ROW)
    if not rows.update(number=F("number") + 1, changed_at=now):
        ArchiveVersion.objects.using(using).get_or_create(
            pk=ROW, defaults={"number": 1, "changed_at": now}
        )
