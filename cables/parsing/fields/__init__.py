"""Header fields of a cable, read from its text (any format, after HTML unescaping).

Each function takes text and returns a value (or empty); none raises on odd input. One module a
field: `header` (reference IDs, classification, origin, recipients, dates, SUBJECT, classified
by), `tag_line` (TAGS), `references` (REF), `summary_text` (summary), `signature` (signers); the
release's stations live in `cables/parsing/stations.py`.

The rules for the hard layouts are written as `Rule (...)` comments beside the code applying
them: TAGS anywhere in the header and in every spelling, REF written every way, station names of
the release and what is no cable, summaries with or without markers, signers at the end of any
layout. The created time kept as published beside the corrected one: `cable.py`, `_fill`.
"""

from ..stations import STATION_ALIASES, canonical_station
from ..tag_table import TAG_DEFINITIONS_FILE
from .classified_by import classified_by
from .header import (
    ANY_ID,
    CANONICAL_ID,
    CLASSIFICATION_LINE,
    DTG,
    MONTH_NAMES,
    MONTHS,
    canonical_reference_id,
    classification_line,
    date_time_group,
    declassify_on,
    expand_year,
    is_canonical_reference_id,
    normalise_classification,
    normalise_origin,
    normalise_recipient,
    parse_csv_datetime,
    parse_iso_datetime,
    post_and_serial,
    subject,
    year_of_reference_id,
)
from .references import parse_references, ref_text
from .signature import signers
from .summary_text import summary, summary_of_paragraphs
from .tag_line import known_tag_codes, split_run_together, tags, tags_and_corrections

__all__ = [
    "ANY_ID",
    "CANONICAL_ID",
    "CLASSIFICATION_LINE",
    "DTG",
    "MONTHS",
    "MONTH_NAMES",
    "STATION_ALIASES",
    "TAG_DEFINITIONS_FILE",
    "canonical_reference_id",
    "canonical_station",
    "classification_line",
    "classified_by",
    "date_time_group",
    "declassify_on",
    "expand_year",
    "is_canonical_reference_id",
    "known_tag_codes",
    "normalise_classification",
    "normalise_origin",
    "normalise_recipient",
    "parse_csv_datetime",
    "parse_iso_datetime",
    "parse_references",
    "post_and_serial",
    "ref_text",
    "signers",
    "split_run_together",
    "subject",
    "summary",
    "summary_of_paragraphs",
    "tags",
    "tags_and_corrections",
    "year_of_reference_id",
]
