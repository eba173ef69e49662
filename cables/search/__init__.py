"""Full-text search: one entry point, a PostgreSQL and an SQLite backend under one interface.

Index upkeep is explicit: ingest calls `get_backend().unindex_cables(ids)` before it replaces a
cable's paragraphs and `index_cables(ids)` after, inside the same transaction.
"""

from django.db import connections

from .base import SearchBackend
from .postgres import PostgresBackend
from .sqlite import SqliteBackend


def get_backend(using: str = "default") -> SearchBackend:
    connection = connections[using]
    if connection.vendor == "postgresql":
        return PostgresBackend(using)
    if connection.vendor == "sqlite":
        return SqliteBackend(using)
    raise NotImplementedError(f"No search backend for database vendor {connection.vendor!r}")


__all__ = ["SearchBackend", "get_backend"]
