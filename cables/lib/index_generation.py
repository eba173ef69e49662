"""Which generation of the rank index a server reads: one small stamp file, switched atomically.

The rank index (`cables/search/rank_index.py`) lives in immutable generation directories under
one directory per database (`index_dir`). The stamp file `CURRENT` there names the generation
readers use and the archive version it holds (`cables/archive_version.py`); a writer publishes
a generation by writing it whole, then replacing `CURRENT` (`os.replace`: a reader sees the old
stamp or the new one, never half of one). A server switches by reading this file, a few
microseconds, and the page store keys its pages to the stamp (`cables/http_cache.py`).

Plumbing with no search logic in it, so that HTTP caching can read the stamp too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connections

CURRENT = "CURRENT"


@dataclass(frozen=True)
class Stamp:
    generation: int  # its number: the next publication makes the next one
    version: int  # the archive version the generation holds
    # Its directory, `g000042-` and a random suffix: unique even when the numbers start again
    # (an index directory deleted and rebuilt), so a server never takes a new generation for
    # one it opened before.
    name: str


# The stamp of the generation the current request read its ranking from (set by
# `cables.search.rank_index.rank_index`): a page is kept only under the stamp it was read at.
stamp_read: ContextVar[Stamp | None] = ContextVar("rank_index_stamp_read", default=None)


def index_dir(using: str = "default") -> Path:
    """The directory of the rank index of the database behind `using` (its generations and
    their stamp)."""
    if using.startswith("replica"):
        using = "default"  # a read replica holds the primary's paragraphs: the same index
    connection = connections[using]
    params = connection.settings_dict
    return _index_dir(
        str(settings.RANK_INDEX_DIR),
        connection.vendor,
        str(params.get("HOST")),
        str(params.get("PORT")),
        str(params["NAME"]),
    )


@lru_cache(maxsize=32)
def _index_dir(root: str, vendor: str, host: str, port: str, name: str) -> Path:
    identity = f"{vendor}:{host}:{port}:{name}"
    if vendor == "sqlite" and not name.startswith(("file:", ":")):
        identity = f"sqlite:{Path(name).resolve()}"
    digest = hashlib.sha1(identity.encode()).hexdigest()[:12]
    label = re.sub(r"[^A-Za-z0-9]+", "-", Path(name).name).strip("-")[:40]
    return Path(root) / f"{vendor}-{label}-{digest}"


def read_stamp(using: str = "default") -> Stamp | None:
    """The published generation of this database's index, or None when there is none. Read
    anew each time (a file of 40 bytes): a stat-based cache would miss a stamp replaced within
    the file system's timestamp granularity by a file of the same size and inode number."""
    return parse_stamp(index_dir(using) / CURRENT)


def parse_stamp(path: Path) -> Stamp | None:
    try:
        data = json.loads(path.read_text())
        generation = int(data["generation"])
        return Stamp(generation, int(data["version"]), str(data["name"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_stamp(using: str, stamp: Stamp | None) -> None:
    """Make `stamp` the published generation (None: no index), atomically."""
    current = index_dir(using) / CURRENT
    if stamp is None:
        current.unlink(missing_ok=True)
        return
    temporary = current.with_name(f"{CURRENT}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(asdict(stamp)))
    os.replace(temporary, current)
