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

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from tqdm import tqdm

from cables.entities import tag_cables
from cables.ingest.finish import refresh_planner_statistics, warm_summaries
from cables.ingest.rows import (
    content_hash,
    fill_cable,
    fullness,
    new_tag,
    paragraph_fields,
    paragraph_rows,
    raw_hash,
)
from cables.lib.archive_version import archive_changed
from cables.models import Cable, Paragraph, Reference, Source, Tag
from cables.parsing import ParsedCable, ParseFailure, adopt_year, iter_path, settle_year
from cables.search import get_backend
from cables.search.index_store import publish_on_commit
from cables.versions import keep_shown_text, text_record

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
            fill_cable(cable, parsed, digest)
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
        fill_cable(cable, parsed, digest)
        cable.save()
        self._replace_contents(cable, parsed, tags, fresh=False)
        cable.sources.update(is_primary=False)
        # Another source that read exactly the new text needs its copy no more.
        cable.sources.filter(content_hash=digest, kept_text__isnull=False).update(kept_text=None)
        self._record_source(cable, parsed, source_hash, digest, primary=True)
        self.summary.updated += 1
        cable._rewritten = True
        return cable

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
        tag_cables(cable_ids)
