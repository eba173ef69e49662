"""Fast first load of an empty archive: parse on every core, write with COPY or big transactions.

`bulk_load(paths)` stores the same rows as `cables.ingest.ingest_paths(paths)` would (same cable
fields, paragraphs, TAGS, references, sources, entity mentions), much faster:

- CSV input is read in chunks of records; a process pool parses them (and computes the content
  hashes) while this process writes, with at most a few chunks in flight, so memory stays flat
  whatever the input size. Other inputs (HTML pages, text files) are parsed here, serially.
- PostgreSQL: COPY (psycopg 3) into cables_cable, cables_paragraph (its search_vector column is
  GENERATED, so not copied), the TAGS link table, references and sources; the GIN index on
  search_vector is dropped during the load and rebuilt once at the end with a large
  `maintenance_work_mem`, which is much cheaper than updating it row by row.
- SQLite: one transaction per chunk group with `synchronous=OFF` during the load (back to NORMAL
  after), and the FTS5 index rebuilt once at the end instead of cable by cable.
- References are resolved to their target cables in one UPDATE at the end.
- Entity mentions are tagged per committed group in the same pass, when entity tagging is there.

Only for an empty archive: on a non-empty one it falls back to the normal ingest. A reference ID
seen twice in the input (a cable in two sources) is left to the normal ingest after the load,
so the "fuller text wins" rules and the record of every source stay exactly those of ingest.
"""

from __future__ import annotations

import csv
import gzip
import io
import multiprocessing
import os
import resource
import sys
import time
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection, transaction

from cables.ingest import (
    IngestSummary,
    _BatchWriter,
    content_hash,
    ingest_paths,
    ingest_records,
    paragraph_fields,
    raw_hash,
    tag_kind,
)
from cables.models import Cable, Paragraph, Reference, Source, Tag
from cables.parsing import ParsedCable, ParseFailure, SourceInfo, iter_path, parse_csv_record
from cables.parsing.records import FORMAT_CSV
from cables.search import get_backend

CHUNK_RECORDS = 100  # CSV records per parse task
GROUP_CABLES = 2000  # cables per write transaction (and per entity-tagging call)
CSV_FIELDS = 8
GIN_INDEX = "paragraph_search_gin"
MAINTENANCE_WORK_MEM = "1GB"
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
    seconds: float = 0.0
    parse_seconds: float = 0.0
    index_seconds: float = 0.0
    tagging_seconds: float = 0.0
    fell_back: bool = False

    @property
    def cables_per_second(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


# --- parsing, in worker processes ----------------------------------------------------------------


def _parse_chunk(path: str, rows: list[tuple[int, list[str]]]) -> list:
    """Parse CSV records; return (cable, content hash, raw hash) or a failure message each."""
    results = []
    for row_number, values in rows:
        source = SourceInfo(path, FORMAT_CSV, row_number)
        if len(values) < CSV_FIELDS:
            results.append(f"{source.describe()}: truncated row: {len(values)} of 8 fields")
            continue
        if len(values) > CSV_FIELDS:
            values = [*values[: CSV_FIELDS - 1], ",".join(values[CSV_FIELDS - 1 :])]
        try:
            parsed = parse_csv_record(values, source)
        except Exception as error:  # noqa: BLE001 - a parser bug must never stop a run
            results.append(f"{source.describe()}: parser error: {type(error).__name__}: {error}")
            continue
        results.append(_checked(parsed))
    return results


def _checked(parsed: ParsedCable):
    if not parsed.ok:
        reason = "; ".join(parsed.errors) or "no recognisable reference ID"
        return f"{parsed.source.describe()}: {reason}"
    return parsed, content_hash(parsed), raw_hash(parsed)


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


def _parsed_records(paths: list[Path], workers: int) -> Iterator:
    """Every input's (cable, hashes) or failure message, in input order."""
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        for path in paths:
            if not _is_csv(path):
                for record in iter_path(path):
                    if isinstance(record, ParseFailure):
                        yield record.describe()
                    else:
                        yield _checked(record)
                continue
            pending: deque = deque()
            for chunk in _csv_chunks(path):
                if isinstance(chunk, str):
                    pending.append(chunk)
                    continue
                if pool is None:
                    yield from _parse_chunk(*chunk)
                    continue
                # A bounded window of chunks in flight keeps memory flat on huge files.
                pending.append(pool.apply_async(_parse_chunk, chunk))
                while len(pending) > workers * 3:
                    yield from _result(pending.popleft())
            while pending:
                yield from _result(pending.popleft())
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _result(item) -> list:
    return [item] if isinstance(item, str) else item.get()


# --- writing, in this process --------------------------------------------------------------------


class _Writer:
    def __init__(self, summary: BulkSummary, stderr, *, tag_entities: bool) -> None:
        self.summary = summary
        self.stderr = stderr
        self.postgres = connection.vendor == "postgresql"
        self.tag_ids = dict(Tag.objects.values_list("code", "id"))
        self.next_cable_id = (
            Cable.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        self.seen: set[str] = set()
        self.duplicates: list[ParsedCable] = []
        self.cable_fields = list(Cable._meta.concrete_fields)
        self.paragraph_fields = [
            f
            for f in Paragraph._meta.concrete_fields
            if not getattr(f, "generated", False) and f.name != "id"
        ]
        self.reference_fields = [f for f in Reference._meta.concrete_fields if f.name != "id"]
        self.source_fields = [f for f in Source._meta.concrete_fields if f.name != "id"]
        self.tag_link_columns = ["cable_id", "tag_id"]
        self.tagger = _entity_tagger() if tag_entities else None

    def fail(self, message: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append(message)
        if self.stderr is not None:
            self.stderr.write(message + "\n")

    def write_group(self, group: list[tuple[ParsedCable, str, str]]) -> None:
        now = datetime.now(UTC)
        cables, paragraphs, links, references, sources = [], [], [], [], []
        self._add_tags(group)
        for parsed, digest, source_hash in group:
            cable = Cable(id=self.next_cable_id, reference_id=parsed.reference_id)
            self.next_cable_id += 1
            _BatchWriter._fill(cable, parsed, digest)
            cable.ingested_at = cable.updated_at = now
            cables.append(cable)
            paragraphs.extend(_paragraph_values(cable.id, parsed))
            codes = dict.fromkeys(code[:100] for code in parsed.tags)
            links.extend((cable.id, self.tag_ids[code]) for code in codes if code in self.tag_ids)
            references.extend(
                (cable.id, position, reference_id[:64], None)
                for position, reference_id in enumerate(dict.fromkeys(parsed.references), 1)
            )
            sources.append(
                (
                    cable.id,
                    parsed.source.path[:500],
                    parsed.source.row,
                    parsed.source.format,
                    source_hash,
                    parsed.partial,
                    True,
                    now,
                )
            )
        with transaction.atomic():
            self._insert(
                Cable._meta.db_table,
                self.cable_fields,
                [[getattr(c, f.attname) for f in self.cable_fields] for c in cables],
            )
            self._insert(Paragraph._meta.db_table, self.paragraph_fields, paragraphs)
            self._insert(Cable.tags.through._meta.db_table, self.tag_link_columns, links)
            self._insert(Reference._meta.db_table, self.reference_fields, references)
            self._insert(Source._meta.db_table, self.source_fields, sources)
        self.summary.created += len(cables)
        self.summary.paragraphs += len(paragraphs)
        if self.tagger is not None:
            began = time.perf_counter()
            self.tagger([cable.id for cable in cables])
            self.summary.tagging_seconds += time.perf_counter() - began

    def _add_tags(self, group) -> None:
        codes = {code[:100] for parsed, _, _ in group for code in parsed.tags} - self.tag_ids.keys()
        if codes:
            Tag.objects.bulk_create(
                [Tag(code=code, kind=tag_kind(code)) for code in sorted(codes)],
                ignore_conflicts=True,
            )
            self.tag_ids.update(Tag.objects.filter(code__in=codes).values_list("code", "id"))

    def _insert(self, table: str, fields: list, rows: list) -> None:
        if not rows:
            return
        columns = [f if isinstance(f, str) else f.column for f in fields]
        preparers = [
            None
            if isinstance(f, str) or f.get_internal_type() in _STORED_AS_IS
            else (lambda v, f=f: f.get_db_prep_save(v, connection))
            for f in fields
        ]
        prepared = [
            [
                value if prep is None else prep(value)
                for prep, value in zip(preparers, row, strict=True)
            ]
            for row in rows
        ]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", prepared)


def _paragraph_values(cable_id: int, parsed: ParsedCable) -> list[tuple]:
    """(cable, number, classification, heading, text), numbered as ingest numbers them."""
    return [(cable_id, *fields) for fields in paragraph_fields(parsed)]


def _entity_tagger():
    try:
        from cables.entities import tag_cables
        from cables.entities.index import EntityIndex
    except ImportError:  # entity tagging not installed in this build
        return None
    index = EntityIndex()
    return lambda ids: tag_cables(ids, index=index)


# --- index upkeep around the load ----------------------------------------------------------------


def _drop_search_index() -> str | None:
    """Drop the GIN index for the load; return its definition to rebuild it (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
        row = cursor.fetchone()
        if row:
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
    return row[0] if row else None


def _rebuild_search_index(definition: str | None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if definition:
                # Inside an outer transaction (a test), deferred foreign-key checks are still
                # pending and PostgreSQL refuses CREATE INDEX: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
                cursor.execute(definition)
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("ANALYZE")
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
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{Cable._meta.db_table}', 'id'), "
            f"(SELECT COALESCE(max(id), 1) FROM {Cable._meta.db_table}))"
        )


def _set_sqlite_sync(mode: str) -> None:
    # SQLite refuses to change it inside a transaction (as in a test): then it stays as it is.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={mode}")


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


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
    writer = _Writer(summary, stderr, tag_entities=tag_entities)
    definition = _drop_search_index()
    _set_sqlite_sync("OFF")
    try:
        group: list = []
        last_report = time.perf_counter()
        for record in _parsed_records(paths, workers):
            if isinstance(record, str):
                writer.fail(record)
                continue
            parsed = record[0]
            if parsed.reference_id in writer.seen:
                writer.duplicates.append(parsed)
                continue
            writer.seen.add(parsed.reference_id)
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
        summary.parse_seconds = time.perf_counter() - began
        _resolve_references()
        _reset_sequences()
    finally:
        index_began = time.perf_counter()
        _rebuild_search_index(definition)
        summary.index_seconds = time.perf_counter() - index_began
        _set_sqlite_sync("NORMAL")
    if writer.duplicates:
        # Same reference ID again: the normal ingest decides which text wins and records the source.
        again = ingest_records(writer.duplicates)
        summary.updated += again.updated
        summary.unchanged += again.unchanged
        summary.failed += again.failed
        summary.failures += again.failures
    summary.seconds = time.perf_counter() - began
    return summary
