"""The per-format parsers: CSV record, cablegate HTML page, plain text / mirror page.

All three build the same `ParsedCable` and never raise: a problem becomes a warning, and a cable
without a reference ID comes back with `errors` set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from . import fields
from .paragraphs import split_blocks, split_paragraphs
from .records import (
    CLASSIFICATIONS,
    FORMAT_MIRROR_CABLES,
    FORMAT_MIRROR_WORDPRESS,
    FORMAT_TELEGRAM,
    FORMAT_TEXT,
    ParsedCable,
    SourceInfo,
    Warning_,
)
from .text import clean_display, cut_boilerplate, is_noise_line, unescape_html
from .years import BY_TEXT, infer_year, named_months, year_from_serial_order

NO_REFERENCE_ID = "no recognisable reference ID"
YEAR_INFERRED = "year-inferred"
YEAR_UNKNOWN = "year-unknown"
PARTIAL_MARK = "This record is a partial extract of the original cable"

_PRECEDENCE = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_DTG_LINE = re.compile(
    r"^[ \t]*(?P<prec>(?:[ZOPR][ \t]+){1,2})?\d{6}Z[ \t]+[A-Z]{3}[ \t]+\d{2}", re.M
)
_TRANSMISSION = re.compile(r"^[ \t]*(VZCZC[A-Z0-9]+)", re.M)
_FM = re.compile(r"^[ \t]*FM[ \t]+(?P<sender>[^\n]+)$", re.M)
_ROUTING_INDICATOR = re.compile(r"^[A-Z0-9]{5,8}/")
_TRAILING_PRECEDENCE = re.compile(r"\s+(?:IMMEDIATE|PRIORITY|ROUTINE|FLASH|NIACT)\b.*$")
_TRAILING_SERIAL = re.compile(r"\s+\d{1,5}\s*$")
_SENSITIVE = re.compile(r"^[ \t]*SENSITIVE\b", re.M)
_NOFORN = re.compile(r"^[ \t]*NOFORN\b|\bNOFORN\s*$", re.M)
# Header fields in any case (`Classified By:`, `Tags:`); the routing words only in capitals: a
# prose line may start `for strong support ...` (07REYKJAVIK80).
_HEADER_FIELD = re.compile(
    r"^\s*(?:(?i:E\.O\.|TAGS|SUBJ|REF|CLASSIFIED BY)|SIPDIS|DEPT |DEPARTMENT |STATE PLEASE|"
    r"PASS |FOR |SENSITIVE|NOFORN|EXDIS|NODIS|LIMDIS|C O N|S E C|UNCLAS|CONFIDENTIAL|SECRET)"
)


def _recipient(line: str) -> str:
    line = _ROUTING_INDICATOR.sub("", line.strip())
    line = _TRAILING_PRECEDENCE.sub("", line)
    line = _TRAILING_SERIAL.sub("", line)
    return line.strip()


def read_routing(cable: ParsedCable, header: str) -> None:
    """Transmission ID, precedence, sender, TO and INFO recipients from a routing header."""
    transmission = _TRANSMISSION.search(header)
    if transmission and not cable.transmission_id:
        cable.transmission_id = transmission.group(1)
    dtg_line = _DTG_LINE.search(header)
    if dtg_line and dtg_line.group("prec") and not cable.precedence:
        cable.precedence = _PRECEDENCE.get(dtg_line.group("prec").strip()[0], "")
    sender = _FM.search(header)
    if sender and not cable.origin:
        cable.origin = fields.normalise_origin(sender.group("sender"))
    target: list[str] | None = None
    for raw in header.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("TO "):
            target, line = cable.to, line[3:]
        elif line.startswith("INFO "):
            target, line = cable.info, line[5:]
        elif line.startswith(("FM ", "BT", "ZEN", "ZFR")) or _DTG_LINE.match(line):
            target = None
            continue
        if target is not None:
            # Shown normalised (`Secretary of State`); the raw header keeps the written form.
            name = fields.normalise_recipient(_recipient(line))
            if name and name not in target:
                target.append(name)


def _split_header_body(text: str) -> tuple[str, str]:
    """Routing header (transmission lines) and body of a plain-text cable."""
    classification = fields.classification_line(text)
    dtg = _DTG_LINE.search(text, 0, 3000)
    if classification and dtg and dtg.start() < classification.start():
        return text[: classification.start()].strip("\n"), text[classification.start() :]
    if dtg:
        blank = text.find("\n\n", dtg.end())
        if blank == -1:
            blank = text.find("\n", dtg.end())
        if blank != -1:
            return text[:blank].strip("\n"), text[blank:].lstrip("\n")
    return "", text


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the header fields (TAGS, SUBJECT, REF, classified by)."""
    last_field = -1
    for index, line in enumerate(lines[:80]):
        if fields.CLASSIFICATION_LINE.match(line) or _HEADER_FIELD.match(line):
            last_field = index
    index = last_field + 1
    # The field's wrapped continuation lines run up to the next blank line.
    while last_field >= 0 and index < len(lines) and lines[index].strip():
        index += 1
    return max(index, 0)


def fill_from_text(
    cable: ParsedCable, header: str, body: str, *, page_created: datetime | None = None
) -> ParsedCable:
    """Every field the text can give, without overriding what the page/CSV already set."""
    try:
        _fill(cable, header, body, page_created)
    except Exception as error:  # noqa: BLE001 - a parser bug must not lose the cable
        cable.warn("parser-error", f"{type(error).__name__}: {error}")
    return cable


def _fill(cable: ParsedCable, header: str, body: str, page_created: datetime | None) -> None:
    read_routing(cable, header)
    head_text = header + "\n" + body[:12000]
    dtg = fields.date_time_group(header) or fields.date_time_group(body, 1500)
    created = cable.created or page_created
    # Rule: the published time is kept as given; only `created` takes the date-time group's
    # minutes (same day and hour, other minutes: the page's minutes are the wrong ones).
    cable.created_published = cable.created_published or created
    same_hour = created and dtg and created.replace(minute=0) == dtg.replace(minute=0)
    if same_hour and created.minute != dtg.minute:
        cable.warn(
            "created-minutes-corrected",
            f"created {created:%H:%M} on the page, {dtg:%H:%M} in the date-time group",
        )
        created = created.replace(minute=dtg.minute)
    cable.created = created or dtg
    if cable.created is None and dtg is None:
        cable.warn("no-created-date", "no created date and no date-time group")

    classification_match = fields.classification_line(body) or fields.classification_line(header)
    rest = classification_match.group("rest") if classification_match else ""
    opening = body[:1500]
    if not cable.classification and classification_match:
        cable.classification = fields.normalise_classification(
            classification_match.group("cls"),
            sensitive=bool(_SENSITIVE.search(opening)),
            noforn=bool(_NOFORN.search(opening)) or "NOFORN" in rest,
        )

    if not cable.reference_id and classification_match:
        _reference_from_classification_line(cable, rest, body)
    if cable.reference_id and not fields.is_canonical_reference_id(cable.reference_id):
        cable.warn("malformed-reference-id", f"reference ID {cable.reference_id} kept as given")
    if not cable.reference_id:
        cable.errors.append(NO_REFERENCE_ID)

    if not cable.tags:
        cable.tags, corrections = fields.tags_and_corrections(head_text)
        for written, code in corrections:
            cable.warn("tag-corrected", f"TAGS code {written} read as {code}")
    cable.subject = cable.subject or clean_display(fields.subject(head_text))
    if not cable.references:
        year = cable.created.year if cable.created else _year_of_id(cable.reference_id)
        cable.references = fields.parse_references(fields.ref_text(head_text), year)
    # Rule: a cable never refers to itself (07LIMA1862: a record's own ID after a cut-off list).
    cable.references = [r for r in cable.references if r != cable.reference_id]
    who, reasons = fields.classified_by(head_text)
    cable.classified_by = cable.classified_by or who
    cable.classification_reasons = cable.classification_reasons or reasons
    cable.declassify_on = cable.declassify_on or fields.declassify_on(head_text)
    if PARTIAL_MARK in body[:3000] or PARTIAL_MARK in header:
        cable.partial = True

    lines = body.split("\n")
    signer_names, lines = fields.signers(lines)
    if signer_names:
        cable.signers = signer_names
    paragraphs, warnings = split_paragraphs(lines, 0)
    cable.warnings.extend(warnings)
    if not paragraphs:
        paragraphs = split_blocks(lines, _body_start(lines))
        if paragraphs:
            cable.warn("no-paragraph-numbers", "no numbered paragraphs: blocks by blank lines")
    cable.paragraphs = paragraphs
    if not cable.summary:
        cable.summary = (
            fields.summary_of_paragraphs(
                [p.text for p in paragraphs],
                [p.heading for p in paragraphs],
                _before_first_paragraph(body, paragraphs[0].text),
            )
            if paragraphs
            else fields.summary(clean_display(body))
        )


# Enough of the text before paragraph 1 to hold a summary that ends there (`... END SUMMARY`).
_BEFORE_FIRST = 3000


def _before_first_paragraph(body: str, first_text: str) -> str:
    """The body up to where the first paragraph's text starts (its heading, if any)."""
    opening = " ".join(first_text.split()[:3])
    at = body.find(opening) if opening else -1
    if at < 0 and first_text.split():
        at = body.find(first_text.split()[0])
    return body[: max(at, 0)][-_BEFORE_FIRST:] if at >= 0 else ""


def _year_of_id(reference_id: str) -> int | None:
    if reference_id[:2].isdigit():
        return fields.expand_year(reference_id[:2])
    return None


def _reference_from_classification_line(cable: ParsedCable, rest: str, body: str) -> None:
    parts = fields.post_and_serial(rest)
    if parts is None:
        return
    year, post, serial = parts
    if year is None and cable.created is not None:
        year = str(cable.created.year)
    if year is None:
        cable.undated = (re.sub(r"[^A-Z]", "", post.upper()), int(serial))
        inferred = infer_year(post, int(serial), body)
        if inferred is None:
            cable.warn(YEAR_UNKNOWN, f"no year for {post} {serial}")
            return
        year, reason = inferred
        cable.warn(YEAR_INFERRED, f"year {year} inferred from {reason}")
    cable.reference_id = fields.canonical_reference_id(year, post, serial)


def settle_year(cable: ParsedCable, known: Iterable[tuple[int, int, int | None]]) -> bool:
    """Re-infer an undated cable's year from known cables of its post; True if it was set.

    `known` holds (serial, four-digit year, month or None) of cables of the same post, e.g. those
    already in the archive. Known cables beat the release index, not dates in the text. The
    reference ID and the year-dependent REF IDs are derived again.
    """
    if cable.undated is None or any(
        w.code == YEAR_INFERRED and BY_TEXT in w.message for w in cable.warnings
    ):
        return False  # no year to settle, or one the text gives (the stronger evidence)
    post, serial = cable.undated
    found = year_from_serial_order(post, serial, known, named_months(cable.body))
    if found is None:
        return False
    year, reason = found
    adopt_year(cable, year, f"year {year} inferred from {reason}")
    return True


def adopt_year(cable: ParsedCable, year: int, message: str) -> None:
    """Give an undated cable this year (the `year-inferred` warning saying why): its reference
    ID and the REF IDs that took the cable's year are derived again."""
    if cable.undated is None:
        return
    post, serial = cable.undated
    year = fields.expand_year(year)
    # Replaced in place: the same record must come out the same on every run (content hash).
    kept = [w for w in cable.warnings if w.code not in (YEAR_INFERRED, YEAR_UNKNOWN)]
    first = next(
        (i for i, w in enumerate(cable.warnings) if w.code in (YEAR_INFERRED, YEAR_UNKNOWN)),
        len(kept),
    )
    kept.insert(min(first, len(kept)), Warning_(YEAR_INFERRED, message))
    cable.warnings = kept
    cable.reference_id = fields.canonical_reference_id(year, post, serial)
    cable.errors = [error for error in cable.errors if error != NO_REFERENCE_ID]
    head_text = cable.header + "\n" + cable.body[:12000]
    cable.references = fields.parse_references(fields.ref_text(head_text), year)


# --- CSV ------------------------------------------------------------------------------------------


def parse_csv_record(values: list[str], source: SourceInfo) -> ParsedCable:
    """One row of cables.csv: id, created, reference ID, origin, classification, refs, header, body."""
    cable = ParsedCable(reference_id="", source=source)
    try:
        padded = [*values, *[""] * (8 - len(values))]
        _, created, reference_id, origin, classification, references, header, body = padded[:8]
        cable.reference_id = reference_id.strip()
        cable.created = fields.parse_csv_datetime(created)
        cable.origin = origin.strip()
        cable.classification = fields.normalise_classification(classification)
        cable.references = [r.strip() for r in references.split("|") if r.strip()]
        cable.header, cable.body = header, body
    except Exception as error:  # noqa: BLE001
        cable.errors.append(f"unreadable row: {error}")
        return cable
    return fill_from_text(cable, header, body)


# --- cablegate HTML --------------------------------------------------------------------------------

_TABLE = re.compile(r"<table class=['\"]cable['\"]>(.*?)</table>", re.S)
_CELL = re.compile(r"<td>(.*?)</td>", re.S)
_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)


def parse_cablegate_html(markup: str, source: SourceInfo) -> ParsedCable:
    """An original cablegate.wikileaks.org page: header table plus two `<code><pre>` blocks."""
    cable = ParsedCable(reference_id="", source=source)
    try:
        table = _TABLE.search(markup)
        blocks = [unescape_html(block) for block in _PRE.findall(markup)]
    except Exception as error:  # noqa: BLE001
        cable.errors.append(f"unreadable page: {error}")
        return cable
    if not table and not blocks:
        cable.errors.append("HTML page without a cable")
        return cable
    if table:
        cells = [" ".join(unescape_html(cell).split()) for cell in _CELL.findall(table.group(1))]
        if len(cells) >= 5:
            cable.reference_id = cells[0]
            cable.created = fields.parse_iso_datetime(cells[1])
            cable.released = fields.parse_iso_datetime(cells[2])
            cable.classification = fields.normalise_classification(cells[3])
            cable.origin = cells[4]
    if len(blocks) >= 2:
        cable.header, cable.body = blocks[0], blocks[1]
    elif blocks:
        cable.body = blocks[0]
    if PARTIAL_MARK in markup:
        cable.partial = True
    return fill_from_text(cable, cable.header, cable.body)


# --- plain text and mirror pages ----------------------------------------------------------------------

_WORDPRESS_TABLE = re.compile(
    r"^Reference ID\s+Created\s+Released\s+Classification\s+Origin\s*\n\s*"
    r"(?P<id>\S+)\s+(?P<created>\d{4}-\d{2}-\d{2} \d{2}:\d{2})\s+"
    r"(?P<released>\d{4}-\d{2}-\d{2} \d{2}:\d{2})\s+(?P<rest>[^\n]+)$",
    re.M,
)
_MIRROR_DATE = re.compile(
    r"^(?P<created>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)\s*\n(?P<origin>[^\n]+)$", re.M
)
_MIRROR_CABLE_START = re.compile(r"^.*(?:how-to read a cable|" + PARTIAL_MARK + r").*$", re.M)


def text_format(text: str) -> str:
    """Which kind of plain-text page this is (FORMAT_* constant)."""
    head = text[:6000]
    if _WORDPRESS_TABLE.search(head):
        return FORMAT_MIRROR_WORDPRESS
    if "Cables mirror" in head or "Cable title:" in head:
        return FORMAT_MIRROR_CABLES
    if _TRANSMISSION.search(head) or _FM.search(head):
        return FORMAT_TELEGRAM
    return FORMAT_TEXT


def _split_table_rest(rest: str) -> tuple[str, str]:
    """`UNCLASSIFIED//FOR OFFICIAL USE ONLY Embassy Astana` -> (classification, origin)."""
    for value in sorted(CLASSIFICATIONS, key=len, reverse=True):
        if rest.startswith(value):
            return value, rest[len(value) :].strip()
    words = rest.split(" ", 1)
    return words[0], words[1] if len(words) > 1 else ""


def parse_text(text: str, source: SourceInfo) -> ParsedCable:
    """A plain-text cable or a saved mirror page (WordPress repost, cables mirror, telegram)."""
    cable = ParsedCable(reference_id="", source=source)
    try:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        page_format = text_format(text)
        if source.format in ("", FORMAT_TEXT):
            source.format = page_format
        cable_text = text
        if page_format == FORMAT_MIRROR_WORDPRESS:
            table = _WORDPRESS_TABLE.search(text)
            cable.reference_id = table.group("id")
            cable.created = fields.parse_iso_datetime(table.group("created"))
            cable.released = fields.parse_iso_datetime(table.group("released"))
            classification, origin = _split_table_rest(table.group("rest").strip())
            cable.classification = fields.normalise_classification(classification)
            cable.origin = origin
            cable_text = text[table.end() :]
        elif page_format == FORMAT_MIRROR_CABLES:
            dated = _MIRROR_DATE.search(text, 0, 3000)
            if dated:
                cable.created = fields.parse_iso_datetime(dated.group("created"))
                cable.origin = dated.group("origin").strip()
            starts = list(_MIRROR_CABLE_START.finditer(text, 0, 6000))
            if starts:
                cable_text = text[starts[-1].end() :]
        if PARTIAL_MARK in text[:6000]:
            cable.partial = True
        cable_text = cut_boilerplate(cable_text.strip("\n"))
        header, body = _split_header_body(cable_text)
        cable.header, cable.body = header, body
    except Exception as error:  # noqa: BLE001
        cable.warn("parser-error", f"{type(error).__name__}: {error}")
        cable.body = cable.body or text
        header, body = cable.header, cable.body
    return fill_from_text(cable, header, body)


__all__ = [
    "NO_REFERENCE_ID",
    "adopt_year",
    "fill_from_text",
    "is_noise_line",
    "parse_cablegate_html",
    "parse_csv_record",
    "parse_text",
    "settle_year",
    "text_format",
]
