"""Fast first load of an empty archive: parse on every core, write with COPY or big transactions.

`bulk_load(paths)` stores the same rows as `cables.ingest.ingest_paths(paths)` would (same cable
fields, paragraphs, TAGS, references, sources, entity mentions), much faster. Two passes, each
spread over all cores, with one process writing:

1. Load. CSV input is read in chunks of records; a process pool parses them, computes the
   content hashes and turns each cable into ready-to-write rows (the same model code as ingest:
   `_BatchWriter._fill`, `paragraph_rows`, and every column of the models, so a column added
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

import csv
import functools
import gzip
import io
import json
import multiprocessing
import os
import pickle
import resource
import sys
import tempfile
import time
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, connections, transaction

from cables.archive_version import archive_changed
from cables.browse import warm_summaries
from cables.ingest import (
    IngestSummary,
    _BatchWriter,
    content_hash,
    ingest_paths,
    ingest_records,
    new_tag,
    paragraph_rows,
    raw_hash,
    refresh_planner_statistics,
)
from cables.models import Cable, Paragraph, Reference, Source, Tag
from cables.parsing import ParsedCable, ParseFailure, SourceInfo, iter_path, parse_csv_record
from cables.parsing.records import FORMAT_CSV
from cables.search import get_backend
from cables.search.index_store import build, publish_on_commit

CHUNK_RECORDS = 100  # CSV records per parse task
GROUP_CABLES = 2000  # cables per write transaction
# Cables whose review-queue names are stored together after tagging, the same on both backends
# (which bare surnames fold into a full name depends on the names stored together, so the two
# build the same queue). Counted once at the end, large groups cost little: at 25,000 cables on
# PostgreSQL the store took 4 s in groups of 20,000 against 7 s in groups of 2,000.
SUGGESTION_GROUP = 20_000
TAG_BATCH = 250  # cables per entity-tagging task
CSV_FIELDS = 8
GIN_INDEX = "paragraph_search_gin"
MAINTENANCE_WORK_MEM = "1GB"
SQLITE_CACHE_KB = 262144  # page cache of the loading connection (256 MB)
# Field types whose Python value goes to the database unchanged: no per-value preparation.
_STORED_AS_IS = {
    "AutoField",
    "BigAutoField",
    "CharField",
    "TextField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "ForeignKey",
}


@dataclass
class BulkSummary(IngestSummary):
    paragraphs: int = 0
    mentions: int = 0
    seconds: float = 0.0
    parse_seconds: float = 0.0  # pass 1: parse and write every cable
    index_seconds: float = 0.0  # search index build (during pass 2) and planner statistics
    tagging_seconds: float = 0.0  # pass 2: entity tagging, with the index build alongside
    store_seconds: float = 0.0  # of pass 2: writing the mentions and the review queue's names
    rank_seconds: float = 0.0  # the rank index (relevance order), after the load
    fell_back: bool = False

    @property
    def cables_per_second(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0

    def phases(self) -> str:
        return (
            f"{self.created:,} cables, {self.paragraphs:,} paragraphs, {self.mentions:,} mentions "
            f"in {self.seconds:.1f} s ({self.cables_per_second:,.0f} cables/s): load "
            f"{self.parse_seconds:.1f} s, entity tagging {self.tagging_seconds:.1f} s with the "
            f"search index ({self.index_seconds:.1f} s) built alongside, then the rank index "
            f"{self.rank_seconds:.1f} s"
        )


class _Columns:
    """The stored columns of a model and how to turn an unsaved instance into their values.

    Every concrete column but the id (and those named in `skip`, which the writer fills) and
    the generated ones, so that a column added to a model is loaded without a change here.
    """

    def __init__(self, model, skip: tuple[str, ...] = ()):
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not getattr(f, "generated", False) and f.name not in {"id", *skip}
        ]
        self.columns = [f.column for f in self.fields]
        self._plain = [
            f.get_internal_type() in _STORED_AS_IS
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
            for f in self.fields
        ]

    def values(self, instance) -> list:
        row = []
        for field, plain in zip(self.fields, self._plain, strict=True):
            if plain:
                row.append(getattr(instance, field.attname))
                continue
            value = field.pre_save(instance, True)  # auto_now and friends, as save() does
            if field.get_internal_type() == "JSONField":
                row.append(None if value is None else json.dumps(value, cls=field.encoder))
            else:
                row.append(field.get_db_prep_save(value, connection))
        return row


@functools.cache
def _columns(model_name: str) -> _Columns:
    from cables.models import Mention

    return {
        "cable": lambda: _Columns(Cable),
        "paragraph": lambda: _Columns(Paragraph, ("cable",)),
        "reference": lambda: _Columns(Reference, ("cable",)),
        "source": lambda: _Columns(Source, ("cable",)),
        "mention": lambda: _Columns(Mention),
    }[model_name]()


# --- pass 1: parsing into rows, in worker processes ----------------------------------------------

# Django connections inherited through fork are the parent's sockets and files: a worker never
# uses or closes them (closing would end the parent's session); a worker that needs the database
# opens its own.
_INHERITED: list = []


def _detach_connections() -> None:
    for alias in connections:
        wrapper = connections[alias]
        if getattr(wrapper, "connection", None) is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None


@dataclass
class _Prepared:
    """One parsed cable as rows, without the ids the writer assigns."""

    reference_id: str
    cable: list
    paragraphs: list[list]
    tags: list[str]
    references: list[list]
    source: list
    # What entity tagging reads of the cable besides its paragraphs and TAGS, as Python
    # values: origin, created, signers, classified-by line.
    tagging: tuple = ()


def _prepare(parsed: ParsedCable) -> _Prepared:
    cable = Cable(reference_id=parsed.reference_id)
    _BatchWriter._fill(cable, parsed, content_hash(parsed))
    paragraph = _columns("paragraph")
    reference = _columns("reference")
    return _Prepared(
        parsed.reference_id,
        _columns("cable").values(cable),
        [paragraph.values(p) for p in paragraph_rows(cable, parsed)],
        list(dict.fromkeys(code[:100] for code in parsed.tags)),
        [
            reference.values(Reference(position=position, reference_id=reference_id[:64]))
            for position, reference_id in enumerate(dict.fromkeys(parsed.references), 1)
        ],
        _columns("source").values(
            Source(
                path=parsed.source.path[:500],
                row=parsed.source.row,
                format=parsed.source.format,
                sha256=raw_hash(parsed),
                partial=parsed.partial,
                is_primary=True,
                # The text shown: nothing kept on the source row (cables/versions).
                content_hash=cable.content_hash,
            )
        ),
        (cable.origin, cable.created, cable.signers, cable.classified_by),
    )


def _checked(parsed: ParsedCable) -> _Prepared | str:
    if not parsed.ok:
        reason = "; ".join(parsed.errors) or "no recognisable reference ID"
        return f"{parsed.source.describe()}: {reason}"
    return _prepare(parsed)


def _parse_values(path: str, row_number: int, values: list[str]) -> ParsedCable | str:
    source = SourceInfo(path, FORMAT_CSV, row_number)
    if len(values) < CSV_FIELDS:
        return f"{source.describe()}: truncated row: {len(values)} of 8 fields"
    if len(values) > CSV_FIELDS:
        values = [*values[: CSV_FIELDS - 1], ",".join(values[CSV_FIELDS - 1 :])]
    try:
        return parse_csv_record(values, source)
    except Exception as error:  # noqa: BLE001 - a parser bug must never stop a run
        return f"{source.describe()}: parser error: {type(error).__name__}: {error}"


def _parse_chunk(path: str, rows: list[tuple[int, list[str]]]) -> list[_Prepared | str]:
    """Parse CSV records into rows; a failure message for each record that does not parse."""
    results = []
    for row_number, values in rows:
        parsed = _parse_values(path, row_number, values)
        results.append(parsed if isinstance(parsed, str) else _checked(parsed))
    return results


def _is_csv(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and (name.endswith(".csv") or name.endswith(".csv.gz"))


def _csv_chunks(path: Path) -> Iterator[tuple[str, list] | str]:
    """Chunks of (row number, values) of a cables.csv, or a failure message for a broken file."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    chunk: list[tuple[int, list[str]]] = []
    row_number = 0
    with opener(path, "rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text, escapechar="\\", doublequote=False, strict=False)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except (csv.Error, OSError, EOFError, zlib.error) as error:
                yield f"{path} row {row_number + 1}: unreadable row: {error}"
                break
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            row_number += 1
            chunk.append((row_number, values))
            if len(chunk) >= CHUNK_RECORDS:
                yield str(path), chunk
                chunk = []
    if chunk:
        yield str(path), chunk


def _pool(workers: int):
    if workers <= 1:
        return None
    return multiprocessing.get_context("fork").Pool(workers, initializer=_detach_connections)


def _parsed_records(paths: list[Path], workers: int) -> Iterator[tuple]:
    """(rows or failure message, a way to get the ParsedCable again), in input order.

    The second item re-parses a CSV record here (or returns the cable parsed here): the writer
    needs it only for the rare reference ID seen twice.
    """
    pool = _pool(workers)
    try:
        for path in paths:
            if not _is_csv(path):
                for record in iter_path(path):
                    if isinstance(record, ParseFailure):
                        yield record.describe(), None
                    else:
                        yield _checked(record), functools.partial(lambda r: r, record)
                continue
            pending: deque = deque()
            for chunk in _csv_chunks(path):
                if isinstance(chunk, str):
                    pending.append((chunk, None))
                    continue
                if pool is None:
                    pending.append((_parse_chunk(*chunk), chunk))
                else:
                    # A bounded window of chunks in flight keeps memory flat on huge files.
                    pending.append((pool.apply_async(_parse_chunk, chunk), chunk))
                while len(pending) > max(workers, 1) * 3:
                    yield from _results(*pending.popleft())
            while pending:
                yield from _results(*pending.popleft())
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _results(item, chunk) -> Iterator[tuple]:
    if isinstance(item, str):  # an unreadable file
        yield item, None
        return
    results = item if isinstance(item, list) else item.get()
    path, rows = chunk
    for result, (row_number, values) in zip(results, rows, strict=True):
        yield result, functools.partial(_parse_values, path, row_number, values)


# --- pass 1: writing, in this process ------------------------------------------------------------


class _Writer:
    def __init__(self, summary: BulkSummary, stderr) -> None:
        self.summary = summary
        self.stderr = stderr
        self.postgres = connection.vendor == "postgresql"
        self.tag_ids = dict(Tag.objects.values_list("code", "id"))
        self.first_cable_id = self.next_cable_id = (
            Cable.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        # Paragraph ids are assigned here too, so that entity tagging can name them without
        # reading the paragraphs back.
        self.next_paragraph_id = (
            Paragraph.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        self.spool: _Spool | None = None
        self.seen: set[str] = set()
        self.duplicates: list[ParsedCable] = []
        self.dropped = _Dropped()

    def fail(self, message: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append(message)
        if self.stderr is not None:
            self.stderr.write(message + "\n")

    def write_group(self, group: list[_Prepared]) -> None:
        cables, paragraphs, links, references, sources = [], [], [], [], []
        self._add_tags(group)
        tag_ids = self.tag_ids
        first_paragraph = self.next_paragraph_id
        for prepared in group:
            cable_id = self.next_cable_id
            self.next_cable_id += 1
            cables.append([cable_id, *prepared.cable])
            for row in prepared.paragraphs:
                paragraphs.append([self.next_paragraph_id, cable_id, *row])
                self.next_paragraph_id += 1
            links.extend((cable_id, tag_ids[code]) for code in prepared.tags if code in tag_ids)
            references.extend([cable_id, *row] for row in prepared.references)
            sources.append([cable_id, *prepared.source])
        with transaction.atomic():
            self.insert(Cable._meta.db_table, ["id", *_columns("cable").columns], cables)
            self.insert(
                Paragraph._meta.db_table,
                ["id", "cable_id", *_columns("paragraph").columns],
                paragraphs,
            )
            self.insert(Cable.tags.through._meta.db_table, ["cable_id", "tag_id"], links)
            self.insert(
                Reference._meta.db_table, ["cable_id", *_columns("reference").columns], references
            )
            self.insert(Source._meta.db_table, ["cable_id", *_columns("source").columns], sources)
        self.summary.created += len(cables)
        self.summary.paragraphs += len(paragraphs)
        if self.spool is not None:
            self.spool.add(group, self.next_cable_id - len(group), first_paragraph)

    def _add_tags(self, group: list[_Prepared]) -> None:
        codes = {code for prepared in group for code in prepared.tags} - self.tag_ids.keys()
        if codes:
            Tag.objects.bulk_create(
                [new_tag(code) for code in sorted(codes)],
                ignore_conflicts=True,
            )
            self.tag_ids.update(Tag.objects.filter(code__in=codes).values_list("code", "id"))

    def insert(self, table: str, columns: list[str], rows: list) -> None:
        if not rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


# --- pass 2: entity tagging ----------------------------------------------------------------------

_TAGGER = None  # (CableTagger) set in this process before the tagging pool forks


def _entity_index():
    """The entity index, ready for the whole archive, or None without entity tagging."""
    try:
        from cables.entities.index import EntityIndex
    except ImportError:  # entity tagging not installed in this build
        return None
    index = EntityIndex()
    # Whatever the index learns from the archive, learn it once here, before the workers
    # fork, for the whole archive (the workers do not query the database for it).
    prepare_origins = getattr(index, "prepare_origins", None)
    if prepare_origins is not None:
        prepare_origins(
            Cable.objects.order_by().values_list("origin", flat=True).distinct().iterator()
        )
    if isinstance(getattr(type(index), "place_words", None), property):
        index.place_words  # noqa: B018 - computed and cached now
    return index


class _Spool:
    """Entity tagging's input, written by pass 1 as it goes, TAG_BATCH cables a file.

    Pass 2 tags from these files on the pool while this process builds the search index,
    instead of reading every paragraph back from the database after the load (on PostgreSQL
    the load's transaction allows no other reader).
    """

    def __init__(self) -> None:
        self.directory = tempfile.TemporaryDirectory(prefix="cablearchive-tagging-")
        self.files: list[tuple[str, list[tuple[int, str]]]] = []  # (path, its cables' ids)
        columns = _columns("paragraph").columns
        self._number, self._text = columns.index("number"), columns.index("text")

    def add(self, group: list[_Prepared], first_cable_id: int, first_paragraph_id: int) -> None:
        batch: list[tuple] = []
        cable_id, paragraph_id = first_cable_id, first_paragraph_id
        for prepared in group:
            paragraphs = []
            for row in prepared.paragraphs:
                paragraphs.append((paragraph_id, row[self._number], row[self._text]))
                paragraph_id += 1
            paragraphs.sort(key=lambda paragraph: paragraph[1])
            batch.append(
                (cable_id, prepared.reference_id, *prepared.tagging, prepared.tags, paragraphs)
            )
            cable_id += 1
            if len(batch) >= TAG_BATCH:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)

    def _write(self, batch: list[tuple]) -> None:
        path = os.path.join(self.directory.name, f"{len(self.files):07d}.pickle")
        with open(path, "wb") as file:
            pickle.dump(batch, file, protocol=pickle.HIGHEST_PROTOCOL)
        self.files.append((path, [(item[0], item[1]) for item in batch]))

    def close(self) -> None:
        self.directory.cleanup()


def _tag_spooled(path: str) -> tuple[list, list]:
    """Tag one spool file's cables: (mention rows, new-name suggestions)."""
    with open(path, "rb") as file:
        batch = pickle.load(file)
    mention_columns = _columns("mention")
    rows: list = []
    suggestions: list = []
    for pk, reference_id, origin, created, signers, classified, codes, paragraphs in batch:
        cable = Cable(
            pk=pk,
            reference_id=reference_id,
            origin=origin,
            created=created,
            signers=signers,
            classified_by=classified,
        )
        texts = [
            Paragraph(pk=pid, cable_id=pk, number=number, text=text)
            for pid, number, text in paragraphs
        ]
        found, named = _TAGGER.tag(cable, texts, codes)
        rows.extend(mention_columns.values(item.to_mention()) for item in found)
        suggestions.extend(named)
    return rows, suggestions


def _tag_loaded(writer: _Writer, workers: int, meanwhile) -> None:
    """Pass 2: tag every loaded cable on the pool while `meanwhile()` (the search index build)
    runs here; then write the mentions and the review queue's new names, in input order."""
    global _TAGGER
    spool = writer.spool
    index = _entity_index() if spool is not None and spool.files else None
    if index is None:
        meanwhile()
        return
    from cables.entities.tagging import (
        CableTagger,
        recount_suggestions,
        store_suggestions,
        tag_cables,
    )
    from cables.models import Mention, MentionDecision

    _TAGGER = CableTagger(index)
    first, last = writer.first_cable_id, writer.next_cable_id - 1
    # Forked before the index build starts: the workers need nothing from the database.
    pool = _pool(workers)
    mention_columns = _columns("mention").columns
    suggestions: list = []
    stubs: list[Cable] = []
    recount: set[int] = set()

    def store(rows, named, cables):
        began = time.perf_counter()
        store_rows(rows, named, cables)
        writer.summary.store_seconds += time.perf_counter() - began

    def store_rows(rows, named, cables):
        writer.insert(Mention._meta.db_table, mention_columns, rows)
        writer.summary.mentions += len(rows)
        suggestions.extend(named)
        stubs.extend(Cable(pk=pk, reference_id=reference_id) for pk, reference_id in cables)
        if len(stubs) >= SUGGESTION_GROUP:
            flush()

    def flush():
        if stubs or suggestions:
            with transaction.atomic():
                store_suggestions(suggestions, stubs, recount_later=recount)
        suggestions.clear()
        stubs.clear()

    try:
        if pool is None:
            meanwhile()
            results = ((_tag_spooled(path), cables) for path, cables in spool.files)
        else:
            pending = [
                (pool.apply_async(_tag_spooled, (path,)), cables) for path, cables in spool.files
            ]
            # The workers tag while this process builds the index; their results wait here
            # (mentions and names only, a small fraction of the text).
            meanwhile()
            results = ((result.get(), cables) for result, cables in pending)
        for (rows, named), cables in results:
            store(rows, named, cables)
        began = time.perf_counter()
        flush()
        with transaction.atomic():
            recount_suggestions(recount)
        writer.summary.store_seconds += time.perf_counter() - began
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _TAGGER = None
    # Curators' decisions about cables now loaded: the normal tagging re-applies them.
    decided = list(
        Cable.objects.filter(
            pk__gte=first,
            pk__lte=last,
            reference_id__in=MentionDecision.objects.values("reference_id"),
        ).values_list("pk", flat=True)
    )
    for offset in range(0, len(decided), TAG_BATCH):
        tag_cables(decided[offset : offset + TAG_BATCH], index=index)


# --- index upkeep and settings around the load ---------------------------------------------------


def _loaded_tables() -> list[str]:
    from cables.models import Mention

    return [
        model._meta.db_table
        for model in (Cable, Paragraph, Cable.tags.through, Reference, Source, Mention)
    ]


@dataclass
class _Dropped:
    """What the load dropped on PostgreSQL, to put back once every row is in."""

    indexes: tuple[str, ...] = ()  # definitions (CREATE INDEX ...), the GIN index last
    foreign_keys: tuple = ()


def _drop_for_load() -> _Dropped:
    """PostgreSQL: drop the foreign keys and the secondary indexes of the loaded tables.

    A row-by-row GIN update, a foreign-key check per row and an insert into each of the cable
    table's dozen btrees per row cost far more than one build per index and one check per key
    at the end. Primary keys and unique indexes stay: they are constraints. Runs inside the
    load's transaction, so a failed or interrupted load rolls all of it back.
    """
    if connection.vendor != "postgresql":
        return _Dropped()
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
    return _Dropped(tuple(definition for _, definition in indexes), keys)


def _rebuild_search_index(dropped: _Dropped) -> None:
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


def _resolve_references() -> None:
    table = Reference._meta.db_table
    cables = Cable._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET target_id = (SELECT c.id FROM {cables} c "
            f"WHERE c.reference_id = {table}.reference_id) WHERE target_id IS NULL"
        )


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Cable, Paragraph])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _load_settings(on: bool) -> None:
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
    from cables.entities.tagging import recount_suggestions
    from cables.models import EntitySuggestion, Mention, SuggestionPlace

    with transaction.atomic():
        removed = Cable.objects.count()
        with connection.cursor() as cursor:
            for model in (Mention, SuggestionPlace, Reference, Source, Cable.tags.through):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
            cursor.execute(f"DELETE FROM {Paragraph._meta.db_table}")
            cursor.execute(f"DELETE FROM {Cable._meta.db_table}")
        get_backend().rebuild()  # from no paragraphs: an empty index
        recount_suggestions(EntitySuggestion.objects.values_list("pk", flat=True))
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
    spool = _Spool() if tag_entities else None
    _load_settings(True)
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
                _rebuild_search_index(writer.dropped)
                summary.index_seconds = time.perf_counter() - index_began
                out.write(f"  search index: {summary.index_seconds:.0f} s\n")

            if tag_entities:
                tagging_began = time.perf_counter()
                # The index is built while the pool tags: the two overlap.
                _tag_loaded(writer, workers, build_index)
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
        _load_settings(False)
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


def _load(paths, workers, summary, spool, *, stdout, stderr, began) -> _Writer:
    """Pass 1: every cable parsed on the pool and written here (and spooled for tagging)."""
    out = stdout
    writer = _Writer(summary, stderr)
    writer.spool = spool
    writer.dropped = _drop_for_load()
    group: list = []
    last_report = time.perf_counter()
    for record, reparse in _parsed_records(paths, workers):
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
    _resolve_references()
    _reset_sequences()
    summary.parse_seconds = time.perf_counter() - began
    return writer
