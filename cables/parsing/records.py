"""The archive's cable schema as plain dataclasses (no Django here).

`ParsedCable.to_json()` is the record printed by `parse_cables` and served by the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

CLASSIFICATIONS = (
    "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "CONFIDENTIAL",
    "CONFIDENTIAL//NOFORN",
    "SECRET",
    "SECRET//NOFORN",
)

# Source formats the parser recognises (stored on Source.format).
FORMAT_CSV = "cables-csv"
FORMAT_CABLEGATE_HTML = "cablegate-html"
FORMAT_MIRROR_WORDPRESS = "mirror-wordpress"
FORMAT_MIRROR_CABLES = "mirror-cables"
FORMAT_TELEGRAM = "telegram"
FORMAT_TEXT = "text"


@dataclass(slots=True)
class Warning_:
    """A non-fatal problem: the cable is kept, the warning says what was guessed or repaired."""

    code: str  # short kebab-case kind, e.g. "paragraphs-renumbered", "year-inferred"
    message: str

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(slots=True)
class SourceInfo:
    path: str
    format: str
    row: int | None = None  # 1-based record number for cables.csv input

    def to_json(self) -> dict:
        return {"path": self.path, "format": self.format, "row": self.row}

    def describe(self) -> str:
        return f"{self.path} row {self.row}" if self.row is not None else self.path


@dataclass(slots=True)
class ParsedParagraph:
    number: int
    classification: str  # the marking as written, normalised: "SBU", "C", "S/NF", "U" or ""
    heading: str  # section heading line that precedes the paragraph, or ""
    text: str  # cleaned display text (page breaks, boilerplate removed; marking removed)

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "classification": self.classification,
            "heading": self.heading,
            "text": self.text,
        }


@dataclass(slots=True)
class ParsedCable:
    reference_id: str
    source: SourceInfo
    # `created` is corrected from the date-time group (see `cable.py`); `created_published` is the
    # value as the release (page, CSV row) published it, for matching other mirrors.
    created: datetime | None = None
    created_published: datetime | None = None
    released: datetime | None = None
    classification: str = ""
    origin: str = ""
    subject: str = ""
    tags: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    classified_by: str = ""
    classification_reasons: list[str] = field(default_factory=list)
    declassify_on: date | None = None
    transmission_id: str = ""
    precedence: str = ""
    to: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    partial: bool = False
    summary: str = ""
    paragraphs: list[ParsedParagraph] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    # Fatal problems: the input is not a usable cable (no reference ID, not a cable at all).
    errors: list[str] = field(default_factory=list)
    # The raw header (routing) and body exactly as found in the source.
    header: str = ""
    body: str = ""
    # (post, serial) of a cable whose year was not written, so that its year can be settled later
    # from known cables of the post (`settle_year`); None when the year was read.
    undated: tuple[str, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.reference_id)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Warning_(code, message))

    def to_json(self) -> dict:
        return {
            "reference_id": self.reference_id,
            "created": self.created.isoformat() if self.created else None,
            "released": self.released.isoformat() if self.released else None,
            "classification": self.classification,
            "origin": self.origin,
            "subject": self.subject,
            "tags": list(self.tags),
            "references": list(self.references),
            "signers": list(self.signers),
            "classified_by": self.classified_by,
            "classification_reasons": list(self.classification_reasons),
            "declassify_on": self.declassify_on.isoformat() if self.declassify_on else None,
            "transmission_id": self.transmission_id,
            "precedence": self.precedence,
            "to": list(self.to),
            "info": list(self.info),
            "partial": self.partial,
            "summary": self.summary,
            "paragraphs": [p.to_json() for p in self.paragraphs],
            "warnings": [w.to_json() for w in self.warnings],
            "source": self.source.to_json(),
            # Added after the first schema: new keys go last, existing ones never change.
            "created_published": (
                self.created_published.isoformat() if self.created_published else None
            ),
        }


@dataclass(slots=True)
class ParseFailure:
    """An input (file or CSV row) that could not be turned into a cable, and why."""

    source: SourceInfo
    reason: str
    # The parse of an undated cable whose year could not be inferred: the ingest may still settle
    # it from the archive's cables of the same post.
    cable: ParsedCable | None = None

    @property
    def ok(self) -> bool:
        return False

    def describe(self) -> str:
        return f"{self.source.describe()}: {self.reason}"
