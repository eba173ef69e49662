"""The bulk load's first pass, writing: ids assigned and rows written in this process (COPY on
PostgreSQL, `executemany` on SQLite), and the spool of what entity tagging will need."""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass

from django.db import connection, transaction

from cables.ingest.incremental import IngestSummary
from cables.ingest.rows import new_tag
from cables.models import (
    Cable,
    Paragraph,
    Reference,
    Source,
    Tag,
)
from cables.parsing import ParsedCable

from .bulk_parse import Prepared, columns_of
from .bulk_tables import Dropped

TAG_BATCH = 250  # cables per entity-tagging task


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


# --- pass 1: writing, in this process ------------------------------------------------------------


class Writer:
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
        self.spool: Spool | None = None
        self.seen: set[str] = set()
        self.duplicates: list[ParsedCable] = []
        self.dropped = Dropped()

    def fail(self, message: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append(message)
        if self.stderr is not None:
            self.stderr.write(message + "\n")

    def write_group(self, group: list[Prepared]) -> None:
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
            self.insert(Cable._meta.db_table, ["id", *columns_of("cable").columns], cables)
            self.insert(
                Paragraph._meta.db_table,
                ["id", "cable_id", *columns_of("paragraph").columns],
                paragraphs,
            )
            self.insert(Cable.tags.through._meta.db_table, ["cable_id", "tag_id"], links)
            self.insert(
                Reference._meta.db_table, ["cable_id", *columns_of("reference").columns], references
            )
            self.insert(Source._meta.db_table, ["cable_id", *columns_of("source").columns], sources)
        self.summary.created += len(cables)
        self.summary.paragraphs += len(paragraphs)
        if self.spool is not None:
            self.spool.add(group, self.next_cable_id - len(group), first_paragraph)

    def _add_tags(self, group: list[Prepared]) -> None:
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


class Spool:
    """Entity tagging's input, written by pass 1 as it goes, TAG_BATCH cables a file.

    Pass 2 tags from these files on the pool while this process builds the search index,
    instead of reading every paragraph back from the database after the load (on PostgreSQL
    the load's transaction allows no other reader).
    """

    def __init__(self) -> None:
        self.directory = tempfile.TemporaryDirectory(prefix="cablearchive-tagging-")
        self.files: list[tuple[str, list[tuple[int, str]]]] = []  # (path, its cables' ids)
        columns = columns_of("paragraph").columns
        self._number, self._text = columns.index("number"), columns.index("text")

    def add(self, group: list[Prepared], first_cable_id: int, first_paragraph_id: int) -> None:
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
