"""Versions of a cable: the text each of its sources gave, listed and compared.

A cable read from several sources (an original cablegate page, a row of cables.csv, a mirror's
partial extract) shows one text, the fullest (`cables/ingest/incremental.py`); every source is a `Source`
row, and each keeps its own text so that a reader can compare them.

Storage: a source's text is stored on its row (`Source.kept_text`) only while it differs from
the text the cable shows. The source whose text is shown (`is_primary`), and any other whose
parse is the same (`Source.content_hash == Cable.content_hash`), point at the cable's own
header, body and paragraphs instead of holding a copy; ingest copies the shown text onto them
just before a fuller source replaces it (`keep_shown_text`). So a bulk load of the release,
one source per cable, stores no second copy of its 1.6 GB, and only cables really seen in
two different texts pay for a second one. Rows from before migration 0015 have no digest and
no kept text: one whose raw text still matches the cable's is read as the shown text, any
other says its text was not kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db.models import BooleanField, ExpressionWrapper, Q

from cables.models import Cable, Source
from cables.parsing.records import (
    FORMAT_CABLEGATE_HTML,
    FORMAT_CSV,
    FORMAT_MIRROR_CABLES,
    FORMAT_MIRROR_WORDPRESS,
    FORMAT_TELEGRAM,
    FORMAT_TEXT,
)
from cables.versions import diff

FORMAT_NAMES = {
    FORMAT_CSV: "cables.csv row",
    FORMAT_CABLEGATE_HTML: "original cablegate page",
    FORMAT_MIRROR_WORDPRESS: "mirror page (blog repost)",
    FORMAT_MIRROR_CABLES: "mirror page (cables mirror)",
    FORMAT_TELEGRAM: "raw telegram",
    FORMAT_TEXT: "plain text",
}


def raw_digest(header: str, body: str) -> str:
    """sha256 of a raw header and body, as stored in `Source.sha256`."""
    return hashlib.sha256(f"{header}\0{body}".encode()).hexdigest()


def text_record(header: str, body: str, paragraphs) -> dict:
    """What `Source.kept_text` holds: the raw text and the paragraphs as stored for a cable."""
    return {
        "header": header,
        "body": body,
        "paragraphs": [list(row) for row in paragraphs],
    }


def _shown_text(cable: Cable) -> dict:
    rows = cable.paragraphs.order_by("number").values_list(
        "number", "classification", "heading", "text"
    )
    return text_record(cable.header, cable.body, rows)


def shows_cable_text(source: Source, cable: Cable, cable_raw_digest: str | None = None) -> bool:
    """Whether this source's text is the one the cable shows (so nothing of it is stored)."""
    if source.content_hash:
        return source.content_hash == cable.content_hash
    # Recorded before migration 0015: only the raw text's digest tells.
    return source.sha256 == (cable_raw_digest or raw_digest(cable.header, cable.body))


def keep_shown_text(cable: Cable, replaced_by: tuple[str, int | None]) -> int:
    """Before another text replaces the cable's: copy the shown text onto every source that
    relies on it (all but `replaced_by`, the (path, row) of the incoming source).

    Called by ingest inside the cable's savepoint, while the cable row and its paragraphs still
    hold the old text. Returns how many sources got a copy.
    """
    raw = raw_digest(cable.header, cable.body)
    keeping = [
        source.pk
        for source in cable.sources.filter(kept_text__isnull=True).only(
            "id", "path", "row", "sha256", "content_hash"
        )
        if (source.path, source.row) != replaced_by and shows_cable_text(source, cable, raw)
    ]
    if keeping:
        # A queryset update: the copy is not a new reading, so `ingested_at` stays.
        Source.objects.filter(pk__in=keeping).update(
            kept_text=_shown_text(cable), content_hash=cable.content_hash
        )
    return len(keeping)


@dataclass
class Version:
    """One source of a cable as the reader sees it."""

    source: Source
    current: bool  # the source whose text the cable shows
    same_as_current: bool  # another source with exactly the shown text
    kept: bool  # its text can be shown and compared

    @property
    def id(self) -> int:
        return self.source.pk

    @property
    def name(self) -> str:
        """The file and its folder: two builds of the original site name their pages alike."""
        path = PurePath(self.source.path)
        name = "/".join(path.parts[-2:]) or self.source.path
        return f"{name}, row {self.source.row}" if self.source.row else name

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.source.format, self.source.format)

    @property
    def label(self) -> str:
        """One line for a select box."""
        kind = "partial" if self.source.partial else "full"
        current = ", current" if self.current else ""
        return f"{self.name} ({self.format_name}, {kind}{current})"


def versions_of(cable: Cable) -> list[Version]:
    """Every source of the cable, the current one first, in one query (texts not loaded)."""
    sources = (
        cable.sources.defer("kept_text")
        .annotate(
            has_kept_text=ExpressionWrapper(Q(kept_text__isnull=False), output_field=BooleanField())
        )
        .order_by("-is_primary", "ingested_at", "path", "row", "id")
    )
    raw = None
    versions = []
    for source in sources:
        shown = False
        if not source.has_kept_text:
            if not source.content_hash and raw is None:
                raw = raw_digest(cable.header, cable.body)
            shown = shows_cable_text(source, cable, raw)
        versions.append(
            Version(
                source=source,
                current=source.is_primary,
                same_as_current=shown and not source.is_primary,
                kept=source.has_kept_text or shown,
            )
        )
    return versions


class VersionNotFound(LookupError):
    """A version asked for is not one of this cable's sources."""


class SameVersion(ValueError):
    """The two versions asked for are one and the same."""


@dataclass
class Comparison:
    cable: Cable
    versions: list[Version]
    first: Version
    second: Version
    missing: list[Version] = field(default_factory=list)  # versions whose text was not kept
    changes: list[diff.ParagraphChange] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    header_hunks: list[diff.Hunk] = field(default_factory=list)
    body_hunks: list[diff.Hunk] = field(default_factory=list)
    current_numbers: set[int] = field(default_factory=set)  # paragraphs with a permalink

    @property
    def identical(self) -> bool:
        return not self.missing and not (
            self.header_hunks or self.body_hunks or self.counts.get(diff.SAME) != len(self.changes)
        )


def comparison(cable: Cable, first_id: int | None, second_id: int | None) -> Comparison | None:
    """The two versions compared paragraph by paragraph, or None when the cable has fewer than
    two versions. Without ids, the first version that is not current against the current one.

    Raises VersionNotFound for an id that is not a source of this cable, SameVersion when both
    ids name one source.
    """
    versions = versions_of(cable)
    if len(versions) < 2:
        return None
    by_id = {version.id: version for version in versions}
    for wanted in (first_id, second_id):
        if wanted is not None and wanted not in by_id:
            raise VersionNotFound(f"{cable.reference_id} has no version {wanted}.")
    current = next((v for v in versions if v.current), versions[0])

    def other_than(version: Version | None) -> Version:
        """The current version, or the first other one when `version` is the current one."""
        if version is not current:
            return current
        return next(v for v in versions if v is not version)

    first = by_id.get(first_id) if first_id is not None else None
    second = by_id.get(second_id) if second_id is not None else None
    if first is None and second is None:
        first, second = other_than(current), current
    elif first is None:
        first = other_than(second)
    elif second is None:
        second = other_than(first)
    if first is second:
        raise SameVersion("Choose two different versions to compare.")

    result = Comparison(cable, versions, first, second)
    current_paragraphs = list(
        cable.paragraphs.order_by("number").values_list(
            "number", "classification", "heading", "text"
        )
    )
    result.current_numbers = {row[0] for row in current_paragraphs}
    texts = []
    kept = dict(
        Source.objects.filter(pk__in=[first.id, second.id], kept_text__isnull=False).values_list(
            "pk", "kept_text"
        )
    )
    shown = text_record(cable.header, cable.body, current_paragraphs)
    for version in (first, second):
        text = kept.get(version.id) or (shown if version.kept else None)
        if text is None:
            result.missing.append(version)
        texts.append(text)
    if result.missing:
        return result
    first_text, second_text = texts
    result.changes = diff.compare_paragraphs(
        diff.paragraphs_of(first_text["paragraphs"]), diff.paragraphs_of(second_text["paragraphs"])
    )
    result.counts = diff.summary(result.changes)
    result.header_hunks = diff.line_diff(first_text["header"], second_text["header"])
    result.body_hunks = diff.line_diff(first_text["body"], second_text["body"])
    return result
