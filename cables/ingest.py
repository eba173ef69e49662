"""Ingest: parsed cables into the archive, idempotently, in batches inside transactions.

Rules:
- One cable per reference ID. Every source it was seen in is recorded (`Source`), with its own
  text while that differs from the text the cable shows (`cables/versions`): a source read
  again unchanged is not written again.
- The fuller text wins: a full cable replaces a partial extract, never the reverse; between two
  texts of the same kind the longer body wins; on a tie the stored one stays (so re-runs and
  the order of inputs do not flip the archive back and forth).
- A cable whose parsed record is unchanged is not touched (no rewrite, no re-index).
- Each batch is one transaction and each cable a savepoint inside it: an interrupted run leaves
  no half-written cable, and one bad record never aborts the run.
- Search index upkeep and entity tagging are explicit calls here, not signals.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models import OuterRef, Subquery

from cables.archive_version import archive_changed
from cables.browse import warm_summaries
from cables.models import Cable, Paragraph, Reference, Source, Tag
from cables.parsing import ParsedCable, ParseFailure, adopt_year, iter_path, settle_year
from cables.parsing.fields import TAG_DEFINITIONS_FILE, year_of_reference_id
from cables.search import get_backend
from cables.search.index_store import publish_on_commit
from cables.versions import keep_shown_text, raw_digest, text_record

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
# Refresh planner statistics after an ingest that wrote at least this many cables and at least
# ANALYZE_SHARE of the archive. Below that share autovacuum's own rule (10 % of a table) keeps
# them fresh: a whole-database ANALYZE of the full archive costs 30 s, more than ingesting
# 1,000 cables into it.
ANALYZE_AFTER = 500
ANALYZE_SHARE = 0.1


@dataclass
class IngestSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def line(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}"
        )


class _Rollback(Exception):
    """Raised inside a batch transaction to undo it (dry run)."""


def content_hash(parsed: ParsedCable) -> str:
    """Digest of everything the archive stores from a parse (not where it came from)."""
    record = parsed.to_json()
    record.pop("source", None)
    record["header"] = parsed.header
    record["body"] = parsed.body
    encoded = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def raw_hash(parsed: ParsedCable) -> str:
    return raw_digest(parsed.header, parsed.body)


def fullness(partial: bool, body: str) -> tuple[bool, int]:
    return (not partial, len(body.strip()))


def tag_kind(code: str) -> str:
    """Classify a TAGS code by its written form (definitions come from the Tag table)."""
    if " " in code:
        return Tag.Kind.PERSON
    if len(code) == 2 and code.isalpha():
        return Tag.Kind.GEOGRAPHIC
    if len(code) == 4 and code.isalpha() and code[0] in "PEKSTAOC":
        return Tag.Kind.SUBJECT
    return Tag.Kind.OTHER


@functools.cache
def bundled_tag_definitions() -> dict[str, tuple[str, str]]:
    """code -> (definition, kind) from the bundled table (`load_tag_definitions` reads it too)."""
    with TAG_DEFINITIONS_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"].strip(): (row["definition"].strip(), row["kind"].strip())
            for row in csv.DictReader(handle)
            if row.get("code") and row.get("definition")
        }


def new_tag(code: str) -> Tag:
    """A Tag row for a code the archive has not seen: a known code comes with its definition,
    so the facets, the origins page and the entities' country scope never see a bare code."""
    definition, kind = bundled_tag_definitions().get(code, ("", ""))
    return Tag(code=code, definition=definition, kind=kind or tag_kind(code))


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[ParsedCable | ParseFailure]:
    for path in paths:
        yield from iter_path(path)


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_failure: Callable[[str], None] | None = None,
    progress: bool = False,
) -> IngestSummary:
    """Parse every input and store its cables; return the counts."""
    return ingest_records(
        iter_inputs(paths),
        dry_run=dry_run,
        batch_size=batch_size,
        on_failure=on_failure,
        progress=progress,
    )


def ingest_records(
    records: Iterable[ParsedCable | ParseFailure],
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_failure: Callable[[str], None] | None = None,
    progress: bool = False,
) -> IngestSummary:
    summary = IngestSummary()
    writer = _BatchWriter(summary, dry_run=dry_run, on_failure=on_failure)
    if progress:
        from tqdm import tqdm

        records = tqdm(records, unit=" cables", file=sys.stderr, mininterval=0.5)
    batch: list[ParsedCable] = []
    for record in records:
        record = settle_year_from_archive(record)
        if isinstance(record, ParseFailure):
            writer.fail(record.describe())
            continue
        if not record.ok:
            reason = "; ".join(record.errors) or "no recognisable reference ID"
            writer.fail(f"{record.source.describe()}: {reason}")
            continue
        batch.append(record)
        if len(batch) >= batch_size:
            writer.write(batch)
            batch = []
    if batch:
        writer.write(batch)
    written = summary.created + summary.updated
    if (
        not dry_run
        and written >= ANALYZE_AFTER
        and written >= ANALYZE_SHARE * Cable.objects.count()
    ):
        refresh_planner_statistics()
    if written and not dry_run:
        warm_summaries()  # the browse pages' counts of the new archive version
    return summary


def settle_year_from_archive(record: ParsedCable | ParseFailure) -> ParsedCable | ParseFailure:
    """An undated cable (mirror page 004) placed in the serial-number order of the archive's
    dated cables of its post; returns the cable with its reference ID derived again, or the
    record unchanged when it is not undated or the archive does not settle its year.

    Once stored, an undated cable keeps the year it was given (re-ingesting it changes nothing).
    """
    cable = record.cable if isinstance(record, ParseFailure) else record
    if cable is None or cable.undated is None:
        return record
    post, serial = cable.undated  # letters and a number: safe inside the patterns
    stored = (
        Cable.objects.filter(reference_id__regex=rf"^[0-9]{{2}}{post}{serial}$", created=None)
        .values_list("reference_id", "warnings")
        .first()
    )
    if stored:
        reason = [w["message"] for w in stored[1] if w.get("code") == "year-inferred"]
        if reason:
            adopt_year(cable, int(stored[0][:2]), reason[0])
            return cable
    known = [
        (int(reference_id[2 + len(post) :]), created.year, created.month)
        for reference_id, created in Cable.objects.filter(
            reference_id__regex=rf"^[0-9]{{2}}{post}[0-9]+$", created__isnull=False
        ).values_list("reference_id", "created")
    ]
    if known and settle_year(cable, known) and cable.ok:
        return cable
    return record


def delete_cables(cable_ids: Iterable[int]) -> int:
    """Delete these cables (their paragraphs, mentions and references go with them), their
    paragraphs taken out of the search indexes first: SQLite's FTS5 indexes read the old text
    to remove it, and are not rows Django deletes. Returns how many cables were deleted."""
    ids = list(cable_ids)
    with transaction.atomic():
        get_backend().unindex_cables(ids)
        _, per_model = Cable.objects.filter(id__in=ids).delete()
        publish_on_commit(ids)
        archive_changed()
    return per_model.get(Cable._meta.label, 0)


def refresh_planner_statistics(vacuum: bool = False) -> None:
    """After a large write, let the query planner see the new row counts and values.

    Stale statistics made PostgreSQL's planner expect 20 rows where there were 1,638 and pick a
    plan 30 times slower; autovacuum catches up only later. `vacuum` (after a bulk load, on
    PostgreSQL, outside a transaction): VACUUM too, which marks the freshly written pages
    all-visible, so counts over the link tables are index-only scans (the count of the
    178,000 cables tagged PREL: 760 ms with a heap fetch per row, 4 s of VACUUM to avoid it).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            in_transaction = connection.in_atomic_block
            cursor.execute("VACUUM (ANALYZE)" if vacuum and not in_transaction else "ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")


class _BatchWriter:
    def __init__(self, summary: IngestSummary, *, dry_run: bool, on_failure):
        self.summary = summary
        self.dry_run = dry_run
        self.on_failure = on_failure
        self.backend = get_backend()

    def fail(self, message: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append(message)
        if self.on_failure:
            self.on_failure(message)

    def write(self, batch: list[ParsedCable]) -> None:
        counts_before = (self.summary.created, self.summary.updated, self.summary.unchanged)
        try:
            with transaction.atomic():
                written = self._write_batch(batch)
                if self.dry_run:
                    raise _Rollback
                publish_on_commit(written)
        except _Rollback:
            pass
        except DatabaseError as error:
            # The batch transaction is gone: nothing of it was stored, so count it all as failed.
            self.summary.created, self.summary.updated, self.summary.unchanged = counts_before
            for parsed in batch:
                self.fail(f"{parsed.source.describe()}: database error: {error}")

    def _write_batch(self, batch: list[ParsedCable]) -> list[int]:
        """Store a batch; returns the ids of the cables whose paragraphs were rewritten."""
        existing = {
            cable.reference_id: cable
            for cable in Cable.objects.filter(
                reference_id__in={parsed.reference_id for parsed in batch}
            )
        }
        tags = self._tags_for(batch)
        written: list[Cable] = []
        sources_changed = False
        for parsed in batch:
            try:
                with transaction.atomic():
                    cable = self._write_one(parsed, existing.get(parsed.reference_id), tags)
            except (DatabaseError, ValueError, TypeError) as error:
                self.fail(
                    f"{parsed.source.describe()}: could not store {parsed.reference_id}: {error}"
                )
                continue
            existing[parsed.reference_id] = cable
            if getattr(cable, "_rewritten", False):
                written.append(cable)
            sources_changed |= getattr(cable, "_sources_changed", False)
        if written:
            self._resolve_references(written)
            self._tag_entities([cable.pk for cable in written])
        if written or sources_changed:
            archive_changed()  # a new source shows on the cable page's list of versions
        return [cable.pk for cable in written]

    def _tags_for(self, batch: list[ParsedCable]) -> dict[str, Tag]:
        codes = {code[:100] for parsed in batch for code in parsed.tags}
        if not codes:
            return {}
        known = {tag.code: tag for tag in Tag.objects.filter(code__in=codes)}
        missing = [new_tag(code) for code in codes - known.keys()]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            known = {tag.code: tag for tag in Tag.objects.filter(code__in=codes)}
        return known

    def _write_one(self, parsed: ParsedCable, cable: Cable | None, tags: dict[str, Tag]) -> Cable:
        digest = content_hash(parsed)
        source_hash = raw_hash(parsed)
        if cable is None:
            cable = Cable(reference_id=parsed.reference_id)
            self._fill(cable, parsed, digest)
            cable.save()
            self._replace_contents(cable, parsed, tags, fresh=True)
            self._record_source(cable, parsed, source_hash, digest, primary=True, fresh=True)
            self.summary.created += 1
            cable._rewritten = True
            return cable

        primary = cable.sources.filter(is_primary=True).only("path", "row").first()
        source_key = (parsed.source.path[:500], parsed.source.row)
        same_source = primary is not None and (primary.path, primary.row) == source_key
        if digest == cable.content_hash:
            cable._sources_changed = self._record_source(
                cable, parsed, source_hash, digest, primary=same_source or primary is None
            )
            self.summary.unchanged += 1
            return cable
        fuller = fullness(parsed.partial, parsed.body) > fullness(cable.partial, cable.body)
        if not (fuller or same_source):
            # A partial or shorter text of a cable we hold: note where it was seen, keep ours,
            # and keep its text as a version of the cable.
            cable._sources_changed = self._record_source(
                cable, parsed, source_hash, digest, primary=False, keep=True
            )
            self.summary.unchanged += 1
            return cable
        # The sources that showed the old text keep it, before it is overwritten.
        keep_shown_text(cable, replaced_by=source_key)
        self._fill(cable, parsed, digest)
        cable.save()
        self._replace_contents(cable, parsed, tags, fresh=False)
        cable.sources.update(is_primary=False)
        # Another source that read exactly the new text needs its copy no more.
        cable.sources.filter(content_hash=digest, kept_text__isnull=False).update(kept_text=None)
        self._record_source(cable, parsed, source_hash, digest, primary=True)
        self.summary.updated += 1
        cable._rewritten = True
        return cable

    @staticmethod
    def _fill(cable: Cable, parsed: ParsedCable, digest: str) -> None:
        created = _aware(parsed.created)
        cable.created = created
        cable.created_published = _aware(parsed.created_published)
        # An undated cable still belongs to the year its reference ID was given (or inferred).
        cable.year = created.year if created else year_of_reference_id(parsed.reference_id)
        cable.released = _aware(parsed.released)
        cable.classification = parsed.classification
        cable.origin = parsed.origin[:150]
        cable.subject = parsed.subject
        cable.signers = list(parsed.signers)
        cable.classified_by = parsed.classified_by
        cable.classification_reasons = list(parsed.classification_reasons)
        cable.declassify_on = parsed.declassify_on
        cable.transmission_id = parsed.transmission_id[:40]
        cable.precedence = parsed.precedence[:20]
        cable.routing_to = list(parsed.to)
        cable.routing_info = list(parsed.info)
        cable.partial = parsed.partial
        cable.summary = parsed.summary
        cable.header = parsed.header
        cable.body = parsed.body
        cable.warnings = [warning.to_json() for warning in parsed.warnings]
        cable.content_hash = digest

    def _replace_contents(
        self, cable: Cable, parsed: ParsedCable, tags: dict[str, Tag], *, fresh: bool
    ) -> None:
        if not fresh:
            self.backend.unindex_cables([cable.pk])
            cable.paragraphs.all().delete()
            cable.references.all().delete()
        Paragraph.objects.bulk_create(paragraph_rows(cable, parsed))
        self.backend.index_cables([cable.pk])
        cable.tags.set(
            [tags[code[:100]] for code in dict.fromkeys(parsed.tags) if code[:100] in tags]
        )
        Reference.objects.bulk_create(
            Reference(cable=cable, position=position, reference_id=reference_id[:64])
            for position, reference_id in enumerate(dict.fromkeys(parsed.references), start=1)
        )

    @staticmethod
    def _record_source(
        cable: Cable,
        parsed: ParsedCable,
        digest: str,
        parse_digest: str,
        *,
        primary: bool,
        keep: bool = False,
        fresh: bool = False,
    ) -> bool:
        """Create or update the source's row; `keep` stores its own text on it (a text the
        cable does not show), `fresh` says the cable is new (no row to look for). Returns
        whether anything was written: a source read again unchanged is left alone,
        `ingested_at` included."""
        values = {
            "format": parsed.source.format,
            "sha256": digest,
            "partial": parsed.partial,
            "is_primary": primary,
            "content_hash": parse_digest,
            "kept_text": (
                text_record(parsed.header, parsed.body, paragraph_fields(parsed)) if keep else None
            ),
        }
        source = (
            None
            if fresh
            else Source.objects.filter(
                cable=cable, path=parsed.source.path[:500], row=parsed.source.row
            ).first()
        )
        if source is None:
            Source.objects.create(
                cable=cable, path=parsed.source.path[:500], row=parsed.source.row, **values
            )
            return True
        if all(getattr(source, name) == value for name, value in values.items()):
            return False
        for name, value in values.items():
            setattr(source, name, value)
        source.save()
        return True

    @staticmethod
    def _resolve_references(cables: list[Cable]) -> None:
        ids = [cable.pk for cable in cables]
        target = Subquery(
            Cable.objects.filter(reference_id=OuterRef("reference_id")).values("pk")[:1]
        )
        # This batch's own references, and older references that pointed at these cables.
        Reference.objects.filter(cable_id__in=ids).update(target=target)
        Reference.objects.filter(
            target__isnull=True, reference_id__in=[cable.reference_id for cable in cables]
        ).update(target=target)

    @staticmethod
    def _tag_entities(cable_ids: list[int]) -> None:
        try:
            from cables.entities import tag_cables
        except ImportError:  # entity tagging not installed in this build
            return
        tag_cables(cable_ids)


def paragraph_fields(parsed: ParsedCable) -> list[tuple[int, str, str, str]]:
    """(number, classification, heading, text) per paragraph, numbers made unique.

    Shared by ingest and the bulk loader so that both store exactly the same paragraphs.
    """
    fields = []
    seen: set[int] = set()
    for position, paragraph in enumerate(parsed.paragraphs, start=1):
        number = paragraph.number if paragraph.number not in seen else position
        while number in seen:
            number += 1
        seen.add(number)
        fields.append(
            (number, paragraph.classification[:12], paragraph.heading[:500], paragraph.text)
        )
    return fields


def paragraph_rows(cable: Cable, parsed: ParsedCable) -> list[Paragraph]:
    """Paragraph rows for a cable; numbers are made unique if a source repeated one."""
    return [
        Paragraph(cable=cable, number=number, classification=marking, heading=heading, text=text)
        for number, marking, heading, text in paragraph_fields(parsed)
    ]
