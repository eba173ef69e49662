"""Around a bulk load: the indexes dropped and rebuilt, database settings, references and sequences."""

from __future__ import annotations

import resource
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection

from cables.models import (
    Cable,
    Mention,
    Paragraph,
    Reference,
    Source,
)
from cables.search import get_backend

GIN_INDEX = "paragraph_search_gin"
MAINTENANCE_WORK_MEM = "1GB"
SQLITE_CACHE_KB = 262144  # page cache of the loading connection (256 MB)


# --- index upkeep and settings around the load ---------------------------------------------------


def _loaded_tables() -> list[str]:
    return [
        model._meta.db_table
        for model in (Cable, Paragraph, Cable.tags.through, Reference, Source, Mention)
    ]


@dataclass
class Dropped:
    """What the load dropped on PostgreSQL, to put back once every row is in."""

    indexes: tuple[str, ...] = ()  # definitions (CREATE INDEX ...), the GIN index last
    foreign_keys: tuple = ()


def drop_for_load() -> Dropped:
    """PostgreSQL: drop the foreign keys and the secondary indexes of the loaded tables.

    A row-by-row GIN update, a foreign-key check per row and an insert into each of the cable
    table's dozen btrees per row cost far more than one build per index and one check per key
    at the end. Primary keys and unique indexes stay: they are constraints. Runs inside the
    load's transaction, so a failed or interrupted load rolls all of it back.
    """
    if connection.vendor != "postgresql":
        return Dropped()
    tables = _loaded_tables()
    with connection.cursor() as cursor:
        # Inside an outer transaction (a test), deferred foreign-key checks may be pending,
        # and PostgreSQL refuses to alter a table with pending trigger events: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY (i.indexrelid::regclass::text = %s), i.indexrelid::regclass::text",
            [tables, GIN_INDEX],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        keys = tuple(cursor.fetchall())
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return Dropped(tuple(definition for _, definition in indexes), keys)


def rebuild_search_index(dropped: Dropped) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Each key is checked once, with one join over the whole table.
            for table, name, definition in dropped.foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                    f"{definition}"
                )
            cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            for definition in dropped.indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            get_backend().rebuild()


def resolve_references() -> None:
    table = Reference._meta.db_table
    cables = Cable._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET target_id = (SELECT c.id FROM {cables} c "
            f"WHERE c.reference_id = {table}.reference_id) WHERE target_id IS NULL"
        )


def reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Cable, Paragraph])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def load_settings(on: bool) -> None:
    """Relaxed durability and a big cache for the loading session, then back to normal.

    A crash during a first load loses only the load (the archive was empty): run it again.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off" if on else "RESET synchronous_commit")
            # Long paragraphs and cable bodies are compressed as they are stored: lz4 takes a
            # fraction of the default pglz's CPU (15 % of the server's load time with pglz).
            if on and _has_lz4(cursor):
                cursor.execute("SET default_toast_compression = 'lz4'")
            elif not on:
                cursor.execute("RESET default_toast_compression")
            return
        if connection.vendor == "sqlite":
            cache = -SQLITE_CACHE_KB if on else -2000
            cursor.execute(f"PRAGMA cache_size = {cache}")
            # SQLite refuses to change it inside a transaction (as in a test): it stays.
            if not connection.in_atomic_block:
                cursor.execute(f"PRAGMA synchronous = {'OFF' if on else 'NORMAL'}")


def _has_lz4(cursor) -> bool:
    """Whether this PostgreSQL server was built with lz4 (Debian's and the Docker image are)."""
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = %s",
        ["default_toast_compression"],
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024
