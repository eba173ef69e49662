"""The REF field of a cable's header and the reference IDs it names."""

from __future__ import annotations

import re

from ..stations import canonical_station
from ..text import is_noise_line
from .header import CLASSIFICATION_LINE, canonical_reference_id

# --- REF -----------------------------------------------------------------------------------------

# Rule (REF written every way): `REF:`, `REFS:`, `REFTEL:`, `Ref(s):` (08RIODEJANEIRO...),
# `PROGRAM REF:` (08BRASILIA806), lower case, and anywhere on a line when a colon follows: after
# the subject (`... VARIG UNCLEAR REFS: (A) BRASILIA 1608`) or glued to it (`...PRIMEREF: A.
# LONDON 1939`). Without a colon only at the start of a line (`REF A. STATE 1234`).
_REF_MARK = re.compile(
    r"(?:PROGRAM\s+)?(?:REF(?:TEL)?S?|REF\(S\)|Ref(?:tel)?s?|Ref\(s\))[ \t]*:[ \t]*"
    r"|^[ \t]*(?:ref(?:tel)?s?|ref\(s\))[ \t]*:[ \t]*"  # lower case: not `(Note. See ref: as`
    r"|^[ \t]*(?:PROGRAM\s+)?(?:REF|REFS|REFTEL|REFTELS)\b[ \t]*",
    re.M,
)
# Where the REF list ends: the next header field, a numbered paragraph, a paragraph marking.
_REF_STOP = re.compile(
    r"^\s*(?:CLASSIFIED|E\.O\.|TAGS|SUBJ|SUMMARY|SENSITIVE BUT|THIS (?:MESSAGE|CABLE)"
    # A paragraph number has one or two digits: `5361, (E) STATE 148514` is the serial of an
    # item the line wrapped (`(D)BEIJING` / `5361`, 07STATE152317).
    r"|¶?\d{1,2}\s*[.,)]\s|\((?:U|C|S|SBU|S/NF|C/NF|U/FOUO)\)\s*\S)",
    re.I,
)
_REF_CUT = re.compile(
    r"\b(?:CLASSIFIED\s+BY|SENSITIVE\s+BUT\s+UNCLASSIFIED|THIS\s+(?:MESSAGE|CABLE)\s+(?:IS|HAS)"
    r"|SUMMARY\b|E\.O\.\s*\d|TAGS\b|C\sO\sN\sF\sI|S\sE\sC\sR\sE\sT\b)|(?<!\w)¶?1\s*\.\s*\("
    r"|\.\.\.",  # `B. PRAGUE 356 ...`: a partial extract cut the list short (05PRAGUE470)
    re.I,
)
# Rule (page breaks): `PAGE 02 ROME 01196 01 OF 02 082030Z` and `SAO PAULO 00000229 001.4 OF
# 004` head a new page inside a REF list: they are no references and do not end the list.
_REF_PAGE_HEADER = re.compile(
    r"\bPAGE\s+\d{1,3}\s+[A-Z][A-Z .'-]*?\s+\d{2,6}(?:\s+\d{2}\s+OF\s+\d{2})?(?:\s+\d{6}Z)?"
    r"|\b[A-Z][A-Z .'-]{1,40}?\s+\d{5,8}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}\b"
    r"|\b(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\b"
)
PAGE_HEADER_START = re.compile(
    r"^\s*PAGE\s+\d{1,3}\s+[A-Z][A-Z .'-]*?\s+\d{2,6}(?:\s+\d{2}\s+OF\s+\d{2})?\s+\d{6}Z\b"
)
_CLASSIFICATION_WORDS = frozenset(
    ("UNCLASSIFIED", "UNCLAS", "CONFIDENTIAL", "SECRET", "LIMITED OFFICIAL USE")
)
_LIST_MARKER_LINE = re.compile(r"^\s*(?:\(?[A-Za-z]\s?[.)]|\([A-Za-z]\))\s")


def ref_text(text: str, limit: int = 10000) -> str:
    """The REF field of the header: every line of its list, page-break lines left out.

    A list a partial extract cut short (`B. US...`) gives way to a full copy of the header later
    in the text (04BRUSSELS4944 holds both)."""
    block = ""
    match = _next_ref_mark(text, 0, limit)
    while match:
        block, truncated = _ref_block(text, match.end())
        if not truncated:
            break
        match = _next_ref_mark(text, match.end(), limit)
    return block


_REF_WORD = re.compile(r"REF|Ref|ref")


def _next_ref_mark(text: str, position: int, limit: int) -> re.Match | None:
    """The next REF marker: each `REF` found by a plain scan is checked from its line's start
    (one anchored match per candidate, not a multi-line scan of the whole header)."""
    for word in _REF_WORD.finditer(text, position, limit):
        line_start = text.rfind("\n", 0, word.start()) + 1
        start = max(line_start, word.start() - 8, position)  # `PROGRAM REF:` starts 8 before
        match = _REF_MARK.search(text, start, min(word.end() + 12, limit))
        if match and match.start() <= word.start():
            return match
    return None


def _ref_block(text: str, start: int) -> tuple[str, bool]:
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    parts = [text[start:line_end].lstrip(". ")]  # `REF...04 CHENNAI 575` (05NEWDELHI301)
    lines = text[line_end + 1 : line_end + 2000].split("\n")[:30]
    index = 0
    while index < len(lines):
        # `PAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098`: the list goes on after the header.
        line = PAGE_HEADER_START.sub("", lines[index])
        index += 1
        if is_noise_line(line) or line.strip() in _CLASSIFICATION_WORDS:
            continue  # a page break: `CONFIDENTIAL` alone closes the page before it (02ROME1196)
        if not line.strip():
            # Rule: a list goes on over blank lines and page breaks when its next item follows.
            upcoming = next(
                (
                    PAGE_HEADER_START.sub("", x)
                    for x in lines[index:]
                    if x.strip() and not is_noise_line(x) and x.strip() not in _CLASSIFICATION_WORDS
                ),
                "",
            )
            if _LIST_MARKER_LINE.match(upcoming) and _has_list_marker(" ".join(parts)):
                continue
            break
        if CLASSIFICATION_LINE.match(line) or (
            _REF_STOP.match(line) and not _is_next_list_item(line, " ".join(parts))
        ):
            break
        parts.append(line)
    joined = " ".join(p.strip() for p in parts)
    kept = _REF_CUT.split(joined, maxsplit=1)
    return kept[0], len(kept) > 1 and joined[len(kept[0]) :].startswith("...")


def _has_list_marker(text: str) -> bool:
    return bool(re.search(r"(?:^|\s)\(?[A-Za-z][.)]\s", text))


def _is_next_list_item(line: str, so_far: str) -> bool:
    """`(C) SAO PAULO 316` after `(B) ...` is the list's third item, not a paragraph marking."""
    marker = re.match(r"\s*\(([A-Za-z])\)", line)
    if not marker:
        return False
    letter = marker.group(1)
    previous = chr(ord(letter) - 1)
    return bool(re.search(rf"(?:^|\s)\(?{previous}[.)]", so_far))


# `Astana 2069`, `06 TBILISI 2601`, `2009 CAIRO 2394`, `RIO DE JAN 0044`: up to five words before
# a serial; the longest run of them that ends at the serial and names a station wins.
_REF_ITEM = re.compile(
    r"(?<![\w@./-])(?:(?P<year>\d{4}|0\d{2}|\d{2})\s+)?"
    r"(?P<post>[A-Za-z][A-Za-z'.-]*(?:[ \t]+[A-Za-z][A-Za-z'.-]*){0,4})"
    r"[ \t]+(?P<serial>\d{1,7})(?![\w@/-]|\.\.)"
)
# Rule (years in brackets): `DOHA 152 (08)` after the serial (09DOHA214), `STATE (01) 201265`
# between post and serial: the item's year.
_YEAR_AFTER = re.compile(r"[ \t]*\((?P<year>\d{2})\)(?![\w])")
_YEAR_BETWEEN = re.compile(
    r"(?<![\w(])(?P<post>[A-Za-z][A-Za-z .'-]*?)[ \t]*\((?P<year>\d{2})\)[ \t]*(?=\d{1,7}\b)"
)
# Rule (glued items): `B)HK05511`, a post's letters glued to the serial after a list marker.
_REF_GLUED_POST = re.compile(r"(?<=[)\].])(?P<post>[A-Z]{2,})(?P<serial>\d{3,7})\b")
# `07BRASILIA1868`, a reference ID written whole.
_REF_GLUED = re.compile(r"(?<![\w/])(?P<year>\d{2})(?P<post>[A-Z]{4,})(?P<serial>\d{1,7})\b")
_LIST_MARKER = re.compile(r"(?:(?<=[\s,;:])|^)\(?[A-Za-z]\s?[.)](?=\s)|\([A-Za-z]\)")


def _reference(year: str | int | None, post_words: list[str], serial: str, default_year):
    for start in range(len(post_words)):
        station = canonical_station(" ".join(post_words[start:]))
        if station is None:
            continue
        # Rule: a year written before the post (`07 STATE 17940`, `2009 CAIRO 2394`, `094 QUITO
        # 841` for 1994) wins over the cable's own year; only when it stands right before the
        # post's first word, and for that item only.
        written_year = year if start == 0 else None
        if written_year and len(str(written_year)) == 3:
            written_year = str(written_year)[1:]
        if written_year and len(str(written_year)) == 4 and not 1966 <= int(written_year) <= 2010:
            written_year = None  # `1234 ROME 5`: no year of the release
        chosen = written_year if written_year is not None else default_year
        if chosen is None:
            return None
        return canonical_reference_id(chosen, station, serial)
    return None


def parse_references(ref: str, default_year: int | None) -> list[str]:
    """Canonical reference IDs named in a REF text; non-cable references are skipped.

    Rule (non-cables): an item counts only when its post is a station of the release, so
    `IIR 6 832 0617 08`, `FBIS CEP2005101927067`, `NATO Document`, `Resolution 1701`, e-mails and
    daily reports are left out. Leading zeros go (`BRASILIA 0458` -> `BRASILIA458`).
    """
    found: list[str] = []
    text = _REF_PAGE_HEADER.sub(" ; ", ref)
    # Rule (list markers): `A.`, `(A)`, `A)`, `A. A)` separate items; they are no posts.
    for match in _REF_GLUED_POST.finditer(text):
        reference_id = _reference(None, [match["post"]], match["serial"], default_year)
        if reference_id and reference_id not in found:
            found.append(reference_id)
    text = _LIST_MARKER.sub(" ; ", text)
    text = _YEAR_BETWEEN.sub(lambda m: f" {m['year']} {m['post'].strip()} ", text)
    for match in _REF_GLUED.finditer(text):
        reference_id = _reference(match["year"], [match["post"]], match["serial"], None)
        if reference_id and reference_id not in found:
            found.append(reference_id)
    for match in _REF_ITEM.finditer(text):
        words = match.group("post").split()
        year_after = _YEAR_AFTER.match(text, match.end())
        year = year_after["year"] if year_after else match["year"]
        reference_id = _reference(year, words, match["serial"], default_year)
        if not reference_id:
            continue
        if reference_id not in found:
            found.append(reference_id)
        # Rule (serials of one post): `BRASILIA 715 AND 660`, `HAVANA 500 & 511`, `Buenos Aires
        # 496, 407, 356`: more cables of the same post and year.
        prefix = reference_id[: -len(str(int(match["serial"])))]
        more = _MORE_SERIAL.match(text, match.end())
        while more:
            same_post = f"{prefix}{int(more['serial'])}"
            if same_post not in found:
                found.append(same_post)
            more = _MORE_SERIAL.match(text, more.end())
    return found


# `AND 660` after an item; not `, 07 BsAs 1892` (a year before the next item's post).
_MORE_SERIAL = re.compile(
    r"[ \t]*(?:,|AND\b|and\b|&)[ \t]*(?P<serial>\d{1,7})(?![\w/.-])(?![ \t]+[A-Za-z]{2,}[ \t]+\d)"
)
