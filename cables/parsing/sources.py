"""Inputs to records: format detection, files and directories, cables.csv streaming.

Nothing here raises for bad content; an input that is not a cable becomes a `ParseFailure`.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from .cable import (
    NO_REFERENCE_ID,
    parse_cablegate_html,
    parse_csv_record,
    parse_text,
    settle_year,
    text_format,
)
from .records import (
    FORMAT_CABLEGATE_HTML,
    FORMAT_CSV,
    ParsedCable,
    ParseFailure,
    SourceInfo,
)
from .years import REFERENCE_ID_PARTS

FORMAT_HTML_OTHER = "html"
FORMAT_BINARY = "binary"
FORMAT_EMPTY = "empty"
GZIP_MAGIC = b"\x1f\x8b"
CSV_FIELDS = 8
_CSV_START = re.compile(rb'^\s*"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}","')
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml|<!DOCTYPE\s+html|<html|<head|<body|<div|<table|<p>)", re.I
)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Record = ParsedCable | ParseFailure


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the sample's end is still text.
        if error.start < len(sample) - 4:
            return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) // 20


def detect_format(data: bytes, path: str = "") -> str:
    """The FORMAT_* constant of an input's bytes (gzip is looked through)."""
    if data.startswith(GZIP_MAGIC):
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], 65536)
        except zlib.error:
            return FORMAT_BINARY
    if not data.strip():
        return FORMAT_EMPTY
    if _CSV_START.match(data):
        return FORMAT_CSV
    if _looks_binary(data):
        return FORMAT_BINARY
    if _HTML_START.match(data) or path.lower().endswith((".html", ".htm")):
        if b"<pre>" in data or b"class='cable'" in data or b'class="cable"' in data:
            return FORMAT_CABLEGATE_HTML
        return FORMAT_HTML_OTHER
    return text_format(_decode(data[:8192]))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check(record: ParsedCable) -> Record:
    if record.ok:
        return record
    reason = "; ".join(record.errors) or NO_REFERENCE_ID
    return ParseFailure(record.source, reason, cable=record if record.undated else None)


def parse_document(data: bytes, path: str) -> list[Record]:
    """One non-CSV input's bytes (a CSV given here is parsed too, in memory)."""
    try:
        if data.startswith(GZIP_MAGIC):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error):
                return [ParseFailure(SourceInfo(path, FORMAT_BINARY), "corrupt gzip data")]
        kind = detect_format(data, path)
        source = SourceInfo(path, kind)
        if kind == FORMAT_EMPTY:
            return [ParseFailure(source, "empty file")]
        if kind == FORMAT_BINARY:
            return [ParseFailure(source, "binary data, not a cable")]
        if kind == FORMAT_HTML_OTHER:
            return [ParseFailure(source, "HTML page without a cable")]
        if kind == FORMAT_CSV:
            return list(_iter_csv_checked(io.BytesIO(data), path))
        text = _decode(data)
        if kind == FORMAT_CABLEGATE_HTML:
            return [_check(parse_cablegate_html(text, source))]
        return [_check(parse_text(text, source))]
    except Exception as error:  # noqa: BLE001 - a parser bug must never stop a run
        return [
            ParseFailure(SourceInfo(path, ""), f"parser error: {type(error).__name__}: {error}")
        ]


def _iter_csv_stream(binary: io.BufferedIOBase, path: str) -> Iterator[Record]:
    """Rows of cables.csv (no header row; backslash-escaped quotes; fields span lines)."""
    text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")
    reader = csv.reader(text, escapechar="\\", doublequote=False, strict=False)
    row_number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, OSError, EOFError, zlib.error) as error:
            yield ParseFailure(
                SourceInfo(path, FORMAT_CSV, row_number + 1), f"unreadable row: {error}"
            )
            return
        row_number += 1
        source = SourceInfo(path, FORMAT_CSV, row_number)
        if not values or (len(values) == 1 and not values[0].strip()):
            row_number -= 1
            continue
        if len(values) < CSV_FIELDS:
            yield ParseFailure(source, f"truncated row: {len(values)} of {CSV_FIELDS} fields")
            continue
        if len(values) > CSV_FIELDS:
            values = [*values[: CSV_FIELDS - 1], ",".join(values[CSV_FIELDS - 1 :])]
        yield _check(parse_csv_record(values, source))


def iter_csv(path: str | Path) -> Iterator[Record]:
    """Stream a cables.csv file, plain or gzip (detected by magic bytes), row by row."""
    path = Path(path)
    with open(path, "rb") as raw:
        magic = raw.read(2)
    opener = gzip.open if magic == GZIP_MAGIC else open
    with opener(path, "rb") as binary:
        yield from _iter_csv_checked(binary, str(path))


def _iter_csv_checked(binary, path: str) -> Iterator[Record]:
    """Like `_iter_csv_stream`, but also spots an unterminated last field by the raw tail."""
    tracker = _QuoteTracker(binary)
    last: Record | None = None
    for record in _iter_csv_stream(tracker, path):
        if last is not None:
            yield last
        last = record
    if last is not None:
        if tracker.ends_inside_quotes() and isinstance(last, ParsedCable):
            last = ParseFailure(
                last.source, "truncated row: unterminated quoted field at end of file"
            )
        yield last


class _QuoteTracker(io.RawIOBase):
    """A pass-through reader remembering the file's tail, to tell a cut-off last row."""

    def __init__(self, binary) -> None:
        self._binary = binary
        self._tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            chunk = self._binary.read(len(buffer))
        except (OSError, EOFError, zlib.error):
            chunk = b""
        size = len(chunk)
        buffer[:size] = chunk
        if size:
            self._tail = (self._tail + chunk)[-4096:]
        return size

    def ends_inside_quotes(self) -> bool:
        tail = self._tail.rstrip(b"\r\n \t")
        if not tail.endswith(b'"'):
            return True
        # A closing quote escaped with a backslash is not a closing quote.
        backslashes = len(tail[:-1]) - len(tail[:-1].rstrip(b"\\"))
        return backslashes % 2 == 1


def _is_csv_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
        if head.startswith(GZIP_MAGIC):
            with gzip.open(path, "rb") as handle:
                head = handle.read(4096)
        return bool(_CSV_START.match(head))
    except (OSError, EOFError, zlib.error):
        return False


# Files a directory of sources may hold beside its cables (sample_corpus/ does): documentation,
# and the release's own index of reference IDs (`07ASTANA2223,8` a line, for /coverage/).
_DOCUMENTATION = (".md", ".markdown", ".rst")
_RELEASE_INDEX_LINE = re.compile(rb"^\d{2}[A-Z0-9_-]+,\d{1,2}\r?$")


def not_a_cable_source(file: Path) -> str | None:
    """Why a file met in a directory is not a cable source, or None if it may hold cables."""
    if file.name.lower().endswith(_DOCUMENTATION):
        return "documentation, not a cable source"
    try:
        with open(file, "rb") as handle:
            head = handle.read(4096)
        if head.startswith(GZIP_MAGIC):
            with gzip.open(file, "rb") as handle:
                head = handle.read(4096)
    except (OSError, EOFError, zlib.error):
        return None  # read again by the parser, which names the failure
    lines = head.split(b"\n")[:-1] if b"\n" in head else []
    if lines and all(_RELEASE_INDEX_LINE.match(line) for line in lines[:20]):
        return "the release's index of reference IDs (cable2month), not a cable source"
    return None


def skipped_files(paths) -> Iterator[tuple[Path, str]]:
    """(file, reason) for each file of these directories that is skipped as not a source."""
    for path in map(Path, paths):
        if path.is_dir():
            for file in _walk(path):
                reason = not_a_cable_source(file)
                if reason:
                    yield file, reason


def _walk(path: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def _files(path: Path) -> Iterator[Path]:
    """The files of a directory (recursively, sorted) that may hold cables, or the file named:
    a file named on its own is always parsed, and its failure reported."""
    if path.is_dir():
        for file in _walk(path):
            if not_a_cable_source(file) is None:
                yield file
    else:
        yield path


def iter_path(path: str | Path) -> Iterator[Record]:
    """Every cable (or failure) in a file or directory, recursively, in sorted order."""
    path = Path(path)
    if not path.exists():
        yield ParseFailure(SourceInfo(str(path), ""), "no such file or directory")
        return
    origins = _OriginsSeen()
    serials = _SerialsSeen()
    for file in _files(path):
        for record in _iter_file(file):
            record = serials.settle(record)
            if isinstance(record, ParsedCable):
                origins.fill(record)
                serials.add(record)
            yield record


class _SerialsSeen:
    """Dated cables of each post seen earlier in this run, to settle an undated cable's year."""

    def __init__(self) -> None:
        self.by_post: dict[str, list[tuple[int, int, int]]] = {}

    def add(self, cable: ParsedCable) -> None:
        if cable.created is None:
            return
        match = REFERENCE_ID_PARTS.match(cable.reference_id)
        if match:
            known = (int(match.group(3)), cable.created.year, cable.created.month)
            self.by_post.setdefault(match.group(2), []).append(known)

    def settle(self, record: Record) -> Record:
        cable = record.cable if isinstance(record, ParseFailure) else record
        if cable is None or cable.undated is None or cable.undated[0] not in self.by_post:
            return record
        if settle_year(cable, self.by_post[cable.undated[0]]) and cable.ok:
            return cable
        return record


class _OriginsSeen:
    """Origins of the posts seen in this run, for a cable that names none (mirror page 004)."""

    _POST = re.compile(r"^\d{2}([A-Z]+?)\d+$")

    def __init__(self) -> None:
        self.by_post: dict[str, str] = {}

    def fill(self, cable: ParsedCable) -> None:
        match = self._POST.match(cable.reference_id)
        if not match:
            return
        post = match.group(1)
        if cable.origin:
            self.by_post.setdefault(post, cable.origin)
        elif post in self.by_post:
            cable.origin = self.by_post[post]
            cable.warn("origin-inferred", f"origin {cable.origin} from other {post} cables")


def _iter_file(file: Path) -> Iterator[Record]:
    try:
        if _is_csv_file(file):
            yield from iter_csv(file)
            return
        data = file.read_bytes()
    except PermissionError:
        yield ParseFailure(SourceInfo(str(file), ""), "permission denied")
        return
    except OSError as error:
        yield ParseFailure(SourceInfo(str(file), ""), f"unreadable: {error.strerror or error}")
        return
    yield from parse_document(data, str(file))
