"""The release's own index of every reference ID (post, year, month), read once per process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from cables.parsing.release_index import ReleaseIndex, load_stations, read_release_index

logger = logging.getLogger(__name__)

_index: ReleaseIndex | None = None
_index_lock = threading.Lock()


def release_index() -> ReleaseIndex:
    """The release index, read on first use in this process."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                path = Path(settings.SAMPLE_CORPUS_DIR) / "cable2month.csv.gz"
                try:
                    _index = read_release_index(path)
                except OSError as error:
                    # The archive still works; the coverage page says the index is missing.
                    logger.error("The release index %s cannot be read: %s", path, error)
                    _index = ReleaseIndex(load_stations(), available=False)
    return _index


def release_entry(reference_id: str):
    """The release's entry (post, year, month) for a reference ID, or None."""
    return release_index().entry(reference_id)
