"""Counts over the whole archive, computed once per archive version and kept in the database.

Grouping every cable by year, origin or TAG takes seconds at full size (the origins page 1.8 s,
the TAGS page 0.9 s on SQLite), and the answer changes only when the archive does. A summary is
stored with the archive version it was computed at (`ArchiveSummary`), shared by every process.
Ingest and bulk load compute them when they finish (`cables.ingest.finish.warm_summaries`); after another
change (curation) readers get the stored counts while one thread per process counts again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

from cables.lib.archive_version import current_version
from cables.models import ArchiveSummary

_refreshing: set[str] = set()
_refreshing_lock = threading.Lock()
# A curator's recount and a background refresh in one process may store the same row at once;
# SQLite's shared cache (the tests' in-memory database) refuses the second write outright.
_storing_lock = threading.Lock()
# Set when a request was given counts of an older archive version: its page must not be kept
# as the page of this version (cables/lib/http_cache.py).
stale_served: ContextVar[bool] = ContextVar("stale_summary_served", default=False)


def summary(name: str, compute: Callable[[], object]):
    """The stored `name` summary. When the archive changed since it was stored, the stored
    one is served while it is computed again in the background (a search page's time budget
    must never pay for counting the whole archive); with nothing stored yet it is computed
    here."""
    version = current_version().number
    stored = ArchiveSummary.objects.filter(name=name).values_list("version", "data").first()
    if stored is not None:
        stored_version, data = stored
        if stored_version != version:
            _refresh(name, compute)
            stale_served.set(True)
        return data
    return _store(name, compute)


def recount(name: str, compute: Callable[[], object]):
    """Count `name` now and store it for the current archive version (explicit upkeep after a
    change whose effect on this summary must show at once: cables/entities/upkeep.py)."""
    return _store(name, compute)


def _store(name: str, compute: Callable[[], object]):
    version = current_version().number  # read before counting: a later change re-counts
    data = compute()
    with _storing_lock:
        ArchiveSummary.objects.update_or_create(
            name=name, defaults={"version": version, "data": data}
        )
    return data


def _refresh(name: str, compute: Callable[[], object]) -> None:
    if not settings.SUMMARIES_IN_BACKGROUND:
        _store(name, compute)
        return
    with _refreshing_lock:
        if name in _refreshing:
            return
        _refreshing.add(name)

    def run():
        try:
            _store(name, compute)
        finally:
            connections.close_all()
            with _refreshing_lock:
                _refreshing.discard(name)

    threading.Thread(target=run, name=f"summary-{name}", daemon=True).start()


def stored(name: str):
    """The `name` summary as stored, whatever its archive version, or None: never counted
    here (for estimates that may be a little out of date)."""
    return ArchiveSummary.objects.filter(name=name).values_list("data", flat=True).first()
