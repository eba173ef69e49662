"""Fast first load of an empty archive: parse on every core, write with COPY or big transactions.

`bulk_load(paths)` stores the same rows as `cables.ingest.incremental.ingest_paths(paths)` would (same cable
fields, paragraphs, TAGS, references, sources, entity mentions), much faster. Two passes, each
spread over all cores, with one process writing:

1. Load. CSV input is read in chunks of records; a process pool parses them, computes the
   content hashes and turns each cable into ready-to-write rows (the same model code as ingest:
   `rows.fill_cable`, `paragraph_rows`, and every column of the models, so a column added
   later is filled here too). This process only assigns cable and paragraph ids and writes:
   PostgreSQL COPY (psycopg 3), SQLite `executemany` in one transaction per group of cables. It
   also spools what tagging needs to temporary files (`_Spool`). At most a few chunks are in
   flight, so memory stays flat whatever the input size. Other inputs (HTML pages, text files)
   are parsed here, serially.
2. Entity tagging, with the search index built alongside. Once every cable is in, the entity
   index is built (it may learn from the archive, e.g. the country of each post) and a process
   pool tags the spooled cables while this process builds the search index: on PostgreSQL the
   GIN index on `search_vector`, the other secondary indexes and the foreign keys of the loaded
   tables (dropped before the load, rebuilt with a large `maintenance_work_mem`), or the SQLite
   FTS5 table (rebuilt and optimised). Then this process writes the mentions (COPY) and the review queue's new names.
   Cables with curators' decisions are re-tagged by `tag_cables`, which re-applies them.

References are resolved to their target cables in one UPDATE at the end of pass 1.

Only for an empty archive: on a non-empty one it falls back to the normal ingest. A reference ID
seen twice in the input (a cable in two sources) is left to the normal ingest after the load,
so the "fuller text wins" rules and the record of every source stay exactly those of ingest.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from django.db import connection, transaction

from cables.entities import review_queue
from cables.ingest.finish import refresh_planner_statistics, warm_summaries
from cables.ingest.incremental import ingest_paths, ingest_records
from cables.lib.archive_version import archive_changed
from cables.models import (
    Cable,
    EntitySuggestion,
    Mention,
    Paragraph,
    Reference,
    Source,
    SuggestionPlace,
)
from cables.search import get_backend
from cables.search.index_store import build, publish_on_commit

from .bulk_parse import parsed_records
from .bulk_tables import (
    drop_for_load,
    load_settings,
    rebuild_search_index,
    reset_sequences,
    resolve_references,
)
from .bulk_tagging import tag_loaded
from .bulk_write import BulkSummary, Spool, Writer

GROUP_CABLES = 2000  # cables per write transaction


# --- an interrupted load on SQLite --------------------------------------------------------------

# SQLite commits the load a group of cables at a time (one transaction would grow the
# write-ahead log to the size of the archive), and builds the search index only at the end.
# While a load runs, PRAGMA user_version holds the loading process's id: a load that fails is
# undone at once, and one whose process died is found and undone by the next bulk load or
# ingest. (PostgreSQL loads in one transaction: a failed or killed load leaves nothing.)


class LoadRunning(RuntimeError):
    """Another process is bulk-loading this archive."""


def _mark_load(on: bool) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA user_version = {os.getpid() if on else 0}")


def interrupted_load() -> int | None:
    """SQLite: the id of the process whose bulk load of this archive was interrupted, or None.

    Raises LoadRunning if that process is still alive (it is loading right now).
    """
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA user_version")
        pid = cursor.fetchone()[0]
    if not pid:
        return None
    if pid != os.getpid() and _alive(pid):
        raise LoadRunning(f"process {pid} is bulk-loading this archive; wait for it to finish")
    return pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def undo_interrupted_load(stdout=None) -> int:
    """If a bulk load of this (SQLite) archive was interrupted, remove what it had written.

    The load began on an empty archive, so everything in it is the load's: cables, their
    paragraphs, TAGS links, references, sources and mentions go, the search index is emptied,
    and the review queue is counted again. Returns the number of cables removed; raises
    LoadRunning while another process is loading.
    """
    if interrupted_load() is None:
        return 0
    removed = _remove_partial_load()
    if stdout is not None:
        stdout.write(
            f"An earlier bulk load was interrupted: removed the {removed:,} cables it had "
            "written; the archive is empty again.\n"
        )
    return removed


def _remove_partial_load() -> int:
    with transaction.atomic():
        removed = Cable.objects.count()
        with connection.cursor() as cursor:
            for model in (Mention, SuggestionPlace, Reference, Source, Cable.tags.through):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
            cursor.execute(f"DELETE FROM {Paragraph._meta.db_table}")
            cursor.execute(f"DELETE FROM {Cable._meta.db_table}")
        get_backend().rebuild()  # from no paragraphs: an empty index
        review_queue.recount_suggestions(EntitySuggestion.objects.values_list("pk", flat=True))
        _mark_load(False)
        archive_changed()
        publish_on_commit(everything=True)
    return removed


# --- entry point ---------------------------------------------------------------------------------


def bulk_load(
    paths, *, workers: int | None = None, stdout=None, stderr=None, tag_entities: bool = True
) -> BulkSummary:
    """Load `paths` into an empty archive; on a non-empty one, run the normal ingest instead.

    `tag_entities=False` leaves entity mentions to a later `tag_entities` run (for measuring).
    """
    began = time.perf_counter()
    paths = [Path(p) for p in paths]
    summary = BulkSummary()
    out = stdout or sys.stdout
    undo_interrupted_load(out)
    if Cable.objects.exists():
        out.write("The archive is not empty: using the normal ingest.\n")
        result = ingest_paths(paths, on_failure=(stderr.write if stderr else None))
        summary.created, summary.updated = result.created, result.updated
        summary.unchanged, summary.failed, summary.failures = (
            result.unchanged,
            result.failed,
            result.failures,
        )
        summary.fell_back = True
        summary.seconds = time.perf_counter() - began
        return summary

    workers = workers or os.cpu_count() or 1
    spool = Spool() if tag_entities else None
    load_settings(True)
    _mark_load(True)
    loaded = False
    try:
        # PostgreSQL: one transaction for the whole load, DDL included (see _drop_for_load);
        # readers of the (empty) archive wait for it. SQLite: a transaction per group of
        # cables, so that the write-ahead log stays small.
        with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
            writer = _load(paths, workers, summary, spool, stdout=out, stderr=stderr, began=began)

            def build_index():
                index_began = time.perf_counter()
                rebuild_search_index(writer.dropped)
                summary.index_seconds = time.perf_counter() - index_began
                out.write(f"  search index: {summary.index_seconds:.0f} s\n")

            if tag_entities:
                tagging_began = time.perf_counter()
                # The index is built while the pool tags: the two overlap.
                tag_loaded(writer, workers, build_index)
                summary.tagging_seconds = time.perf_counter() - tagging_began
                out.write(
                    f"  entity tagging and search index: {summary.tagging_seconds:.0f} s"
                    f" (storing the mentions and review-queue names: {summary.store_seconds:.0f} s)\n"
                )
            else:
                build_index()
        _mark_load(False)
        loaded = True
        archive_changed()
        analyze_began = time.perf_counter()
        refresh_planner_statistics(vacuum=True)
        summary.index_seconds += time.perf_counter() - analyze_began
        # The relevance order's index, from the committed paragraphs.
        rank_began = time.perf_counter()
        build(stdout=out)
        summary.rank_seconds = time.perf_counter() - rank_began
        warm_summaries()  # the browse pages' counts, once, before the first reader
    except BaseException:
        # SQLite kept the groups written so far: remove them (PostgreSQL rolled back).
        if connection.vendor == "sqlite" and not loaded:
            _remove_partial_load()
        raise
    finally:
        load_settings(False)
        if spool is not None:
            spool.close()
    if writer.duplicates:
        # Same reference ID again: the normal ingest decides which text wins and records the source.
        again = ingest_records(writer.duplicates)
        summary.updated += again.updated
        summary.unchanged += again.unchanged
        summary.failed += again.failed
        summary.failures += again.failures
    summary.seconds = time.perf_counter() - began
    return summary


def _load(paths, workers, summary, spool, *, stdout, stderr, began) -> Writer:
    """Pass 1: every cable parsed on the pool and written here (and spooled for tagging)."""
    out = stdout
    writer = Writer(summary, stderr)
    writer.spool = spool
    writer.dropped = drop_for_load()
    group: list = []
    last_report = time.perf_counter()
    for record, reparse in parsed_records(paths, workers):
        if isinstance(record, str):
            writer.fail(record)
            continue
        if record.reference_id in writer.seen:
            writer.duplicates.append(reparse())
            continue
        writer.seen.add(record.reference_id)
        group.append(record)
        if len(group) >= GROUP_CABLES:
            writer.write_group(group)
            group = []
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                elapsed = last_report - began
                out.write(
                    f"  {summary.created:,} cables, {elapsed:.0f} s, "
                    f"{summary.created / elapsed:,.0f} cables/s\n"
                )
    if group:
        writer.write_group(group)
    writer.seen.clear()
    resolve_references()
    reset_sequences()
    summary.parse_seconds = time.perf_counter() - began
    return writer
