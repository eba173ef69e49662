"""Header fields of a cable, read from its text (any format, after HTML unescaping).

Each function takes text and returns a value (or empty); none raises on odd input.

The rules for the hard layouts are written as `Rule (...)` comments beside the code applying
them: TAGS anywhere in the header and in every spelling (TAGS section), REF written every way,
station names of the release and what is no cable (REF section, `cables/data/stations.csv`),
summaries with or without markers (summary section), signers at the end of any layout (signers
section). The created time kept as published beside the corrected one: `cable.py`, `_fill`.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from pathlib import Path

from .records import CLASSIFICATIONS
from .text import is_noise_line, join_wrapped_lines
from .text import is_word as is_prose_word

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


def _first_of(text: str, needles: tuple[str, ...], limit: int) -> int:
    """Where the first of the needles occurs before `limit` (-1 if none): a cheap pre-check
    before a case-insensitive regular expression."""
    found = [i for i in (text.find(n, 0, limit) for n in needles) if i >= 0]
    return min(found) if found else -1


def declassify_on(text: str, limit: int = 5000) -> date | None:
    position = _first_of(text, ("DECL", "Decl", "decl"), limit)
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


# --- TAGS ----------------------------------------------------------------------------------------

# Rule (TAGS anywhere in the header): the field starts wherever the word stands, not only at the
# start of a line: `E.O. 12958: DECL: 11/14/2012 TAGS: PTER TU` (02ANKARA8305), `E.O. 12958: N/A
# TAGS: ECON EFIN` (05BRASILIA1682), `DOE FOR MCLELLANDKERR E.O. 12958: N/A TAGS: ...` (09CAIRO200),
# `\u2028TAGS:` (08MEXICO886). Spellings: `TAGS`, `TAGS:`, `Tags:` and `tags:` (07DAMASCUS389,
# 08STATE43817), `TAG`. Lower case (`Tags:`, `tag`) only with its colon: `the price tag XXXX gave`
# (05SANAA1352) is prose. The first word after it must look like a code.
_TAGS_START = re.compile(r"(?<![\w/.\-])(?:(?P<upper>TAGS?)|[Tt]ags?(?=[ \t]*:))\b[ \t]*:?[ \t]*")
# A field that follows TAGS on the same line (a header whose newlines were lost: `TAGS: PTER TU
# SUBJECT: ...`, `TAGS: KNNP ... EG SUBJECT:`).
_TAGS_LINE_END = re.compile(
    r"(?:^|(?<=[\s,]))(?:SUBJ(?:ECT)?\b|REFS?\b|REFTELS?\b|PROGRAM\s+REF\b|CLASSIFIED\s+BY\b|"
    r"E\.O\.|SIPDIS\b|¶?\d{1,2}\s*\.\s*\()"
    r"|SUBJ(?:ECT)?\s*:",  # glued: `TAGS: PREL PGOVSUBJECT: ...`
    re.IGNORECASE,
)
_FIELD_START = re.compile(
    r"^\s*(?:SUBJECT|SUBJ|REF|REFS|PROGRAM REF|CLASSIFIED BY|E\.O\.|SIPDIS|\d+\.)", re.I
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_PERSON_TAG_PREFIXES = ("OVIP", "OREP")
TAG_DEFINITIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "tag_definitions.csv"
# Four-letter codes written alone in at least two cables of the 4,533-cable sample that
# `tag_definitions.csv` does not define: pieces a run-together TAGS word may split into.
_CODES_SEEN_ALONE = frozenset(
    [
        "MNUC",
        "KPAL",
        "AORC",
        "KSCA",
        "KIPR",
        "EWWT",
        "TRGY",
        "KWBG",
        "KGHG",
        "KTIA",
        "KFRD",
        "PHSA",
        "KSUM",
        "ECIN",
        "KOMC",
        "OPRC",
        "AFIN",
        "KHLS",
        "OPDC",
        "EFIS",
        "KUNR",
        "BEXP",
        "KGIC",
        "FTAA",
        "OIIP",
        "ABLD",
        "KAWC",
        "TSPA",
        "USTR",
        "AEMR",
        "CJAN",
        "KDRG",
        "KSTH",
        "BTIO",
        "KTDB",
        "CPAS",
        "ODIP",
        "ELTN",
        "TPHY",
        "OPIC",
        "KCFE",
        "OFDP",
        "EINT",
        "KFLO",
        "KSPR",
        "KAWK",
        "WTRO",
        "KVPR",
        "KSTC",
        "KSEP",
        "KRAD",
        "KBIO",
        "KMPI",
        "KOLY",
        "MAPP",
        "ICTY",
        "KMCA",
        "ICAO",
        "KLIG",
        "KBCT",
        "KBTR",
        "KICC",
        "GTIP",
        "KCIP",
        "HSTC",
        "TNGD",
        "AMED",
        "KPRV",
        "PINT",
        "MPOS",
        "KNPP",
        "NIPP",
        "NSSP",
        "ASIG",
        "TINT",
        "KGIT",
        "OPAD",
        "ASUP",
        "KIRC",
        "KACT",
        "MASC",
        "KBTS",
        "OPCW",
        "OSCI",
        "KVIR",
        "PMAR",
    ]
)
_known_codes: frozenset[str] | None = None


def known_tag_codes() -> frozenset[str]:
    """Codes of `cables/data/tag_definitions.csv` plus four-letter codes seen alone."""
    global _known_codes
    if _known_codes is None:
        codes = set(_CODES_SEEN_ALONE)
        try:
            with open(TAG_DEFINITIONS_FILE, encoding="utf-8") as lines:
                codes.update(line.split(",", 1)[0].strip() for line in lines)
        except OSError:
            pass
        codes.discard("code")
        _known_codes = frozenset(codes)
    return _known_codes


def _is_tag_code(token: str) -> bool:
    if len(token) == 2 and token.isalpha():
        return True
    return len(token) == 4 and token.isalpha() and token[0] in "ABCEKMOPST"


def split_run_together(token: str) -> list[str]:
    """`IZPREL` -> [`IZ`, `PREL`]; a word that is no run of codes comes back as it is.

    Pieces are two- or four-letter codes, all known but at most one code-shaped unknown
    four-letter one (`KOCI` in 09CAIRO2291's `KFRDCVISCMGTCASCKOCIASECPHUMSMIGEG`). Words of the
    prose (`POLITICS`, `ECONOMIC`) are never split.
    """
    if len(token) < 6 or not token.isalpha() or token in known_tag_codes() or is_prose_word(token):
        return [token]
    known = known_tag_codes()
    # best[i]: (unknown pieces, pieces, split) for token[:i]; shortest-path over 2/4-letter steps.
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(token) + 1)
    best[0] = (0, 0, [])
    for end in range(2, len(token) + 1):
        options = []
        for size in (2, 4):
            start = end - size
            if start < 0 or best[start] is None:
                continue
            piece = token[start:end]
            unknown = piece not in known
            if unknown and not (size == 4 and _is_tag_code(piece)):
                continue
            unknowns, count, pieces = best[start]
            options.append((unknowns + unknown, count + 1, [*pieces, piece]))
        best[end] = min(options, default=None, key=lambda option: option[:2])
    found = best[len(token)]
    if found is None or found[0] > 1:
        return [token]
    return found[2]


def _group_tag_tokens(piece: str) -> list[str]:
    """Space-separated codes, with a person's name kept on its tag (`OVIP STEINBERG JAMES`)."""
    tags: list[str] = []
    in_person_tag = False
    for token in piece.split():
        token = token.strip(".;:")
        if not token:
            continue
        if in_person_tag and not _is_tag_code(token):
            tags[-1] = f"{tags[-1]} {token}"
            continue
        tags.extend(split_run_together(token))
        in_person_tag = token in _PERSON_TAG_PREFIXES
    return tags


def _is_tags_continuation(line: str, previous: str) -> bool:
    """A wrapped TAGS line: codes only (`UNO IR LE`, `AU-I CD SU LY`, `KN` after a trailing comma).

    Rule (subject words are no tags): not a page-break line, the classification line of a second
    copy of the header (06MEXICO456), nor a subject written without `SUBJECT:` (05BRASILIA2231:
    `DISCUSS HAITI AND OTHER ISSUES`; 06LIMA1452: `RUN-OFF,` then `SEEKS EMBASSY'S ASSISTANCE`),
    even after a trailing comma.
    """
    if not line.strip() or _FIELD_START.match(line) or ":" in line:
        return False
    if CLASSIFICATION_LINE.match(line) or is_noise_line(line):
        return False
    words = _MARKDOWN_LINK.sub(r"\1", line).replace(",", " ").replace("\\", " ").split()
    if any(word.upper() in _PERSON_TAG_PREFIXES for word in words):
        return True  # `OVIP RICE CONDOLEEZZA`: a person tag wrapped onto its own line
    if previous.rstrip().endswith(","):
        # `... MNUC, ECON, SN, CH,` then `KN` (09SINGAPORE529); `prel, pgov,` in lower case.
        return all(_looks_like_code(word.upper()) for word in words)
    return all(_looks_like_code(word) for word in words)


def _looks_like_code(word: str) -> bool:
    if word in known_tag_codes() or _is_tag_code(word):
        return True
    if len(word) > 10 or not word.isupper() or word.isdigit() or "'" in word:
        return False
    if "-" in word:  # `AU-I` is a code, `RUN-OFF` two words of a subject
        return not all(is_prose_word(part) for part in word.split("-") if part)
    return not is_prose_word(word)  # `DISCUSS`, `AND`, `OTHER`: a sentence, not codes


def _opens_tags(following: str) -> bool:
    """Whether the text after a `TAGS` marker starts like a list of codes: a known code among its
    first four words (`MTCRE, PARM, ...`: a first code may be unknown), or a first word shaped
    like a code or codes run together (`ETRDECONWTOCS`)."""
    if following[:1] in ",;)" or following[:4].upper() in ("AND ", "OR T", "THE "):
        return False  # `ADDED E.O., TAGS, AND CLASS BY` (08TBILISI1349): the word, not the field
    words = re.split(r"[\s,;\[\]]+", following.upper(), maxsplit=4)[:4]
    words = [word.strip(".:()") for word in words if word.strip(".:()")]
    if not words:
        return False
    known = known_tag_codes()
    if any(word in known for word in words):
        return True
    first = words[0]
    if len(first) >= 6 and first.isalpha() and not is_prose_word(first):
        return True
    return _looks_like_code(first) and not is_prose_word(first)


def _tags_line(text: str, limit: int) -> tuple[re.Match, str, list[str]] | None:
    """The first `TAGS` marker followed by codes: (match, rest of its line, next lines)."""
    position = 0
    while True:
        match = _TAGS_START.search(text, position, limit)
        if match is None:
            return None
        position = match.end()
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        first = text[position:line_end]
        following = text[line_end + 1 : line_end + 400].split("\n")[:3]
        if not first.strip():
            # `TAGS:` alone, the codes on the next line; not `CORRECTED COPY - TAG` (08MADRID308).
            if not following or not match.group(0).rstrip().endswith(":"):
                continue
            first, following = following[0], following[1:]
        if _opens_tags(first.lstrip(" \t\u2028\"'") if first[:1] != "," else first):
            return match, first, following


def tags(text: str, limit: int = 8000) -> list[str]:
    found_line = _tags_line(text, limit)
    if not found_line:
        return []
    _, first, following = found_line
    # Rule: a field written after TAGS on the same line ends it (`TAGS: PTER TU SUBJECT: ...`).
    cut = _TAGS_LINE_END.search(first)
    parts = [first[: cut.start()] if cut else first]
    if cut is None:
        # Rule: the list goes on over wrapped lines of codes, or after a trailing comma.
        for line in following:
            if not _is_tags_continuation(line, parts[-1]):
                break
            parts.append(line)
    written = _MARKDOWN_LINK.sub(r"\1", " ".join(parts)).upper()
    # Rule: `OVIP (STEINBERG, JAMES B.)` is one person tag: the name without brackets and comma.
    written = _PARENTHESES.sub(lambda m: " " + m.group(1).replace(",", " ") + " ", written)
    found: list[str] = []
    # Rule: commas and/or spaces separate the codes (`Tags: prel, pgov, sy`), upper-cased.
    pieces = written.split(",") if "," in written else [written]
    for piece in pieces:
        for tag in _group_tag_tokens(piece):
            if tag not in found:
                found.append(tag)
    return found


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
    r"|¶?\d+\s*[.,)]\s|\((?:U|C|S|SBU|S/NF|C/NF|U/FOUO)\)\s*\S)",
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
_PAGE_HEADER_START = re.compile(
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
        line = _PAGE_HEADER_START.sub("", lines[index])
        index += 1
        if is_noise_line(line) or line.strip() in _CLASSIFICATION_WORDS:
            continue  # a page break: `CONFIDENTIAL` alone closes the page before it (02ROME1196)
        if not line.strip():
            # Rule: a list goes on over blank lines and page breaks when its next item follows.
            upcoming = next(
                (
                    _PAGE_HEADER_START.sub("", x)
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


_STATIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "stations.csv"
# Rule (station names of the release): written forms whose letters are not a station of
# `stations.csv` (built from every reference ID of the release by scripts/build_station_list.py).
STATION_ALIASES = {
    "SECSTATE": "STATE",
    "SECTATE": "STATE",  # 05SANJOSE2658, 07SANJOSE1963
    # Posts' own short names for themselves and their neighbours.
    "BA": "BUENOSAIRES",  # 06BUENOSAIRES1439
    "TGG": "TEGUCIGALPA",  # 08TEGUCIGALPA86
    "CASA": "CASABLANCA",  # 08CASABLANCA81
    "RIO": "RIODEJANEIRO",  # 09RIODEJANEIRO353
    "KL": "KUALALUMPUR",  # 10KUALALUMPUR12
    "DUBAIRPO": "RPODUBAI",  # 09RPODUBAI379
    "HCMC": "HOCHIMINHCITY",
    "VAT": "VATICAN",  # 05VATICAN514
    "BSAS": "BUENOSAIRES",  # 08BUENOSAIRES568
    "SECSTATEWASHDC": "STATE",
    "STATEWASHDC": "STATE",
    "UNVIE": "UNVIEVIENNA",
    "USUNVIE": "UNVIEVIENNA",
    "USUNVIEVIENNA": "UNVIEVIENNA",
    "USUN": "USUNNEWYORK",
    "USUNNY": "USUNNEWYORK",
    "USUNNEWYORKNY": "USUNNEWYORK",
    "USEU": "USEUBRUSSELS",
    "USNATOBRUSSELS": "USNATO",
    "USUNESCO": "UNESCOPARISFR",
    "USUNESCOPARIS": "UNESCOPARISFR",
    "USUNESCOPARISFR": "UNESCOPARISFR",
    "UNESCOPARIS": "UNESCOPARISFR",
    "UNESCO": "UNESCOPARISFR",
    "USOECD": "PARISFR",
    "USOECDPARIS": "PARISFR",
    "USOECDPARISFR": "PARISFR",
    "OECDPARIS": "PARISFR",
    "USUNROME": "UNROME",
    "USMISSIONUNROME": "UNROME",
    "AIT": "AITTAIPEI",
    "USCDGENEVA": "CDGENEVA",
    "USTR": "USTRGENEVA",
    "USOSCEVIENNA": "USOSCE",
}
# `EMBASSY VIENNA` is `VIENNA`: the sender's kind is no part of the station.
_STATION_PREFIXES = (
    "AMEMBASSY",
    "AMCONSUL",
    "AMEMB",
    "EMBASSY",
    "CONSULATE",
    "USMISSION",
    "MISSION",
)
_stations: tuple[frozenset[str], dict[str, str]] | None = None


def _station_tables() -> tuple[frozenset[str], dict[str, str]]:
    """The release's stations, and the unique prefixes (5 letters or more) of the busy ones:
    `RIODEJAN` (`08 RIO DE JAN 138`, a post name cut short) is `RIODEJANEIRO`."""
    global _stations
    if _stations is None:
        names: dict[str, int] = {}
        try:
            with open(_STATIONS_FILE, encoding="utf-8") as rows:
                for row in rows:
                    name, _, number = row.strip().partition(",")
                    if number.isdigit():
                        names[name] = int(number)
        except OSError:
            pass
        prefixes: dict[str, str] = {}
        for name, number in names.items():
            if number < 20:
                continue
            for size in range(5, len(name)):
                prefix = name[:size]
                prefixes[prefix] = "" if prefix in prefixes else name
        unique = {p: n for p, n in prefixes.items() if n and p not in names}
        _stations = (frozenset(names), unique)
    return _stations


@functools.lru_cache(maxsize=4096)
def canonical_station(written: str) -> str | None:
    """The release's station for a post as a REF line writes it, or None for no station.

    `Sao Paulo` -> `SAOPAULO`, `SECSTATE` -> `STATE`, `UNVIE` -> `UNVIEVIENNA`, `USUNESCO PARIS
    FR` -> `UNESCOPARISFR`, `EMBASSY VIENNA` -> `VIENNA`, `RIO DE JAN` -> `RIODEJANEIRO`;
    `IIR`, `FBIS`, `Resolution` -> None.
    """
    known, prefixes = _station_tables()
    letters = re.sub(r"[^A-Z]", "", written.upper())
    for prefix in ("", *_STATION_PREFIXES):
        if prefix and not letters.startswith(prefix):
            continue
        key = letters[len(prefix) :]
        if not key:
            continue
        if key in known:
            return key
        if key in STATION_ALIASES:
            return STATION_ALIASES[key]
        if key.endswith("CITY") and key[:-4] in known:
            return key[:-4]  # `GUATEMALA CITY`, `KUWAIT CITY`
        if key in prefixes:
            return prefixes[key]
    return None


# `Astana 2069`, `06 TBILISI 2601`, `2009 CAIRO 2394`, `RIO DE JAN 0044`: up to five words before
# a serial; the longest run of them that ends at the serial and names a station wins.
_REF_ITEM = re.compile(
    r"(?<![\w@./-])(?:(?P<year>\d{4}|\d{2})\s+)?"
    r"(?P<post>[A-Za-z][A-Za-z'.-]*(?:[ \t]+[A-Za-z][A-Za-z'.-]*){0,4})"
    r"[ \t]+(?P<serial>\d{1,7})(?![\w@/-]|\.\.)"
)
# `07BRASILIA1868`, a reference ID written whole.
_REF_GLUED = re.compile(r"(?<![\w/])(?P<year>\d{2})(?P<post>[A-Z]{4,})(?P<serial>\d{1,7})\b")
_LIST_MARKER = re.compile(r"(?:(?<=[\s,;:])|^)\(?[A-Za-z]\s?[.)](?=\s)|\([A-Za-z]\)")


def _reference(year: str | int | None, post_words: list[str], serial: str, default_year):
    for start in range(len(post_words)):
        station = canonical_station(" ".join(post_words[start:]))
        if station is None:
            continue
        # Rule: a year written before the post (`07 STATE 17940`, `2009 CAIRO 2394`) wins over
        # the cable's own year; only when it stands right before the post's first word.
        written_year = year if start == 0 else None
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
    text = _LIST_MARKER.sub(" ; ", text)
    for match in _REF_GLUED.finditer(text):
        reference_id = _reference(match["year"], [match["post"]], match["serial"], None)
        if reference_id and reference_id not in found:
            found.append(reference_id)
    for match in _REF_ITEM.finditer(text):
        words = match.group("post").split()
        reference_id = _reference(match["year"], words, match["serial"], default_year)
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


# --- classified by, reasons --------------------------------------------------------------------------

_CLASSIFIED_BY = re.compile(
    r"\bCLASSIFIED[ \t]+BY[ \t]*:?[ \t]*(?P<line>.*(?:\n(?![ \t]*\n)[^\n]*){0,2})",
    re.IGNORECASE | re.MULTILINE,
)
_REASON_SPLIT = re.compile(r"[,;.:]?\s*(?:(?:FOR\s+)?REASONS?\b|1\.[45]\b)", re.IGNORECASE)
_REASON = re.compile(
    r"\b(1\.[45])\.?\s*\(?\s*([A-H](?:\s*(?:,|AND|&|/)\s*\(?[A-H]\b)*)\s*\)?", re.IGNORECASE
)
_EXTRA_LETTER = re.compile(r"(?:,|\bAND\b|&)\s*\(\s*([A-Ha-h])\s*\)", re.IGNORECASE)


def classified_by(text: str, limit: int = 12000) -> tuple[str, list[str]]:
    position = _first_of(text, ("CLASSIFIED", "Classified", "classified"), limit)
    if position < 0:
        return "", []
    match = _CLASSIFIED_BY.search(text, max(position - 1, 0), limit)
    if not match:
        return "", []
    line = re.sub(r"\s+", " ", join_wrapped_lines(match.group("line").split("\n"))).strip()
    # Stop at a paragraph start that followed without a blank line.
    line = re.split(r"\s¶?\d+\.\s+\(", line)[0]
    who = _REASON_SPLIT.split(line, maxsplit=1)[0].strip(" ,.;:")
    reasons: list[str] = []
    for reason in _REASON.finditer(line):
        section = reason.group(1)
        letters = re.findall(r"\b[A-Ha-h]\b", reason.group(2))
        tail = line[reason.end() : reason.end() + 40]
        letters += _EXTRA_LETTER.findall(re.split(r"\b1\.\d", tail)[0])
        for letter in letters:
            code = f"{section}({letter.lower()})"
            if code not in reasons:
                reasons.append(code)
    return who, reasons


# --- summary -----------------------------------------------------------------------------------------

# Rule (summary markers): `SUMMARY:`, `Summary.`, `Summary and comment:`, `SUMMARY AND
# INTRODUCTION:` (04BRASILIA2885), inside the first paragraph too (`1. (C) SUMMARY: ...`). Not the
# `End summary.` of a summary that had no start marker.
_SUMMARY_START = re.compile(
    r"(?<!END )(?<!END OF )(?<!End )(?<!end )(?<!End of )(?<!end of )"
    r"\b(?:EXECUTIVE\s+)?SUMMARY(?:\s+(?:AND|&)\s+(?:COMMENT|INTRODUCTION|ACTION\s+REQUEST|"
    r"ACTION|RECOMMENDATIONS?|BACKGROUND|OVERVIEW))?\s*[:.\-]+\s*"
    # `------- SUMMARY ------- 1. (C) In a ...`: a heading in a cable whose newlines were lost.
    r"(?:(?<=[-=] )\s*¶?1\s*\.\s*(?:\([A-Z/]{1,6}\)\s*)?)?",
    re.IGNORECASE,
)
# The next numbered paragraph inside a text whose newlines were lost (`... 2. (C) ...`).
_INLINE_PARAGRAPH = re.compile(r"\s¶?\d{1,2}\s*\.\s*\((?:U|C|S|SBU|S/NF|C/NF|SBU/NF)\)")
_SUMMARY_END = re.compile(r"\(?\bEND\s+(?:OF\s+)?SUMMARY\b", re.IGNORECASE)
# Rule (summary heading): a `SUMMARY` heading line, alone or between dashes (`------- SUMMARY
# -------`, 08MOSCOW499; `SUMMARY` over a line of dashes, 00HARARE5461; `-------\nSummary\n----`,
# 08RIYADH868): the paragraph under it is the summary, up to `End summary` if there is one.
_SUMMARY_HEADING = re.compile(
    r"^[ \t]*(?:[-=_*]{2,}[ \t]*)?(?:EXECUTIVE\s+)?SUMMARY(?:\s+(?:AND|&)\s+[A-Z]+(?:\s+[A-Z]+)?)?"
    r"[ \t:]*(?:[-=_*]{2,}[ \t]*)?\\?[ \t]*$",  # `\\`: a line end escaped in the CSV
    re.IGNORECASE | re.MULTILINE,
)
# A heading glued to the end of the paragraph before it (`... End summary. ------- NEW DRAFT SSL
# -------`): no part of that paragraph.
_GLUED_HEADING = re.compile(r"\s*(?:[-=_]{3,})\s*[^\n]{0,80}?\s*(?:[-=_]{3,})\s*$")


def summary(text: str, *, paragraph_lines: bool = False) -> str:
    """The text between `Summary:` and `End summary` (markers left out).

    Without an end marker, the rest of the paragraph: up to a blank line or the next numbered
    paragraph in cable text; up to the line's end when `paragraph_lines` (one paragraph a line,
    the parser's display text). A `SUMMARY` heading over the paragraph counts as its start.
    """
    start = _summary_start(text, 0, 8000)
    heading = _summary_heading_in_text(text)
    if heading is not None and (start is None or heading.start() <= start.start()):
        opening = _AFTER_HEADING.match(text, heading.end()).end()
        inline = _SUMMARY_START.match(text, opening)  # `SUMMARY` / `----` / `1. Summary: ...`
        begin = inline.end() if inline else opening
    elif start is not None:
        begin = start.end()
    else:
        return ""
    end = _summary_end(text, begin)
    if end < 0 or end > begin + 8000:
        # Rule (no end marker): the summary is the rest of its paragraph.
        if paragraph_lines:
            end = text.find("\n", begin)
            end = len(text) if end < 0 else end
        else:
            paragraph_end = _PARAGRAPH_END.search(text, begin)
            end = paragraph_end.start() if paragraph_end else len(text)
        inline = _INLINE_PARAGRAPH.search(text, begin, end)
        end = inline.start() if inline else end
    return _summary_text(text[begin:end])


# After a `SUMMARY` heading: its rules, blank lines, the paragraph number and marking.
_AFTER_HEADING = re.compile(
    r"(?:[ \t\\]*\n|[ \t]*[-=_*]{3,}[ \t\\]*(?:\n|$))*[ \t]*(?:¶?\d{1,2}\s*\.\s*)?"
    r"(?:\([A-Z/]{1,8}\)\s*)?"
)
_PARAGRAPH_END = re.compile(r"\n[ \t\\]*\n|\n[ \t]*¶?\d{1,2}\s*\.\s")


def _summary_heading_in_text(text: str) -> re.Match | None:
    """The first `SUMMARY` heading line (first 8,000 characters), or None."""
    if "summary" not in text[:8000].lower():
        return None
    return _SUMMARY_HEADING.search(text, 0, 8000)


def _summary_start(text: str, position: int, limit: int) -> re.Match | None:
    """The first summary start marker: each `summary` found in the lower-cased text is checked
    where it stands (faster than a case-insensitive scan of the whole text)."""
    lower = text[:limit].lower()
    found = lower.find("summary", position)
    while found >= 0:
        start = _SUMMARY_START.search(text, max(found - 10, 0), min(found + 90, limit))
        if start and start.start() <= found:
            return start
        found = lower.find("summary", found + 7)
    return None


def summary_of_paragraphs(texts: list[str], headings: list[str], before_first: str) -> str:
    """The summary of a cable split into paragraphs (their display texts and headings).

    `before_first` is the body text before the first paragraph, where a `SUMMARY` heading over
    paragraph 1 stands."""
    joined = "\n".join(texts)
    marked = summary(joined, paragraph_lines=True)
    heading_at = _summary_heading_index(texts, headings, before_first)
    if heading_at is None:
        return marked
    start = sum(len(t) + 1 for t in texts[:heading_at])
    if marked and joined.find(marked[:40], start, start + 400) >= 0:
        return marked  # the paragraph under the heading opens with `Summary:` itself
    end = _summary_end(joined, start)
    if end < 0 or end > start + 8000:
        end = joined.find("\n", start)
        end = len(joined) if end < 0 else end
    return _summary_text(_SUMMARY_START.sub("", joined[start:end], count=1))


def _summary_heading_index(texts: list[str], headings: list[str], before_first: str) -> int | None:
    """The paragraph under a `SUMMARY` heading (among the first six), or None."""
    opening = before_first[-300:]
    if texts and "summary" in opening.lower() and _SUMMARY_HEADING.search(opening):
        return 0
    for index in range(min(len(texts), 6)):
        if headings[index] and _SUMMARY_HEADING.match(headings[index].strip()):
            return index
        tail = texts[index][-120:]
        if index + 1 < len(texts) and "summary" in tail.lower():
            glued = _GLUED_HEADING.search(tail)
            if glued and _SUMMARY_HEADING.match(glued.group(0).strip()):
                return index + 1
    return None


def _summary_text(text: str) -> str:
    """A summary without its markers: no `End summary`, glued heading or outer punctuation."""
    if any(rule in text[-120:] for rule in ("---", "===", "___")):
        text = text[:-120] + _GLUED_HEADING.sub("", text[-120:])
    text = _LEADING_MARKING.sub("", text)
    return " ".join(text.split()).strip(" .")


_LEADING_MARKING = re.compile(r"^\s*\((?:U|C|S|SBU|S/NF|C/NF|S//NF|C//NF|U/FOUO|LOU)\)\s*")


_END_BEFORE_SUMMARY = re.compile(r"\(?\bend\s+(?:of\s+)?$")


def _summary_end(text: str, position: int) -> int:
    """Where `End summary` (`(END SUMMARY`, `End of Summary`) starts after `position`, or -1.

    Finds `summary` in the lower-cased text and looks back for `end`: much faster than a
    case-insensitive expression over the whole text, with the same result as `_SUMMARY_END`.
    """
    lower = text.lower()
    found = lower.find("summary", position)
    while found >= 0:
        after = found + 7
        if after >= len(lower) or not (lower[after].isalnum() or lower[after] == "_"):
            end = _END_BEFORE_SUMMARY.search(lower, max(position, found - 40), found)
            if end:
                return end.start()
        found = lower.find("summary", found + 7)
    return -1


# --- signers -----------------------------------------------------------------------------------------

_SIGNER = re.compile(r"^[A-Z][A-Z'\-]+(?:[ /,][A-Z][A-Z'\-.]*){0,2}$")
_NOT_SIGNERS = {
    "END",
    "BT",
    "NNNN",
    "SIPDIS",
    "NOFORN",
    "UNQUOTE",
    "QUOTE",
    "END TEXT",
    "END QUOTE",
    "END CABLE",
    "CONFIDENTIAL",
    "SECRET",
    "UNCLASSIFIED",
    "SENSITIVE",
    "COMMENT",
    "END COMMENT",
    "SUMMARY",
    "NOTE",
    "END NOTE",
    "ENDNOTE",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "UNCLAS",
    "THE",
}


# `Swindells`, `McKinley`, `LeBaron`, `van Voorst`, `Hoagland-Smith`.
_TITLE_SIGNER = re.compile(
    r"^(?:(?:van|von|de|del|da|di|du|le|la) )?(?:Mc|Mac|Le|La|De|Di|O')?[A-Z][a-z]+"
    r"(?:[-'][A-Z]?[a-z]+)?(?: [A-Z][a-z]+){0,2}$"
)
# A name glued to the end of the last line: after a sentence (`... avoided. HUGGINS`), a URL or
# the redacted website line (`Website: XXXXXXXXXXXX**** ******** ERELI`, `.../manama/ HENZEL`).
_GLUED_SIGNER = re.compile(
    r"(?P<before>\S*)\s+"
    r"(?P<name>[A-Z]{3,}(?:[-/][A-Z]{3,})?|(?:Mc|Mac|Le|De|Di)?[A-Z][a-z]+(?:[A-Z][a-z]+)?)\s*$"
)
_SENTENCE_END = re.compile(r"""[.!?"')]$""")
_LINK_OR_STARS = re.compile(r"(?:\*|X{4,}|\S[/=]\S*|\S\.\w{2,}/?)$")
# `LONDON 00001442  004 OF 004` inside a line (09LONDON1442): a page break, no text.
_INLINE_PAGE_BREAK = re.compile(
    r"\b(?!X{4})[A-Z][A-Z]+(?: (?!X{4})[A-Z]+){0,3} \d{8}\s+\d{3}(?:\.\d)? OF \d{3}\b"
)


# Rule (signers): what may follow the signer at the end of a cable and is skipped to find it:
# `NNNN`, `End Cable Text` (07STATE135366), `=====CABLE ENDS=====` (06BOGOTA1302), a lone quote
# left by the CSV, rules and stars, page-break headers, and the review stamp of the 1970s cables
# (`Declassified/Released US Department of State EO` / `Systematic Review 05 JUL 2006`).
_AFTER_SIGNER = re.compile(
    r"^(?:N{3,4}|BT|\"+|\.|END CABLE TEXT|=*\s*CABLE ENDS\s*=*|<<\s*END OF DOCUMENT\s*>>|"
    r".*RELEASED US DEPARTMENT OF STATE\b.*|.*SYSTEMATIC REVIEW\b.*|\*+.*\*+|[#=\-_*~ ]+|ADP\s*\d*|QT|UNQT)$",
    re.IGNORECASE,
)
_ESCAPED_LINE_END = re.compile(r"\s*\\v?\s*$")  # `BEYER \` (10BERN48): line ends escaped


def _ends_sentence(line: str) -> bool:
    """Whether a signer may follow this line: the end of a sentence, a rule, or (rule: signer
    after a table) a row of a table or list of years (`2008     45.2    51.0`)."""
    line = line.rstrip()
    if not line or line[-1] in ".!?\")':-" or bool(re.fullmatch(r"[-=_ ]+", line)):
        return True
    if _LINK_OR_STARS.search(line):
        return True  # `Please visit us at http://www.state.sgov.gov/p/wha/asuncion` (08ASUNCION358)
    return _is_table_row(line)


def _is_table_row(line: str) -> bool:
    """`Tourism             53.5`, `2008     45.2    51.0`: a number last, or columns."""
    line = line.strip()
    if line[-1:] in (".", "!", "?", '"', "'", ")"):
        return False
    return line[-1:].isdigit() or len(re.findall(r"\S {3,}\S", line)) >= 1


_NOT_IN_SIGNER = re.compile(r"\b(?:UNCLASSIFIED|CLASSIFIED|SECRET|CONFIDENTIAL|GUIDANCE|RU[A-Z]+/)")


def _signer_name(line: str) -> str | None:
    """The name on a signer line, upper case; repeated names and filler words dropped."""
    name = line.upper()
    if _NOT_IN_SIGNER.search(name):
        return None
    words = name.split()
    if "UNQUOTE" in words or name.startswith("MINIMIZE CONSIDERED"):
        words = words[-1:]
    if len(words) == 2 and words[0] == words[1]:
        words = words[:1]
    return " ".join(words) or None


def signers(lines: list[str]) -> tuple[list[str], list[str]]:
    """The signer name at the end of the cable, and the lines without it.

    Forms seen in the corpus: `MILAS` on its own line (before `NNNN`), `Swindells` in title case
    after the last sentence, `... could have been avoided. HUGGINS` glued to the last line,
    `SUSMAN.` with a full stop (09LONDON2131), `Huntsman` then `huntsman` (09BEIJING2964).
    Rule: the last name before `NNNN` or the end, past whatever may follow it (`_AFTER_SIGNER`).
    """
    skipped = 0
    last_lower = ""
    for index in range(len(lines) - 1, -1, -1):
        # A page-break header first (`PAGE 02 VATICA 00819 ...Z` then text, 02VATICAN819).
        line = _PAGE_HEADER_START.sub("", _ESCAPED_LINE_END.sub("", lines[index]))
        line = _INLINE_PAGE_BREAK.sub(" ", line).strip().rstrip('"').strip()  # `PYATT "`
        if not line:
            continue
        skipped += 1
        if skipped > 12:
            break
        if "Missing Section" in line:
            return [], lines  # the end of the cable is missing: so is its signer
        if _AFTER_SIGNER.match(line) or line.endswith("...") or is_noise_line(line):
            continue
        if line.islower() and " " not in line and not last_lower:
            last_lower = line  # `huntsman` under `Huntsman`: a repeat of the name
            continue
        if last_lower and line.lower() != last_lower:
            return [], lines
        name_line = re.sub(r"(?<=[A-Za-z])\.{1,2}$", "", line)  # `SUSMAN.`, `HEARNE..`
        name_line = re.sub(r"\s+NNNN$", "", name_line)  # `RICE NNNN` (09STATE3691)
        before = next(
            (
                _ESCAPED_LINE_END.sub("", x)
                for x in reversed(lines[:index])
                if x.strip(" \\") and not is_noise_line(x)  # `BRASILIA 00002262  002 OF 002`
            ),
            "",
        )
        looks_signed = (
            _SIGNER.match(name_line)
            and name_line not in _NOT_SIGNERS
            and not name_line.startswith("END ")
        ) or (
            _TITLE_SIGNER.match(name_line)
            and name_line.upper() not in _NOT_SIGNERS
            and _ends_sentence(before)
            # After a table row, not the row's own label (`Tourism  53.5` / `Commercial`).
            and not (_is_table_row(before) and is_prose_word(name_line))
        )
        if looks_signed:
            name = _signer_name(name_line)
            return ([name], lines[:index]) if name else ([], lines)
        tail_at = max(0, len(line) - 120)  # the name is at the end: no scan of a long line
        glued = _GLUED_SIGNER.search(line, tail_at)
        if glued and _glued_name_ok(glued.group("before"), glued.group("name")):
            # The line as written, less the name (page-break text stays for the paragraphs).
            kept = lines[index][: lines[index].rfind(glued.group("name"))].rstrip()
            return [glued.group("name").upper()], [*lines[:index], kept]
        return [], lines
    return [], lines


def _glued_name_ok(before: str, name: str) -> bool:
    """A name glued to the end of the last line: after a sentence's end, or after a link or the
    redacted website line; not a marker word. A capitalised word of the prose counts only after
    a full stop (`... into Russian politics. Burns`)."""
    if name.upper() in _NOT_SIGNERS or before.upper() in ("END", "OF"):
        return False
    if _SENTENCE_END.search(before):
        return True
    if not _LINK_OR_STARS.search(before):
        return False
    # `LeBaron`, `McMullen`: a capital inside is a name's even when the word list has it.
    return (
        name.isupper() or bool(re.match(r"[A-Z][a-z]{1,2}[A-Z]", name)) or not is_prose_word(name)
    )
