"""Header fields of a cable: reference IDs, classification, origin, recipients, dates, SUBJECT.

Each function takes text and returns a value (or empty); none raises on odd input.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from ..records import CLASSIFICATIONS
from ..text import is_word as is_prose_word

MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        1,
    )
}

# --- reference IDs -------------------------------------------------------------------------

CANONICAL_ID = re.compile(r"^\d{2}[A-Z][A-Z]*\d+$")
# Known site errors (`7575LIBREVILLE1895`, `08ECTION01OF02MANAMA492`): kept, flagged.
ANY_ID = re.compile(r"^\d{2}[A-Z0-9]+\d$")


def canonical_reference_id(year: int | str, post: str, serial: int | str) -> str:
    """`07ASTANA2223` from (2007 or "07", "Astana", "002223")."""
    year_text = str(year).strip()
    two_digit = int(year_text) % 100
    post_key = re.sub(r"[^A-Z]", "", post.upper())
    return f"{two_digit:02d}{post_key}{int(str(serial).strip())}"


def is_canonical_reference_id(value: str) -> bool:
    return bool(CANONICAL_ID.match(value))


def year_of_reference_id(value: str) -> int | None:
    """2007 for `07ASTANA2223`; the release runs from 1966 to 2010. None for a malformed ID."""
    if not is_canonical_reference_id(value):
        return None
    two_digit = int(value[:2])
    return 1900 + two_digit if two_digit >= 66 else 2000 + two_digit


# `C O N F I D E N T I A L SECTION 01 OF 03 ASTANA 001848`, `UNCLAS ALMATY 004123`,
# `C O N F I D E N T I A L 75 LIBREVILLE 1895`, `SECRET STATE 036722`.
_CLASS_WORDS = (
    r"(?P<cls>C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|S\s?E\s?C\s?R\s?E\s?T"
    r"|U\s?N\s?C\s?L\s?A\s?S(?:\s?S\s?I\s?F\s?I\s?E\s?D)?|LIMITED OFFICIAL USE)"
)
CLASSIFICATION_LINE = re.compile(
    r"^[ \t]*" + _CLASS_WORDS + r"(?P<rest>(?:[ \t/]+[A-Z0-9/ .'-]*)?)[ \t]*$", re.MULTILINE
)
_SECTION = re.compile(r"\bSECTION\s+\d+\s+OF\s+\d+\b")
_POST_SERIAL = re.compile(
    r"(?:^|\s)(?:(?P<year>\d{2})\s+)?(?P<post>[A-Z][A-Z .'-]*?[A-Z])\s+(?P<serial>\d{1,7})\s*$"
)


def classification_line(text: str, limit: int = 6000):
    """The first classification line of the cable text (a match), or None."""
    return CLASSIFICATION_LINE.search(text, 0, limit)


def post_and_serial(rest: str) -> tuple[str | None, str, str] | None:
    """(year or None, post, serial) from what follows the classification words."""
    rest = _SECTION.sub(" ", rest.replace("/", " ")).strip()
    rest = re.sub(r"\b(?:NOFORN|SENSITIVE|EXDIS|NODIS|LIMDIS|STADIS|SIPDIS)\b", " ", rest)
    match = _POST_SERIAL.search(rest.strip())
    if not match:
        return None
    return match.group("year"), match.group("post").strip(), match.group("serial")


# --- classification --------------------------------------------------------------------------


def normalise_classification(value: str, *, sensitive: bool = False, noforn: bool = False) -> str:
    """One of the six release values from any written form, or ""."""
    word = re.sub(r"\s+", "", value.upper())
    if value.strip().upper() in CLASSIFICATIONS:
        return value.strip().upper()
    if word.startswith("SECRET"):
        base = "SECRET"
    elif word.startswith("CONFIDENTIAL"):
        base = "CONFIDENTIAL"
    elif word.startswith("UNCLAS") or word.startswith("LIMITEDOFFICIALUSE"):
        base = "UNCLASSIFIED"
        sensitive = sensitive or word.startswith("LIMITED") or "FOROFFICIALUSEONLY" in word
    else:
        return ""
    if base == "UNCLASSIFIED":
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY" if sensitive else base
    if noforn or "NOFORN" in word:
        return f"{base}//NOFORN"
    return base


# --- origin ------------------------------------------------------------------------------------

_ORIGIN_PREFIXES = (
    ("AMEMBASSY", "Embassy"),
    ("AMCONSUL", "Consulate"),
    ("USOFFICE", "US Office"),
    ("USINT", "US Interests Section"),
)


def normalise_origin(sender: str) -> str:
    """`AMEMBASSY ASTANA` -> `Embassy Astana`, the spelling of the release's origin column."""
    sender = re.sub(r"\s+", " ", sender.strip().upper())
    sender = re.sub(r"\s+(?:IMMEDIATE|PRIORITY|ROUTINE|FLASH|NIACT).*$", "", sender)
    sender = sender.split("//")[0].strip()
    if sender.startswith("SECSTATE") or sender.startswith("SECSTATE WASHDC"):
        return "Secretary of State"
    for prefix, label in _ORIGIN_PREFIXES:
        if sender.startswith(prefix + " "):
            return f"{label} {sender[len(prefix) + 1 :].title()}"
    if sender.startswith("USMISSION "):
        place = sender[len("USMISSION ") :]
        if place.startswith("US"):
            return f"Mission {place}"
        return f"US Mission {place.title()}"
    if sender.startswith("USUN "):
        return "USUN New York"
    if sender.startswith("USEU "):
        return "USEU Brussels"
    return sender.title()


# --- TO and INFO recipients ---------------------------------------------------------------------

_WASHINGTON = re.compile(r"\s+(?:WASHDC|WASHINGTON\s*,?\s*D\.?\s*C\.?|WASHINGTON)$")
# Addressees in Washington, by what stands before `WASHDC` / `WASHINGTON DC`.
_WASHINGTON_NAMES = {
    "SECSTATE": "Secretary of State",
    "SECSTATE SECSTATE": "Secretary of State",
    "SECDEF": "Secretary of Defense",
    "NSC": "National Security Council",
    "NATIONAL SECURITY COUNCIL": "National Security Council",
    "WHITE HOUSE NATIONAL SECURITY COUNCIL": "National Security Council",
    "WHITE HOUSE": "White House",
    "JOINT STAFF": "Joint Staff",
    "DEPT OF TREASURY": "Department of the Treasury",
    "TREASURY": "Department of the Treasury",
    "USDOC": "Department of Commerce",
    "DEPT OF COMMERCE": "Department of Commerce",
    "DEPT OF JUSTICE": "Department of Justice",
    "DEPT OF ENERGY": "Department of Energy",
    "DEPT OF HOMELAND SECURITY": "Department of Homeland Security",
    "DEPT OF AGRICULTURE": "Department of Agriculture",
    "USDA": "Department of Agriculture",
    "DEPT OF LABOR": "Department of Labor",
}
_POST_PREFIXES = ("AMEMBASSY ", "AMCONSUL ", "USMISSION ", "USOFFICE ", "USINT ", "USEU ", "USUN ")
# Distribution codes (`LOG-00 EEB-00`), rules and DTG lines, `APPROVED BY:`: not addressees.
_NOT_A_RECIPIENT = re.compile(r"\b[A-Z]{1,6}-\d{2}\b|^-|^PAGE\b|[:()]|/\d")
_GLUED_ROUTING = re.compile(r"^RUE[A-Z]{2,3}(?=SECSTATE\b)")  # `RUEHCSECSTATE WASHDC`


def _title_words(name: str) -> str:
    """`EUROPEAN POLITICAL COLLECTIVE` -> `European Political Collective`, acronyms kept (`CIS`)."""
    words = []
    for word in name.split():
        if word in ("AND", "OF", "THE", "FOR", "IN"):
            words.append(word.lower())
        elif len(word) > 3 and word.isalpha() and is_prose_word(word):
            words.append(word.capitalize())
        else:
            words.append(word)
    return " ".join(words)


@functools.lru_cache(maxsize=8192)  # the same few hundred addressees recur in most cables
def normalise_recipient(written: str) -> str:
    """A TO/INFO addressee as the archive shows it, or "" for a line that names none.

    `RUEHC/SECSTATE WASHDC IMMEDIATE 1234` -> `Secretary of State`, `AMEMBASSY ASTANA` ->
    `Embassy Astana`, `CIS COLLECTIVE` -> `CIS Collective`; military and other addressees keep
    their written form, minus the routing indicator, precedence, serial and `//office//` part.
    """
    name = " ".join(written.split()).upper()
    if not name or _NOT_A_RECIPIENT.search(name) or not any(c.isalpha() for c in name):
        return ""
    name = _GLUED_ROUTING.sub("", name)
    name = name.split("//")[0].strip(" /")
    name = re.sub(r"^S?ECSTATE\b", "SECSTATE", name)  # `ECSTATE WASHDC`: a lost first letter
    place = _WASHINGTON.sub("", name)
    if place in _WASHINGTON_NAMES:
        return _WASHINGTON_NAMES[place]
    if name.startswith("USMISSION USUN") or name.startswith("USUN "):
        return "USUN New York"
    if name.startswith(_POST_PREFIXES):
        return normalise_origin(name)
    if name.endswith(" COLLECTIVE"):
        return _title_words(name)
    if place != name:
        return f"{place} Washington"
    return name


# --- dates ---------------------------------------------------------------------------------------

DTG = re.compile(
    r"\b(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})Z\s+"
    r"(?P<month>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s+(?P<year>\d{2}(?:\d{2})?)\b"
)


def expand_year(two_or_four: str | int) -> int:
    year = int(two_or_four)
    if year >= 100:
        return year
    return 1900 + year if year >= 60 else 2000 + year


def date_time_group(text: str, limit: int = 4000) -> datetime | None:
    """The date-time group (`P 090009Z JUL 07`) as a datetime, or None."""
    match = DTG.search(text, 0, limit)
    if not match:
        return None
    try:
        return datetime(
            expand_year(match.group("year")),
            MONTHS[match.group("month")],
            int(match.group("day")),
            int(match.group("hour")),
            int(match.group("minute")),
        )
    except ValueError:
        return None


def parse_iso_datetime(value: str) -> datetime | None:
    value = value.strip()
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def parse_csv_datetime(value: str) -> datetime | None:
    """`12/28/1966 18:48` (the release's created column)."""
    try:
        return datetime.strptime(value.strip(), "%m/%d/%Y %H:%M")
    except ValueError:
        return None


_DECL = re.compile(r"\bDECL(?:ASSIFY ON)?\s*:\s*(\d{1,2})/(\d{1,2})/(\d{2,4})\b", re.IGNORECASE)


_DECL_ISO = re.compile(r"\bDECL\s*:\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})\b", re.IGNORECASE)


def first_of(text: str, needles: tuple[str, ...], limit: int) -> int:
    """Where the first of the needles occurs before `limit` (-1 if none): a cheap pre-check
    before a case-insensitive regular expression."""
    found = [i for i in (text.find(n, 0, limit) for n in needles) if i >= 0]
    return min(found) if found else -1


def declassify_on(text: str, limit: int = 5000) -> date | None:
    position = first_of(text, ("DECL", "Decl", "decl"), limit)
    if position < 0:
        return None
    match = _DECL.search(text, position, limit)
    if not match:
        iso = _DECL_ISO.search(text, position, limit)
        if not iso:
            return None
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    month, day, year = match.groups()
    try:
        return date(expand_year(year) if len(year) == 2 else int(year), int(month), int(day))
    except ValueError:
        return None


# --- SUBJECT ---------------------------------------------------------------------------------------

_SUBJECT_START = re.compile(r"^[ \t]*SUBJ(?:ECT)?[ \t]*:[ \t]*(?P<first>.*)$", re.MULTILINE | re.I)
_SUBJECT_STOP = re.compile(
    r"^\s*(?:REF|REFS|REFTEL|CLASSIFIED BY|CLASSIFIED|E\.O\.|TAGS|¶?\d+\s*[.,)]\s|\(|SUMMARY)",
    re.IGNORECASE,
)


def subject(text: str, limit: int = 10000) -> str:
    match = _SUBJECT_START.search(text, 0, limit)
    if not match:
        return ""
    parts = [match.group("first").strip()]
    for line in text[match.end() : match.end() + 600].split("\n")[1:4]:
        if not line.strip() or _SUBJECT_STOP.match(line):
            break
        parts.append(line.strip())
    written = re.sub(r"\s+", " ", " ".join(parts))
    # Rule (REF on the subject line): the subject ends where `REF:` starts, glued or not
    # (`... VARIG UNCLEAR REFS: (A) ...`, `... AS UK PRIMEREF: A. LONDON 1939`).
    ref = _SUBJECT_REF.search(written)
    return (written[: ref.start()] if ref else written).strip(" \\")


_SUBJECT_REF = re.compile(
    r"(?:PROGRAM\s+)?(?:REF(?:TEL)?S?|REF\(S\)|Ref(?:tel)?s?|Ref\(s\))[ \t]*:"
)
