"""A parsed cable as the archive's rows: its fields, digests, TAGS and paragraphs.

Shared by ingest and the bulk loader so that both store exactly the same rows.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from datetime import UTC, datetime

from cables.models import Cable, Paragraph, Tag
from cables.parsing import ParsedCable
from cables.parsing.fields import year_of_reference_id
from cables.parsing.tag_table import TAG_DEFINITIONS_FILE
from cables.versions import raw_digest


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
    if "," in code:
        return Tag.Kind.PERSON  # `STEINBERG, JAMES B.`, as the release writes a person
    if " " in code:
        return Tag.Kind.SUBJECT  # `HUMAN RIGHTS`: a subject tag written in words
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


def fill_cable(cable: Cable, parsed: ParsedCable, digest: str) -> None:
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
