"""The bulk load's first pass, parsing: CSV chunks parsed in worker processes into ready-to-write rows."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import multiprocessing
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from cables.ingest.rows import content_hash, fill_cable, paragraph_rows, raw_hash
from cables.lib.forked import detach_connections
from cables.models import (
    Cable,
    Mention,
    Paragraph,
    Reference,
    Source,
)
from cables.parsing import ParsedCable, ParseFailure, SourceInfo, iter_path, parse_csv_record
from cables.parsing.records import FORMAT_CSV
from cables.search.words import archive_words, tsvector_literal

CHUNK_RECORDS = 100  # CSV records per parse task


CSV_FIELDS = 8


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
def columns_of(model_name: str) -> _Columns:
    return {
        "cable": lambda: _Columns(Cable),
        "paragraph": lambda: _Columns(Paragraph, ("cable",)),
        "reference": lambda: _Columns(Reference, ("cable",)),
        "source": lambda: _Columns(Source, ("cable",)),
        "mention": lambda: _Columns(Mention),
    }[model_name]()


def _add_terms(rows: list[list], columns: list[str]) -> None:
    """PostgreSQL's `search_vector` of each paragraph row, made here in the parsing workers
    (the normal ingest writes it with `index_cables`)."""
    text, vector = columns.index("text"), columns.index("search_vector")
    terms = archive_words().index_texts([row[text] for row in rows])
    for row, index_text in zip(rows, terms, strict=True):
        row[vector] = tsvector_literal(index_text)


# --- pass 1: parsing into rows, in worker processes ----------------------------------------------


@dataclass
class Prepared:
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


def _prepare(parsed: ParsedCable) -> Prepared:
    cable = Cable(reference_id=parsed.reference_id)
    fill_cable(cable, parsed, content_hash(parsed))
    paragraph = columns_of("paragraph")
    reference = columns_of("reference")
    paragraphs = [paragraph.values(p) for p in paragraph_rows(cable, parsed)]
    if connection.vendor == "postgresql":
        _add_terms(paragraphs, paragraph.columns)
    return Prepared(
        parsed.reference_id,
        columns_of("cable").values(cable),
        paragraphs,
        list(dict.fromkeys(code[:100] for code in parsed.tags)),
        [
            reference.values(Reference(position=position, reference_id=reference_id[:64]))
            for position, reference_id in enumerate(dict.fromkeys(parsed.references), 1)
        ],
        columns_of("source").values(
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


def _checked(parsed: ParsedCable) -> Prepared | str:
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


def _parse_chunk(path: str, rows: list[tuple[int, list[str]]]) -> list[Prepared | str]:
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


def worker_pool(workers: int):
    if workers <= 1:
        return None
    return multiprocessing.get_context("fork").Pool(workers, initializer=detach_connections)


def parsed_records(paths: list[Path], workers: int) -> Iterator[tuple]:
    """(rows or failure message, a way to get the ParsedCable again), in input order.

    The second item re-parses a CSV record here (or returns the cable parsed here): the writer
    needs it only for the rare reference ID seen twice.
    """
    pool = worker_pool(workers)
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
