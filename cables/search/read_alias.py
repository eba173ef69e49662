"""The database a search page reads from: one alias for all its queries, chosen once.

With read replicas, a page whose match and count came from the primary, facets from a replica
and order from the rank index mixed three snapshots. A search reads everything from one
database: a replica when it is at least at the archive version the rank index's published
generation holds (so every cable the index ranks is there), else the primary.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.db import DatabaseError

from cablearchive.routers import PRIMARY, is_pinned, replica_aliases
from cables.lib.archive_version import current_version
from cables.lib.index_generation import read_stamp

ROUTER = "cablearchive.routers.ReplicaRouter"


def read_alias() -> str:
    """A replica at least at the rank index's archive version, else the primary."""
    if ROUTER not in settings.DATABASE_ROUTERS or is_pinned():
        return PRIMARY
    replicas = replica_aliases()
    stamp = read_stamp()
    if not replicas or stamp is None:
        return PRIMARY
    alias = random.choice(replicas)  # noqa: S311 - load spreading, not security
    try:
        behind = current_version(alias).number < stamp.version
    except DatabaseError:
        return PRIMARY
    return PRIMARY if behind else alias
