"""Plain-Python parsing of cables from every source format (no Django imports).

Entry points:
- `iter_path(path)`: every cable in a file or directory (recursively), CSV plain or .gz,
  yielding `ParsedCable` or `ParseFailure`; never raises for bad content.
- `parse_document(data, path)`: one file's bytes, detected and parsed.
- `parse_text`, `parse_cablegate_html`, `parse_csv_record`: the per-format parsers.
"""

from .cable import adopt_year, parse_cablegate_html, parse_csv_record, parse_text, settle_year
from .fields import canonical_reference_id, parse_references
from .records import (
    CLASSIFICATIONS,
    ParsedCable,
    ParsedParagraph,
    ParseFailure,
    SourceInfo,
    Warning_,
)
from .sources import detect_format, iter_csv, iter_path, parse_document, skipped_files

__all__ = [
    "CLASSIFICATIONS",
    "ParsedCable",
    "ParsedParagraph",
    "ParseFailure",
    "SourceInfo",
    "Warning_",
    "adopt_year",
    "canonical_reference_id",
    "detect_format",
    "iter_csv",
    "iter_path",
    "parse_cablegate_html",
    "parse_csv_record",
    "parse_document",
    "parse_references",
    "parse_text",
    "settle_year",
    "skipped_files",
]
